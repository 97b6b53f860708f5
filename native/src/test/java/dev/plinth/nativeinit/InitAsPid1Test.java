package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
    return asPid1(arch, List.of(), script);
  }

  private List<String> asPid1(String arch, List<String> options, String script) {
    assumeTrue(Files.isExecutable(UNSHARE), "no " + UNSHARE + " (util-linux)");
    Proc.Result probe = Proc.run(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc", "true"), Tools.env(), tmp);
    assumeTrue(probe.exitCode() == 0, "cannot make a PID namespace here (not root?): " + probe);
    List<String> cmd = Tools.concat(List.of(UNSHARE.toString(), "--pid", "--fork", "--mount-proc"),
        Tools.init(arch).toArray(String[]::new));
    cmd = Tools.concat(cmd, options.toArray(String[]::new));
    return Tools.concat(cmd, "--", Tools.busybox().toString(), "sh", "-c", script);
  }

  /** unshare's child: the init (the perl launcher has exec'd it, and qemu runs it for arm64). */
  private static long initOf(Proc unshare) {
    return ProcessHandle.of(unshare.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
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
      Signals.send("TERM", initOf(p));
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

  /**
   * A crash signal sent to PID 1 from inside the namespace reaches the child: init blocks it (a
   * PID 1 that neither blocks nor handles a signal never gets it from inside). arm64: qemu 7.2
   * itself dies of SIGABRT and SIGSEGV, so SIGBUS there.
   */
  @ParameterizedTest(name = "asPid1_{0}_sig{1}FromInside_reachesTheChild")
  @CsvSource({"amd64, ABRT", "amd64, SEGV", "arm64, BUS"})
  void asPid1_crashSignalFromInsideTheNamespace_reachesTheChild(String arch, String signal) {
    String script = "trap 'echo got " + signal + "; exit 20' " + signal + "; $BB kill -" + signal + " 1;"
        + " while :; do $BB sleep 0.02; done";
    Proc.Result r = Proc.run(asPid1(arch, script), Tools.env(), tmp);
    assertEquals("got " + signal + "\n", r.stdout(), r.toString());
    assertEquals(20, r.exitCode(), r.toString());
  }

  /** As PID 1 too, a fault of init's own kills it (the kernel clears its unkillable flag). */
  @ParameterizedTest(name = "asPid1_amd64_faultOfInit_{0}_killsIt_exits{1}")
  @CsvSource({"ud2, 132", "load from address 0, 139"})
  void asPid1_faultOfInitItself_killsIt(String what, int expected) {
    byte[] code = what.equals("ud2") ? new byte[] {0x0f, 0x0b} : new byte[] {(byte) 0x8b, 0x04, 0x25, 0, 0, 0, 0};
    try (Proc p = Proc.start(asPid1("amd64", "echo ready; exec $BB sleep 5"), Tools.env(), tmp)) {
      p.awaitStdout("ready");
      long init = initOf(p);
      Signals.breakAfterWait(p, init, code);
      Signals.send("USR1", init);
      Proc.Result r = p.waitFor(); // unshare dies of its child's signal
      assertEquals(expected, r.exitCode(), r.toString());
    }
  }

  /**
   * -g: when the child exits, the helper it left gets SIGTERM and init waits for it before it
   * exits (which, as PID 1, would kill it with SIGKILL); one that ignores SIGTERM gets SIGKILL
   * after the grace time.
   */
  @ParameterizedTest(name = "asPid1_{0}_groupMode_childExits_helpersAreStopped")
  @ValueSource(strings = {"amd64", "arm64"})
  void asPid1_groupMode_childExits_helpersAreStopped(String arch) {
    String script = "$BB sh -c 'trap \"echo helper got TERM; $BB sleep 0.1; echo helper done; exit 0\" TERM;"
        + " $BB touch up1; while :; do $BB sleep 0.02; done' &"
        + " $BB sh -c 'trap \"\" TERM; $BB touch up2; while :; do $BB sleep 0.02; done' &"
        + " while [ ! -e up1 ] || [ ! -e up2 ]; do $BB sleep 0.01; done; exit 5";
    Proc.Result r = Proc.run(asPid1(arch, List.of("-v", "-g", "-t", "1"), script), Tools.env(), tmp);
    assertEquals(5, r.exitCode(), r.toString());
    assertEquals("helper got TERM\nhelper done\n", r.stdout(), r.toString());
    Tools.assertTermThenKill(r);
  }
}
