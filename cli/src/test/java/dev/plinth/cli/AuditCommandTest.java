package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.audit.TestElf;
import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth audit as a user runs it: images built with plinth build from a plinth.yaml that breaks
 * one rule each (and a hostile archive crafted by hand), each giving the expected finding and exit
 * code, in every output format.
 */
class AuditCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run plinth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Map.of());
    return new Run(code, out.toString(), err.toString());
  }

  /** Builds a linux/amd64 image from a plinth.yaml body and returns its reference. */
  private String build(String name, String yaml) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.write(dir.resolve("server"), TestElf.program().interpreter(null).build());
    Files.writeString(dir.resolve("plinth.yaml"), "name: " + name + "\nplatforms: [linux/amd64]\n"
        + yaml);
    String ref = "oci-archive:" + tmp.resolve(name + ".tar");
    Run r = plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--to", ref);
    assertEquals(0, r.code(), r.err());
    return ref;
  }

  private static final String APP = app("");

  /** The app's files (the server, then {@code more} items) and its entrypoint. */
  private static String app(String more) {
    return "files:\n  - {src: server, dest: /app/server, mode: \"0755\"}\n" + more
        + "entrypoint: [/app/server]\n";
  }

  private static JsonNode json(Run r) throws Exception {
    return new ObjectMapper().readTree(r.out());
  }

  private static List<String> rules(Run r) throws Exception {
    List<String> ids = new java.util.ArrayList<>();
    json(r).get("findings").forEach(f -> ids.add(f.get("rule").asText()));
    return ids;
  }

  @Test
  void cleanApp_exits0_evenOnWarnings() throws Exception {
    String ref = build("clean", APP);
    Run r = plinth("audit", ref, "--fail-on", "warning", "--max-size", "50MB", "--platforms",
        "linux/amd64");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("0 errors, 0 warnings"), r.out());
    assertTrue(r.out().contains("passed (--fail-on warning)"), r.out());
  }

  @Test
  void rootUser_PL001_exits1() throws Exception {
    Run r = plinth("audit", build("root", APP + "user: root\n"), "--format", "json");
    assertEquals(1, r.code(), r.err());
    assertTrue(rules(r).contains("PL001"), r.out());
    assertFalse(json(r).get("passed").asBoolean());
  }

  @Test
  void setuidFile_PL016_isAWarning() throws Exception {
    String ref = build("setuid", app("  - {src: server, dest: /app/helper, mode: \"4755\"}\n"));
    Run r = plinth("audit", ref);
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("PL016  warning") && l.contains(
        "/app/helper: setuid")), r.out());
    assertEquals(1, plinth("audit", ref, "--fail-on", "warning").code());
  }

  @Test
  void missingLibrary_PL041_exits1() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("lib"));
    Files.write(dir.resolve("tool"), TestElf.program("libfoo.so.1").build());
    String ref = build("lib", app("  - {src: ../lib/tool, dest: /app/tool, mode: \"0755\"}\n")
        + "allowMissingLibraries: true\n");
    Run r = plinth("audit", ref, "--format", "json");
    assertEquals(1, r.code(), r.err());
    JsonNode f = findings(r, "PL041").get(0);
    assertEquals("/app/tool", f.get("path").asText());
    assertTrue(f.get("message").asText().startsWith("libfoo.so.1 is not found"), r.out());
    assertTrue(rules(r).contains("PL040"), "the loader is missing too: " + r.out());
  }

  @Test
  void missingLibrary_suppressedByFileOrFlag_exits0_andShowsItSuppressed() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("lib2"));
    Files.write(dir.resolve("tool"), TestElf.program("libfoo.so.1").interpreter(null).build());
    String ref = build("lib2", app("  - {src: ../lib2/tool, dest: /app/tool, mode: \"0755\"}\n")
        + "allowMissingLibraries: true\n");
    assertEquals(1, plinth("audit", ref).code());
    Path ignore = dir.resolve(".plinth-audit.yaml");
    Files.writeString(ignore, "ignore:\n  - {rule: PL041, path: /app/tool, reason: never run}\n");
    Run file = plinth("audit", ref, "--ignore-file", ignore.toString());
    assertEquals(0, file.code(), file.out() + file.err());
    assertTrue(file.out().contains("; suppressed: never run (" + ignore + ": ignore[0])"),
        file.out());
    Run flag = plinth("audit", ref, "--ignore", "PL041:/app/*", "--format", "json");
    assertEquals(0, flag.code(), flag.out() + flag.err());
    assertEquals("accepted with --ignore", findings(flag, "PL041").get(0).get("suppressed")
        .get("reason").asText());
    Run bad = plinth("audit", ref, "--ignore", "PL999");
    assertEquals(2, bad.code(), bad.err());
  }

  @Test
  void wrongArchitecture_PL042_exits1() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("arm"));
    Files.write(dir.resolve("server-arm64"), TestElf.program().interpreter(null).machine(183).build());
    String ref = build("arm", "files:\n  - {src: ../arm/server-arm64, dest: /app/server,"
        + " mode: \"0755\"}\nentrypoint: [/app/server]\n");
    Run r = plinth("audit", ref);
    assertEquals(1, r.code(), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("PL042  error") && l.contains(
        "built for AArch64, not linux/amd64")), r.out());
  }

  @Test
  void shellEntrypoint_PL005_PL006_failOnWarning() throws Exception {
    String ref = build("shell", "init: none\nfiles:\n"
        + "  - {src: server, dest: /bin/sh, mode: \"0755\"}\n"
        + "  - {src: server, dest: /app/server, mode: \"0755\"}\n"
        + "entrypoint: [/bin/sh, -c, \"/app/server --port 8080\"]\n");
    assertEquals(0, plinth("audit", ref).code());
    Run r = plinth("audit", ref, "--fail-on", "warning", "--format", "json");
    assertEquals(1, r.code(), r.out());
    assertTrue(rules(r).containsAll(List.of("PL005", "PL006", "PL022")), r.out());
  }

  @Test
  void secretInEnv_PL030_exits1_andNeverShowsIt() throws Exception {
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    String ref = build("secret", APP + "env: {AWS_SECRET_ACCESS_KEY: \"" + secret + "\"}\n");
    for (String format : List.of("text", "json", "sarif")) {
      Run r = plinth("audit", ref, "--format", format);
      assertEquals(1, r.code(), r.out());
      assertTrue(r.out().contains("PL030"), r.out());
      assertFalse(r.out().contains(secret) || r.err().contains(secret), format);
    }
  }

  @Test
  void hostileLayer_exits4_namingTheLayerAndEntry() throws Exception {
    Path archive = tmp.resolve("hostile.tar");
    writeImage(archive, tar(new TarEntry("../../etc/cron.d/x", TarEntry.Type.FILE, 0644, 0, 0, 1,
        null, 0)));
    Run r = plinth("audit", "oci-archive:" + archive);
    assertEquals(4, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("layer 1") && r.err().contains("'../../etc/cron.d/x'")
        && r.err().contains("climbs"), r.err());
    assertTrue(r.out().isEmpty(), "no partial report: " + r.out());
  }

  @Test
  void sarif_isCodeScanningInput() throws Exception {
    Run r = plinth("audit", build("sarif", APP + "user: root\n"), "--format", "sarif");
    assertEquals(1, r.code());
    JsonNode s = json(r);
    assertEquals("2.1.0", s.get("version").asText());
    assertEquals("plinth", s.get("runs").get(0).get("tool").get("driver").get("name").asText());
    assertTrue(s.get("runs").get(0).get("results").size() > 0);
  }

  @Test
  void sizeBudgetAndPlatforms_PL052_PL050() throws Exception {
    String ref = build("size", APP);
    Run r = plinth("audit", ref, "--max-size", "1kB", "--platforms", "linux/amd64,linux/arm64",
        "--format", "json");
    assertEquals(1, r.code(), r.out());
    assertTrue(rules(r).containsAll(List.of("PL050", "PL052")), r.out());
    JsonNode image = json(r).get("images").get(0);
    assertTrue(image.get("compressedBytes").asLong() > 1000);
    assertTrue(image.get("uncompressedBytes").asLong() > image.get("compressedBytes").asLong());
  }

  @Test
  void dockerArchive_andLatestTag() throws Exception {
    Path archive = tmp.resolve("d.tar");
    assertEquals(0, plinth("base", "--platform", "linux/arm64", "--to",
        "docker-archive:" + archive + ":example/base").code());
    Run r = plinth("audit", "docker-archive:" + archive + ":example/base", "--fail-on", "info",
        "--format", "json");
    assertEquals(1, r.code());
    assertTrue(rules(r).contains("PL061"), r.out());
    assertEquals("linux/arm64/v8", json(r).get("images").get(0).get("platform").asText());
  }

  @Test
  void usageErrors_exit2_missingImage_exits3() {
    for (String[] args : new String[][] {{"audit", "oci-archive:x.tar", "--format", "xml"},
        {"audit", "oci-archive:x.tar", "--fail-on", "fatal"},
        {"audit", "oci-archive:x.tar", "--max-size", "big"},
        {"audit", "oci-archive:x.tar", "--platforms", "linux"}, {"audit", "x.tar"}, {"audit"}}) {
      Run r = plinth(args);
      assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
      assertTrue(r.err().startsWith("plinth: "), r.err());
    }
    Run missing = plinth("audit", "oci-archive:" + tmp.resolve("nope.tar"));
    assertEquals(3, missing.code());
    assertTrue(missing.err().contains("nope.tar"), missing.err());
  }

  @Test
  void help_listsAudit_andItsExitCodes() {
    Run top = plinth("--help");
    assertTrue(top.out().contains("audit") && top.out().contains("1 audit findings"), top.out());
    Run help = plinth("audit", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--fail-on") && help.out().contains("docs/audit.md"),
        help.out());
  }

  private static List<JsonNode> findings(Run r, String rule) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    json(r).get("findings").forEach(f -> {
      if (f.get("rule").asText().equals(rule)) {
        out.add(f);
      }
    });
    return out;
  }

  /** A tar of one entry whose content is one byte. */
  private static byte[] tar(TarEntry e) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(bytes)) {
      InputStream content = new ByteArrayInputStream(new byte[] {'x'});
      w.write(e, content);
    }
    return bytes.toByteArray();
  }

  /** Writes a one-layer linux/amd64 image holding {@code tar} as an oci-archive. */
  private static void writeImage(Path archive, byte[] tar) throws Exception {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
      g.write(tar);
    }
    Layer layer = new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_GZIP, gz.toByteArray()),
        Digest.of(tar), OptionalLong.of(tar.length));
    Map<String, Object> config = Map.of("architecture", "amd64", "os", "linux",
        "config", Map.of("User", "65532"),
        "rootfs", Map.of("type", "layers", "diff_ids", List.of(layer.diffId().toString())));
    Image image = Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, Json.write(config)),
        List.of(layer), Map.of());
    ArchiveWriter.writeOciArchive(archive, null, ImageIndex.of(List.of(image), Map.of()), 0);
  }
}
