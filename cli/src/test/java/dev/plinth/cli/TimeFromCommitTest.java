package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --time-from-commit}: files and image dated by the last commit of the project's git
 * repository (static files served from the image are not dated 1970); SOURCE_DATE_EPOCH, when
 * set, stays the rule; outside a repository a usage error says what to do.
 */
class TimeFromCommitTest {
  private static final long COMMIT = 1_700_000_000L; // 2023-11-14T22:13:20Z

  @TempDir Path tmp;

  private Path project() throws Exception {
    Path p = Files.createDirectories(tmp.resolve("site"));
    Files.writeString(p.resolve("index.html"), "<p>hello</p>\n");
    Files.writeString(p.resolve("plinth.yaml"), "name: site\nplatforms: [linux/amd64]\n"
        + "files:\n  - {src: index.html, dest: /srv/index.html}\ncmd: [/sbin/nologin]\n");
    git(p, "init", "-q");
    git(p, "add", ".");
    git(p, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "x");
    return p;
  }

  private static void git(Path dir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("GIT_COMMITTER_DATE", "@" + COMMIT + " +0000");
    pb.environment().put("GIT_AUTHOR_DATE", "@" + COMMIT + " +0000");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
  }

  private Map<String, String> env(String sourceDateEpoch) {
    Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString(),
        "XDG_CACHE_HOME", tmp.resolve("cache").toString()));
    if (sourceDateEpoch != null) {
      env.put("SOURCE_DATE_EPOCH", sourceDateEpoch);
    }
    return env;
  }

  /** The config's created time and the mtime of /srv/index.html in the one layer that holds it. */
  private static Object[] times(Path layout) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Path blobs = layout.resolve("blobs/sha256");
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    JsonNode top = json.readTree(blobs.resolve(hex(index.get("manifests").get(0))).toFile());
    JsonNode manifest = top.has("manifests")
        ? json.readTree(blobs.resolve(hex(top.get("manifests").get(0))).toFile()) : top;
    String created = json.readTree(blobs.resolve(hex(manifest.get("config"))).toFile())
        .get("created").asText();
    for (JsonNode l : manifest.get("layers")) {
      try (InputStream in = new GZIPInputStream(Files.newInputStream(blobs.resolve(hex(l))))) {
        // ustar headers as plinth writes them: name at 0, size at 124, mtime at 136 (octal)
        for (byte[] h; (h = in.readNBytes(512)).length == 512 && h[0] != 0; ) {
          String name = field(h, 0, 100);
          long size = Long.parseLong(field(h, 124, 12), 8);
          if (name.equals("srv/index.html")) {
            return new Object[] {created, Long.parseLong(field(h, 136, 12), 8)};
          }
          in.skipNBytes((size + 511) / 512 * 512);
        }
      }
    }
    throw new AssertionError("no srv/index.html in " + layout);
  }

  private static String field(byte[] h, int at, int length) {
    int end = at;
    while (end < at + length && h[end] != 0) {
      end++;
    }
    return new String(h, at, end - at, java.nio.charset.StandardCharsets.US_ASCII).strip();
  }

  private static String hex(JsonNode descriptor) {
    return descriptor.get("digest").asText().substring("sha256:".length());
  }

  @Test
  void timeFromCommit_datesFilesAndImageByTheLastCommit() throws Exception {
    Path p = project();
    Path out = tmp.resolve("out");
    MainTest.Run r = MainTest.plinth(env(null), "build", "-f",
        p.resolve("plinth.yaml").toString(), "--time-from-commit", "--to", "oci:" + out + ":1");
    assertEquals(0, r.code(), r.err());
    Object[] t = times(out);
    assertEquals("2023-11-14T22:13:20Z", t[0]);
    assertEquals(COMMIT, t[1]);

    Path plain = tmp.resolve("plain");
    assertEquals(0, MainTest.plinth(env(null), "build", "-f",
        p.resolve("plinth.yaml").toString(), "--to", "oci:" + plain + ":1").code());
    assertEquals(0L, times(plain)[1], "without the option, SOURCE_DATE_EPOCH's default: 1970");
  }

  @Test
  void sourceDateEpoch_staysTheRule() throws Exception {
    Path p = project();
    Path out = tmp.resolve("out");
    MainTest.Run r = MainTest.plinth(env("86400"), "build", "-f",
        p.resolve("plinth.yaml").toString(), "--time-from-commit", "--to", "oci:" + out + ":1");
    assertEquals(0, r.code(), r.err());
    assertEquals(86400L, times(out)[1]);
  }

  @Test
  void outsideARepository_isAUsageErrorSayingWhatToDo() throws Exception {
    Path p = Files.createDirectories(tmp.resolve("norepo"));
    Files.writeString(p.resolve("plinth.yaml"), "name: x\nplatforms: [linux/amd64]\n"
        + "cmd: [/sbin/nologin]\n");
    MainTest.Run r = MainTest.plinth(env(null), "build", "-f",
        p.resolve("plinth.yaml").toString(), "--time-from-commit", "--to",
        "oci:" + tmp.resolve("o") + ":1");
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().contains("not in a git repository") && r.err().contains("SOURCE_DATE_EPOCH"),
        r.err());
  }
}
