package dev.plinth.jvm;

import static dev.plinth.jvm.TestJars.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quarkus fast-jars: kept as Quarkus lays them out, started with -jar quarkus-run.jar. */
class QuarkusAppTest {
  @TempDir Path tmp;

  private static JavaSpec spec(Path jar, String main) {
    return new JavaSpec(jar, main, List.of(), 21, List.of(), List.of(), null, "trixie");
  }

  /** target/quarkus-app as quarkus-maven-plugin writes it. */
  private Path fastJar() throws Exception {
    Path dir = tmp.resolve("target/quarkus-app");
    TestJars.write(dir.resolve("quarkus-run.jar"), TestJars.jar(TestJars.manifest(Map.of(
        "Main-Class", QuarkusApp.ENTRY_POINT,
        "Class-Path", "lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar")), Map.of()));
    TestJars.write(dir.resolve("lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar"),
        TestJars.jar(null, Map.of("B.class", text("b"))));
    TestJars.write(dir.resolve("lib/main/io.vertx.vertx-core-4.5.22.jar"),
        TestJars.jar(null, Map.of("V.class", text("v"))));
    TestJars.write(dir.resolve("lib/main/org.acme.shared-1.0-SNAPSHOT.jar"),
        TestJars.jar(null, Map.of("S.class", text("s"))));
    TestJars.write(dir.resolve("app/hello-quarkus-1.0.0-SNAPSHOT.jar"),
        TestJars.jar(null, Map.of("org/acme/Hello.class", text("hello"))));
    TestJars.write(dir.resolve("quarkus/generated-bytecode.jar"),
        TestJars.jar(null, Map.of("G.class", text("g"))));
    TestJars.write(dir.resolve("quarkus/quarkus-application.dat"), text("dat"));
    TestJars.write(dir.resolve("quarkus-app-dependencies.txt"), text("deps"));
    return dir;
  }

  @Test
  void fastJar_byDirectoryOrRunJar_keepsItsLayout_dependenciesBelow_startedWithMinusJar()
      throws Exception {
    Path dir = fastJar();
    JavaApp.Plan byDir = JavaApp.plan(spec(dir, null), tmp.resolve("store"));
    JavaApp.Plan byJar = JavaApp.plan(spec(dir.resolve("quarkus-run.jar"), null),
        tmp.resolve("store"));
    assertEquals(TestJars.digests(byDir, tmp.resolve("w1")), TestJars.digests(byJar,
        tmp.resolve("w2")));
    assertEquals(byDir.javaArgs(), byJar.javaArgs());
    assertEquals(List.of("-jar", "/app/quarkus-run.jar"), byDir.javaArgs());
    assertEquals(List.of("release dependencies", "snapshot dependencies", "application"),
        byDir.parts().stream().map(JavaApp.Part::name).toList());
    Path w = tmp.resolve("w");
    assertEquals(List.of("/app/lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar",
        "/app/lib/main/io.vertx.vertx-core-4.5.22.jar"),
        List.copyOf(TestJars.files(byDir.parts().get(0), w).keySet()));
    assertEquals(List.of("/app/lib/main/org.acme.shared-1.0-SNAPSHOT.jar"),
        List.copyOf(TestJars.files(byDir.parts().get(1), w).keySet()));
    assertEquals(List.of("/app/app/hello-quarkus-1.0.0-SNAPSHOT.jar",
        "/app/quarkus-app-dependencies.txt", "/app/quarkus-run.jar",
        "/app/quarkus/generated-bytecode.jar", "/app/quarkus/quarkus-application.dat"),
        List.copyOf(TestJars.files(byDir.parts().get(2), w).keySet()),
        "the run jar (written anew each build) and the code that changes with the app: on top");
    assertEquals(List.of(dir.resolve("app/hello-quarkus-1.0.0-SNAPSHOT.jar"),
        dir.resolve("quarkus/generated-bytecode.jar"),
        dir.resolve("lib/boot/io.quarkus.quarkus-bootstrap-runner-3.33.2.jar"),
        dir.resolve("lib/main/io.vertx.vertx-core-4.5.22.jar"),
        dir.resolve("lib/main/org.acme.shared-1.0-SNAPSHOT.jar")), byDir.jdepsInputs());
    assertTrue(Files.notExists(tmp.resolve("store")), "nothing is unpacked");
  }

  @Test
  void symlinkInTheAppDirectory_isRefused() throws Exception {
    Path dir = fastJar();
    Files.createSymbolicLink(dir.resolve("lib/main/evil.jar"), Path.of("/etc/shadow"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> JavaApp.plan(spec(dir, null), tmp.resolve("store")));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("evil.jar") && e.getMessage().contains("not a regular file"),
        e.getMessage());
  }

  @Test
  void directoryThatIsNoFastJar_isNotFound_sayingWhy() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("target/classes"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> JavaApp.plan(spec(dir, null), tmp.resolve("store")));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("not a Quarkus fast-jar"), e.getMessage());
  }

  @Test
  void mainClass_isRefused() throws Exception {
    Path dir = fastJar();
    PlinthException e = assertThrows(PlinthException.class,
        () -> JavaApp.plan(spec(dir, "org.acme.Main"), tmp.resolve("store")));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
  }

  @Test
  void aotTraining_movesTheMinusJarJar_underItsRoot_andLeavesTheAppsArguments() {
    List<String> cmd = AotTraining.command(List.of("/opt/java/openjdk/bin/java", "-Xss1m",
        "-jar", "/app/quarkus-run.jar", "-jar", "/x"), Path.of("/w/root"), Path.of("/w/app.aotconf"));
    assertEquals(List.of("/w/root/opt/java/openjdk/bin/java", "-XX:AOTMode=record",
        "-XX:AOTConfiguration=/w/app.aotconf",
        "-Xss1m", "-jar", "/w/root/app/quarkus-run.jar", "-jar", "/x"), cmd);
  }
}
