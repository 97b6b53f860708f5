package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.deb.Mirrors;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
  static Recipes.Built second;

  @BeforeAll
  static void buildTwice() throws Exception {
    Path project = Recipes.copy("flask-api", tmp);
    first = Recipes.build(project, tmp.resolve("layout"));
    image = first.image();
    second = Recipes.build(project, tmp.resolve("again"));
  }

  @Test
  void build_twice_sameDigest_pycIncluded() {
    assertEquals(first.indexDigest(), second.indexDigest());
  }

  /** The .pyc are cached between builds: the second runs no python3 at all. */
  @Test
  void secondBuild_takesThePycFromTheCache_andRunsNoPython() {
    assertTrue(second.steps().contains("python3.11: the packages' .pyc taken from the cache"),
        second.steps());
    assertFalse(second.steps().contains("unpacked to byte-compile"), second.steps());
  }

  /**
   * A changed source is compiled again, not served from the cache: with unchecked-hash .pyc
   * Python never looks at the source, so a stale .pyc would run the old code.
   */
  @Test
  void changedAppSource_getsFreshPyc() throws Exception {
    Path project = Recipes.copy("flask-api", java.nio.file.Files.createDirectories(
        tmp.resolve("changed-project")));
    String mark = "changed " + java.util.UUID.randomUUID();
    java.nio.file.Files.writeString(project.resolve("app.py"), "\nMARK = '" + mark + "'\n",
        java.nio.file.StandardOpenOption.APPEND);
    String changed = "oci:" + tmp.resolve("changed") + ":flask";
    RegistryCliIT.Run r = RegistryCliIT.plinth(Map.of(), "build", "-f",
        project.resolve("plinth.yaml").toString(), "--locked", "--platform", "linux/amd64",
        "--to", changed).ok();
    assertTrue(r.err().contains("unpacked to byte-compile"), "app.py is new: " + r.err());
    Peers.Result run = Peers.podman().run(List.of("--read-only", "--entrypoint",
        "/usr/bin/python3", "--workdir", "/app"), changed,
        List.of("-v", "-c", "import app; print(app.MARK)"), Duration.ofMinutes(3)).orFail();
    assertEquals(mark, run.stdout().strip());
    assertTrue(run.stderr().contains("# code object from '/app/__pycache__/app.cpython-311.pyc'"),
        run.stderr());
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

  /**
   * "Starts no slower than a debootstrap-based image", as work rather than time (no clock is
   * read): the real peer, scripts/debootstrap-flask's image of the same app (minbase, Flask and
   * gunicorn by apt, whose postinst byte-compile; made once, then cached under
   * ~/.cache/plinth-test by its package set), and plinth's image each start their command with
   * PYTHONVERBOSE=1 and serve a 200. Python's own account of the start: plinth's image compiles
   * nothing (every module's code from a .pyc, nothing written or failed to write) and imports
   * no module more than the peer does. amd64 only: debootstrap runs on this machine.
   */
  @Test
  void startup_compilesNothing_andImportsNoMoreThanADebootstrapImage() throws Exception {
    String ours = verboseStart(image);
    String theirs = verboseStart("oci:" + debootstrapImage() + ":flask");
    Set<String> ourModules = imported(ours);
    Set<String> theirModules = imported(theirs);
    for (String m : List.of("flask", "gunicorn.app.wsgiapp", "gunicorn.workers.sync", "app")) {
      assertTrue(ourModules.contains(m), m + " not imported: " + ourModules);
      assertTrue(theirModules.contains(m), m + " not imported by the peer: " + theirModules);
    }
    List<String> fromSource = codeObjects(ours).stream().filter(f -> !f.endsWith(".pyc"))
        .toList();
    assertEquals(List.of(), fromSource, "compiled at start");
    assertTrue(codeObjects(ours).size() > 200, "python -v's account: " + ours);
    assertFalse(ours.contains("# wrote "), ours);
    assertFalse(ours.contains("could not create"), ours);
    assertTrue(codeObjects(theirs).contains("/app/app.py"), "the peer compiles its app at each"
        + " start (uid 65532 cannot write /app/__pycache__): " + codeObjects(theirs));
    Set<String> extra = new TreeSet<>(ourModules);
    extra.removeAll(theirModules);
    assertTrue(ourModules.size() <= theirModules.size(), ourModules.size() + " modules, the"
        + " peer " + theirModules.size() + "; only here: " + extra);
  }

  /** What an image logs from its start to its first 200 and stop, with PYTHONVERBOSE=1. */
  private static String verboseStart(String ref) throws Exception {
    try (Recipes.Running r = Recipes.start(ref, "amd64", "/", "--env", "PYTHONVERBOSE=1")) {
      Recipes.assertStopsWithExitZero(r);
      return Peers.podman().logs(r.id());
    }
  }

  /** The modules python -v says were imported, by name. */
  static Set<String> imported(String verbose) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("^import '?([\\w.]+)'? #", Pattern.MULTILINE).matcher(verbose);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** The files python -v says code objects came from: a .pyc, or a source it compiled. */
  static Set<String> codeObjects(String verbose) {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("^# code object from '?(.+?)'?$", Pattern.MULTILINE)
        .matcher(verbose);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  /** scripts/debootstrap-flask's OCI layout (tag flask), made once per package set; a link. */
  private static Path debootstrapImage() throws Exception {
    AuditIT.installDebootstrap();
    Peers.require("umoci");
    Path root = Path.of(System.getProperty("plinth.root", "..")).toAbsolutePath().normalize();
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "plinth-test");
    Peers.Result r = Peers.exec(List.of("bash", root.resolve("scripts/debootstrap-flask")
            .toString(), cache.toString()), Duration.ofMinutes(30),
        Map.of(Mirrors.ENV, Mirrors.debian(System.getenv(Mirrors.ENV)).toString()), false)
        .orFail();
    String[] lines = r.stdout().strip().split("\n");
    // podman names an oci: layout by its path, and a ".cache" is no valid name: a link to it
    return java.nio.file.Files.createSymbolicLink(tmp.resolve("debootstrap-flask"),
        Path.of(lines[lines.length - 1]));
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
