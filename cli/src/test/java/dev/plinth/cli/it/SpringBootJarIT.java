package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Spring Boot web + actuator app, generated here and packaged by the real
 * spring-boot-maven-plugin from Maven Central as an executable fat jar, then built by plinth from
 * {@code java.jar: target/app.jar} and run by podman: it answers as the app, in layers like a
 * plain project, and a changed class changes only the top layer.
 */
class SpringBootJarIT {
  @TempDir static Path tmp;
  static Path project;
  static String image;
  static String container;
  static int port;
  static final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  static final String POM = """
      <?xml version="1.0" encoding="UTF-8"?>
      <project xmlns="http://maven.apache.org/POM/4.0.0">
        <modelVersion>4.0.0</modelVersion>
        <parent>
          <groupId>org.springframework.boot</groupId>
          <artifactId>spring-boot-starter-parent</artifactId>
          <version>3.5.7</version>
          <relativePath/>
        </parent>
        <groupId>com.example</groupId>
        <artifactId>demo</artifactId>
        <version>0.0.1-SNAPSHOT</version>
        <properties><java.version>17</java.version></properties>
        <dependencies>
          <dependency>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-web</artifactId>
          </dependency>
          <dependency>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-actuator</artifactId>
          </dependency>
        </dependencies>
        <build>
          <finalName>app</finalName>
          <plugins>
            <plugin>
              <groupId>org.springframework.boot</groupId>
              <artifactId>spring-boot-maven-plugin</artifactId>
            </plugin>
          </plugins>
        </build>
      </project>
      """;

  static String app(String greeting) {
    return """
        package com.example.demo;

        import org.springframework.boot.SpringApplication;
        import org.springframework.boot.autoconfigure.SpringBootApplication;
        import org.springframework.web.bind.annotation.GetMapping;
        import org.springframework.web.bind.annotation.RestController;

        @SpringBootApplication
        @RestController
        public class DemoApplication {
          @GetMapping("/")
          public String hello() {
            return "GREETING";
          }

          public static void main(String[] args) {
            SpringApplication.run(DemoApplication.class, args);
          }
        }
        """.replace("GREETING", greeting);
  }

  static final String YAML = """
      name: spring-demo
      java:
        jar: target/app.jar
        modules: [java.base, java.desktop, java.logging, java.management, java.naming, java.sql,
          jdk.unsupported, java.instrument, java.net.http, jdk.crypto.ec, java.xml,
          java.security.jgss, jdk.zipfs, java.scripting, java.rmi, jdk.management]
      ports: [8080]
      """;

  @BeforeAll
  static void packageBuildAndStart() throws Exception {
    project = tmp.resolve("demo");
    Files.createDirectories(project.resolve("src/main/java/com/example/demo"));
    Files.writeString(project.resolve("pom.xml"), POM);
    Files.writeString(project.resolve("plinth.yaml"), YAML);
    writeApp("hello v1");
    mvnPackage();
    image = build("v1");
    port = HelloApiIT.freePort();
    container = Peers.podman().runDetached(List.of("--env", "SERVER_PORT=" + port), image,
        List.of());
    awaitHealth(container, port, Duration.ofMinutes(2));
  }

  @AfterAll
  static void stopContainer() {
    if (container != null) {
      Peers.podman().rm(container);
    }
  }

  static void writeApp(String greeting) throws IOException {
    Files.writeString(project.resolve("src/main/java/com/example/demo/DemoApplication.java"),
        app(greeting));
  }

  static void mvnPackage() {
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests"), Duration.ofMinutes(10)).orFail();
  }

  /** Builds the amd64 image into a layout of its own; returns its reference. */
  static String build(String name) {
    String ref = "oci:" + tmp.resolve("layout-" + name) + ":a";
    plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--platform", "linux/amd64",
        "--to", ref);
    return ref;
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static void awaitHealth(String id, int port, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      try {
        if (get(port, "/actuator/health").statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not up yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the Spring Boot app never answered /actuator/health on port "
            + port + " within " + max + "; its log:\n" + Peers.podman().logs(id));
      }
      Thread.sleep(250);
    }
  }

  @Test
  void rootAndHealth_answer200() throws Exception {
    HttpResponse<String> root = get(port, "/");
    assertEquals(200, root.statusCode());
    assertEquals("hello v1", root.body());
    HttpResponse<String> health = get(port, "/actuator/health");
    assertEquals(200, health.statusCode());
    assertEquals("UP", new ObjectMapper().readTree(health.body()).path("status").asText());
  }

  @Test
  void startedByBootsLauncher_fromTheUnpackedJar_asNonrootUnderTheInit() {
    Peers.Result top = Peers.podman().exec(List.of("top", container, "pid", "user", "args"),
        Peers.SHORT).orFail();
    List<String> lines = top.stdout().strip().lines().skip(1).toList();
    assertTrue(lines.get(0).matches("\\s*1\\s+\\S+\\s+/sbin/plinth-init -e 143 -- .*"),
        top.stdout());
    assertTrue(lines.stream().anyMatch(l -> l.endsWith(
        "-cp /app org.springframework.boot.loader.launch.JarLauncher")), top.stdout());
    Peers.Result uid = Peers.podman().exec(List.of("top", container, "huser"), Peers.SHORT)
        .orFail();
    assertTrue(uid.stdout().lines().skip(1).allMatch(l -> l.strip().equals("65532")),
        uid.stdout());
  }

  @Test
  void layers_likeAPlainProject_dependenciesLoaderResourcesClasses() throws Exception {
    Peers.Result config = Peers.skopeo(List.of("inspect", "--config", image), Peers.SHORT)
        .orFail();
    List<String> history = new ArrayList<>();
    new ObjectMapper().readTree(config.stdout()).path("history")
        .forEach(h -> history.add(h.path("created_by").asText()));
    List<String> app = history.stream().filter(h -> h.startsWith("plinth java: ")
        && !h.startsWith("plinth java: runtime")).toList();
    assertEquals(List.of("plinth java: dependencies", "plinth java: spring-boot-loader",
        "plinth java: resources", "plinth java: classes"), app, history.toString());
    // the dependencies layer holds Boot's nested jars, unpacked beside the launcher's classes
    List<String> layers = layers(image);
    Path blob = tmp.resolve("layout-v1/blobs/sha256").resolve(
        layers.get(layers.size() - 4).substring("sha256:".length()));
    Peers.Result list = Peers.exec(List.of("tar", "-tzf", blob.toString()), Peers.SHORT).orFail();
    assertTrue(list.stdout().lines().anyMatch(l -> l.matches("app/BOOT-INF/lib/spring-webmvc-.*\\.jar")),
        list.stdout());
  }

  @Test
  void podmanStop_exits0() throws Exception {
    int p = HelloApiIT.freePort();
    String id = Peers.podman().runDetached(List.of("--env", "SERVER_PORT=" + p), image,
        List.of());
    try {
      awaitHealth(id, p, Duration.ofMinutes(2));
      Peers.podman().stop(id, 30).orFail();
      assertEquals(0, Peers.podman().waitExit(id, Peers.SHORT));
    } finally {
      Peers.podman().rm(id);
    }
  }

  @Test
  void changedClass_changesOnlyTheTopLayer_andTheNewCodeRuns() throws Exception {
    writeApp("hello v2");
    mvnPackage();
    String v2 = build("v2");
    List<String> a = layers(image);
    List<String> b = layers(v2);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size() - 1; i++) {
      assertEquals(a.get(i), b.get(i), "layer " + i + " must not change");
    }
    assertNotEquals(a.get(a.size() - 1), b.get(b.size() - 1), "the classes layer changes");
    int p = HelloApiIT.freePort();
    String id = Peers.podman().runDetached(List.of("--env", "SERVER_PORT=" + p), v2, List.of());
    try {
      awaitHealth(id, p, Duration.ofMinutes(2));
      assertEquals("hello v2", get(p, "/").body());
    } finally {
      Peers.podman().rm(id);
    }
  }

  private static List<String> layers(String ref) throws IOException {
    Peers.Result r = Peers.skopeo(List.of("inspect", "--raw", ref), Peers.SHORT).orFail();
    List<String> out = new ArrayList<>();
    JsonNode manifest = new ObjectMapper().readTree(r.stdout());
    manifest.path("layers").forEach(l -> out.add(l.path("digest").asText()));
    return out;
  }
}
