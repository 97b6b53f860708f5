package dev.plinth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Image;
import dev.plinth.oci.Transports;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against Podman's Docker-compatible API on a unix socket this test creates (podman system
 * service, private storage): load an image, read it back, and what happens with no daemon.
 */
class DockerDaemonTest {
  @TempDir static Path tmp;
  static Process service;
  static Path socket;
  static List<String> podman;

  @BeforeAll
  static void startService() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/podman")),
        "podman is not installed (scripts/test installs it)");
    Path base = Files.createDirectories(tmp.resolve("podman"));
    podman = List.of("/usr/bin/podman", "--root", base.resolve("root").toString(), "--runroot",
        base.resolve("run").toString(), "--tmpdir", base.resolve("tmp").toString(),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime", "runc",
        "--events-backend", "file");
    socket = base.resolve("podman.sock");
    List<String> cmd = new ArrayList<>(podman);
    cmd.addAll(List.of("system", "service", "--time=0", "unix://" + socket));
    service = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(base.resolve("service.log").toFile()).start();
    for (int i = 0; i < 300 && !Files.exists(socket); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(socket), "podman system service did not create its socket: "
        + Files.readString(base.resolve("service.log")));
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

  private static Image image(String text) throws Exception {
    Layer layer = new LayerBuilder()
        .file("/hello.txt", text.getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
        .build(tmp.resolve("layers"), 0, 6);
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/x\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + layer.diffId() + "\"]}}";
    return Image.of(Platform.LINUX_AMD64,
        Blob.of(MediaTypes.OCI_CONFIG, config.getBytes(StandardCharsets.UTF_8)), List.of(layer),
        Map.of());
  }

  @Test
  void architecture_isTheDaemonsOwn() throws Exception {
    assertEquals("amd64", DockerDaemon.at(socket).architecture());
  }

  @Test
  void load_thenSave_givesTheSameImageBack() throws Exception {
    Image image = image("hello daemon");
    Path archive = tmp.resolve("in.tar");
    ArchiveWriter.writeDockerArchive(archive, "plinth/daemon-test:1", image, 0);
    String loaded = DockerDaemon.at(socket).load(archive);
    assertTrue(loaded.contains("plinth/daemon-test:1"), loaded);

    Path out = tmp.resolve("out.tar");
    DockerDaemon.at(socket).save("plinth/daemon-test:1", out);
    Image back = Transports.local().read(ImageRef.parse("docker-archive:" + out)).images().get(0);
    assertEquals(image.layers().get(0).diffId(), back.layers().get(0).diffId());
    assertEquals(image.config().descriptor().digest(), back.config().descriptor().digest(),
        "the config (the image ID) comes back unchanged");
  }

  @Test
  void unknownImage_isNotFound() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> DockerDaemon.at(socket).save("plinth/no-such-image:1", tmp.resolve("x.tar")));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("plinth/no-such-image:1"), e.getMessage());
  }

  @Test
  void noDaemon_isNotFound_sayingWhatToDo() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> DockerDaemon.fromEnvironment(Map.of("DOCKER_HOST", "unix://" + tmp.resolve("none.sock")))
            .architecture());
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("none.sock") && e.getMessage().contains("DOCKER_HOST"),
        e.getMessage());
    Path stale = Files.createFile(tmp.resolve("stale.sock"));
    PlinthException refused = assertThrows(PlinthException.class,
        () -> DockerDaemon.at(stale).architecture());
    assertEquals(PlinthException.Kind.NOT_FOUND, refused.kind());
    PlinthException tcp = assertThrows(PlinthException.class,
        () -> DockerDaemon.fromEnvironment(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")));
    assertEquals(PlinthException.Kind.USAGE, tcp.kind());
  }
}
