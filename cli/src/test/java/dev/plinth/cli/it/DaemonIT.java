package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-daemon: against Podman's Docker-compatible API (podman system service on a unix socket
 * this test creates, over the same private storage the other ITs' podman uses): plinth loads
 * images, podman runs them, plinth reads them back.
 */
class DaemonIT {
  @TempDir static Path tmp;
  static Process service;
  static Map<String, String> env;

  record Run(int code, String out, String err) {}

  static Run plinth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Peers.env(env));
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  static void startService() throws Exception {
    Path socket = Peers.podman().base().resolve("api.sock");
    List<String> cmd = new ArrayList<>(Peers.podman().command());
    cmd.addAll(List.of("system", "service", "--time=0", "unix://" + socket));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("service.log").toFile());
    pb.environment().put("CONTAINERS_STORAGE_CONF",
        Peers.podman().base().resolve("storage.conf").toString());
    pb.environment().put("CONTAINERS_REGISTRIES_CONF",
        Peers.podman().base().resolve("registries.conf").toString());
    service = pb.start();
    for (int i = 0; i < 300 && !Files.exists(socket); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(socket), Files.readString(tmp.resolve("service.log")));
    env = Map.of("DOCKER_HOST", "unix://" + socket);
  }

  @AfterAll
  static void stopService() throws Exception {
    if (service != null) {
      service.destroy();
      if (!service.waitFor(20, TimeUnit.SECONDS)) {
        service.destroyForcibly();
      }
    }
  }

  @Test
  void build_loadsTheDaemonsPlatform_podmanRunsIt_andPlinthReadsItBack() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app"));
    Files.copy(Peers.busybox("amd64"), dir.resolve("busybox-amd64"));
    Files.copy(Peers.busybox("arm64"), dir.resolve("busybox-arm64"));
    Files.writeString(dir.resolve("plinth.yaml"), """
        name: daemon-probe
        files:
          - {src: "busybox-${arch}", dest: /bin/busybox, mode: "0755"}
        entrypoint: [/bin/busybox]
        cmd: [echo, hello from the daemon]
        """);
    Run b = plinth("build", "-f", dir.resolve("plinth.yaml").toString(),
        "--to", "docker-daemon:plinth/daemon-probe:1");
    assertEquals(0, b.code(), b.err());
    assertTrue(b.out().contains("loaded linux/amd64 into the daemon at unix://"), b.out());

    Peers.Result r = Peers.podman().run(List.of(), "plinth/daemon-probe:1", List.of(),
        Duration.ofMinutes(2)).orFail();
    assertEquals("hello from the daemon", r.stdout().strip());

    // Back out again: the same layers and config as a build to an archive.
    Path out = tmp.resolve("back.tar");
    Run c = plinth("copy", "docker-daemon:plinth/daemon-probe:1", "oci-archive:" + out);
    assertEquals(0, c.code(), c.err());
    Path direct = tmp.resolve("direct.tar");
    assertEquals(0, plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--platform",
        "linux/amd64", "--to", "oci-archive:" + direct).code());
    String viaDaemon = Peers.skopeo(List.of("inspect", "--raw", "oci-archive:" + out),
        Peers.SHORT).orFail().stdout();
    String built = Peers.skopeo(List.of("inspect", "--raw", "oci-archive:" + direct),
        Peers.SHORT).orFail().stdout();
    String configOf = "\"config\":";
    assertTrue(viaDaemon.contains(configDigest(built)), "same config (image ID):\n" + viaDaemon
        + "\n" + built);
    assertTrue(configOf.length() > 0);

    Run inspect = plinth("inspect", "docker-daemon:plinth/daemon-probe:1");
    assertEquals(0, inspect.code(), inspect.err());
    assertTrue(inspect.out().contains("linux/amd64"), inspect.out());
    Run audit = plinth("audit", "docker-daemon:plinth/daemon-probe:1");
    assertEquals(0, audit.code(), audit.out() + audit.err());
  }

  @Test
  void theExampleApp_isLoaded_andAnswers() throws Exception {
    Path project = tmp.resolve("hello-api");
    HelloApiIT.copyTree(Path.of(System.getProperty("plinth.root", "..")).resolve("examples/hello-api")
        .toAbsolutePath().normalize(), project);
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests", "-Dplinth.skip=true"), Duration.ofMinutes(10)).orFail();
    Run b = plinth("build", "-f", project.resolve("plinth.yaml").toString(),
        "--to", "docker-daemon:hello-api:1");
    assertEquals(0, b.code(), b.err());
    assertTrue(b.out().contains("loaded linux/amd64 into the daemon"), b.out());
    int port = HelloApiIT.freePort();
    String id = Peers.podman().runDetached(List.of("--env", "PORT=" + port), "hello-api:1",
        List.of());
    try {
      HelloApiIT.awaitHttp(port, Duration.ofSeconds(60));
      var r = HelloApiIT.get(port, "/");
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("\"alice\""), r.body());
    } finally {
      Peers.podman().rm(id);
    }
  }

  @Test
  void base_forArm64_isLoaded_andRunsUnderQemu() {
    Run b = plinth("base", "--to", "docker-daemon:plinth/base:arm64", "--platform", "linux/arm64");
    assertEquals(0, b.code(), b.err());
    assertTrue(b.out().contains("loaded linux/arm64/v8 into the daemon"), b.out());
    Peers.Result r = Peers.podman().run(List.of("--arch", "arm64"), "plinth/base:arm64",
        List.of("/sbin/nologin"), Duration.ofMinutes(2));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue((r.stdout() + r.stderr()).contains("This account is currently not available."),
        r.toString());
  }

  @Test
  void noDaemon_exits3_sayingWhatToDo() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"base", "--platform", "linux/amd64", "--to",
        "docker-daemon:plinth/x:1"}, new PrintWriter(out), new PrintWriter(err),
        Peers.env(Map.of("DOCKER_HOST", "unix://" + tmp.resolve("nobody.sock"))));
    assertEquals(3, code, err.toString());
    assertTrue(err.toString().contains("no Docker daemon at unix://")
        && err.toString().contains("DOCKER_HOST"), err.toString());
  }

  private static String configDigest(String manifest) {
    int i = manifest.indexOf("\"config\"");
    int d = manifest.indexOf("sha256:", i);
    return manifest.substring(d, d + 71);
  }
}
