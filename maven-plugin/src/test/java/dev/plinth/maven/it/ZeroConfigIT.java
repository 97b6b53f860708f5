package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.maven.it.Processes.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * src/it/zero: a project that declares plinth-maven-plugin and configures nothing, whose main
 * class no setting names. {@code mvn package} builds an image that runs under podman.
 */
class ZeroConfigIT {
  @TempDir Path tmp;
  Path project;
  Path podman;

  @BeforeEach
  void copySample() throws Exception {
    project = Processes.copySample("zero", tmp);
    podman = Files.createDirectories(Path.of("/tmp", "plinth-mvn-zero-" + ProcessHandle.current().pid()));
  }

  @AfterEach
  void resetPodman() throws Exception {
    Processes.run(ItMaven.podman(podman, "system", "reset", "--force"), podman,
        Duration.ofMinutes(2), Map.of());
  }

  @Test
  void nothingConfigured_findsTheMainByScanning_linksJava17_andTheImageRuns() throws Exception {
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(30));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("[INFO] plinth: main class zero.App (the one class with a main"
        + " method in classes)"), r.toString());
    assertTrue(r.out().contains("[INFO] plinth: Java 17 (maven.compiler.release 17), Debian"
        + " bookworm"), r.toString());
    Path archive = project.resolve("target/zero-image.tar");
    Result run = ItMaven.podmanRun(podman, "oci-archive:" + archive, "plinth", "zero");
    assertEquals(0, run.exit(), run.toString());
    assertTrue(run.out().matches("(?s)zero on Java 17: [0-9]+ bytes of xz, user nonroot\\s*"),
        run.toString());
  }

  @Test
  void twoMainClasses_failListingThem_andHowToPickOne() throws Exception {
    Files.writeString(project.resolve("src/main/java/zero/Tool.java"),
        "package zero; public class Tool { public static void main(String[] a) {} }");
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(10));
    assertNotEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("on project zero: no main class: 2 classes in "
        + project.resolve("target/classes") + " have a main method (zero.App, zero.Tool); pick one"
        + " with <mainClass>zero.App</mainClass> in plinth-maven-plugin's <configuration> (or"
        + " -Dplinth.mainClass=...)"), r.toString());
    assertTrue(r.out().contains("MAVEN/MojoFailureException"), r.toString());
    Result picked = Processes.mvnPackage(project, Duration.ofMinutes(30),
        "-Dplinth.mainClass=zero.Tool", "-Dplinth.platforms=linux/amd64");
    assertEquals(0, picked.exit(), picked.toString());
    assertTrue(picked.out().contains("[INFO] plinth: main class zero.Tool (plinth-maven-plugin's"
        + " mainClass)"), picked.toString());
  }
}
