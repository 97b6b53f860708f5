package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example REST API (examples/hello-api), built with Maven and packaged by plinth into an
 * amd64+arm64 image, run by podman: what a user of the API and an operator would check.
 */
class HelloApiIT {
  @TempDir static Path tmp;
  static Path project;
  static String image;
  static String container;
  static int port;
  static final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void buildAndStart() throws Exception {
    project = tmp.resolve("hello-api");
    copyTree(Path.of(System.getProperty("plinth.root", "..")).resolve("examples/hello-api")
        .toAbsolutePath().normalize(), project);
    // The app's own build; the plinth Maven plugin is skipped here (it is tested on its own).
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests", "-Dplinth.skip=true"), Duration.ofMinutes(10)).orFail();
    image = "oci:" + tmp.resolve("layout") + ":hello";
    plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--to", image);
    port = freePort();
    container = Peers.podman().runDetached(List.of("--env", "PORT=" + port), image, List.of());
    awaitHttp(port, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopContainer() {
    if (container != null) {
      Peers.podman().rm(container);
    }
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void root_answersTheJson() throws Exception {
    HttpResponse<String> r = get(port, "/");
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    JsonNode json = new ObjectMapper().readTree(r.body());
    assertEquals(new ObjectMapper().readTree("{\"name\":\"alice\",\"email\":\"alice@outlook.com\"}"),
        json);
  }

  @Test
  void asset_andHealth() throws Exception {
    HttpResponse<String> asset = get(port, "/media/example.txt");
    assertEquals(200, asset.statusCode());
    assertEquals("example asset", asset.body().strip());
    assertEquals(200, get(port, "/healthz").statusCode());
    assertEquals(404, get(port, "/nope").statusCode());
  }

  @Test
  void http2_priorKnowledge_withCurl() {
    Peers.Result r = Peers.exec(List.of("curl", "-sS", "--http2-prior-knowledge", "-o", "/dev/null",
        "-w", "%{http_version} %{response_code}", "http://127.0.0.1:" + port + "/"),
        Duration.ofSeconds(30)).orFail();
    assertEquals("2 200", r.stdout().strip());
  }

  @Test
  void logs_goToThePodmanLog_andTheAppRunsAsNonroot_underTheInit() throws Exception {
    get(port, "/");
    String logs = Peers.podman().logs(container);
    assertTrue(logs.contains(Integer.toString(port)), "the start-up line names the port: " + logs);
    Peers.Result top = Peers.podman().exec(List.of("top", container, "pid", "user", "args"),
        Peers.SHORT).orFail();
    List<String> lines = top.stdout().strip().lines().skip(1).toList();
    assertTrue(lines.get(0).matches("\\s*1\\s+\\S+\\s+/sbin/plinth-init -e 143 -- /opt/java/openjdk/bin/java .*"),
        top.stdout());
    assertTrue(lines.stream().anyMatch(l -> l.contains("/opt/java/openjdk/bin/java")
        && !l.trim().startsWith("1 ")), top.stdout());
    Peers.Result inspect = Peers.podman().exec(List.of("inspect", "--format",
        "{{.Config.User}}", container), Peers.SHORT).orFail();
    assertEquals("65532:65532", inspect.stdout().strip());
    Peers.Result uid = Peers.podman().exec(List.of("top", container, "huser"), Peers.SHORT).orFail();
    assertTrue(uid.stdout().lines().skip(1).allMatch(l -> l.strip().equals("65532")), uid.stdout());
  }

  @Test
  void podmanStop_endsWithExit0_byTheAppsOwnStop() throws Exception {
    int p = freePort();
    String id = Peers.podman().runDetached(List.of("--env", "PORT=" + p), image, List.of());
    try {
      awaitHttp(p, Duration.ofSeconds(60));
      // exit 0, not podman's SIGKILL after the 30 s grace time (137): SIGTERM reached the app
      // and it stopped on its own, however long a loaded machine takes
      Peers.podman().stop(id, 30).orFail();
      assertEquals(0, Peers.podman().waitExit(id, Peers.SHORT));
    } finally {
      Peers.podman().rm(id);
    }
  }

  @Test
  void arm64_underQemu_answersTheJson() throws Exception {
    int p = freePort();
    String id = Peers.podman().runDetached(List.of("--arch", "arm64", "--env", "PORT=" + p),
        image, List.of());
    try {
      awaitHttp(p, Duration.ofMinutes(3));
      HttpResponse<String> r = get(p, "/");
      assertEquals("alice", new ObjectMapper().readTree(r.body()).path("name").asText());
    } finally {
      Peers.podman().rm(id);
    }
  }

  @Test
  void changedClass_changesOnlyTheClassesLayer() throws Exception {
    Path yaml = project.resolve("plinth.yaml");
    String before = tmp.resolve("before").toString();
    plinth("build", "-f", yaml.toString(), "--platform", "linux/amd64", "--to", "oci:" + before + ":a");
    // Rebuild the jar with one class changed (a constant in it), as a developer's edit would.
    Path src;
    try (Stream<Path> s = Files.walk(project.resolve("src/main/java"))) {
      src = s.filter(f -> f.getFileName().toString().equals("Routes.java")).findFirst().orElseThrow();
    }
    Files.writeString(src, Files.readString(src).replace("alice@outlook.com", "alice@example.org"));
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests", "-Dplinth.skip=true"), Duration.ofMinutes(10)).orFail();
    String after = tmp.resolve("after").toString();
    plinth("build", "-f", yaml.toString(), "--platform", "linux/amd64", "--to", "oci:" + after + ":a");
    List<String> a = layers(before);
    List<String> b = layers(after);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size() - 1; i++) {
      assertEquals(a.get(i), b.get(i), "layer " + i + " must not change");
    }
    assertNotEquals(a.get(a.size() - 1), b.get(b.size() - 1), "the classes layer changes");
  }

  @Test
  void aotCache_isTheTopLayer_theJvmUsesIt_andANoChangeRebuildKeepsIt() throws Exception {
    int trainPort = freePort();
    String base = "http://127.0.0.1:" + trainPort;
    Path yaml = project.resolve("plinth-aot.yaml");
    String spec = Files.readString(project.resolve("plinth.yaml"));
    assertTrue(spec.contains("\n  modules: ["), spec);
    Files.writeString(yaml, spec.replace("\n  modules: [", "\n  aot:\n    env: {PORT: \""
        + trainPort + "\"}\n    get: [" + base + "/, " + base + "/media/example.txt]\n  modules: ["));
    String first = tmp.resolve("aot-1").toString();
    plinth("build", "-f", yaml.toString(), "--platform", "linux/amd64", "--to", "oci:" + first + ":a");
    String plain = tmp.resolve("aot-none").toString();
    plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--platform", "linux/amd64",
        "--to", "oci:" + plain + ":a");
    List<String> withCache = layers(first);
    List<String> without = layers(plain);
    assertEquals(without, withCache.subList(0, withCache.size() - 1),
        "the AOT cache is one layer on top of the same layers");

    // -XX:AOTMode=on makes the JVM refuse to start when it cannot use the cache.
    int p = freePort();
    String id = Peers.podman().runDetached(List.of("--env", "PORT=" + p,
        "--env", "JAVA_TOOL_OPTIONS=-XX:AOTMode=on"), "oci:" + first + ":a", List.of());
    try {
      awaitHttp(p, Duration.ofSeconds(60));
      assertEquals("alice", new ObjectMapper().readTree(get(p, "/").body()).path("name").asText());
    } finally {
      Peers.podman().rm(id);
    }

    String second = tmp.resolve("aot-2").toString();
    plinth("build", "-f", yaml.toString(), "--platform", "linux/amd64", "--to", "oci:" + second + ":a");
    assertEquals(withCache, layers(second), "nothing changed: no new training run");
  }

  private static List<String> layers(String layout) {
    Peers.Result r = Peers.skopeo(List.of("inspect", "--raw", "oci:" + layout + ":a"), Peers.SHORT)
        .orFail();
    List<String> out = new ArrayList<>();
    try {
      new ObjectMapper().readTree(r.stdout()).path("layers").forEach(l -> out.add(l.path("digest").asText()));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void awaitHttp(int port, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        if (get(port, "/healthz").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no answer on port " + port + " within " + max);
      }
      Thread.sleep(200);
    }
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.filter(p -> !from.relativize(p).startsWith("target")).toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
