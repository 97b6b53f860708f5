package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Init as PID 1 of a new PID namespace (util-linux unshare, as root), as in a container: no
 * subreaper needed, and the kernel drops signals to PID 1 that it has no handler for unless they
 * are blocked, which is how init takes them. Skipped where unshare cannot do this.
 */
class InitAsPid1Test {
  private static final Path UNSHARE = Path.of("/usr/bin/unshare");

  @TempDir Path tmp;

  private List<String> asPid1(String arch, String script) {
    assumeTrue(Files.isExecutable(UNSHARE), "no " + UNSHARE + " (util-linux)");
    Proc.Result probe = Proc.run(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc", "true"), Tools.env(), tmp);
    assumeTrue(probe.exitCode() == 0, "cannot make a PID namespace here (not root?): " + probe);
    List<String> cmd = Tools.concat(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc"),
        Tools.init(arch).toArray(String[]::new));
    return Tools.concat(cmd, "--", Tools.busybox().toString(), "sh", "-c", script);
  }

  @ParameterizedTest(name = "asPid1_{0}_termFromInsideTheNamespace_reachesTheChild")
  @ValueSource(strings = {"amd64", "arm64"})
  void asPid1_termFromInsideTheNamespace_reachesTheChild(String arch) {
    String script = "trap 'echo got TERM; exit 7' TERM; echo ppid=$PPID; $BB kill -TERM 1;"
        + " while :; do $BB sleep 0.02; done";
    Proc.Result r = Proc.run(asPid1(arch, script), Tools.env(), tmp);
    assertEquals("ppid=1\ngot TERM\n", r.stdout(), r.toString());
    assertEquals(7, r.exitCode(), r.toString());
    assertEquals("", r.stderr(), "PID 1 needs no subreaper, so no warning: " + r);
  }

  @ParameterizedTest(name = "asPid1_{0}_termFromOutside_reachesTheChild")
  @ValueSource(strings = {"amd64", "arm64"})
  void asPid1_termFromOutside_reachesTheChild(String arch) {
    String script = "trap 'echo got TERM; exit 9' TERM; echo ready; while :; do $BB sleep 0.02; done";
    try (Proc p = Proc.start(asPid1(arch, script), Tools.env(), tmp)) {
      p.awaitStdout("ready");
      // unshare's child: the init (the perl launcher has exec'd it, and qemu runs it for arm64)
      long init = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
      Signals.send("TERM", init);
      Proc.Result r = p.waitFor();
      assertEquals("ready\ngot TERM\n", r.stdout(), r.toString());
      assertEquals(9, r.exitCode(), r.toString());
    }
  }

  /** Orphans end as zombies children of PID 1; the child polls /proc until none is left. */
  @ParameterizedTest(name = "asPid1_{0}_orphansAreReaped")
  @ValueSource(strings = {"amd64", "arm64"})
  void asPid1_orphansAreReaped(String arch) {
    String script = String.join("; ",
        "for i in 1 2 3 4 5 6 7 8; do ($BB true &); done",
        "i=0",
        "while [ $i -lt 500 ]; do z=$($BB cat /proc/[0-9]*/stat 2>/dev/null | $BB awk '$3 == \"Z\"' | $BB wc -l);"
            + " [ \"$z\" = 0 ] && break; $BB sleep 0.01; i=$((i+1)); done",
        "echo zombies=$z");
    Proc.Result r = Proc.run(asPid1(arch, script), Tools.env(), tmp);
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("zombies=0"), r.toString());
  }
}
