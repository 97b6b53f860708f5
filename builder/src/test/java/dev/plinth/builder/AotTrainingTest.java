package dev.plinth.builder;

import dev.plinth.jvm.AotTraining;

import dev.plinth.jvm.AotSpec;

import dev.plinth.jvm.JavaSpec;
import dev.plinth.jvm.SpringBoot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AOT training run's plumbing, with a shell script in place of the runtime's java (the
 * real JVM is run by HelloApiIT): what it is given, how it is stopped, what becomes the layer.
 */
class AotTrainingTest {
  @TempDir Path tmp;

  /** Options of no environment, with a cache of the test's own (not the user's). */
  private Plinth.Options options() {
    return Plinth.Options.of(tmp.resolve("cache"));
  }

  private static final String JAVA = "/opt/java/openjdk/bin/java";
  private static final List<String> CMD =
      List.of(JAVA, "-Xss512k", "-cp", "/app/app.jar:/app/libs/a.jar:rel.jar", "app.Main", "arg");

  /** A "runtime" layer whose java is {@code script}, and an app layer with two jars. */
  private Layer runtime(String script) throws Exception {
    return new LayerBuilder()
        .file(JAVA, ("#!/bin/sh\n" + script).getBytes(StandardCharsets.UTF_8), 0755, 0, 0)
        .build(tmp, 1_700_000_000L, 1);
  }

  private Layer app() throws Exception {
    return new LayerBuilder()
        .file("/app/app.jar", "app".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
        .file("/app/libs/a.jar", "a".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
        .build(tmp, 1_700_000_000L, 1);
  }

  private static byte[] aotFile(Layer l) throws Exception {
    try (InputStream in = l.openUncompressed()) {
      TarReader r = new TarReader(in, "aot layer");
      for (TarEntry e; (e = r.next()) != null; ) {
        if (e.name().equals("app/app.aot")) {
          assertEquals(0644, e.mode() & 07777);
          return r.content().readAllBytes();
        }
      }
    }
    throw new AssertionError("no app/app.aot in the layer");
  }

  @Test
  void command_movesJavaAndTheClassPath_recordsThenCreatesTheCache() {
    Path root = Path.of("/w/root");
    assertEquals(List.of("/w/root" + JAVA, "-XX:AOTMode=record",
        "-XX:AOTConfiguration=/w/app.aotconf", "-Xss512k", "-cp",
        "/w/root/app/app.jar:/w/root/app/libs/a.jar:rel.jar", "app.Main", "arg"),
        AotTraining.command(CMD, root, Path.of("/w/app.aotconf")));
    assertEquals(List.of("/w/root" + JAVA, "-XX:AOTMode=create",
        "-XX:AOTConfiguration=/w/app.aotconf", "-XX:AOTCache=/w/app.aot", "-Xss512k", "-cp",
        "/w/root/app/app.jar:/w/root/app/libs/a.jar:rel.jar", "app.Main", "arg"),
        AotTraining.assembly(CMD, root, Path.of("/w/app.aotconf"), Path.of("/w/app.aot")));
    assertEquals(List.of(JAVA, "-XX:AOTCache=/app/app.aot", "-Xss512k"),
        AotTraining.withCache(List.of(JAVA, "-Xss512k")));
  }

  @Test
  void batchApp_runsToItsEnd_itsCacheBecomesTheLayer_keepingLayerTimesForTheJvmsChecks()
      throws Exception {
    // The script checks what the JVM will check (the jars' times), and writes the configuration;
    // run again in create mode, it makes the cache of it.
    String script = """
        for a in "$@"; do case "$a" in -XX:AOTConfiguration=*) conf="${a#*=}";;
          -XX:AOTCache=*) out="${a#*=}";; esac; done
        if [ -n "$out" ]; then printf 'created with %s from ' "$*" > "$out"
          cat "$conf" >> "$out"; exit 0; fi
        t=$(stat -c %Y "$(dirname "$0")/../../../../app/libs/a.jar")
        printf 'cache for %s, jar time %s, PORT=%s' "$*" "$t" "$PORT" > "$conf"
        echo run >> "$RUNS"
        """;
    Path runs = tmp.resolve("runs");
    AotSpec aot = new AotSpec(List.of(), Map.of("PORT", "9", "RUNS", runs.toString()),
        30);
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer rt = runtime(script);
    Layer layer = AotTraining.layer(aot, CMD, Map.of("JAVA_HOME", "/opt/java/openjdk"),
        List.of(SpringBoot.EXIT_ON_REFRESH), rt, List.of(app()), tmp, 0, 1, cache);
    String content = new String(aotFile(layer), StandardCharsets.UTF_8);
    assertTrue(content.startsWith("created with -XX:AOTMode=create"), content);
    assertTrue(content.contains("cache for -XX:AOTMode=record -XX:AOTConfiguration=" + tmp)
        && content.contains(".aotconf -Xmx256m " + SpringBoot.EXIT_ON_REFRESH + " -Xss512k"),
        "the training run's own flags: " + content);
    assertTrue(content.contains("jar time 1700000000"), content);
    assertTrue(content.contains("PORT=9"), content);
    assertTrue(content.contains("-cp " + tmp), content);
    assertTrue(content.contains("app.Main arg"), content);

    // Nothing changed: the layer comes from the cache, with no second training run.
    Layer again = AotTraining.layer(aot, CMD, Map.of("JAVA_HOME", "/opt/java/openjdk"),
        List.of(SpringBoot.EXIT_ON_REFRESH), rt, List.of(app()), tmp, 0, 1, cache);
    assertEquals(layer.blob().descriptor().digest(), again.blob().descriptor().digest());
    assertArrayEquals(aotFile(layer), aotFile(again));
    assertEquals(List.of("run"), Files.readAllLines(runs));
  }

  @Test
  void appThatExitsBeforeAnswering_failsWithItsOutput() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    AotSpec aot = new AotSpec(List.of("http://127.0.0.1:" + port + "/"), Map.of(), 30);
    PlinthException e = assertThrows(PlinthException.class, () -> AotTraining.layer(aot, CMD,
        Map.of(), List.of(), runtime("echo 'cannot listen: port in use' >&2; exit 3\n"),
        List.of(app()), tmp, 0, 1, new LayerCache(tmp.resolve("cache"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("the app exited (code 3) before answering http://127.0.0.1:"
        + port + "/") && e.getMessage().contains("cannot listen: port in use"), e.getMessage());
  }

  @Test
  void runThatWritesNoCache_fails_andAHangingAppIsStoppedAtTheTimeout() throws Exception {
    PlinthException e = assertThrows(PlinthException.class, () -> AotTraining.layer(
        new AotSpec(List.of(), Map.of(), 1), CMD, Map.of(), List.of(),
        runtime("echo started; exec sleep 30\n"), List.of(app()), tmp, 0, 1,
        new LayerCache(tmp.resolve("cache"))));
    assertTrue(e.getMessage().contains("stopped with SIGTERM at java.aot.timeout, 1 s"),
        e.getMessage());
    assertTrue(e.getMessage().contains("the training run recorded no AOT configuration")
        && e.getMessage().contains("started"), e.getMessage());
  }

  @Test
  void hostRuns_onlyItsOwnArchitecture() {
    boolean amd64 = System.getProperty("os.arch").equals("amd64");
    assertEquals(amd64, AotTraining.hostRuns(Platform.LINUX_AMD64));
    assertEquals(!amd64, AotTraining.hostRuns(Platform.LINUX_ARM64));
  }

  @Test
  void prepare_needsJdk25_andAPlatformOfThisHost() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("c"));
    Files.writeString(classes.resolve("Main.class"), "x");
    JavaSpec java17 = new JavaSpec(null, "Main", List.of(classes), 17, List.of(),
        List.of(), AotSpec.DEFAULT, "trixie");
    PlinthException old = assertThrows(PlinthException.class, () -> JavaBuild.prepare(
        BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(java17), options()));
    assertTrue(old.getMessage().contains("java.aot needs java.version 25 or later"), old.getMessage());

    Platform other = System.getProperty("os.arch").equals("amd64")
        ? Platform.LINUX_ARM64 : Platform.LINUX_AMD64;
    JavaSpec java25 = new JavaSpec(null, "Main", List.of(classes), 25, List.of(),
        List.of(), AotSpec.DEFAULT, "trixie");
    PlinthException foreign = assertThrows(PlinthException.class, () -> JavaBuild.prepare(
        BuildSpec.base(List.of(other)).withJava(java25), options()));
    assertEquals(PlinthException.Kind.USAGE, foreign.kind());
    assertTrue(foreign.getMessage().contains("no platform of this build"), foreign.getMessage());
    assertFalse(JavaBuild.prepare(BuildSpec.base(List.of(other)).withJava(
        new JavaSpec(null, "Main", List.of(classes), 25, List.of(), List.of(), null,
            "trixie")), options()).trainsFor(other));
  }
}
