package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth:build in a real {@code mvn package} of src/it/hello (a main class from the jar plugin's
 * manifest; a compile, a runtime and a test dependency), with the plugin as this build installed it into the regular local
 * repository (maven-invoker-plugin:install, pre-integration-test). The image is checked with
 * skopeo.
 */
class BuildGoalIT {
  private static final String VERSION = property("plinth.it.pluginVersion");
  private static final String GOAL = "dev.plinth:plinth-maven-plugin:" + VERSION + ":build";

  @TempDir Path tmp;
  Path project;

  @BeforeEach
  void copySample() {
    project = Processes.copySample("hello", tmp);
  }

  @Test
  void package_runsTheGoalAfterTheJar_onTheRuntimeClasspath() throws Exception {
    Result r = mvn(Duration.ofMinutes(30));
    Path archive = project.resolve("target/hello-image.tar");
    int jar = r.out.indexOf("maven-jar-plugin:3.4.1:jar (default-jar) @ hello");
    int goal = r.out.indexOf("plinth-maven-plugin:" + VERSION + ":build (default) @ hello");
    assertTrue(jar >= 0 && goal > jar, "the goal runs in package, after the jar\n" + r);
    // The project's classes first, then compile and runtime dependencies; not the test ones.
    assertTrue(r.out.contains("plinth: building oci-archive:" + archive
        + " for linux/amd64, linux/arm64/v8: hello.Main,"
        + " classpath target/classes:xz-1.9.jar:aircompressor-0.27.jar"), r.toString());
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("wrote oci-archive:" + archive + " (index sha256:"), r.toString());
    JsonNode index = Json.read(skopeo("inspect", "--raw", "oci-archive:" + archive)
        .getBytes(StandardCharsets.UTF_8), "index");
    assertEquals(MediaTypes.OCI_INDEX, index.path("mediaType").asText(), index.toString());
    assertEquals(2, index.path("manifests").size(), index.toString());
    if (System.getenv("SOURCE_DATE_EPOCH") == null) { // else that time wins
      assertEquals("2024-01-01T00:00:00Z", index.path("annotations")
          .path("org.opencontainers.image.created").asText(), "the project's outputTimestamp");
    }
    assertEquals("amd64", index.path("manifests").get(0).path("platform").path("architecture").asText());
    assertEquals("arm64", index.path("manifests").get(1).path("platform").path("architecture").asText());
    JsonNode config = Json.read(skopeo("inspect", "--config", "oci-archive:" + archive)
        .getBytes(StandardCharsets.UTF_8), "config");
    String entrypoint = config.path("config").path("Entrypoint").toString();
    int classes = entrypoint.indexOf("classes");
    int xz = entrypoint.indexOf("xz-1.9.jar");
    int air = entrypoint.indexOf("aircompressor-0.27.jar");
    assertTrue(classes >= 0 && xz > classes && air > xz && entrypoint.endsWith("\"hello.Main\"]")
        && !entrypoint.contains("junit"), entrypoint);
  }

  @Test
  void theExampleApp_mvnPackage_buildsItsImage() throws Exception {
    Path example = Path.of(property("plinth.it.sample")).resolve("../../../../examples/hello-api")
        .normalize();
    Path copy = tmp.resolve("hello-api");
    Processes.copyTree(example, copy);
    project = copy;
    Result r = mvn(Duration.ofMinutes(30), "-DskipTests");
    assertEquals(0, r.exit, r.toString());
    Path archive = copy.resolve("target/hello-api-image.tar");
    JsonNode index = Json.read(skopeo("inspect", "--raw", "oci-archive:" + archive)
        .getBytes(StandardCharsets.UTF_8), "index");
    assertEquals(2, index.path("manifests").size(), index.toString());
    JsonNode config = Json.read(skopeo("inspect", "--config", "oci-archive:" + archive)
        .getBytes(StandardCharsets.UTF_8), "config");
    String entrypoint = config.path("config").path("Entrypoint").toString();
    assertTrue(entrypoint.startsWith("[\"/sbin/plinth-init\",\"-e\",\"143\",\"--\",\"/opt/java/openjdk/bin/java\"")
        && entrypoint.endsWith("\"dev.plinth.examples.hello.Main\"]"), entrypoint);
    assertEquals("{\"8080/tcp\":{}}", config.path("config").path("ExposedPorts").toString());
  }

  @Test
  void dockerBuild_loadsIntoTheDaemon_andWithoutOneFailsSayingWhatToDo() throws Exception {
    Path base = Files.createDirectories(Path.of("/tmp").resolve("plinth-mvn-daemon-" + ProcessHandle.current().pid()));
    Path socket = base.resolve("api.sock");
    List<String> podman = List.of("podman", "--root", base.resolve("root").toString(), "--runroot",
        base.resolve("run").toString(), "--tmpdir", base.resolve("tmp").toString(),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime", "runc",
        "--events-backend", "file");
    List<String> service = new ArrayList<>(podman);
    service.addAll(List.of("system", "service", "--time=0", "unix://" + socket));
    Process p = new ProcessBuilder(service).redirectErrorStream(true)
        .redirectOutput(base.resolve("service.log").toFile()).start();
    try {
      for (int i = 0; i < 300 && !Files.exists(socket); i++) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(socket), "podman system service did not start");
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(property("plinth.it.mavenHome"), "bin", "mvn").toString(), "-B", "-ntp",
          "-Dmaven.repo.local=" + property("plinth.it.localRepository"), "-Dplinth.it.pluginVersion=" + VERSION,
          "package", GOAL.replace(":build", ":dockerBuild"), "-Dplinth.image=hello-mvn:1"));
      Result r = run(cmd, Duration.ofMinutes(30), Map.of("DOCKER_HOST", "unix://" + socket));
      assertEquals(0, r.exit, r.toString());
      assertTrue(r.out.contains("loaded linux/amd64 into the daemon at unix://" + socket), r.toString());
      List<String> images = new ArrayList<>(podman);
      images.addAll(List.of("images", "--format", "{{.Repository}}:{{.Tag}}"));
      Result listed = run(images, Duration.ofMinutes(2), Map.of());
      assertTrue(listed.out.contains("hello-mvn:1"), listed.toString());

      Result none = run(cmd, Duration.ofMinutes(10),
          Map.of("DOCKER_HOST", "unix://" + base.resolve("nobody.sock")));
      assertNotEquals(0, none.exit);
      assertTrue(none.out.contains("no Docker daemon at unix://") && none.out.contains("MojoFailureException"),
          none.toString());
    } finally {
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      List<String> rm = new ArrayList<>(podman);
      rm.addAll(List.of("system", "reset", "--force"));
      run(rm, Duration.ofMinutes(2), Map.of());
    }
  }

  @Test
  void noMainClassAnywhere_failsNamingTheParameter() throws Exception {
    Result r = mvn(Duration.ofMinutes(5), "-Dmain.class=");
    assertNotEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("on project hello: no main class: set <mainClass>"), r.toString());
  }

  @Test
  void unsupportedPlatform_isABuildFailureNamingTheParameter() throws Exception {
    Result r = mvn(Duration.ofMinutes(5), "-Dplinth.platforms=linux/s390x");
    assertNotEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("on project hello: platforms: 'linux/s390x' is not supported"),
        r.toString());
    assertTrue(r.out.contains("MAVEN/MojoFailureException"), "a user error, not an internal one\n" + r);
  }

  @Test
  void skip_writesNothing() throws Exception {
    Result r = mvn(Duration.ofMinutes(5), "-Dplinth.skip=true");
    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.contains("plinth: skipped (plinth.skip)"), r.toString());
    assertFalse(Files.exists(project.resolve("target/hello-image.tar")));
  }

  private record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout ---\n" + tail(out) + "\n--- stderr ---\n" + tail(err)
          + "\n--------------";
    }

    private static String tail(String s) {
      return s.length() <= 12000 ? s : "[...]\n" + s.substring(s.length() - 12000);
    }
  }

  private Result mvn(Duration timeout, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(property("plinth.it.mavenHome"), "bin", "mvn").toString(), "-B", "-ntp",
        "-Dmaven.repo.local=" + property("plinth.it.localRepository"), "-Dplinth.it.pluginVersion=" + VERSION,
        "-Dplinth.it.pluginVersion=" + VERSION));
    cmd.addAll(List.of(extra));
    cmd.add("package");
    return run(cmd, timeout);
  }

  private String skopeo(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    Result r = run(cmd, Duration.ofMinutes(2));
    assertEquals(0, r.exit, String.join(" ", cmd) + "\n" + r);
    return r.out;
  }

  private Result run(List<String> cmd, Duration timeout) throws Exception {
    return run(cmd, timeout, Map.of());
  }

  /** Runs {@code cmd} in the sample project, its stdout and stderr to files. */
  private Result run(List<String> cmd, Duration timeout, Map<String, String> env) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".log");
    Path err = Files.createTempFile(tmp, "err", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.directory(project.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    Result r = new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    if (!done) {
      throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeout + "\n" + r);
    }
    return r;
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the *IT tests with mvn verify");
    }
    return v;
  }
}
