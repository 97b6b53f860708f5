package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/flask-api, the guide's Flask app on Debian's python3, Flask and gunicorn, built from
 * its committed plinth.lock for amd64 and arm64 and run by podman (arm64 under qemu): what its
 * run book promises, and the byte-compiled Python it is built with.
 */
class FlaskApiIT {
  @TempDir static Path tmp;
  static Recipes.Built first;
  static String image;
  static String secondBuild;

  @BeforeAll
  static void buildTwice() throws Exception {
    Path project = Recipes.copy("flask-api", tmp);
    first = Recipes.build(project, tmp.resolve("layout"));
    image = first.image();
    secondBuild = Recipes.build(project, tmp.resolve("again")).indexDigest();
  }

  @Test
  void build_twice_sameDigest_pycIncluded() {
    assertEquals(first.indexDigest(), secondBuild);
  }

  @Test
  void bothPlatforms_under40MB() {
    first.assertEachUnder(40);   // both platforms: Recipes.build checks they are there
  }

  @Test
  void audit_findsNothingMissing() {
    plinth("audit", image);   // exit 0: no ELF file lacks a library the trims left out
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void serves_asNonrootUnderTheInit_andStopsWithExitZero(String arch) throws Exception {
    try (Recipes.Running r = Recipes.start(image, arch, "/")) {
      HttpResponse<String> root = Recipes.get(r, "/");
      assertEquals("application/json", root.headers().firstValue("Content-Type").orElse(""));
      assertEquals(Map.of("name", "alice", "email", "alice@outlook.com"),
          new ObjectMapper().readValue(root.body(), Map.class));
      HttpResponse<String> media = Recipes.get(r, "/media/example.txt");
      assertEquals(200, media.statusCode());
      assertEquals("example asset\n", media.body());
      assertEquals(404, Recipes.get(r, "/media/nothing.txt").statusCode());

      Recipes.assertNonrootUnderTheInit(r, List.of("/usr/bin/gunicorn", "--config",
          "/app/gunicorn.conf.py", "app:app"));
      Recipes.assertStopsWithExitZero(r);
      String logs = Peers.podman().logs(r.id());
      assertTrue(logs.contains("GET / HTTP/1.1\" 200"), "access log on stdout: " + logs);
    }
  }

  /**
   * On a read-only root, python -v says where each module's code object came from: a .pyc of
   * the packages (sourceless, in place of the .py), the app's __pycache__ .pyc matching its
   * source, and never a source compiled afresh nor a __pycache__ it failed to write.
   */
  @Test
  void readOnlyRoot_importsComeFromPyc() {
    Peers.Result r = Peers.podman().run(List.of("--read-only", "--entrypoint",
            "/usr/bin/python3", "--workdir", "/app"), image,
        List.of("-v", "-c", "import flask, gunicorn.app.wsgiapp, app"), Duration.ofMinutes(3))
        .orFail();
    String v = r.stderr();
    assertTrue(v.contains("# code object from '/usr/lib/python3/dist-packages/flask/app.pyc'"),
        v);
    assertTrue(v.contains("# code object from '/usr/lib/python3.11/json/decoder.pyc'"), v);
    assertTrue(v.contains("# /app/__pycache__/app.cpython-311.pyc matches /app/app.py"), v);
    Matcher compiled = Pattern.compile("# code object from '?(\\S+\\.py)'?$", Pattern.MULTILINE)
        .matcher(v);
    assertFalse(compiled.find(), () -> "compiled from source: " + compiled.group(1));
    assertFalse(v.contains("could not create"), v);
  }

  @Test
  void logLevel_isRead_andABadOneStopsWithExitTwo() {
    Peers.Result r = Peers.podman().run(List.of("--env", "LOGLEVEL=loud"), image, List.of(),
        Duration.ofMinutes(3));
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue((r.stdout() + r.stderr()).contains("LOGLEVEL='loud': use one of debug, info,"),
        r.toString());
  }
}
