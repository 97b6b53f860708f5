package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plinth's init as PID 1 of a real container, seen from podman. */
class InitIT {
  @TempDir static Path tmp;
  static String image;

  @BeforeAll
  static void build() throws Exception {
    Files.copy(Peers.busybox("amd64"), tmp.resolve("busybox"));
    Files.writeString(tmp.resolve("plinth.yaml"), """
        platforms: [linux/amd64]
        files: [{src: busybox, dest: /bin/busybox, mode: "0755"}]
        entrypoint: [/bin/busybox]
        """);
    Path out = tmp.resolve("init.tar");
    BaseImageIT.plinth("build", "-f", tmp.resolve("plinth.yaml").toString(), "--to", "oci-archive:" + out);
    image = "oci-archive:" + out;
  }

  private static Peers.Result run(String script) {
    return Peers.podman().run(List.of(), image, List.of("sh", "-c", script), Duration.ofMinutes(2));
  }

  @Test
  void exitCode3_isTheContainersExitCode() {
    assertEquals(3, run("exit 3").exitCode());
  }

  @Test
  void appKilledBySigkill_exits137() {
    assertEquals(137, run("kill -9 $$").exitCode());
  }

  @Test
  void missingProgram_exits127_withAMessageNamingIt() {
    Peers.Result r = Peers.podman().run(List.of("--entrypoint", "[\"/sbin/plinth-init\",\"--\"]"),
        image, List.of("/no/such/app"), Duration.ofMinutes(2));
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("/no/such/app"), r.toString());
  }

  @Test
  void orphanedGrandchildren_areReaped() {
    // Each subshell starts a sleep and exits at once: the sleeps are orphaned to PID 1. After they
    // end, no process may be left a zombie.
    Peers.Result r = run("for i in 1 2 3 4 5; do (sleep 0.2 &); done; sleep 1.5;"
        + " echo zombies=$(cat /proc/[0-9]*/stat | awk '$3 == \"Z\"' | wc -l)");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("zombies=0"), r.toString());
  }

  @Test
  void podmanStop_reachesATrappingApp_andItsExitCodeIsKept() throws Exception {
    String id = Peers.podman().runDetached(List.of(), image, List.of("sh", "-c",
        "trap 'echo got TERM; exit 0' TERM; echo ready; while :; do sleep 0.1; done"));
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (!Peers.podman().logs(id).contains("ready")) {
        assertTrue(System.nanoTime() < deadline, "the app never became ready");
        Thread.sleep(100);
      }
      // exit 0 from the trap, not 137 from podman's SIGKILL after the 30 s grace time: SIGTERM
      // reached the app (no duration is asserted: a loaded machine may take its time)
      Peers.podman().stop(id, 30).orFail();
      assertEquals(0, Peers.podman().waitExit(id, Peers.SHORT), "SIGTERM did not reach the app");
      assertTrue(Peers.podman().logs(id).contains("got TERM"));
    } finally {
      Peers.podman().rm(id);
    }
  }

  private static void awaitLog(String id, String text) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Peers.podman().logs(id).contains(text)) {
      assertTrue(System.nanoTime() < deadline, "\"" + text + "\" never appeared in the logs");
      Thread.sleep(100);
    }
  }

  /** The review's case: podman kill -s ABRT (for a core or thread dump) reaches the app. */
  @Test
  void podmanKillAbrt_reachesTheApp() throws Exception {
    String id = Peers.podman().runDetached(List.of(), image, List.of("sh", "-c",
        "trap 'echo got ABRT; exit 20' ABRT; echo ready; while :; do sleep 0.1; done"));
    try {
      awaitLog(id, "ready");
      Peers.podman().exec(List.of("kill", "-s", "ABRT", id), Peers.SHORT).orFail();
      assertEquals(20, Peers.podman().waitExit(id, Peers.SHORT));
      assertTrue(Peers.podman().logs(id).contains("got ABRT"));
    } finally {
      Peers.podman().rm(id);
    }
  }

  /** -g: when the app exits, the helper it left gets SIGTERM before PID 1's exit kills it. */
  @Test
  void groupMode_appExits_itsHelperGetsTermFirst() {
    String script = "sh -c 'trap \"echo helper got TERM; exit 0\" TERM; touch /tmp/up;"
        + " while :; do sleep 0.1; done' & while [ ! -e /tmp/up ]; do sleep 0.05; done; exit 5";
    Peers.Result r = Peers.podman().run(
        List.of("--tmpfs", "/tmp", "--entrypoint", "[\"/sbin/plinth-init\",\"-g\",\"--\",\"/bin/busybox\"]"),
        image, List.of("sh", "-c", script), Duration.ofMinutes(2));
    assertEquals(5, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("helper got TERM"), r.toString());
  }

  /**
   * plinth.yaml's init.grace and init.verbose, as built into the image's own Entrypoint: the group
   * stop without group mode (the helper gets SIGTERM when the app exits), and the init's log.
   */
  @Test
  void yamlGraceAndVerbose_stopTheHelpers_andLogWhatTheInitDid() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("grace"));
    Files.copy(Peers.busybox("amd64"), dir.resolve("busybox"));
    Files.writeString(dir.resolve("plinth.yaml"), """
        platforms: [linux/amd64]
        init: {grace: 30, verbose: true}
        files: [{src: busybox, dest: /bin/busybox, mode: "0755"}]
        entrypoint: [/bin/busybox]
        """);
    Path out = dir.resolve("grace.tar");
    BaseImageIT.plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--to",
        "oci-archive:" + out);
    String script = "sh -c 'trap \"echo helper got TERM; exit 0\" TERM; touch /tmp/up;"
        + " while :; do sleep 0.1; done' & while [ ! -e /tmp/up ]; do sleep 0.05; done; exit 5";
    Peers.Result r = Peers.podman().run(List.of("--tmpfs", "/tmp"), "oci-archive:" + out,
        List.of("sh", "-c", script), Duration.ofMinutes(2));
    assertEquals(5, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("helper got TERM"), r.toString());
    assertTrue(r.stderr().contains("plinth-init: running /bin/busybox as "), r.toString());
    assertTrue(r.stderr().contains("plinth-init: sent signal 15 to group "), r.toString());
    assertTrue(r.stderr().contains(": exit 5"), r.toString());
  }

  /** Issue 16: a dynamically linked program in an image without its C library. */
  @Test
  void dynamicProgramWithoutItsInterpreter_exits127_namingTheInterpreter() throws Exception {
    Path host = Path.of("/usr/bin/true");
    String interp = "/lib64/ld-linux-x86-64.so.2";
    assumeTrue(Files.isRegularFile(host) && new String(Files.readAllBytes(host), "ISO-8859-1").contains(interp),
        host + " is not a dynamically linked x86-64 program with " + interp);
    Path app = tmp.resolve("zv");
    Files.copy(host, app);
    Peers.Result r = Peers.podman().run(
        List.of("-v", app + ":/app/zv:ro", "--entrypoint", "[\"/sbin/plinth-init\",\"--\"]"),
        image, List.of("/app/zv"), Duration.ofMinutes(2));
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("plinth-init: cannot run /app/zv: its ELF interpreter " + interp + " is missing"),
        r.toString());
  }
}
