package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.testing.FullDisk;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Security;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The developers' launcher, {@code ./plinth}, run for real: a copy of it in a temp directory laid
 * out like the repository (a few sources, {@code cli/target/plinth.jar} copied from the build),
 * with a PATH of the tools it uses plus a fake {@code mvn} that records its calls and "builds" by
 * copying the jar into place. What is checked is what the script decides: when to build (sources
 * newer than the jar, by their modification times, set here explicitly), where the class-data
 * archives go and which jar, JVM and options each one is for, PLINTH_CDS=off, PLINTH_JAVA_OPTS,
 * the command an archive is named after, and that the command's exit code comes out unchanged
 * whatever happens to the archive. Nothing here reads a clock for a verdict or touches ~/.cache
 * or the real Maven.
 */
class LauncherIT {
  static Path script;
  static Path realJar;
  static Path javaHome;
  @TempDir static Path shared;
  static Path image;

  @TempDir Path tmp;
  Path root;
  Path tools;
  Path home;
  Path cache;
  Path mvnLog;
  Path jar;
  /** The jar's modification time as set up: sources are older, "changed" ones newer. */
  Instant built;

  static final String CLASS_DATA = "dist/src/main/lib/class-data.sh";

  @BeforeAll
  static void locate() {
    script = Path.of(System.getProperty("plinth.repo", "..")).resolve("plinth").toAbsolutePath();
    realJar = Path.of(System.getProperty("plinth.jar")).toAbsolutePath();
    javaHome = Path.of(System.getProperty("java.home"));
    assertTrue(Files.isRegularFile(script), "no launcher at " + script);
    assertTrue(Files.isRegularFile(realJar), "no " + realJar + ": mvn -pl cli -am package builds it");
    image = shared.resolve("base.tar");
    BaseImageIT.plinth("base", "--platform", "linux/amd64", "--to", "oci-archive:" + image);
  }

  @BeforeEach
  void layOut() throws Exception {
    root = tmp.resolve("repo");
    home = tmp.resolve("home");
    cache = tmp.resolve("cache");
    mvnLog = tmp.resolve("mvn.log");
    Files.createDirectories(home);
    Files.createDirectories(root.resolve("cli/target"));
    Files.copy(script, root.resolve("plinth"));
    chmod(root.resolve("plinth"), "rwxr-xr-x");
    // the class-data sharing both launchers source
    Path classData = root.resolve(CLASS_DATA);
    Files.createDirectories(classData.getParent());
    Files.copy(script.resolveSibling(CLASS_DATA), classData);
    jar = root.resolve("cli/target/plinth.jar");
    Files.copy(realJar, jar);
    built = Instant.now().minusSeconds(3600);
    Files.setLastModifiedTime(jar, FileTime.from(built));
    for (String source : List.of("pom.xml", "oci/pom.xml", "oci/src/main/java/dev/plinth/oci/A.java",
        "cli/src/test/java/dev/plinth/cli/ATest.java", "oci/src/main/resources/a.txt",
        "native/bin/amd64/plinth-init", "examples/hello-api/src/main/java/Hello.java",
        "docs/x.md", "scripts/bench", "README.md")) {
      write(source, older());
    }
    // directories too: the check matches some by path (native/bin/*, src/main/resources/*)
    try (Stream<Path> all = Files.walk(root)) {
      for (Path d : all.filter(Files::isDirectory).toList()) {
        Files.setLastModifiedTime(d, FileTime.from(older()));
      }
    }
    // only the tools the launcher and the fake mvn use: the real Maven is never on this PATH
    tools = tmp.resolve("tools");
    Files.createDirectories(tools);
    for (String tool : List.of("bash", "sh", "env", "readlink", "find", "flock", "mktemp", "cat",
        "rm", "sha256sum", "stat", "mkdir", "mv", "cp", "touch", "chmod", "sleep")) {
      Files.createSymbolicLink(tools.resolve(tool), which(tool));
    }
    Path mvn = tools.resolve("mvn");
    Files.writeString(mvn, """
        #!/bin/sh
        # fake Maven: records the call, fails when asked to, else puts a new jar in place
        echo "$PWD: $*" >>"%s"
        if [ -n "${FAKE_MVN_FAIL:-}" ]; then echo "[ERROR] BUILD FAILURE (fake)"; exit 1; fi
        cp "%s" cli/target/plinth.jar.new && mv cli/target/plinth.jar.new cli/target/plinth.jar
        """.formatted(mvnLog, realJar));
    chmod(mvn, "rwxr-xr-x");
  }

  // ---------------------------------------------------------------------------------------------
  // Building the jar

  @Test
  void upToDateJar_isNotRebuilt() throws Exception {
    Run r = plinth("--version");
    assertEquals(0, r.code, r.toString());
    assertTrue(r.out.startsWith("plinth "), r.toString());
    assertEquals("", r.err, "the JVM accepts the launcher's options silently");
    assertEquals(List.of(), builds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"oci/src/main/java/dev/plinth/oci/A.java", "oci/pom.xml", "pom.xml",
      "oci/src/main/resources/a.txt", "native/bin/amd64/plinth-init",
      "cli/src/test/java/dev/plinth/cli/ATest.java", "deb/src/main/java/dev/plinth/deb/New.java"})
  void sourceNewerThanTheJar_rebuildsOnce(String source) throws Exception {
    write(source, newer());
    Run first = plinth("--version");
    assertEquals(0, first.code, first.toString());
    List<String> calls = builds();
    assertEquals(1, calls.size(), calls.toString());
    assertTrue(calls.get(0).startsWith(root.toRealPath() + ": "),
        "Maven runs in the repository: " + calls);
    assertTrue(calls.get(0).contains("-pl cli,maven-plugin -am install"), calls.toString());
    assertTrue(Files.getLastModifiedTime(jar).toInstant().isAfter(newer()), "the new jar");

    Run second = plinth("--version");
    assertEquals(0, second.code, second.toString());
    assertEquals(1, builds().size(), "nothing changed since: " + builds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"examples/hello-api/src/main/java/Hello.java", "docs/x.md",
      "scripts/bench", "README.md", "oci/target/classes/X.java", ".git/HEAD", "oci/notes.txt"})
  void changeOutsideTheSources_doesNotRebuild(String file) throws Exception {
    write(file, newer());
    Run r = plinth("--version");
    assertEquals(0, r.code, r.toString());
    assertEquals(List.of(), builds());
  }

  @Test
  void missingJar_isBuilt() throws Exception {
    Files.delete(jar);
    Run r = plinth("--version");
    assertEquals(0, r.code, r.toString());
    assertEquals(1, builds().size(), builds().toString());
    assertTrue(Files.isRegularFile(jar));
    // one line says what the minutes of a first build are (Maven's own output stays hidden)
    List<String> said = r.err.lines().filter(l -> l.startsWith("plinth: building plinth"))
        .toList();
    assertEquals(1, said.size(), r.toString());
    assertTrue(said.get(0).contains("with Maven"), said.toString());
    assertTrue(r.out.startsWith("plinth "), "stdout stays the command's: " + r);
  }

  @Test
  void failedBuild_exits70_withMavensOutput() throws Exception {
    write("oci/src/main/java/dev/plinth/oci/A.java", newer());
    Run r = plinth(Map.of("FAKE_MVN_FAIL", "1"), "--version");
    assertEquals(70, r.code, r.toString());
    assertTrue(r.err.contains("BUILD FAILURE (fake)"), r.toString());
    assertTrue(r.err.contains("building the CLI with Maven failed"), r.toString());
    assertEquals("", r.out, r.toString());
  }

  @Test
  void noMaven_exits70_sayingWhatToInstall() throws Exception {
    Files.delete(tools.resolve("mvn"));
    Files.delete(jar);
    Run r = plinth("--version");
    assertEquals(70, r.code, r.toString());
    assertTrue(r.err.contains("mvn (Maven, to build plinth on first use) not found"), r.toString());
    assertTrue(r.err.contains("apt-get install -y maven"), r.toString());
  }

  @Test
  void noJava_exits70_sayingWhatToInstall() throws Exception {
    Run r = plinth(Map.of("JAVA_HOME", tmp.resolve("no-jdk").toString()), "--version");
    assertEquals(70, r.code, r.toString());
    assertTrue(r.err.contains("java (17 or newer) not found"), r.toString());
  }

  @Test
  void symlinkToTheLauncher_findsItsRepository() throws Exception {
    Path link = tmp.resolve("bin/plinth");
    Files.createDirectories(link.getParent());
    Files.createSymbolicLink(link, root.resolve("plinth"));
    Run r = run(List.of(link.toString(), "--version"), Map.of(), home);
    assertEquals(0, r.code, r.toString());
    assertTrue(r.out.startsWith("plinth "), r.toString());
    assertEquals(List.of(), builds());
  }

  // ---------------------------------------------------------------------------------------------
  // Class-data archives

  @Test
  void archive_listedByTheFirstRun_madeByTheNext_mappedByLaterOnes() throws Exception {
    Path cds = cache.resolve("plinth/cds");
    Run first = plinth("inspect", "oci-archive:" + image);
    assertEquals(0, first.code, first.toString());
    assertEquals("", first.err, first.toString());
    List<String> pending = names(cds);
    assertEquals(1, pending.size(), pending.toString());
    assertTrue(pending.get(0).matches("\\.pending-[0-9a-f]{12}-[0-9]+-[0-9]+-inspect\\.[0-9]+"
        + "\\.classlist"), pending.toString());

    Run second = plinth("inspect", "oci-archive:" + image);
    assertEquals(0, second.code, second.toString());
    assertEquals(first.out, second.out);
    assertEquals("", second.err, second.toString());
    List<String> kept = names(cds);
    assertEquals(1, kept.size(), "the list is gone, the archive kept: " + kept);
    Matcher m = Pattern.compile("plinth-[0-9a-f]{12}-[0-9]+-[0-9]+-inspect\\.([0-9]+)\\.jsa")
        .matcher(kept.get(0));
    assertTrue(m.matches(), kept.toString());
    assertEquals(Files.size(cds.resolve(kept.get(0))), Long.parseLong(m.group(1)),
        "the name ends in its size");

    Path log = tmp.resolve("classes.log");
    Run third = plinth(Map.of("JAVA_TOOL_OPTIONS", "-Xlog:class+load=info:file=" + log),
        "inspect", "oci-archive:" + image);
    assertEquals(0, third.code, third.toString());
    assertEquals(first.out, third.out);
    assertEquals(kept, names(cds));
    String main = Files.readAllLines(log).stream()
        .filter(l -> l.contains(" dev.plinth.cli.Main source: ")).findFirst().orElseThrow();
    assertTrue(main.contains("source: shared objects file"), "plinth's classes come from the "
        + "archive: " + main);
    assertFalse(Files.exists(home.resolve(".cache")), "XDG_CACHE_HOME, not ~/.cache");
  }

  @Test
  void archiveDirectory_isPlinthCdsDir_elseXdgCacheHome_elseHomeCache() throws Exception {
    Map<String, String> noXdg = new HashMap<>();
    noXdg.put("XDG_CACHE_HOME", null);
    assertEquals(0, plinth(noXdg, "inspect", "--help").code);
    assertEquals(1, names(home.resolve(".cache/plinth/cds")).size());

    Path dir = tmp.resolve("elsewhere");
    assertEquals(0, plinth(Map.of("PLINTH_CDS_DIR", dir.toString()), "inspect", "--help").code);
    assertEquals(1, names(dir).size());
    assertFalse(Files.exists(cache), "PLINTH_CDS_DIR rather than XDG_CACHE_HOME");
  }

  @Test
  void cdsOff_writesNoArchive() throws Exception {
    for (int i = 0; i < 2; i++) {
      Run r = plinth(Map.of("PLINTH_CDS", "off"), "inspect", "oci-archive:" + image);
      assertEquals(0, r.code, r.toString());
      assertEquals("", r.err, r.toString());
    }
    assertFalse(Files.exists(cache), "nothing under " + cache);
    assertFalse(Files.exists(home.resolve(".cache")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"inspect|inspect --help", "inspect|--stacktrace inspect --help",
      "base|base --help", "copy|--stacktrace copy --help", "audit|audit --help",
      "build|build --help", "lock|lock --help", "|--help", "|--version", "|nosuchcommand",
      "|--stacktrace"})
  void archive_isNamedAfterTheCommand_noneForHelpAlone(String expectedAndArgs) throws Exception {
    String[] parts = expectedAndArgs.split("\\|");
    Run r = plinth(parts[1].split(" "));
    assertEquals(parts[0].isEmpty() && !parts[1].endsWith("version") && !parts[1].endsWith("help")
        ? 2 : 0, r.code, r.toString());
    List<String> pending = names(cache.resolve("plinth/cds"));
    if (parts[0].isEmpty()) {
      assertEquals(List.of(), pending, parts[1]);
    } else {
      assertEquals(1, pending.size(), pending.toString());
      assertTrue(pending.get(0).contains("-" + parts[0] + "."), parts[1] + ": " + pending);
    }
  }

  @Test
  void newBuildOfTheJar_replacesTheArchiveOfTheOldOne() throws Exception {
    Path cds = cache.resolve("plinth/cds");
    plinthOk("inspect", "oci-archive:" + image);
    plinthOk("inspect", "oci-archive:" + image);
    List<String> old = names(cds);
    assertEquals(1, old.size(), old.toString());
    assertTrue(old.get(0).endsWith(".jsa"), old.toString());

    write("oci/src/main/java/dev/plinth/oci/A.java", newer());
    plinthOk("inspect", "oci-archive:" + image);   // builds, then lists the new jar's classes
    assertEquals(1, builds().size());
    List<String> both = names(cds);
    assertEquals(2, both.size(), both.toString());
    assertTrue(both.contains(old.get(0)), "kept until the new one is made: " + both);

    plinthOk("inspect", "oci-archive:" + image);
    List<String> now = names(cds);
    assertEquals(1, now.size(), now.toString());
    assertTrue(now.get(0).endsWith(".jsa"), now.toString());
    assertNotEquals(old, now, "the new jar's archive replaced the old one");
    assertEquals(old.get(0).substring(0, 20), now.get(0).substring(0, 20),
        "same jar path, JVM and options");
  }

  @Test
  void javaOpts_reachTheJvm_andGetArchivesOfTheirOwn() throws Exception {
    Path log = tmp.resolve("opts.log");
    Run r = plinth(Map.of("PLINTH_JAVA_OPTS", "-Xlog:class+load=info:file=" + log),
        "inspect", "--help");
    assertEquals(0, r.code, r.toString());
    assertTrue(Files.readString(log).contains(" dev.plinth.cli.Main source: "), "the option was "
        + "passed to java");
    Map<String, String> other = Map.of("PLINTH_JAVA_OPTS", "-Xss2m");
    plinthOk(other, "inspect", "--help");
    plinthOk(other, "inspect", "--help");
    plinthOk("inspect", "--help");
    plinthOk("inspect", "--help");
    List<String> archives = names(cache.resolve("plinth/cds"));
    assertEquals(3, archives.size(), archives.toString());
    assertEquals(2, archives.stream().filter(n -> n.endsWith(".jsa")).count(), archives.toString());
    Set<String> wheres = new LinkedHashSet<>();
    for (String n : archives) {
      wheres.add(n.replaceFirst("^\\.?[a-z]+-([0-9a-f]{12})-.*$", "$1"));
    }
    assertEquals(3, wheres.size(), "one per PLINTH_JAVA_OPTS: " + archives);
  }

  @Test
  void archiveCutShort_isRemoved_notMapped() throws Exception {
    Path cds = cache.resolve("plinth/cds");
    plinthOk("inspect", "oci-archive:" + image);
    plinthOk("inspect", "oci-archive:" + image);
    Path archive = cds.resolve(names(cds).get(0));
    byte[] bytes = Files.readAllBytes(archive);
    chmod(archive, "rw-r--r--");
    Files.write(archive, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Run r = plinth("inspect", "oci-archive:" + image);
    assertEquals(0, r.code, r.toString());
    assertEquals("", r.err, r.toString());
    List<String> after = names(cds);
    assertFalse(after.contains(archive.getFileName().toString()), after.toString());
    assertEquals(1, after.size(), "this run lists classes again: " + after);
    assertTrue(after.get(0).endsWith(".classlist"), after.toString());
  }

  /**
   * A command's exit code is the launcher's, whatever the state of its archive: none yet (the run
   * lists its classes), made by this run, mapped, off, and an archive that cannot be written (a
   * file size limit below its 20 MB; the old launcher's JVM wrote it at exit, and then exited 1
   * with a message of its own instead of the command's code).
   */
  @ParameterizedTest
  @ValueSource(ints = {0, 2, 3, 4})
  void exitCode_isTheCommands_whateverTheArchive(int code) throws Exception {
    Path junk = tmp.resolve("junk.tar");
    Files.writeString(junk, "not a tar");
    String[] args = switch (code) {
      case 0 -> new String[] {"inspect", "oci-archive:" + image};
      case 2 -> new String[] {"inspect", "--bogus"};
      case 3 -> new String[] {"inspect", "oci-archive:" + tmp.resolve("missing.tar")};
      default -> new String[] {"inspect", "oci-archive:" + junk};
    };
    Path cds = cache.resolve("plinth/cds");
    List<String> states = List.of("lists its classes", "makes the archive", "maps it");
    for (String state : states) {
      Run r = plinth(args);
      assertEquals(code, r.code, "a run that " + state + ": " + r);
      assertFalse(r.err.contains("shared archive") || r.err.contains("VM"), r.toString());
    }
    assertTrue(names(cds).stream().anyMatch(n -> n.endsWith(".jsa")), names(cds).toString());
    Run off = plinth(Map.of("PLINTH_CDS", "off"), args);
    assertEquals(code, off.code, "PLINTH_CDS=off " + off);

    // files of at most 1 MB: the list of classes (some 80 kB) is written, the archive is not
    Path limited = tmp.resolve("limited");
    for (String state : states) {
      List<String> cmd = new ArrayList<>(List.of(tools.resolve("bash").toString(), "-c",
          "ulimit -f 2048 && exec \"$0\" \"$@\"", root.resolve("plinth").toString()));
      cmd.addAll(List.of(args));
      Run r = run(cmd, Map.of("PLINTH_CDS_DIR", limited.toString()), home);
      assertEquals(code, r.code, "a run that " + state + ", in vain: " + r);
      assertFalse(r.err.contains("shared archive") || r.err.contains("VM"), r.toString());
    }
    List<String> left = names(limited);
    assertTrue(left.stream().anyMatch(n -> n.endsWith("-inspect.failed")),
        "not tried again for this jar: " + left);
    assertTrue(left.stream().noneMatch(n -> n.endsWith(".jsa")), left.toString());
  }

  @Test
  void readOnlyCache_runsWithoutArchive_sameExitCode() throws Exception {
    Path cds = cache.resolve("plinth/cds");
    Files.createDirectories(cds);
    chmod(cds, "r-xr-xr-x");
    try {
      for (int i = 0; i < 2; i++) {
        Run r = plinth("inspect", "oci-archive:" + tmp.resolve("missing.tar"));
        assertEquals(3, r.code, r.toString());
        assertFalse(r.err.contains("shared archive") || r.err.contains("VM"), r.toString());
      }
    } finally {
      chmod(cds, "rwxr-xr-x");
    }
  }

  /**
   * BAD-INPUTS case 57: the cache on a full disk ({@link FullDisk}), where the list of classes
   * and the archive cannot be written, and the JVM's own files too (a JVM with a performance-data
   * file warns that it has no room for it): every run, whatever it tried, exits with the
   * command's code and prints the command's lines only, none of the JVM's.
   */
  @Test
  void cacheOnAFullDisk_runsExitWithTheCommandsCode_noJvmMessage() throws Exception {
    Path full = Files.createDirectories(tmp.resolve("full"));
    for (String[] args : List.of(new String[] {"inspect", "oci-archive:" + image},
        new String[] {"inspect", "oci-archive:" + tmp.resolve("missing.tar")})) {
      for (int i = 0; i < 3; i++) {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("plinth").toString()));
        cmd.addAll(List.of(args));
        Run r = run(FullDisk.wrapWithJvmFiles(full, cmd), Map.of("XDG_CACHE_HOME",
            full.toString()), home);
        assertEquals(args[1].endsWith("missing.tar") ? 3 : 0, r.code, "run " + i + ": " + r);
        assertTrue(r.err.lines().allMatch(l -> l.startsWith("plinth: ")), r.toString());
        assertFalse(r.err.contains("shared archive") || r.err.contains("VM"), r.toString());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // JIT options

  /**
   * SHA-256 is compiled by C2 early through -XX:CompileCommand options naming the JDK's classes
   * (cli's Warmup counts on it): they must still be this JDK's SHA-256 implementation, which a
   * pattern that matches nothing would not say.
   */
  @Test
  void sha256CompileCommands_nameThisJdksSha256Classes() throws Exception {
    String text = Files.readString(script);
    Matcher m = Pattern.compile("CompileThresholdScaling,([\\w.$]+)::([\\w*]+),").matcher(text);
    List<String> named = new ArrayList<>();
    List<String> methods = new ArrayList<>();
    while (m.find()) {
      named.add(m.group(1));
      methods.add(m.group(2));
    }
    assertFalse(named.isEmpty(), "no CompileThresholdScaling in the launcher");
    String impl = Security.getProvider("SUN").getService("MessageDigest", "SHA-256").getClassName();
    List<String> chain = new ArrayList<>();
    for (Class<?> c = Class.forName(impl); c != null; c = c.getSuperclass()) {
      chain.add(c.getName());
    }
    for (int i = 0; i < named.size(); i++) {
      String n = named.get(i);
      assertTrue(chain.contains(n), n + " is not one of SHA-256's classes " + chain);
      String method = methods.get(i);
      if (!method.equals("*")) {
        assertTrue(java.util.Arrays.stream(Class.forName(n).getDeclaredMethods())
            .anyMatch(x -> x.getName().equals(method)), n + " has no method " + method);
      }
    }
  }

  /** The -XX options of HotSpot's compilers in {@code text}: thresholds and compile commands. */
  private static java.util.SortedSet<String> jitOptions(String text) {
    Matcher m = Pattern.compile("-XX:(Tier\\w+=\\d+|CompileCommand=[^\\s)\\\\]+)").matcher(text);
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /**
   * The JIT options are written three times: in this launcher, the release archive's and
   * plinth's own image (its jvmFlags). A change to one that misses another would run plinth
   * differently there, untested.
   */
  @Test
  void jitOptions_areTheSameInBothLaunchersAndPlinthsOwnImage() throws Exception {
    java.util.SortedSet<String> here = jitOptions(Files.readString(script));
    assertTrue(here.size() >= 8 && here.stream().anyMatch(o -> o.startsWith("Tier4BackEdge")),
        "the launcher's JIT options: " + here);
    Path dist = script.getParent().resolve("dist/src/main");
    assertEquals(here, jitOptions(Files.readString(dist.resolve("bin/plinth"))),
        "the release archive's bin/plinth");
    assertEquals(here, jitOptions(Files.readString(dist.resolve("image/plinth.yaml"))),
        "plinth's own image, dist/src/main/image/plinth.yaml");
  }

  // ---------------------------------------------------------------------------------------------

  record Run(int code, String out, String err, List<String> command) {
    @Override
    public String toString() {
      return "exit " + code + " of " + String.join(" ", command) + "\n--- stdout ---\n" + out
          + "\n--- stderr ---\n" + err;
    }
  }

  private Run plinth(String... args) throws Exception {
    return plinth(Map.of(), args);
  }

  private void plinthOk(String... args) throws Exception {
    plinthOk(Map.of(), args);
  }

  private void plinthOk(Map<String, String> env, String... args) throws Exception {
    Run r = plinth(env, args);
    assertEquals(0, r.code, r.toString());
  }

  private Run plinth(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("plinth").toString());
    cmd.addAll(List.of(args));
    return run(cmd, env, home);
  }

  /**
   * Runs with only this environment: PATH of the tools, HOME, XDG_CACHE_HOME and JAVA_HOME under
   * the temp directory, overridden by {@code env} (a null value removes the variable).
   */
  private Run run(List<String> cmd, Map<String, String> env, Path cwd) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
    Map<String, String> e = pb.environment();
    e.clear();
    e.put("PATH", tools.toString());
    e.put("HOME", home.toString());
    e.put("XDG_CACHE_HOME", cache.toString());
    e.put("JAVA_HOME", javaHome.toString());
    e.put("LANG", "C.UTF-8");
    for (Map.Entry<String, String> x : env.entrySet()) {
      if (x.getValue() == null) {
        e.remove(x.getKey());
      } else {
        e.put(x.getKey(), x.getValue());
      }
    }
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      Peers.killTree(p);
      throw new AssertionError("timed out: " + String.join(" ", cmd) + "\n"
          + Files.readString(out) + Files.readString(err));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), cmd);
  }

  private List<String> builds() throws IOException {
    return Files.exists(mvnLog) ? Files.readAllLines(mvnLog) : List.of();
  }

  private static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private Instant older() {
    return built.minusSeconds(600);
  }

  private Instant newer() {
    return built.plusSeconds(600);
  }

  private void write(String relative, Instant mtime) throws IOException {
    Path f = root.resolve(relative);
    Files.createDirectories(f.getParent());
    Files.writeString(f, "// " + relative + "\n");
    Files.setLastModifiedTime(f, FileTime.from(mtime));
  }

  private static void chmod(Path p, String perms) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }

  private static Path which(String tool) {
    for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError(tool + " not found (coreutils, findutils, util-linux, bash)");
  }
}
