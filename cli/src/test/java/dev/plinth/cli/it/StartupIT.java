package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.registry.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up tricks of the CLI, guarded by what the built jar loads, a count rather than a time:
 * its own command-line parser instead of picocli, JSON without Jackson's ObjectMapper, TLS set up
 * only for an https registry, string concatenation without invokedynamic, and the SHA-256 warm-up
 * only for commands that hash. Each run is {@code java -Xshare:off -Xlog:class+load:file=LOG -jar
 * plinth.jar ARGS}, as a separate process; the classes counted are the lines of LOG.
 *
 * <p>The budgets are the counts measured on 5 Dec 2025 with OpenJDK 17.0.15 (Debian 12) plus some
 * 5%: a change that loads more has to say why, and raise the budget here with the new count. The
 * classes from the jar are counted on every JDK; all classes (the JDK's too) on JDK 17 only, where
 * they were measured. To see what a run loads: the command in the failure message, then {@code
 * grep -c . LOG}, {@code grep 'source: file:' LOG}.
 */
class StartupIT {
  @TempDir static Path tmp;
  static Path jar;
  static Path archive;

  /** What one run loaded, in order. */
  record Loaded(List<String> classes, List<String> fromJar, List<String> command) {
    boolean has(String className) {
      return classes.contains(className);
    }

    List<String> matching(Predicate<String> p) {
      return classes.stream().filter(p).toList();
    }

    /** Asserts the budgets: classes from the jar always, all classes on the JDK they were measured on. */
    void within(int jarBudget, int allBudget) {
      String how = "plinth " + String.join(" ", command) + " loaded " + classes.size()
          + " classes, " + fromJar.size() + " of them from plinth.jar";
      assertTrue(fromJar.size() <= jarBudget, how + "; budget from the jar: " + jarBudget);
      if (Runtime.version().feature() == 17) {
        assertTrue(classes.size() <= allBudget, how + "; budget on JDK 17: " + allBudget);
      }
    }
  }

  private static final Pattern LINE = Pattern.compile("\\] (\\S+) source: (.*)$");

  static Loaded load(String... args) throws IOException {
    Path log = Files.createTempFile(tmp, "classes", ".log");
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:off", "-Xlog:class+load=info:file=" + log, "-jar", jar.toString()));
    cmd.addAll(List.of(args));
    Peers.Result r = Peers.exec(cmd, Duration.ofMinutes(2));
    assertEquals(0, r.exitCode(), r.toString());
    List<String> classes = new ArrayList<>();
    List<String> fromJar = new ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        classes.add(m.group(1));
        if (m.group(2).startsWith("file:")) {
          fromJar.add(m.group(1));
        }
      }
    }
    assertTrue(classes.size() > 100, "no class+load log in " + log + ": " + r);
    return new Loaded(classes, fromJar, List.of(args));
  }

  static TestRegistry reg;

  @BeforeAll
  static void setUp() throws Exception {
    jar = Path.of(System.getProperty("plinth.jar"));
    assertTrue(Files.isRegularFile(jar), "no " + jar + ": mvn -pl cli -am package builds it");
    archive = tmp.resolve("base.tar");
    BaseImageIT.plinth("base", "--platform", "linux/amd64", "--to", "oci-archive:" + archive);
  }

  @AfterAll
  static void stop() {
    if (reg != null) {
      reg.close();
    }
  }

  /** Help and version: the parser and the text, nothing that reads JSON, hashes or connects. */
  @Test
  void help_loadsTheParserOnly() throws IOException {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"--version"})) {
      Loaded l = load(args);
      // measured: 567 classes, 8 from the jar (652 while Main passed Main::command, a method
      // reference, whose bootstrap loads the JDK's lambda machinery); --version 610: it reads
      // the commit from build.properties, and a resource lookup in the jar loads some 40
      l.within(10, args[0].equals("--version") ? 625 : 600);
      assertEquals(List.of(), l.matching(c -> c.startsWith("com.fasterxml.")), "no JSON");
      assertEquals(List.of(), l.matching(c -> c.startsWith("picocli.")), "own parser");
      assertEquals(List.of(), l.matching(c -> c.startsWith("javax.net.ssl.")), "no TLS");
      assertFalse(l.has("dev.plinth.cli.Warmup"), "no SHA-256 warm-up for help");
      assertEquals(List.of(), l.matching(c -> c.contains("$$Lambda")), "no lambda bootstrap");
    }
  }

  /** inspect of a local archive: Jackson's streaming parser, no ObjectMapper, no TLS at all. */
  @Test
  void inspectOciArchive_loadsNoObjectMapperNorTls() throws IOException {
    Loaded l = load("inspect", "oci-archive:" + archive);
    // measured: 1,257 classes, 186 from the jar (1,652 and 493 while the config's lists were
    // printed with JsonNode.toString, which builds an ObjectMapper; 163 from the jar before the
    // typed documents and the table of transports); 197 since the options hold the cache's bound
    // (PLINTH_CACHE_MAX: CacheDirectory and its layout table) and the progress display is chosen
    // up front (TransferDisplay and its mode); 1,302 and 200 since the withers of Plinth.Options
    // and RegistryOptions change a field on one copy of the fields each (OptionsEdit,
    // RegistryOptions$Edit)
    l.within(205, 1320);
    assertFalse(l.has("com.fasterxml.jackson.databind.ObjectMapper"), "ObjectMapper built");
    assertEquals(List.of(), l.matching(c -> c.startsWith("javax.net.ssl.")), "TLS for a file");
    assertEquals(List.of(), l.matching(c -> c.startsWith("picocli.")), "own parser");
    assertTrue(l.has("dev.plinth.cli.Warmup"), "a command that reads blobs warms SHA-256 up");

    Loaded json = load("inspect", "--format", "json", "oci-archive:" + archive);
    // measured: 1,127 classes, 185 from the jar (and the same 11 more since, as above)
    json.within(205, 1185);
    assertFalse(json.has("com.fasterxml.jackson.databind.ObjectMapper"), "ObjectMapper built");
  }

  /** base to a local archive: builds, hashes and writes JSON without an ObjectMapper or TLS. */
  @Test
  void baseToOciArchive_loadsNoObjectMapperNorTls() throws IOException {
    Loaded l = load("base", "--to", "oci-archive:" + tmp.resolve("out.tar"));
    // measured: 1,549 classes, 176 from the jar; 1,588 and 195 since a build holds the cache's
    // lock and keeps its bound afterwards (CacheLock, CacheDirectory's walk), reports each layer
    // as a step (TransferDisplay) and takes --sign-key (SignFlags); 1,602 and 205 with the
    // withers' OptionsEdit and RegistryOptions$Edit (plinth base makes its BuildSpec in one call);
    // 1,615 and 206 since the cache's size is walked beside the build (CacheDirectory$Measure);
    // 210 from the jar since the archive is written while the library check runs (ImageSink's
    // Staged, the archive's sink and its staged write as classes, ImageTransports$Step)
    l.within(210, 1630);
    assertFalse(l.has("com.fasterxml.jackson.databind.ObjectMapper"), "ObjectMapper built");
    assertEquals(List.of(), l.matching(c -> c.startsWith("javax.net.ssl.")), "TLS for a file");
  }

  /**
   * A push to a plain-HTTP registry sets up no TLS: the JDK's TLS provider (sun.security.ssl) and
   * its CA store are loaded on the first https connection only.
   */
  @Test
  void copyToPlainHttpRegistry_setsUpNoTls() throws IOException {
    reg = TestRegistry.plain();
    Loaded l = load("copy", "oci-archive:" + archive, reg.host() + "/startup/base:1");
    // measured: 1,529 classes, 238 from the jar (188 before HTTP moved into a module of its own
    // and the documents were typed, 224 before every wait got a deadline: Deadline, Limits, the
    // Guard that aborts a connection at one, the registry's Attempts, Failures, Destinations,
    // TokenClient and RegistryTrust split out of RegistryHttp); 1,565 and 252 since the options
    // hold the cache's bound and the copy takes --sign-key
    l.within(262, 1600);
    assertEquals(List.of(), l.matching(c -> c.startsWith("sun.security.ssl.")), "TLS set up");
    assertFalse(l.has("com.fasterxml.jackson.databind.ObjectMapper"), "ObjectMapper built");
  }

  /**
   * Our classes concatenate strings through StringBuilder (javac -XDstringConcat=inline in the
   * parent pom): invokedynamic's StringConcatFactory would spin method-handle classes on every
   * run. JDK 17 loads StringConcatFactory itself at start, so this reads the class files instead.
   */
  @Test
  void jarClasses_concatenateWithoutInvokedynamic() throws IOException {
    byte[] factory = "java/lang/invoke/StringConcatFactory".getBytes(StandardCharsets.UTF_8);
    List<String> indy = new ArrayList<>();
    int ours = 0;
    try (ZipFile z = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        String name = entry.getName();
        assertFalse(name.startsWith("picocli/"), "picocli is back in the jar: " + name);
        if (!name.startsWith("dev/plinth/") || !name.endsWith(".class")) {
          continue;
        }
        ours++;
        try (InputStream in = z.getInputStream(entry)) {
          if (contains(in.readAllBytes(), factory)) {
            indy.add(name);
          }
        }
      }
    }
    assertTrue(ours > 100, "only " + ours + " dev/plinth classes in " + jar);
    assertEquals(List.of(), indy, "classes that concatenate with invokedynamic");
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
