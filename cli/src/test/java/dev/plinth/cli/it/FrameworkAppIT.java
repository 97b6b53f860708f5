package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A framework's app as its users make it: generated here, packaged by the framework's own Maven
 * plugin from Maven Central, built by plinth from its plinth.yaml and run by podman. What every
 * such app must do: answer on its endpoint and its health endpoint, run as it was packaged to
 * start (as nonroot, under plinth's init), stop with exit 0, and re-push only its top layer after
 * a code change.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FrameworkAppIT {
  Path tmp;
  Path project;
  String image;
  String container;
  int port;

  /** What the project's pom.xml has after its modelVersion, up to its closing tag. */
  abstract String pomBody();

  private final String name;
  private final String jar;
  private final List<String> modules;

  /**
   * An app whose plinth.yaml names the image {@code name} and builds {@code jar} (what the
   * framework's plugin packages, {@code java.jar}) with these JDK {@code modules}.
   */
  FrameworkAppIT(String name, String jar, List<String> modules) {
    this.name = name;
    this.jar = jar;
    this.modules = modules;
  }

  /** The project's pom.xml. */
  final String pom() {
    return """
        <?xml version="1.0" encoding="UTF-8"?>
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
        """ + pomBody() + "</project>\n";
  }

  /** The project's plinth.yaml: the app's jar and modules, port 8080. */
  final String yaml() {
    return "name: " + name + "\njava:\n  jar: " + jar + "\n  modules: ["
        + String.join(", ", modules) + "]\nports: [8080]\n";
  }

  /** The one source file of the app, relative to the project. */
  abstract String sourceFile();

  /** The app's source, whose root endpoint answers {@code greeting}. */
  abstract String source(String greeting);

  /** The environment variable that sets the app's HTTP port. */
  abstract String portVariable();

  /** The app's health endpoint. */
  abstract String health();

  /** How the java command line ends: the way the app was packaged to start. */
  abstract String commandEnd();

  /** The history lines of the app's layers, bottom to top. */
  abstract List<String> appLayers();

  /** {@code dir}: the class's own, removed after its last test. */
  @BeforeAll
  void packageBuildAndStart(@TempDir Path dir) throws Exception {
    tmp = dir;
    project = tmp.resolve("app");
    Files.createDirectories(project);
    Files.writeString(project.resolve("pom.xml"), pom());
    Files.writeString(project.resolve("plinth.yaml"), yaml());
    writeSource("hello v1");
    AppImages.mvnPackage(project);
    image = AppImages.build(project, tmp.resolve("layout-v1"));
    AppImages.Running r = AppImages.run(image, portVariable());
    container = r.id();
    port = r.port();
    AppImages.await200(container, port, health(), Duration.ofMinutes(2));
  }

  @AfterAll
  void stopContainer() {
    if (container != null) {
      Peers.podman().rm(container);
    }
  }

  void writeSource(String greeting) throws IOException {
    Path f = project.resolve(sourceFile());
    Files.createDirectories(f.getParent());
    Files.writeString(f, source(greeting));
  }

  @Test
  void rootAndHealth_answer200() throws Exception {
    HttpResponse<String> root = AppImages.get(port, "/");
    assertEquals(200, root.statusCode());
    assertEquals("hello v1", root.body());
    HttpResponse<String> h = AppImages.get(port, health());
    assertEquals(200, h.statusCode());
    assertTrue(h.body().contains("\"UP\""), h.body());
  }

  @Test
  void startedAsPackaged_asNonrootUnderTheInit() {
    Peers.Result top = Peers.podman().exec(List.of("top", container, "pid", "user", "args"),
        Peers.SHORT).orFail();
    List<String> lines = top.stdout().strip().lines().skip(1).toList();
    assertTrue(lines.get(0).matches("\\s*1\\s+\\S+\\s+/sbin/plinth-init -e 143 -- .*"),
        top.stdout());
    assertTrue(lines.stream().anyMatch(l -> l.strip().endsWith(commandEnd())), top.stdout());
    Peers.Result uid = Peers.podman().exec(List.of("top", container, "huser"), Peers.SHORT)
        .orFail();
    assertTrue(uid.stdout().lines().skip(1).allMatch(l -> l.strip().equals("65532")),
        uid.stdout());
  }

  @Test
  void layers_likeAPlainProject() throws Exception {
    assertEquals(appLayers(), AppImages.appHistory(image));
  }

  @Test
  void podmanStop_exits0() throws Exception {
    assertEquals(0, AppImages.stopExitCode(image, portVariable(), health()));
  }

  @Test
  void changedClass_changesOnlyTheTopLayer_andTheNewCodeRuns() throws Exception {
    writeSource("hello v2");
    AppImages.mvnPackage(project);
    String v2 = AppImages.build(project, tmp.resolve("layout-v2"));
    List<String> a = AppImages.layers(image);
    List<String> b = AppImages.layers(v2);
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size() - 1; i++) {
      assertEquals(a.get(i), b.get(i), "layer " + i + " must not change");
    }
    assertNotEquals(a.get(a.size() - 1), b.get(b.size() - 1), "the top layer changes");
    AppImages.Running r = AppImages.run(v2, portVariable());
    try {
      AppImages.await200(r.id(), r.port(), health(), Duration.ofMinutes(2));
      assertEquals("hello v2", AppImages.get(r.port(), "/").body());
    } finally {
      Peers.podman().rm(r.id());
    }
  }
}
