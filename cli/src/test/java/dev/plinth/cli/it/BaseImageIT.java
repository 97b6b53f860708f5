package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The minimal image as its users meet it: skopeo and umoci read every transport plinth writes,
 * podman runs the amd64 and the arm64 image, and what runs inside is what the standard says.
 */
class BaseImageIT {
  @TempDir static Path tmp;
  static Path app;
  static String appLayout;

  /** Runs the CLI in-process, as {@code plinth ARGS}; fails with its output unless it exits 0. */
  static String plinth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err),
        Peers.env(Map.of()));
    assertEquals(0, code, "plinth " + String.join(" ", args) + "\n" + out + err);
    return out.toString();
  }

  /**
   * A project in {@code dir} whose app is busybox for each platform (busybox-amd64,
   * busybox-arm64), with {@code yaml} as its plinth.yaml; returns that file.
   */
  static Path busyboxProject(Path dir, String yaml) throws Exception {
    Files.createDirectories(dir);
    Files.copy(Peers.busybox("amd64"), dir.resolve("busybox-amd64"));
    Files.copy(Peers.busybox("arm64"), dir.resolve("busybox-arm64"));
    return Files.writeString(dir.resolve("plinth.yaml"), yaml);
  }

  /** An image whose app is busybox for each platform, so there is something to run and probe. */
  @BeforeAll
  static void buildApp() throws Exception {
    Path dir = tmp.resolve("app");
    busyboxProject(dir, """
        name: busybox-probe
        files:
          - {src: "busybox-${arch}", dest: /bin/busybox, mode: "0755"}
        entrypoint: [/bin/busybox]
        cmd: [echo, hello]
        """);
    app = tmp.resolve("app.tar");
    plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--to", "oci-archive:" + app);
    // podman 4.3 stores every platform of an oci-archive index under the first platform's image
    // id, so the second platform it runs from one archive fails; from an oci: layout it does not.
    appLayout = "oci:" + tmp.resolve("app-layout") + ":probe";
    plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--to", appLayout);
  }

  @Test
  void everyTransport_isReadBySkopeo() throws Exception {
    Path layout = tmp.resolve("layout");
    Path archive = tmp.resolve("base.tar");
    Path docker = tmp.resolve("base-docker.tar");
    plinth("base", "--to", "oci:" + layout + ":v1");
    plinth("base", "--to", "oci-archive:" + archive);
    plinth("base", "--platform", "linux/arm64", "--to", "docker-archive:" + docker + ":plinth/base:1");

    for (String ref : List.of("oci:" + layout + ":v1", "oci-archive:" + archive)) {
      Peers.Result raw = Peers.skopeo(List.of("inspect", "--raw", ref), Peers.SHORT).orFail();
      assertTrue(raw.stdout().contains("application/vnd.oci.image.index.v1+json"), raw.toString());
      assertTrue(raw.stdout().contains("\"architecture\":\"arm64\""), raw.toString());
      for (String arch : List.of("amd64", "arm64")) {
        Peers.Result r = Peers.skopeo(List.of("--override-arch", arch, "inspect", ref), Peers.SHORT).orFail();
        assertTrue(r.stdout().contains("\"Architecture\": \"" + arch + "\""), r.toString());
        assertTrue(r.stdout().contains("\"HOME=/home/nonroot\""), r.toString());
      }
      Peers.Result config = Peers.skopeo(List.of("inspect", "--config", ref), Peers.SHORT).orFail();
      assertTrue(config.stdout().contains("\"User\": \"65532:65532\""), config.toString());
    }
    Peers.Result d = Peers.skopeo(List.of("inspect", "docker-archive:" + docker), Peers.SHORT).orFail();
    assertTrue(d.stdout().contains("\"Architecture\": \"arm64\""), d.toString());
  }

  @Test
  void buildsInSeparateProcesses_areByteIdentical() throws Exception {
    // Separate JVMs: anything that depends on per-process state (hash seeds, time) shows here.
    Path jar = Path.of(System.getProperty("plinth.jar"));
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    byte[] first = null;
    for (int i = 0; i < 3; i++) {
      Path out = tmp.resolve("proc" + i + ".tar");
      Peers.exec(List.of(javaBin, "-jar", jar.toString(), "base", "--to", "oci-archive:" + out),
          Peers.SHORT).orFail();
      byte[] bytes = Files.readAllBytes(out);
      if (first == null) {
        first = bytes;
      } else {
        assertTrue(java.util.Arrays.equals(first, bytes), "build " + i + " differs from build 0");
      }
    }
  }

  @Test
  void ociLayout_passesUmoci() throws Exception {
    Path layout = tmp.resolve("umoci");
    plinth("base", "--platform", "linux/amd64", "--to", "oci:" + layout + ":amd64");
    Peers.Result stat = Peers.umoci(List.of("stat", "--json", "--image", layout + ":amd64"), Peers.SHORT).orFail();
    assertTrue(stat.stdout().contains("plinth"), stat.toString());
    Path bundle = tmp.resolve("bundle");
    Peers.umoci(List.of("unpack", "--image", layout + ":amd64", bundle.toString()), Peers.SHORT).orFail();
    Path rootfs = bundle.resolve("rootfs");
    assertEquals("1777", Integer.toOctalString((int) Files.getAttribute(rootfs.resolve("tmp"), "unix:mode") & 07777));
    assertTrue(Files.readString(rootfs.resolve("etc/passwd")).contains("nonroot:x:65532:65532"));
    assertEquals(65532, (int) Files.getAttribute(rootfs.resolve("home/nonroot"), "unix:uid"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void image_runsAsTheStandardSays(String arch) {
    String probe = String.join("; ",
        "echo id=$(id -u):$(id -g)",
        "echo pid1=$(busybox tr '\\0' ' ' < /proc/1/cmdline)",
        "echo machine=$(uname -m)",
        "echo tmp=$(stat -c %a /tmp)",
        "echo vartmp=$(stat -c %a /var/tmp)",
        "touch /tmp/t /var/tmp/t && echo writable=yes",
        "echo home=$HOME",
        "echo user=$USER",
        "echo pwd=$(pwd)",
        "echo homeperm=$(stat -c %a:%u:%g /home/nonroot)",
        "echo rootperm=$(stat -c %a /root)",
        "/sbin/nologin; echo nologin=$?",
        "echo rootdir=$(ls / | busybox tr '\\n' ' ')");
    Peers.Result r = Peers.podman().run(List.of("--arch", arch), appLayout,
        List.of("sh", "-c", probe), Duration.ofMinutes(3));
    assertEquals(0, r.exitCode(), r.toString());
    Map<String, String> seen = keyValues(r.stdout());
    assertEquals("65532:65532", seen.get("id"), r.toString());
    // Under binfmt emulation the kernel shows the interpreter first: /usr/bin/qemu-aarch64-static.
    String pid1 = seen.get("pid1").replaceFirst("^/usr/bin/qemu-aarch64-static ", "");
    assertTrue(pid1.startsWith("/sbin/plinth-init -- /bin/busybox sh -c "), r.toString());
    assertEquals(arch.equals("amd64") ? "x86_64" : "aarch64", seen.get("machine"), r.toString());
    assertEquals("1777", seen.get("tmp"), r.toString());
    assertEquals("1777", seen.get("vartmp"), r.toString());
    assertEquals("yes", seen.get("writable"), r.toString());
    assertEquals("/home/nonroot", seen.get("home"), r.toString());
    assertEquals("nonroot", seen.get("user"), r.toString());
    assertEquals("/home/nonroot", seen.get("pwd"), r.toString());
    assertEquals("750:65532:65532", seen.get("homeperm"), r.toString());
    assertEquals("700", seen.get("rootperm"), r.toString());
    assertEquals("1", seen.get("nologin"), r.toString());
    assertTrue(r.stdout().contains("This account is currently not available."), r.toString());
    assertEquals("bin dev etc home proc root run sbin sys tmp var", seen.get("rootdir").strip(), r.toString());
  }

  @Test
  void defaultCmd_runsTheApp_throughTheInit() {
    Peers.Result r = Peers.podman().run(List.of(), "oci-archive:" + app, List.of(), Duration.ofMinutes(2));
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("hello", r.stdout().strip(), r.toString());
  }

  @Test
  void dockerArchive_loadsAndRuns() {
    Path docker = tmp.resolve("app-docker.tar");
    plinth("build", "-f", tmp.resolve("app/plinth.yaml").toString(), "--platform", "linux/amd64",
        "--to", "docker-archive:" + docker + ":plinth/probe:1");
    Peers.Result load = Peers.podman().load(docker).orFail();
    assertTrue(load.stdout().contains("plinth/probe:1"), load.toString());
    Peers.Result r = Peers.podman().run(List.of(), "docker-archive:" + docker, List.of("id", "-u"), Duration.ofMinutes(2));
    assertEquals("65532", r.stdout().strip(), r.toString());
  }

  /** Lines {@code key=value}, first one of each key wins. */
  static Map<String, String> keyValues(String out) {
    Map<String, String> m = new TreeMap<>();
    for (String line : out.split("\n")) {
      java.util.regex.Matcher k = java.util.regex.Pattern.compile("^([a-z0-9]+)=(.*)$").matcher(line);
      if (k.matches()) {
        m.putIfAbsent(k.group(1), k.group(2));
      }
    }
    return m;
  }
}
