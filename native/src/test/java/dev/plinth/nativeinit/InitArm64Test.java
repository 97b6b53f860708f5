package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The core cases for the arm64 init, run by qemu-aarch64-static (skipped without it). Its child is
 * the host's x86-64 busybox: qemu hands execve to the kernel. qemu 7.2 refuses
 * PR_SET_CHILD_SUBREAPER, so here init warns about it on stderr and orphan reaping is not tested
 * (as PID 1 of a container init does not need it).
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
}
