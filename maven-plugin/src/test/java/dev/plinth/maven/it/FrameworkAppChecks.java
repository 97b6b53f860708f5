package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a user checks of a framework app's image, run under podman on amd64: its JSON endpoint
 * and its health endpoint answer 200, the JVM runs as nonroot (65532) under plinth's init as PID
 * 1, and {@code podman stop} ends it with exit code 0. Each IT names its sample project under
 * src/it and how its image is built (by default {@code mvn package}, where the plugin, declared
 * with nothing configured, writes {@code target/ARTIFACT-image.tar}). The build's time is printed
 * (a figure, never asserted).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FrameworkAppChecks {
  /** Every sample app answers this with JSON naming its framework. */
  static final String ENDPOINT = "/hello";
  static final Duration BUILD = Duration.ofMinutes(30);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * A sample app.
   *
   * @param sample its directory under src/it, also its artifactId
   * @param framework what its endpoint's JSON says in "framework"
   * @param portVariable the environment variable that sets its HTTP port
   * @param health its health endpoint's path
   */
  record App(String sample, String framework, String portVariable, String health) {}

  Path tmp;
  Path project;
  String image;
  String container;
  int port;

  abstract App app();

  /** More environment for the container, besides the port (e.g. JAVA_TOOL_OPTIONS). */
  Map<String, String> runEnv() {
    return Map.of();
  }

  /** Builds the project's image; the archive. Default: {@code mvn package} with the plugin. */
  Path build(Path project) throws Exception {
    Processes.Result r = Processes.mvnPackage(project, BUILD);
    assertEquals(0, r.exit(), "mvn package of " + app().sample() + " with the plugin: " + r);
    Path archive = project.resolve("target/" + app().sample() + "-image.tar");
    assertTrue(Files.isRegularFile(archive), "no " + archive + " after: " + r);
    return archive;
  }

  /**
   * Builds the project's image with the JDK's AOT cache ({@code -Dplinth.aot=true}, Java 25,
   * amd64 only) and {@code more} flags; the archive, once the build said it made the cache.
   */
  Path buildWithAotCache(Path project, String... more) throws Exception {
    List<String> flags = new java.util.ArrayList<>(List.of("-Dplinth.aot=true",
        "-Dplinth.javaVersion=25", "-Dplinth.platforms=linux/amd64"));
    flags.addAll(List.of(more));
    Processes.Result r = Processes.mvnPackage(project, BUILD, flags.toArray(String[]::new));
    assertEquals(0, r.exit(), "mvn package with -Dplinth.aot=true: " + r);
    assertTrue(r.out().contains("AOT cache /app/app.aot"), "no AOT cache layer: " + r);
    Path archive = project.resolve("target/" + app().sample() + "-image.tar");
    assertTrue(Files.isRegularFile(archive), "no " + archive + " after: " + r);
    return archive;
  }

  @BeforeAll
  void buildAndStart() throws Exception {
    tmp = Files.createTempDirectory("plinth-" + app().sample() + "-it");
    project = Processes.copySample(app().sample(), tmp);
    long start = System.nanoTime();
    Path archive = build(project);
    System.out.printf("%s: image built in %.1f s%n", getClass().getSimpleName(),
        (System.nanoTime() - start) / 1e9);
    image = Podman.of("amd64").load(archive);
    port = freePort();
    container = startAndAwait(Podman.of("amd64"), image, port, Duration.ofMinutes(2));
  }

  @AfterAll
  void removeContainerAndProject() {
    if (container != null) {
      Podman.of("amd64").rm(container);
    }
    Processes.deleteTree(tmp);
  }

  @Test
  @Order(1)
  void endpoint_answersJsonNamingTheFramework() throws Exception {
    assertAnswers(port);
  }

  @Test
  @Order(2)
  void healthEndpoint_answers200Up() throws Exception {
    HttpResponse<String> r = get(port, app().health());
    assertEquals(200, r.statusCode(), app().health() + ": " + r.body());
    assertTrue(r.body().contains("UP"), app().health() + ": " + r.body());
  }

  @Test
  @Order(3)
  void runsAsNonroot65532_underPlinthInitAsPid1() {
    Podman podman = Podman.of("amd64");
    List<String> processes = podman.top(container, "pid", "args");
    assertTrue(processes.get(0).matches("\\s*1\\s+/sbin/plinth-init .*"),
        "PID 1 is plinth's init: " + processes);
    assertTrue(processes.stream().skip(1).anyMatch(l -> l.contains("/opt/java/openjdk/bin/java")),
        "the JVM is init's child: " + processes);
    List<String> users = podman.top(container, "huser");
    assertTrue(!users.isEmpty() && users.stream().allMatch(l -> l.strip().equals("65532")),
        "every process runs as 65532: " + users);
  }

  @Test
  @Order(4)
  void podmanStop_endsWithExitCode0() {
    Podman podman = Podman.of("amd64");
    assertEquals(0, podman.stop(container, 30), "exit code after podman stop; logs:\n"
        + podman.logs(container));
  }

  /** The endpoint answers 200 with JSON naming the framework. */
  void assertAnswers(int port) throws Exception {
    HttpResponse<String> r = get(port, ENDPOINT);
    assertEquals(200, r.statusCode(), ENDPOINT + ": " + r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"),
        ENDPOINT + " content-type: " + r.headers().map());
    assertTrue(r.body().replace(" ", "").contains("\"framework\":\"" + app().framework() + "\""),
        ENDPOINT + ": " + r.body());
  }

  /**
   * Runs {@code image} with the app's port set to {@code port} and waits until its endpoint answers
   * 200; fails with the container's output if it exits first or does not answer within {@code max}.
   */
  String startAndAwait(Podman podman, String image, int port, Duration max) throws Exception {
    Map<String, String> env = new java.util.TreeMap<>(runEnv());
    env.put(app().portVariable(), Integer.toString(port));
    String id = podman.start(image, env);
    long deadline = System.nanoTime() + max.toNanos();
    for (int i = 0; ; i++) {
      try {
        if (get(port, ENDPOINT).statusCode() == 200) {
          return id;
        }
      } catch (IOException e) {
        // not listening yet
      }
      boolean late = System.nanoTime() > deadline;
      String state = i % 10 == 9 || late ? podman.state(id) : "running";
      if (!state.startsWith("running") || late) {
        String logs = podman.logs(id);
        podman.rm(id);
        throw new AssertionError("the " + app().framework() + " app in " + image + " (" + podman
            + ") did not answer 200 on " + ENDPOINT + " within " + max + "; container " + state
            + "; its output:\n" + logs);
      }
      Thread.sleep(200);
    }
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
