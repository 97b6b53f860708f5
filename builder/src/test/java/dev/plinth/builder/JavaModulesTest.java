package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.jvm.AotSpec;
import dev.plinth.jvm.JavaSpec;
import dev.plinth.oci.Parallel;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The modules {@code auto} finds for tiny apps compiled here: jdeps, the training run that runs
 * the app on this machine's JDK 17, the list that adds to them, and the cache of the answer.
 * Each app appends a line to the file $RUNS names whenever it runs, so a test sees how often
 * the training ran.
 */
class JavaModulesTest {
  @TempDir Path tmp;

  /** Compiles {@code sources} (class name to source) into a directory of classes. */
  private Path compile(String name, Map<String, String> sources) throws Exception {
    Path src = tmp.resolve(name + "-src");
    List<String> args = new ArrayList<>(List.of("--release", "17", "-d",
        tmp.resolve(name).toString()));
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      args.add(f.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
    return tmp.resolve(name);
  }

  /** A main class that notes its run in $RUNS, then runs {@code body}. */
  private Path app(String name, String body) throws Exception {
    return compile(name, Map.of("app.Main", """
        package app;
        public class Main {
          public static void main(String[] args) throws Exception {
            String runs = System.getenv("RUNS");
            if (runs != null) {
              java.nio.file.Files.writeString(java.nio.file.Path.of(runs),
                  "ran " + System.getProperty("spring.context.exit") + "\\n",
                  java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
            %s
          }
        }
        """.formatted(body)));
  }

  private JavaSpec java(Path classes, List<String> modules) {
    return new JavaSpec(null, "app.Main", List.of(classes), 17, modules, List.of(), null,
        "trixie");
  }

  private record Outcome(List<String> modules, List<String> notes) {}

  /** The modules of one build of {@code java}, with $RUNS set, and the build's notes. */
  private Outcome modules(JavaSpec java, Path runs, Path cache) throws Exception {
    BuildSpec spec = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(java)
        .withEnv(Map.of("RUNS", runs.toString()));
    JavaBuild build = JavaBuild.prepare(spec, Plinth.Options.of(cache));
    Path work = Files.createTempDirectory(tmp, "work-");
    ExecutorService pool = Parallel.pool();
    try {
      build.startAppLayers(work, pool);
      return new Outcome(build.modules(work), build.notes());
    } finally {
      Parallel.stop(pool);
    }
  }

  private static List<String> lines(Path f) throws Exception {
    return Files.isRegularFile(f) ? Files.readAllLines(f) : List.of();
  }

  @Test
  void twoApps_oneCache_eachGetsItsOwnModules_andASecondBuildTakesTheCachedAnswer()
      throws Exception {
    Path cache = tmp.resolve("cache");
    Path sql = app("sql", "System.out.println(java.sql.DriverManager.getLoginTimeout());");
    Path logging = app("logging", "java.util.logging.Logger.getLogger(\"app\").info(\"hi\");");
    Path sqlRuns = tmp.resolve("sql-runs");
    Path loggingRuns = tmp.resolve("logging-runs");

    Outcome first = modules(java(sql, List.of()), sqlRuns, cache);
    assertTrue(first.modules().contains("java.sql"), first.toString());
    Outcome other = modules(java(logging, List.of()), loggingRuns, cache);
    assertTrue(other.modules().contains("java.logging"), other.toString());
    assertFalse(other.modules().contains("java.sql"), other.toString());
    assertEquals(List.of("ran null"), lines(loggingRuns));

    Outcome again = modules(java(sql, List.of()), sqlRuns, cache);
    assertEquals(first.modules(), again.modules());
    assertEquals(List.of("ran null"), lines(sqlRuns), "the second build ran no training");
    assertTrue(again.notes().get(0).contains("the cached answer"), again.notes().toString());
  }

  @Test
  void zipFileSystem_reachedThroughServiceLoader_isFoundByTheTrainingRunOnly() throws Exception {
    // FileSystems.newFileSystem finds jdk.zipfs's provider with ServiceLoader: jdeps cannot
    // see it. The app then waits as a server would, so the run is stopped once it went quiet.
    Path zip = app("zip", """
        java.nio.file.Path z = java.nio.file.Files.createTempFile("app", ".zip");
        try (var out = new java.util.zip.ZipOutputStream(java.nio.file.Files.newOutputStream(z))) {
          out.putNextEntry(new java.util.zip.ZipEntry("hello.txt"));
          out.write("hello".getBytes());
        }
        try (var fs = java.nio.file.FileSystems.newFileSystem(z)) {
          System.out.println(java.nio.file.Files.readString(fs.getPath("hello.txt")));
        }
        java.nio.file.Files.delete(z);
        Thread.sleep(Long.MAX_VALUE);
        """);
    Outcome trained = modules(java(zip, List.of()), tmp.resolve("runs"), tmp.resolve("c1"));
    assertTrue(trained.modules().contains("jdk.zipfs"), trained.toString());
    assertTrue(trained.notes().get(0).contains("a training run added jdk.zipfs, stopped with"
        + " SIGTERM once it had loaded no class for 3 s"), trained.notes().toString());

    Outcome untrained = modules(java(zip, List.of()).withTrain(false), tmp.resolve("runs2"),
        tmp.resolve("c2"));
    assertFalse(untrained.modules().contains("jdk.zipfs"), untrained.toString());
    assertEquals(List.of(), lines(tmp.resolve("runs2")));
  }

  @Test
  void autoPlusNamed_addsThem_andAnUnknownNameFailsNamingTheCloseOnes() throws Exception {
    Path hello = app("hello", "System.out.println(\"hello\");");
    Outcome plus = modules(java(hello, List.of("auto", "java.naming")).withTrain(false),
        tmp.resolve("runs"), tmp.resolve("cache"));
    assertEquals(List.of("java.base", "java.naming"), plus.modules());

    PlinthException typo = assertThrows(PlinthException.class, () -> modules(
        java(hello, List.of("auto", "jdk.zipf")), tmp.resolve("runs"), tmp.resolve("cache")));
    assertEquals(PlinthException.Kind.USAGE, typo.kind());
    assertTrue(typo.getMessage().startsWith("java.modules: jdk.zipf is not a module of JDK 17")
        && typo.getMessage().contains("close: jdk.zipfs"), typo.getMessage());

    PlinthException exact = assertThrows(PlinthException.class, () -> modules(
        java(hello, List.of("java.base", "java.sqll")), tmp.resolve("runs"), tmp.resolve("c")));
    assertTrue(exact.getMessage().contains("java.sqll is not a module")
        && exact.getMessage().contains("java.sql"), exact.getMessage());
  }

  @Test
  void failingTrainingRun_warnsWithItsLastLine_andStillGivesWhatItLoaded() throws Exception {
    // java.sql reached by reflection only, then the app fails as one without its database does
    Path failing = app("failing", """
        Class.forName("java.sql.Timestamp");
        System.err.println("cannot connect to the database");
        System.exit(3);
        """);
    Outcome o = modules(java(failing, List.of()), tmp.resolve("runs"), tmp.resolve("cache"));
    assertTrue(o.modules().contains("java.sql"), o.toString());
    assertTrue(o.notes().get(1).startsWith("warning: the training run for the modules: the app"
        + " exited by itself (code 3) (its last line: cannot connect to the database)"),
        o.notes().toString());
  }

  @Test
  void springBootApp_trainsUntilTheContextIsRefreshed_unlessItsTrainingRequestsUrls()
      throws Exception {
    Path boot = compile("boot", Map.of(
        "org.springframework.boot.SpringApplication",
        "package org.springframework.boot; public class SpringApplication {}",
        "app.Main", """
            package app;
            public class Main {
              public static void main(String[] args) throws Exception {
                java.nio.file.Files.writeString(java.nio.file.Path.of(System.getenv("RUNS")),
                    System.getProperty("spring.context.exit") + " "
                        + System.getProperty("server.address") + "\\n");
              }
            }
            """));
    Path runs = tmp.resolve("runs");
    modules(java(boot, List.of()), runs, tmp.resolve("cache"));
    assertEquals(List.of("onRefresh 127.0.0.1"), lines(runs));

    // with URLs to request the app must serve them: it is not asked to exit (java.aot, so 25)
    JavaSpec withUrls = new JavaSpec(null, "app.Main", List.of(boot), 25, List.of(), List.of(),
        new AotSpec(List.of("http://127.0.0.1:9/"), Map.of(), 5), "trixie");
    Outcome o = modules(withUrls, runs, tmp.resolve("cache"));
    assertEquals(List.of("null null"), lines(runs));
    assertTrue(o.notes().get(1).contains("before answering http://127.0.0.1:9/"),
        o.notes().toString());
  }
}
