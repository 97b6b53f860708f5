package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What the framework apps' ITs share: Maven, a build, HTTP probes, an image's layers. */
final class AppImages {
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private AppImages() {}

  /** {@code mvn -B -q package -DskipTests} in {@code project}, as its developer runs it. */
  static void mvnPackage(Path project) {
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests"), Duration.ofMinutes(10)).orFail();
  }

  /** Builds {@code project}'s plinth.yaml for linux/amd64 into {@code layout}; its reference. */
  static String build(Path project, Path layout) {
    String ref = "oci:" + layout + ":a";
    plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--platform", "linux/amd64",
        "--to", ref);
    return ref;
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until {@code path} answers 200; fails with the container's log when it never does. */
  static void await200(String container, int port, String path, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        if (get(port, path).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the app never answered " + path + " with 200 on port " + port
            + " within " + max + "; its log:\n" + Peers.podman().logs(container));
      }
      Thread.sleep(250);
    }
  }

  /** The layer digests of an image, bottom to top. */
  static List<String> layers(String ref) throws IOException {
    Peers.Result r = Peers.skopeo(List.of("inspect", "--raw", ref), Peers.SHORT).orFail();
    List<String> out = new ArrayList<>();
    new ObjectMapper().readTree(r.stdout()).path("layers")
        .forEach(l -> out.add(l.path("digest").asText()));
    return out;
  }

  /** The history lines of the app's own layers ("plinth java: ..." but the runtime). */
  static List<String> appHistory(String ref) throws IOException {
    Peers.Result config = Peers.skopeo(List.of("inspect", "--config", ref), Peers.SHORT)
        .orFail();
    List<String> out = new ArrayList<>();
    new ObjectMapper().readTree(config.stdout()).path("history").forEach(h -> {
      String line = h.path("created_by").asText();
      if (line.startsWith("plinth java: ") && !line.startsWith("plinth java: runtime")) {
        out.add(line);
      }
    });
    return out;
  }

  /**
   * Runs {@code image} with its port in {@code portVariable}; returns that port and the
   * container's ID.
   */
  static Running run(String image, String portVariable) throws IOException {
    int p = HelloApiIT.freePort();
    return new Running(Peers.podman().runDetached(List.of("--env", portVariable + "=" + p), image,
        List.of()), p);
  }

  record Running(String id, int port) {}

  /** The exit code of a container of {@code image} stopped by {@code podman stop}. */
  static int stopExitCode(String image, String portVariable, String healthPath)
      throws Exception {
    Running r = run(image, portVariable);
    String id = r.id();
    int p = r.port();
    try {
      await200(id, p, healthPath, Duration.ofMinutes(2));
      Peers.podman().stop(id, 30).orFail();
      return Peers.podman().waitExit(id, Peers.SHORT);
    } finally {
      Peers.podman().rm(id);
    }
  }
}
