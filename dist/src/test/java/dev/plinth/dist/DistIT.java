package dev.plinth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.testing.FullDisk;
import dev.plinth.registry.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user meets it: unpacked into an empty directory, run with nothing but
 * a Java runtime on PATH (no Maven, no repository), it builds, pushes and audits; the archive's
 * entries have fixed times and modes, and its .sha256 file checks.
 */
class DistIT {
  @TempDir Path tmp;
  private final Path archive = Path.of(System.getProperty("plinth.archive"));
  private final String version = System.getProperty("plinth.version");

  record Run(int code, String out) {}

  private Run run(Path dir, Map<String, String> env, String... cmd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd) + " did not end");
    return new Run(p.exitValue(), out);
  }

  @Test
  void archive_hasFixedEntries_andItsChecksum() throws Exception {
    Run list = run(tmp, Map.of("PATH", "/usr/bin:/bin", "TZ", "UTC"), "tar", "--full-time",
        "-tvzf", archive.toString());
    assertEquals(0, list.code(), list.out());
    String base = "plinth-" + version + "/";
    List<String> names = new ArrayList<>();
    for (String line : list.out().strip().split("\n")) {
      String[] f = line.trim().split("\\s+");
      String name = f[f.length - 1];
      names.add(name);
      assertEquals("1980-01-01", f[3], "the entry's time is the build's fixed one: " + line);
      if (name.equals(base + "bin/plinth")) {
        assertEquals("-rwxr-xr-x", f[0], line);
      } else if (!name.endsWith("/")) {
        assertEquals("-rw-r--r--", f[0], line);
      }
    }
    for (String n : List.of("bin/plinth", "lib/plinth.jar", "lib/class-data.sh", "LICENSE",
        "README.txt")) {
      assertTrue(names.contains(base + n), n + " in " + names);
    }
    Path zip = Path.of(archive.toString().replace(".tar.gz", ".zip"));
    assertTrue(Files.size(zip) > 1_000_000, zip + " missing or empty");
    for (Path a : List.of(archive, zip)) {
      // in sha256sum's format, so that sha256sum -c checks it
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(Files.readAllBytes(a)));
      assertEquals(hex + "  " + a.getFileName(), Files.readString(Path.of(a + ".sha256")).strip());
    }
  }

  @Test
  void unpacked_classDataArchive_listedByTheFirstRun_madeByTheNext_mappedByLaterOnes()
      throws Exception {
    Path unpack = Files.createDirectories(tmp.resolve("opt"));
    assertEquals(0, run(unpack, Map.of("PATH", "/usr/bin:/bin"), "tar", "-xzf",
        archive.toString()).code());
    String plinth = unpack.resolve("plinth-" + version + "/bin/plinth").toString();
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path cds = work.resolve("cache/plinth/cds");
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "HOME", work.toString(),
        "XDG_CACHE_HOME", work.resolve("cache").toString(),
        "JAVA_HOME", System.getProperty("java.home"));

    Run first = run(work, env, plinth, "base", "-q", "--to", "oci-archive:out.tar");
    assertEquals(0, first.code(), first.out());
    assertTrue(first.out().startsWith("wrote oci-archive:out.tar"), first.out());
    byte[] image = Files.readAllBytes(work.resolve("out.tar"));
    List<String> pending = names(cds);
    assertEquals(1, pending.size(), pending.toString());
    assertTrue(pending.get(0).matches("\\.pending-[0-9a-f]{12}-[0-9]+-[0-9]+-base\\.[0-9]+"
        + "\\.classlist"), pending.toString());

    Run second = run(work, env, plinth, "base", "-q", "--to", "oci-archive:out.tar");
    assertEquals(0, second.code(), second.out());
    assertEquals(first.out(), second.out(), "nothing of the JVM's on the output");
    // the same image, whichever way the JVM got its classes
    assertTrue(java.util.Arrays.equals(image, Files.readAllBytes(work.resolve("out.tar"))));
    List<String> kept = names(cds);
    assertEquals(1, kept.size(), "the list is gone, the archive kept: " + kept);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(
        "plinth-[0-9a-f]{12}-[0-9]+-[0-9]+-base\\.([0-9]+)\\.jsa").matcher(kept.get(0));
    assertTrue(m.matches(), kept.toString());
    assertEquals(Files.size(cds.resolve(kept.get(0))), Long.parseLong(m.group(1)),
        "the name ends in its size");

    Path log = tmp.resolve("classes.log");
    Map<String, String> logged = new java.util.HashMap<>(env);
    logged.put("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log);
    Run third = run(work, logged, plinth, "base", "-q", "--to", "oci-archive:out.tar");
    assertEquals(0, third.code(), third.out());
    assertEquals(kept, names(cds));
    String main = Files.readAllLines(log).stream()
        .filter(l -> l.contains(" dev.plinth.cli.Main source: ")).findFirst().orElseThrow();
    assertTrue(main.contains("source: shared objects file"), "plinth's classes come from the "
        + "archive: " + main);
    assertTrue(java.util.Arrays.equals(image, Files.readAllBytes(work.resolve("out.tar"))));
    // a failing command's exit code is its own, with the archive mapped
    Run bad = run(work, env, plinth, "base", "-q", "--platform", "linux/s390x", "--to",
        "oci-archive:out.tar");
    assertEquals(2, bad.code(), bad.out());
    assertEquals("plinth: --platform: 'linux/s390x' is not supported: use linux/amd64 or"
        + " linux/arm64", bad.out().strip());
  }

  private static List<String> names(Path dir) throws java.io.IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void unpacked_withOnlyJavaOnPath_buildsPushesAndAudits() throws Exception {
    Path unpack = Files.createDirectories(tmp.resolve("opt"));
    assertEquals(0, run(unpack, Map.of("PATH", "/usr/bin:/bin"), "tar", "-xzf",
        archive.toString()).code());
    // a PATH with java and ls alone: no Maven, no git, no repository checkout
    Path tools = Files.createDirectories(tmp.resolve("tools"));
    Files.createSymbolicLink(tools.resolve("java"),
        Path.of(System.getProperty("java.home"), "bin", "java"));
    Files.createSymbolicLink(tools.resolve("ls"), Path.of("/bin/ls"));
    Path bin = unpack.resolve("plinth-" + version + "/bin");
    // on PATH through a symlink, as a package manager would link it
    Files.createSymbolicLink(tools.resolve("plinth"), bin.resolve("plinth"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Map<String, String> env = Map.of("PATH", tools.toString(), "HOME", work.toString(),
        "XDG_CACHE_HOME", work.resolve("cache").toString());

    Run v = run(work, env, tools.resolve("plinth").toString(), "--version");
    assertEquals(0, v.code(), v.out());
    assertTrue(v.out().startsWith("plinth " + version.replace("-SNAPSHOT", "")), v.out());
    Run base = run(work, env, tools.resolve("plinth").toString(), "base", "--to", "oci-archive:base.tar");
    assertEquals(0, base.code(), base.out());
    // BAD-INPUTS case 57: the output (and the JVM's own files) on a full disk: exit 5 and one
    // line, nothing of the JVM's
    Path full = Files.createDirectories(tmp.resolve("full"));
    String target = "oci-archive:" + full.resolve("base.tar");
    Run noSpace = run(work, env, FullDisk.wrapWithJvmFiles(full, List.of(
        tools.resolve("plinth").toString(),
        "base", "-q", "--to", target)).toArray(String[]::new));
    assertEquals(5, noSpace.code(), noSpace.out());
    assertEquals("plinth: " + target + ": writing failed: No space left on device",
        noSpace.out().strip());
    assertEquals(List.of(), FullDisk.left(full));
    try (TestRegistry reg = TestRegistry.plain()) {
      Run push = run(work, env, tools.resolve("plinth").toString(), "copy", "oci-archive:base.tar",
          reg.host() + "/dist/base:1", "-q");
      assertEquals(0, push.code(), push.out());
      Run audit = run(work, env, tools.resolve("plinth").toString(), "audit", reg.host() + "/dist/base:1");
      assertEquals(0, audit.code(), audit.out());
    }
    Run noJava = run(work, Map.of("PATH", tmp.resolve("empty").toString()),
        bin.resolve("plinth").toString(), "--version");
    assertEquals(70, noJava.code(), noJava.out());
    assertTrue(noJava.out().contains("Java 17 or newer"), noJava.out());
  }
}
