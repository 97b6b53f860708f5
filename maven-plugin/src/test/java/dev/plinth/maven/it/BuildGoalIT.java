package dev.plinth.maven.it;

import static dev.plinth.maven.it.ItMaven.GOAL;
import static dev.plinth.maven.it.ItMaven.VERSION;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.maven.it.Processes.Result;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth:build in a real {@code mvn package} of src/it/hello (a main class from the jar plugin's
 * manifest; a compile, a runtime and a test dependency; release 17). The image is checked with
 * skopeo.
 */
class BuildGoalIT {
  @TempDir Path tmp;
  Path project;

  @BeforeEach
  void copySample() throws Exception {
    project = Processes.copySample("hello", tmp);
  }

  private JsonNode inspect(String ref, String what) throws Exception {
    return Json.read(ItMaven.skopeo(project, "inspect", what, ref)
        .getBytes(StandardCharsets.UTF_8), what);
  }

  @Test
  void package_runsTheGoalAfterTheJar_onTheRuntimeClasspath_withTheProjectsJava()
      throws Exception {
    // Jib's names for what the image's config holds
    Path pom = project.resolve("pom.xml");
    String execution = "<executions><execution><goals><goal>build</goal></goals></execution></executions>";
    Files.writeString(pom, Files.readString(pom).replace(execution, execution + "<configuration>"
        + "<environment><GREETING>hi</GREETING></environment>"
        + "<labels><org.example.team>api</org.example.team></labels>"
        + "<user>1000:1000</user><jvmFlags><jvmFlag>-Xss512k</jvmFlag></jvmFlags>"
        + "</configuration>"));
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(30), "-Dplinth.tags=1.0,latest",
        "-Dplinth.creationTime=2025-06-01T00:00:00Z");
    Path archive = project.resolve("target/hello-image.tar");
    int jar = r.out().indexOf("maven-jar-plugin:3.4.1:jar (default-jar) @ hello");
    int goal = r.out().indexOf("plinth-maven-plugin:" + VERSION + ":build (default) @ hello");
    assertTrue(jar >= 0 && goal > jar, "the goal runs in package, after the jar\n" + r);
    assertEquals(0, r.exit(), r.toString());
    // one line per choice, saying why
    for (String line : List.of(
        "plinth: image oci-archive:" + archive + " (tags 1.0, latest) for linux/amd64,"
            + " linux/arm64/v8",
        "plinth: main class hello.Main (maven-jar-plugin's manifest mainClass)",
        "plinth: Java 17 (maven.compiler.release 17), Debian bookworm",
        // the project's classes first, then compile and runtime dependencies; not the test ones
        "plinth: classpath target/classes:xz-1.9.jar:aircompressor-0.27.jar",
        "plinth: linux/arm64/v8: the Java 17 runtime (linked once, then taken from the cache)",
        "plinth: writing oci-archive:" + archive + " (tags 1.0, latest)",
        "wrote oci-archive:" + archive + " (index sha256:")) {
      assertTrue(r.out().contains("[INFO] " + line), line + "\n" + r);
    }
    assertTrue(r.out().contains("plinth: linux/amd64: layer 2/"), r.toString());
    // two names for one index: skopeo reads each (and needs one named)
    JsonNode index = inspect("oci-archive:" + archive + ":1.0", "--raw");
    assertEquals(index, inspect("oci-archive:" + archive + ":latest", "--raw"));
    assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText(), index.toString());
    assertEquals(2, index.path("manifests").size(), index.toString());
    if (System.getenv("SOURCE_DATE_EPOCH") == null) { // else that time wins
      assertEquals("2025-06-01T00:00:00Z", index.path("annotations")
          .path("org.opencontainers.image.created").asText(), "creationTime");
    }
    assertEquals("amd64", index.path("manifests").get(0).path("platform").path("architecture").asText());
    assertEquals("arm64", index.path("manifests").get(1).path("platform").path("architecture").asText());
    JsonNode config = inspect("oci-archive:" + archive + ":latest", "--config");
    String entrypoint = config.path("config").path("Entrypoint").toString();
    int classes = entrypoint.indexOf("classes");
    int xz = entrypoint.indexOf("xz-1.9.jar");
    int air = entrypoint.indexOf("aircompressor-0.27.jar");
    assertTrue(classes >= 0 && xz > classes && air > xz && entrypoint.endsWith("\"hello.Main\"]")
        && !entrypoint.contains("junit"), entrypoint);
    assertTrue(entrypoint.contains("\"-Xss512k\",\"-cp\""), entrypoint);
    assertTrue(config.path("config").path("Env").toString().contains("\"GREETING=hi\""),
        config.toString());
    assertEquals("api", config.path("config").path("Labels").path("org.example.team").asText());
    assertEquals("1000:1000", config.path("config").path("User").asText());
    String history = config.path("history").toString();
    assertTrue(history.contains("openjdk-17") || history.contains("java-17"), history);
  }

  @Test
  void theExampleApp_mvnPackage_buildsItsImage() throws Exception {
    Path example = ItMaven.sample("../../../examples/hello-api").normalize();
    project = Processes.copyTree(example, tmp.resolve("hello-api"));
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(30), "-DskipTests");
    assertEquals(0, r.exit(), r.toString());
    Path archive = project.resolve("target/hello-api-image.tar");
    JsonNode index = inspect("oci-archive:" + archive, "--raw");
    assertEquals(2, index.path("manifests").size(), index.toString());
    JsonNode config = inspect("oci-archive:" + archive, "--config");
    String entrypoint = config.path("config").path("Entrypoint").toString();
    assertTrue(entrypoint.startsWith("[\"/sbin/plinth-init\",\"-e\",\"143\",\"--\",\"/opt/java/openjdk/bin/java\"")
        && entrypoint.endsWith("\"dev.plinth.examples.hello.Main\"]"), entrypoint);
    assertEquals("{\"8080/tcp\":{}}", config.path("config").path("ExposedPorts").toString());
  }

  @Test
  void dockerBuild_loadsIntoTheDaemon_andWithoutOneFailsSayingWhatToDo() throws Exception {
    Path base = Files.createDirectories(Path.of("/tmp").resolve("plinth-mvn-daemon-" + ProcessHandle.current().pid()));
    Path socket = base.resolve("api.sock");
    Process p = new ProcessBuilder(ItMaven.podman(base, "system", "service", "--time=0",
        "unix://" + socket)).redirectErrorStream(true)
        .redirectOutput(base.resolve("service.log").toFile()).start();
    try {
      for (int i = 0; i < 300 && !Files.exists(socket); i++) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(socket), "podman system service did not start");
      List<String> cmd = Processes.mvnCommand("package", GOAL.replace(":build", ":dockerBuild"),
          "-Dplinth.image=hello-mvn:1", "-Dplinth.tags=also");
      Result r = Processes.run(cmd, project, Duration.ofMinutes(30),
          Map.of("DOCKER_HOST", "unix://" + socket));
      assertEquals(0, r.exit(), r.toString());
      assertTrue(r.out().contains("loaded linux/amd64 into the daemon at unix://" + socket), r.toString());
      Result listed = Processes.run(ItMaven.podman(base, "images", "--format",
          "{{.Repository}}:{{.Tag}}"), base, Duration.ofMinutes(2), Map.of());
      assertTrue(listed.out().contains("hello-mvn:1") && listed.out().contains("hello-mvn:also"),
          listed.toString());

      Result none = Processes.run(cmd, project, Duration.ofMinutes(10),
          Map.of("DOCKER_HOST", "unix://" + base.resolve("nobody.sock")));
      assertNotEquals(0, none.exit());
      assertTrue(none.out().contains("no Docker daemon at unix://") && none.out().contains("MojoFailureException"),
          none.toString());
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      Processes.run(ItMaven.podman(base, "system", "reset", "--force"), base, Duration.ofMinutes(2),
          Map.of());
    }
  }

  /** compression and sbom, as the CLI's --compression and plinth.yaml's sbom. */
  @Test
  void compressionAndSbom_zstdLayers_bothSbomsNextToTheArchive() throws Exception {
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(30),
        "-Dplinth.platforms=linux/amd64", "-Dplinth.compression=zstd",
        "-Dplinth.sbom=spdx,cyclonedx");
    assertEquals(0, r.exit(), r.toString());
    Path archive = project.resolve("target/hello-image.tar");
    JsonNode manifest = inspect("oci-archive:" + archive, "--raw");
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.path("mediaType").asText(), manifest.toString());
    for (JsonNode l : manifest.path("layers")) {
      assertEquals(MediaTypes.OCI_LAYER_ZSTD, l.path("mediaType").asText(), manifest.toString());
    }
    for (String sbom : List.of("hello-image.tar.linux-amd64.spdx.json",
        "hello-image.tar.linux-amd64.cdx.json")) {
      assertTrue(Files.size(project.resolve("target").resolve(sbom)) > 0, sbom + "\n" + r);
    }

    Result bad = Processes.mvnPackage(project, Duration.ofMinutes(5),
        "-Dplinth.compression=brotli");
    assertNotEquals(0, bad.exit(), bad.toString());
    assertTrue(bad.out().contains("compression (plinth.compression): 'brotli' is not a layer"
        + " compression"), bad.toString());
  }

  @Test
  void unsupportedPlatform_isABuildFailureNamingTheParameter() throws Exception {
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(5), "-Dplinth.platforms=linux/s390x");
    assertNotEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("on project hello: platforms: 'linux/s390x' is not supported"),
        r.toString());
    assertTrue(r.out().contains("MAVEN/MojoFailureException"), "a user error, not an internal one\n" + r);
  }

  @Test
  void skip_writesNothing() throws Exception {
    Result r = Processes.mvnPackage(project, Duration.ofMinutes(5), "-Dplinth.skip=true");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("plinth: skipped (plinth.skip)"), r.toString());
    assertFalse(Files.exists(project.resolve("target/hello-image.tar")));
  }
}
