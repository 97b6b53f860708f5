package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.Plinth;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user types it: help, exit codes, messages. */
class MainTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  static Run plinth(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), env);
    return new Run(code, out.toString(), err.toString());
  }

  static Run plinth(String... args) {
    return plinth(Map.of(), args);
  }

  @Test
  void everyCommand_hasHelp() {
    for (String[] cmd : new String[][] {{"--help"}, {"base", "--help"}, {"build", "--help"},
        {"lock", "--help"}, {"inspect", "--help"}, {"copy", "--help"}, {"audit", "-h"}, {"-h"},
        {"cache", "--help"},
        {"--stacktrace", "copy", "-qh"}}) {
      Run r = plinth(cmd);
      assertEquals(0, r.code(), String.join(" ", cmd) + r.err());
      assertTrue(r.out().startsWith("Usage: plinth"), r.out());
      assertEquals("", r.err());
      assertTrue(r.out().lines().allMatch(l -> l.length() <= 80), r.out());
    }
    assertTrue(plinth("--help").out().contains("docs/exit-codes.md"));
    assertTrue(plinth("--version").out().strip().matches("plinth " + Pattern.quote(
        projectVersion()) + " \\(commit [0-9a-f]{12}\\)"), plinth("--version").out());
  }

  /** The version Maven built (build.properties, filtered), which the constant must equal. */
  private static String projectVersion() {
    java.util.Properties p = new java.util.Properties();
    try (var in = Main.class.getResourceAsStream("build.properties")) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return p.getProperty("version");
  }

  @Test
  void theVersionConstant_isTheProjectsVersion() {
    // images, SBOMs and SARIF name the tool by dev.plinth.oci.Version.PLINTH: a release that
    // raises the POM's version raises it too
    assertEquals(projectVersion(), Plinth.VERSION);
  }

  /** Each command's options as its help must list them (names and label). */
  private static final Map<String, java.util.List<String>> OPTIONS = Map.of(
      "base", java.util.List.of("--to=REF", "--platform=LIST", "--init=plinth|tini|none",
          "--with=PACKAGES[,...]", "--suite=SUITE", "--arbitrary-user", "--format=text|json"),
      "build", java.util.List.of("-f, --file=FILE", "--to=REF", "--platform=LIST", "--locked",
          "--context=DIR", "--allow-outside-context", "--format=text|json"),
      "lock", java.util.List.of("-f, --file=FILE", "-o, --output=FILE", "--platform=LIST",
          "--context=DIR", "--allow-outside-context", "--format=text|json"),
      "inspect", java.util.List.of("REF", "--format=text|json"),
      "copy", java.util.List.of("SRC", "DST", "--platform=LIST", "--format=text|json"),
      "audit", java.util.List.of("REF", "--format=text|json|sarif",
          "--fail-on=error|warning|info|none", "--max-size=SIZE", "--platforms, --platform=LIST"));

  private static final java.util.List<String> REGISTRY = java.util.List.of(
      "--creds=USER[:PASSWORD]", "--password-stdin", "--insecure=HOST[:PORT][,...]",
      "--creds-realm=HOST[:PORT][,...]", "--manifest-format=oci|v2s2",
      "-q, --quiet", "--json");

  @Test
  void help_ofEveryCommand_listsEachOfItsOptions() {
    Run top = plinth("--help");
    assertTrue(top.out().startsWith("Usage: plinth [OPTIONS] COMMAND\n"), top.out());
    OPTIONS.forEach((command, options) -> {
      assertTrue(top.out().contains("\n  " + command + " "), command + " in " + top.out());
      Run r = plinth(command, "--help");
      assertEquals(0, r.code());
      assertTrue(r.out().startsWith("Usage: plinth " + command + " [OPTIONS]"), r.out());
      java.util.List<String> all = new java.util.ArrayList<>(options);
      all.addAll(java.util.List.of("--stacktrace", "-h, --help", "-V, --version"));
      if (!java.util.List.of("lock", "audit").contains(command)) {
        all.addAll(REGISTRY);
      }
      for (String o : all) {
        assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(o)),
            command + ": " + o + " in\n" + r.out());
      }
    });
    assertTrue(plinth("base", "--help").out().replaceAll("\\s+", " ")
        .contains("(default: linux/amd64,linux/arm64)"));
    assertFalse(plinth("base", "--help").out().contains("DEFAULT-VALUE"));
  }

  @Test
  void version_onAnyCommand() {
    for (String[] args : new String[][] {{"-V"}, {"copy", "--version"}, {"base", "-V"},
        {"-V", "copy"}, {"audit", "x", "--version", "y"}}) {
      Run r = plinth(args);
      assertEquals(0, r.code(), String.join(" ", args));
      assertTrue(r.out().startsWith("plinth " + projectVersion() + " (commit "), r.out());
    }
  }

  @Test
  void parseErrors_exit2_pointingToTheCommandsHelp() {
    String img = "oci-archive:" + tmp.resolve("x.tar");
    String[][] cases = {
      {"Unknown command: 'frob'; name one of base, build, lock, inspect, copy, audit, verify, key, init, cache, completion", "plinth",
          "frob"},
      {"name a command: base, build, lock, inspect, copy, audit, verify, key, init, cache, completion", "plinth", "--stacktrace"},
      {"Unknown option: '--quiet'", "plinth", "--quiet", "copy", "a", "b"},
      {"Unknown option: '--frobnicate'", "plinth copy", "copy", img, "--frobnicate", img},
      {"Missing required parameter for option '--to' (REF)", "plinth base", "base", "--to"},
      {"Missing required parameter for option '-f' (FILE)", "plinth build", "build", "--to", img,
          "-f"},
      {"Missing required option: '--to=REF'", "plinth base", "base", "--platform", "linux/amd64"},
      {"Missing required parameters: 'SRC', 'DST'", "plinth copy", "copy", "-q"},
      {"Missing required parameter: 'DST'", "plinth copy", "copy", "a"},
      {"Missing required parameter: 'REF'", "plinth inspect", "inspect", "--json"},
      {"Unmatched argument at index 3: 'c'", "plinth copy", "copy", "a", "b", "c"},
      {"option '--to' (REF) should be specified only once", "plinth base", "base", "--to", img,
          "--to=" + img},
      {"option '--format' (text|json|sarif) should be specified only once", "plinth audit",
          "audit", "--format", "json", img, "--format", "text"},
    };
    for (String[] c : cases) {
      Run r = plinth(java.util.Arrays.copyOfRange(c, 2, c.length));
      assertEquals(2, r.code(), r.err());
      assertEquals("plinth: " + c[0] + "\nRun '" + c[1] + " --help' for usage.\n", r.err());
      assertEquals("", r.out());
    }
    assertFalse(Files.exists(tmp.resolve("x.tar")));
  }

  @Test
  void stacktrace_beforeOrAfterTheCommand() {
    String missing = "oci-archive:" + tmp.resolve("nope.tar");
    Run without = plinth("inspect", missing);
    assertEquals(3, without.code());
    assertFalse(without.err().contains("\tat dev.plinth."), without.err());
    for (String[] args : new String[][] {{"--stacktrace", "inspect", missing},
        {"inspect", missing, "--stacktrace"}, {"inspect", "--stacktrace", missing}}) {
      Run r = plinth(args);
      assertEquals(3, r.code(), r.err());
      assertTrue(r.err().contains("\tat dev.plinth.cli.InspectCommand.run("), r.err());
      assertTrue(r.err().strip().endsWith("nope.tar"), r.err());
    }
  }

  @Test
  void doubleDash_makesTheRestParameters() {
    Run r = plinth("inspect", "--", "--json");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("plinth: image reference '--json'"), r.err());
  }

  @Test
  void usageErrors_exit2_withAMessageNamingTheProblem() {
    Run noCommand = plinth();
    assertEquals(2, noCommand.code());
    assertTrue(noCommand.err().contains("name a command"), noCommand.err());
    Run unknown = plinth("base", "--to", "oci-archive:" + tmp.resolve("x.tar"), "--frobnicate");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("--frobnicate") && unknown.err().contains("plinth base --help"), unknown.err());
    Run platform = plinth("base", "--platform", "linux/s390x", "--to", "oci-archive:" + tmp.resolve("x.tar"));
    assertEquals(2, platform.code());
    assertTrue(platform.err().contains("--platform: 'linux/s390x' is not supported"), platform.err());
    Run ref = plinth("base", "--to", tmp.resolve("x.tar").toString());
    assertEquals(2, ref.code());
    assertTrue(ref.err().contains("image reference") && ref.err().contains("oci-archive:FILE"), ref.err());
    Run registry = plinth("base", "--to", "localhost:5000/Team/Base:1");
    assertEquals(2, registry.code());
    assertTrue(registry.err().contains("not a valid repository name"), registry.err());
    assertFalse(Files.exists(tmp.resolve("x.tar")));
  }

  @Test
  void badPlinthYaml_exits2_namingFileAndLine() throws Exception {
    Path yaml = tmp.resolve("plinth.yaml");
    Files.writeString(yaml, "platforms: [linux/amd64]\nusr: nonroot\n");
    Run r = plinth("build", "-f", yaml.toString(), "--to", "oci-archive:" + tmp.resolve("o.tar"));
    assertEquals(2, r.code());
    assertEquals("plinth: " + yaml + ":2: the top level: unknown field 'usr'", r.err().lines().findFirst().orElseThrow()
        .replaceAll(" \\(known: .*", ""));
    assertFalse(Files.exists(tmp.resolve("o.tar")));
  }

  @Test
  void srcOutsideTheBuildContext_exits2_unlessAllowedOnTheCommandLine() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(tmp.resolve("secret"), "hunter2");
    Path yaml = dir.resolve("plinth.yaml");
    Files.writeString(yaml, "platforms: [linux/amd64]\nbase: scratch\ninit: none\n"
        + "files: [{src: ../secret, dest: /s}]\n");
    Path out = tmp.resolve("o.tar");
    for (String command : new String[] {"build", "lock"}) {
      Run r = command.equals("lock") ? plinth(command, "-f", yaml.toString())
          : plinth(command, "-f", yaml.toString(), "--to", "oci-archive:" + out);
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(yaml + ":4: files[0].src: ") && r.err().contains("outside the"
          + " build context") && r.err().contains("--allow-outside-context"), r.err());
    }
    assertFalse(Files.exists(out));
    Run wider = plinth("build", "-f", yaml.toString(), "--context", tmp.toString(),
        "--to", "oci-archive:" + out);
    assertEquals(0, wider.code(), wider.err());
    Files.delete(out);
    Run allowed = plinth("build", "-f", yaml.toString(), "--allow-outside-context",
        "--to", "oci-archive:" + out);
    assertEquals(0, allowed.code(), allowed.err());
    assertTrue(Files.exists(out));
  }

  @Test
  void missingInputs_exit3() {
    Run r = plinth("build", "-f", tmp.resolve("nope.yaml").toString(), "--to", "oci:" + tmp.resolve("o"));
    assertEquals(3, r.code());
    assertTrue(r.err().contains("nope.yaml"), r.err());
    Run i = plinth("inspect", "oci-archive:" + tmp.resolve("nope.tar"));
    assertEquals(3, i.code());
  }

  @Test
  void corruptInput_exits4() throws Exception {
    Path junk = tmp.resolve("junk.tar");
    Files.write(junk, "not a tar at all, but long enough to fill a header block".repeat(20).getBytes());
    Run r = plinth("inspect", "oci-archive:" + junk);
    assertEquals(4, r.code(), r.err());
    assertTrue(r.err().contains(junk.toString()) && r.err().contains("not a valid tar"), r.err());
  }

  @Test
  void unwritableTarget_exits5() throws Exception {
    Path file = tmp.resolve("a-file");
    Files.writeString(file, "x");
    Run r = plinth("base", "--to", "oci-archive:" + file.resolve("sub/base.tar"));
    assertEquals(5, r.code(), r.err());
    assertTrue(r.err().contains("oci-archive:" + file.resolve("sub/base.tar")), r.err());
  }

  @Test
  void sourceDateEpoch_comesFromTheEnvironment() {
    Path out = tmp.resolve("e.tar");
    Run b = plinth(Map.of("SOURCE_DATE_EPOCH", "1700000000"), "base", "--platform", "linux/amd64",
        "--to", "oci-archive:" + out);
    assertEquals(0, b.code(), b.err());
    Run i = plinth("inspect", "oci-archive:" + out);
    assertTrue(i.out().contains("created     2023-11-14T22:13:20Z"), i.out());
    Run bad = plinth(Map.of("SOURCE_DATE_EPOCH", "yesterday"), "base", "--to", "oci-archive:" + out);
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("SOURCE_DATE_EPOCH='yesterday'"), bad.err());
  }

  @Test
  void debianOptions_badInput_isAUsageError_andLockedWithoutALock_exits4() throws Exception {
    Run badName = plinth("base", "--with", "ca-certificates,Bad_Name", "--to",
        "oci-archive:" + tmp.resolve("p.tar"));
    assertEquals(2, badName.code());
    assertTrue(badName.err().contains("--with: 'Bad_Name' is not a Debian package name"), badName.err());
    Run badInit = plinth("base", "--init", "dumb-init", "--to", "oci-archive:" + tmp.resolve("p.tar"));
    assertEquals(2, badInit.code());
    assertTrue(badInit.err().contains("plinth, tini or none"), badInit.err());
    Path yaml = Files.writeString(tmp.resolve("plinth.yaml"), "packages: [tzdata]\n");
    Run locked = plinth("build", "-f", yaml.toString(), "--locked", "--to",
        "oci-archive:" + tmp.resolve("p.tar"));
    assertEquals(4, locked.code(), locked.err());
    assertTrue(locked.err().contains(tmp.resolve("plinth.lock").toString())
        && locked.err().contains("plinth lock"), locked.err());
    Path none = Files.writeString(tmp.resolve("none.yaml"), "name: x\n");
    Run nothing = plinth("lock", "-f", none.toString());
    assertEquals(2, nothing.code());
    assertTrue(nothing.err().contains("nothing to lock"), nothing.err());
    assertFalse(Files.exists(tmp.resolve("p.tar")));
  }

  @Test
  void inspectJson_isMachineReadable() throws Exception {
    Path out = tmp.resolve("j.tar");
    assertEquals(0, plinth("base", "--to", "oci-archive:" + out).code());
    Run r = plinth("inspect", "--format", "json", "oci-archive:" + out);
    assertEquals(0, r.code(), r.err());
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertEquals(2, json.get("images").size());
    assertEquals("linux/arm64/v8", json.get("images").get(1).get("platform").asText());
    assertEquals("65532:65532", json.get("images").get(0).get("config").get("User").asText());
  }
}
