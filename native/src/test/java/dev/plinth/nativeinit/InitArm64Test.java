package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The core cases for the arm64 init, run by qemu-aarch64-static (skipped without it). Its child is
 * the host's x86-64 busybox: qemu hands execve to the kernel. qemu 7.2 refuses
 * PR_SET_CHILD_SUBREAPER, so here init warns about it on stderr and orphan reaping is not tested
 * (as PID 1 of a container init does not need it). qemu 7.2 itself dies of a SIGSEGV or SIGABRT
 * sent to it, so the crash signals forwarded here are SIGBUS and SIGILL.
 */
class InitArm64Test {
  @TempDir Path tmp;

  private Proc.Result init(String... args) {
    return Proc.run(Tools.concat(Tools.init("arm64"), args), Tools.env(), tmp);
  }

  private Proc start(String... args) {
    return Proc.start(Tools.concat(Tools.init("arm64"), args), Tools.env(), tmp);
  }

  private static String[] sh(String script) {
    return new String[] {"--", Tools.busybox().toString(), "sh", "-c", script};
  }

  @ParameterizedTest(name = "arm64_exitCode{0}_isPassedThrough")
  @ValueSource(ints = {0, 1, 3, 127, 255})
  void arm64_exitCode_isPassedThrough(int code) {
    Proc.Result r = init(sh("exit " + code));
    assertEquals(code, r.exitCode(), r.toString());
  }

  @ParameterizedTest(name = "arm64_childKilledBy{0}_exits{1}")
  @CsvSource({"KILL, 137", "TERM, 143", "HUP, 129"})
  void arm64_childKilledBySignal_exits128PlusSignal(String signal, int expected) {
    Proc.Result r = init(sh("exec $BB kill -" + signal + " $$"));
    assertEquals(expected, r.exitCode(), r.toString());
  }

  @ParameterizedTest(name = "arm64_sig{0}_toInit_reachesATrappingChild")
  @CsvSource({"TERM, 10", "USR1, 11", "USR2, 12"})
  void arm64_signalToInit_reachesATrappingChild(String signal, int childExit) {
    String script = "trap 'echo got TERM; exit 10' TERM; trap 'echo got USR1; exit 11' USR1;"
        + " trap 'echo got USR2; exit 12' USR2; echo ready; while :; do $BB sleep 0.02; done";
    try (Proc p = start(sh(script))) {
      p.awaitStdout("ready");
      p.signal(signal);
      Proc.Result r = p.waitFor();
      assertEquals("ready\ngot " + signal + "\n", r.stdout(), r.toString());
      assertEquals(childExit, r.exitCode(), r.toString());
    }
  }

  @Test
  void arm64_remap143_turnsADeathByTermIntoZero() {
    try (Proc p = start("-e", "143", "--", Tools.busybox().toString(), "sh", "-c",
        "echo ready; while :; do $BB sleep 0.02; done")) {
      p.awaitStdout("ready");
      p.signal("TERM");
      assertEquals(0, p.waitFor().exitCode(), p.toString());
    }
  }

  @Test
  void arm64_missingProgram_exits127_andTheMessageNamesIt() {
    Proc.Result r = init("--", "/no/such/program");
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("plinth-init: cannot run /no/such/program: not found\n"), r.toString());
  }

  @Test
  void arm64_usageError_exits2() {
    assertEquals(2, init("-x").exitCode());
    assertEquals(0, init("-h").exitCode());
  }

  @ParameterizedTest(name = "arm64_crashSignal{0}_toInit_reachesATrappingChild")
  @ValueSource(strings = {"BUS", "ILL"})
  void arm64_crashSignalToInit_reachesATrappingChild(String signal) {
    try (Proc p = start(sh("trap 'echo got " + signal + "; exit 20' " + signal
        + "; echo ready; while :; do $BB sleep 0.02; done"))) {
      p.awaitStdout("ready");
      p.signal(signal);
      Proc.Result r = p.waitFor();
      assertEquals("ready\ngot " + signal + "\n", r.stdout(), r.toString());
      assertEquals(20, r.exitCode(), r.toString());
    }
  }

  /** The helper is not init's child here (no subreaper under qemu): init looks at the group. */
  @Test
  void arm64_groupMode_childExits_helperGetsTerm_ignoringOneIsKilledAfterTheGrace() {
    String helpers = "$BB sh -c 'trap \"echo helper got TERM; exit 0\" TERM; $BB touch up1;"
        + " while :; do $BB sleep 0.02; done' &"
        + " $BB sh -c 'trap \"\" TERM; $BB touch up2; while :; do $BB sleep 0.02; done' & echo bg=$!;"
        + " while [ ! -e up1 ] || [ ! -e up2 ]; do $BB sleep 0.01; done; exit 5";
    try (Proc p = start(Tools.concat(List.of("-v", "-g", "-t", "1"), sh(helpers)).toArray(String[]::new))) {
      Proc.Result r = p.waitFor();
      String bg = r.stdout().replaceAll("(?s).*bg=(\\d+).*", "$1");
      Signals.killQuietly(Long.parseLong(bg.strip()));
      assertEquals(5, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("helper got TERM\n"), r.toString());
      Tools.assertTermThenKill(r);
    }
  }

  @Test
  void arm64_verbose_logsForwardedSignalsAndTheReapedChild() {
    try (Proc p = start(Tools.concat(List.of("-v"), sh("trap 'exit 11' USR1; echo ready;"
        + " while :; do $BB sleep 0.02; done")).toArray(String[]::new))) {
      p.awaitStdout("ready");
      p.signal("USR1");
      Proc.Result r = p.waitFor();
      assertEquals(11, r.exitCode(), r.toString());
      assertTrue(r.stderr().matches("(?s).*plinth-init: forwarded signal 10 to \\d+\n.*"), r.toString());
      assertTrue(r.stderr().matches("(?s).*plinth-init: reaped \\d+: exit 11\n.*"), r.toString());
    }
  }

  @Test
  void arm64_missingElfInterpreter_exits127_andTheMessageNamesIt() throws IOException {
    Tools.assertMissingInterpreter(tmp, this::init);
  }

  @Test
  void arm64_version_exits0() {
    Proc.Result r = init("--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("plinth-init 0.2.0\n", r.stdout());
  }
}
