package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The test support itself: podman answers through it, and timeouts really kill. */
class PeersIT {

  @Test
  void podmanVersionWorksWithPrivateStorage() {
    Peers.Podman podman = Peers.podman();
    Peers.Result r =
        podman.exec(List.of("version", "--format", "{{.Client.Version}}"), Peers.SHORT).orFail();
    assertTrue(r.stdout().strip().matches("\\d+\\.\\d+.*"), r::toString);
    assertTrue(podman.base().startsWith("/tmp"), podman.base()::toString);
    assertTrue(Files.isDirectory(podman.base()), podman.base()::toString);
  }

  @Test
  void timeoutKillsTheProcessAndItsDescendants() throws Exception {
    // the 2 s timeout, not the 60 s sleep, ends the wait: it throws, with no exit code, and the
    // sleep it started is killed with it (no duration asserted: a loaded machine takes its time)
    Peers.TimeoutException e =
        assertThrows(
            Peers.TimeoutException.class,
            () -> Peers.exec(List.of("sh", "-c", "sleep 60 & echo $!; wait"), Duration.ofSeconds(2)));
    assertEquals(-1, e.partial().exitCode());
    long sleepPid = Long.parseLong(e.partial().stdout().strip());
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!dead(sleepPid) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(dead(sleepPid), "sleep 60 (pid " + sleepPid + ") still runs");
  }

  @Test
  void largeOutputOnBothStreamsDoesNotDeadlock() {
    Peers.Result r =
        Peers.exec(
            List.of(
                "sh",
                "-c",
                "head -c 3000000 /dev/zero | tr '\\0' a; head -c 2000000 /dev/zero | tr '\\0' b >&2"),
            Duration.ofSeconds(60))
            .orFail();
    assertEquals(3_000_000, r.stdout().length());
    assertEquals(2_000_000, r.stderr().length());
    assertTrue(r.toString().contains("chars cut"), "toString clips long output");
  }

  @Test
  void missingToolFailsNamingThePackage() {
    AssertionError e = assertThrows(AssertionError.class, () -> Peers.require("no-such-tool-plinth"));
    assertTrue(e.getMessage().contains("scripts/test"), e::getMessage);
  }

  /** Gone, or a zombie nobody reaped yet (an orphan's new parent may be slow to). */
  private static boolean dead(long pid) throws IOException {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
      return state == 'Z' || state == 'X';
    } catch (NoSuchFileException gone) {
      return true;
    }
  }
}
