package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The amd64 init on this host, not as PID 1: it registers as child subreaper. The program it runs
 * is busybox (sh -c SCRIPT), whose path the scripts know as $BB.
 */
class InitTest {
  @TempDir Path tmp;

  private Proc.Result init(String... args) {
    return Proc.run(Tools.concat(Tools.init("amd64"), args), Tools.env(), tmp);
  }

  private Proc.Result init(Map<String, String> env, String... args) {
    return Proc.run(Tools.concat(Tools.init("amd64"), args), env, tmp);
  }

  private Proc start(String... args) {
    return Proc.start(Tools.concat(Tools.init("amd64"), args), Tools.env(), tmp);
  }

  private static String[] sh(String script) {
    return new String[] {"--", Tools.busybox().toString(), "sh", "-c", script};
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(b, 0, all, 0, b.length);
    System.arraycopy(a, 0, all, b.length, a.length);
    return all;
  }

  // --- exit codes ------------------------------------------------------------------------------

  @ParameterizedTest(name = "exitCode{0}_isPassedThrough")
  @ValueSource(ints = {0, 1, 2, 3, 32, 64, 126, 127, 128, 254, 255})
  void exitCode_isPassedThrough(int code) {
    Proc.Result r = init(sh("exit " + code));
    assertEquals(code, r.exitCode(), r.toString());
    assertEquals("", r.stderr(), r.toString());
  }

  @Test
  void exitCode3_isPassedThrough() {
    assertEquals(3, init(sh("exit 3")).exitCode());
  }

  /** The child kills itself: "exec" makes busybox's kill applet the process, without sh's ignores. */
  @ParameterizedTest(name = "childKilledBy{0}_exits{1}")
  @CsvSource({"KILL, 137", "TERM, 143", "HUP, 129", "QUIT, 131", "INT, 130", "USR1, 138"})
  void childKilledBySignal_exits128PlusSignal(String signal, int expected) {
    assumeTrue(!signal.equals("QUIT") || Tools.canClearSignalMask(),
        "no perl to clear the SIGQUIT block every JVM-started process inherits");
    Proc.Result r = init(sh("exec $BB kill -" + signal + " $$"));
    assertEquals(expected, r.exitCode(), r.toString());
  }

  // --- signal forwarding -----------------------------------------------------------------------

  private static final String TRAPPING_CHILD = String.join("; ",
      "trap 'echo got TERM; exit 10' TERM",
      "trap 'echo got USR1; exit 11' USR1",
      "trap 'echo got USR2; exit 12' USR2",
      "trap 'echo got HUP; exit 13' HUP",
      "trap 'echo got INT; exit 14' INT",
      "echo ready",
      "while :; do $BB sleep 0.02; done");

  @ParameterizedTest(name = "sig{0}_toInit_reachesATrappingChild")
  @CsvSource({"TERM, 10", "USR1, 11", "USR2, 12", "HUP, 13", "INT, 14"})
  void signalToInit_reachesATrappingChild(String signal, int childExit) {
    try (Proc p = start(sh(TRAPPING_CHILD))) {
      p.awaitStdout("ready");
      p.signal(signal);
      Proc.Result r = p.waitFor();
      assertEquals("ready\ngot " + signal + "\n", r.stdout(), r.toString());
      assertEquals(childExit, r.exitCode(), r.toString());
    }
  }

  @Test
  void sigterm_toInit_killsAnUntrappingChild_exits143() {
    try (Proc p = start(sh("echo ready; while :; do $BB sleep 0.02; done"))) {
      p.awaitStdout("ready");
      p.signal("TERM");
      assertEquals(143, p.waitFor().exitCode());
    }
  }

  private static final Pattern BACKGROUND = Pattern.compile("bg=(\\d+)");

  private static long backgroundPid(Proc p) {
    Matcher m = BACKGROUND.matcher(p.stdout());
    assertTrue(m.find(), p.toString());
    return Long.parseLong(m.group(1));
  }

  /** A check of init's result, given the pid of its child's background helper. */
  private interface AfterExit {
    void check(Proc.Result r, long bg);
  }

  /**
   * Runs init with {@code args} to its end, then {@code check}; the background process its child
   * printed (bg=PID) is killed after, whatever happened.
   */
  private void afterExit(String[] args, AfterExit check) {
    try (Proc p = start(args)) {
      Proc.Result r = p.waitFor();
      long bg = backgroundPid(p);
      try {
        check.check(r, bg);
      } finally {
        Signals.killQuietly(bg);
      }
    }
  }

  /** A test of a running init, given the pid of its child's background process. */
  private interface WhenReady {
    void test(Proc p, long bg);
  }

  /**
   * Starts init with {@code args} and, once it has printed "ready", runs {@code test}; the
   * background process its child printed (bg=PID) is killed after, whatever happened.
   */
  private void whenReady(String[] args, WhenReady test) {
    try (Proc p = start(args)) {
      p.awaitStdout("ready");
      long bg = backgroundPid(p);
      try {
        test.test(p, bg);
      } finally {
        Signals.killQuietly(bg);
      }
    }
  }

  /** Polls until PID has ended (gone, or a zombie of someone else's); fails otherwise. */
  private static void awaitEnded(Proc p, long pid, String what) {
    p.await(() -> {
      List<String> st = Signals.stat(pid);
      return st == null || st.get(0).equals("Z") || st.get(0).equals("X");
    }, what + " (pid " + pid + ") to end");
  }

  @Test
  void groupMode_termToInit_stopsTheChildsBackgroundGrandchildrenToo() {
    whenReady(concat(sh("$BB sleep 30 & echo bg=$!; echo ready; wait"), "-g"), (p, bg) -> {
      p.signal("TERM");
      assertEquals(143, p.waitFor().exitCode(), p.toString());
      // the whole group got TERM: the background sleep ends as well
      p.await(() -> {
        List<String> st = Signals.stat(bg);
        return st == null || st.get(0).equals("Z") || st.get(0).equals("X");
      }, "the background sleep " + bg + " to end");
    });
  }

  @Test
  void withoutGroupMode_termToInit_reachesOnlyTheChild() {
    whenReady(sh("$BB sleep 30 & echo bg=$!; echo ready; wait"), (p, bg) -> {
      List<String> before = Signals.stat(bg);
      p.signal("TERM");
      assertEquals(143, p.waitFor().exitCode(), p.toString());
      List<String> after = Signals.stat(bg);
      assertNotNull(after, "the background sleep was killed too");
      assertEquals(before.get(19), after.get(19), "not the same process");
      // sleeping, or running for a moment on a busy machine: anything but ended
      assertFalse(after.get(0).equals("Z") || after.get(0).equals("X"), "the background sleep ended: " + after);
    });
  }

  // --- crash signals -------------------------------------------------------------------------

  private static final String CRASH_TRAPS = String.join("; ",
      "for s in ABRT SEGV BUS FPE ILL TRAP SYS; do trap \"echo got $s; exit 20\" $s; done",
      "echo ready",
      "while :; do $BB sleep 0.02; done");

  /** kill -ABRT (for a thread dump or a core) and its kin, sent by a process, reach the child. */
  @ParameterizedTest(name = "crashSignal{0}_sentToInit_reachesATrappingChild")
  @ValueSource(strings = {"ABRT", "SEGV", "BUS", "FPE", "ILL", "TRAP", "SYS"})
  void crashSignal_sentToInit_reachesATrappingChild(String signal) {
    try (Proc p = start(sh(CRASH_TRAPS))) {
      p.awaitStdout("ready");
      p.signal(signal);
      Proc.Result r = p.waitFor();
      assertEquals("ready\ngot " + signal + "\n", r.stdout(), r.toString());
      assertEquals(20, r.exitCode(), r.toString());
    }
  }

  @ParameterizedTest(name = "crashSignal{0}_sentToInit_killsAnUntrappingChild_exits{1}")
  @CsvSource({"ABRT, 134", "SEGV, 139"})
  void crashSignal_sentToInit_killsAnUntrappingChild_exits128PlusSignal(String signal, int expected) {
    try (Proc p = start(sh("echo ready; exec $BB sleep 30"))) {
      p.awaitStdout("ready");
      p.signal(signal);
      assertEquals(expected, p.waitFor().exitCode(), p.toString());
    }
  }

  @Test
  void groupMode_crashSignalToInit_reachesTheWholeGroup() {
    whenReady(concat(sh("$BB sleep 30 & echo bg=$!; " + CRASH_TRAPS), "-g"), (p, bg) -> {
      p.signal("ABRT");
      assertEquals(20, p.waitFor().exitCode(), p.toString());
      awaitEnded(p, bg, "the background sleep, killed by SIGABRT");
    });
  }

  /**
   * A fault of init itself still kills it, although it blocks the crash signals: the kernel
   * forces a fault's signal through (unblocks it and resets it to the default action). The test
   * makes init run ud2 (SIGILL) or a load from address 0 (SIGSEGV) as soon as its rt_sigtimedwait
   * returns, then wakes it with SIGUSR1.
   */
  @ParameterizedTest(name = "faultOfInitItself_{0}_killsInit_exits{1}")
  @CsvSource({"ud2, 132", "load from address 0, 139"})
  void faultOfInitItself_killsInit_althoughCrashSignalsAreBlocked(String what, int expected) {
    byte[] code = what.equals("ud2") ? new byte[] {0x0f, 0x0b} : new byte[] {(byte) 0x8b, 0x04, 0x25, 0, 0, 0, 0};
    try (Proc p = start(sh("trap 'exit 0' USR1; echo ready; exec $BB sleep 5"))) {
      p.awaitStdout("ready");
      long child = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
      try {
        Signals.breakAfterWait(p, p.pid(), code);
        p.signal("USR1");
        Proc.Result r = p.waitFor();
        assertEquals(expected, r.exitCode(), "init was not killed by its own fault: " + r);
      } finally {
        Signals.killQuietly(child); // orphaned by init's death
      }
    }
  }

  // --- stopping the group when the child exits -----------------------------------------------

  /**
   * The child starts a helper in the background (so in its process group) that sets TRAPS, creates
   * the file "up" and runs until stopped; the child prints bg=PID, waits for "up" and exits 5.
   */
  private static String[] childWithHelper(String traps) {
    String helper = traps + "; $BB touch up; while :; do $BB sleep 0.02; done";
    return sh("$BB sh -c '" + helper + "' & echo bg=$!; while [ ! -e up ]; do $BB sleep 0.01; done; exit 5");
  }

  private static final String ENDS_ON_TERM = "trap \"echo helper got TERM; exit 0\" TERM";
  private static final String IGNORES_TERM = "trap \"\" TERM";

  /** Polls until PID has ended (gone or a zombie), also after init has gone. */
  private static void awaitGone(long pid, String what) {
    long deadline = System.nanoTime() + Proc.POLL.toNanos();
    while (true) {
      List<String> st = Signals.stat(pid);
      if (st == null || st.get(0).equals("Z") || st.get(0).equals("X")) {
        return;
      }
      assertTrue(System.nanoTime() < deadline, what + " (pid " + pid + ") still runs: " + st);
      Proc.sleep10();
    }
  }

  @Test
  void groupMode_childExits_helperGetsTerm_andInitWaitsForIt() {
    afterExit(concat(childWithHelper(ENDS_ON_TERM), "-g"), (r, bg) -> {
      assertEquals(5, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("helper got TERM\n"), r.toString());
      assertEquals(null, Signals.stat(bg), "init exited before it had reaped the helper");
    });
  }

  @Test
  void groupMode_helperIgnoringTerm_isKilledAfterTheGraceTime() {
    afterExit(concat(childWithHelper(IGNORES_TERM), "-v", "-g", "-t", "1"), (r, bg) -> {
      assertEquals(5, r.exitCode(), r.toString());
      Tools.assertTermThenKill(r);
      awaitGone(bg, "the helper, after SIGKILL");
    });
  }

  @Test
  void graceZero_killsTheRestOfTheGroupAtOnce_withoutTerm() {
    afterExit(concat(childWithHelper(ENDS_ON_TERM), "-v", "-g", "-t", "0"), (r, bg) -> {
      assertEquals(5, r.exitCode(), r.toString());
      assertFalse(r.stdout().contains("got TERM"), r.toString());
      assertFalse(r.stderr().contains("sent signal 15 to group "), r.toString());
      assertTrue(r.stderr().contains("sent signal 9 to group "), r.toString());
      awaitGone(bg, "the helper, after SIGKILL");
    });
  }

  /** Without -g and -t the helpers are left as they are (tini's way; as PID 1 the kernel kills them). */
  @Test
  void withoutGroupMode_childExits_helperIsLeftAlone() {
    afterExit(childWithHelper(ENDS_ON_TERM), (r, bg) -> {
      assertEquals(5, r.exitCode(), r.toString());
      assertFalse(r.stdout().contains("got TERM"), r.toString());
      List<String> st = Signals.stat(bg);
      assertNotNull(st, "the helper is gone");
      assertFalse(st.get(0).equals("Z") || st.get(0).equals("X"), "the helper ended: " + st);
    });
  }

  @Test
  void graceOption_withoutGroupMode_stopsTheGroupToo() {
    afterExit(concat(childWithHelper(ENDS_ON_TERM), "-t", "3"), (r, bg) -> {
      assertEquals(5, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("helper got TERM\n"), r.toString());
      assertEquals(null, Signals.stat(bg), "init exited before it had reaped the helper");
    });
  }

  /** A stopped helper gets SIGCONT after its SIGTERM, so it handles it instead of waiting for SIGKILL. */
  @Test
  void groupMode_stoppedHelper_isContinuedToHandleItsTerm() throws IOException {
    String helper = "$BB sh -c '" + ENDS_ON_TERM + "; $BB touch up; while :; do $BB sleep 0.02; done' & echo bg=$!";
    String script = helper + "; while [ ! -e go ]; do $BB sleep 0.01; done; exit 5";
    try (Proc p = start(concat(sh(script), "-v", "-g", "-t", "8"))) {
      p.await(() -> Files.exists(tmp.resolve("up")) && BACKGROUND.matcher(p.stdout()).find(), "the helper");
      long bg = backgroundPid(p);
      try {
        Signals.send("STOP", bg);
        p.await(() -> "T".equals(Signals.stat(bg).get(0)), "the helper to stop");
        Files.createFile(tmp.resolve("go"));
        Proc.Result r = p.waitFor();
        assertEquals(5, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("helper got TERM\n"), r.toString());
        // the helper ended on its SIGTERM: init never had to wait out the grace time and kill it
        assertTrue(r.stderr().contains("sent signal 18 to group "), r.toString());
        assertFalse(r.stderr().contains("sent signal 9 to group "), "init waited for the grace time: " + r);
      } finally {
        Signals.killQuietly(bg);
      }
    }
  }

  /** A TERM init forwarded to the group is not followed by a second one when the child exits. */
  @Test
  void groupMode_termForwardedToTheGroup_isNotSentTwice() {
    String script = String.join("; ",
        "$BB sh -c 'trap \"echo helper got TERM\" TERM; $BB touch up; i=0;"
            + " while [ $i -lt 25 ]; do $BB sleep 0.02; i=$((i+1)); done' & echo bg=$!",
        "while [ ! -e up ]; do $BB sleep 0.01; done",
        "echo ready",
        "while :; do $BB sleep 0.02; done");
    whenReady(concat(sh(script), "-g"), (p, bg) -> {
      p.signal("TERM");
      Proc.Result r = p.waitFor();
      assertEquals(143, r.exitCode(), r.toString());
      assertEquals(1, r.stdout().split("helper got TERM", -1).length - 1, r.toString());
    });
  }

  /** While init waits for the group, signals go to the group: here one that ends the helper. */
  @Test
  void groupMode_signalDuringTheGraceTime_reachesTheHelpers() {
    String traps = IGNORES_TERM + "; trap \"echo helper got USR1; exit 0\" USR1";
    try (Proc p = start(concat(childWithHelper(traps), "-g", "-t", "8", "-v"))) {
      p.await(() -> p.stderr().contains("sent signal 15 to group"), "init to stop the group");
      p.signal("USR1");
      Proc.Result r = p.waitFor();
      long bg = backgroundPid(p);
      Signals.killQuietly(bg);
      assertEquals(5, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("helper got USR1\n"), r.toString());
      assertTrue(r.stderr().contains("forwarded signal 10 to group "), r.toString());
      // the helper ended on USR1: init never had to wait out the grace time and kill it
      assertFalse(r.stderr().contains("sent signal 9 to group "), "init waited for the grace time: " + r);
    }
  }

  // --- verbose ---------------------------------------------------------------------------------

  @Test
  void verbose_logsTheChild_forwardedSignals_andReapedProcesses() {
    try (Proc p = start(concat(sh(TRAPPING_CHILD), "-v"))) {
      p.awaitStdout("ready");
      long child = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
      p.signal("USR1");
      Proc.Result r = p.waitFor();
      assertEquals(11, r.exitCode(), r.toString());
      assertEquals("plinth-init: running " + Tools.busybox() + " as " + child + "\n"
          + "plinth-init: forwarded signal 10 to " + child + "\n"
          + "plinth-init: reaped " + child + ": exit 11\n", r.stderr());
    }
  }

  @Test
  void verbose_logsADeathBySignal_andSignalsToTheGroup() {
    try (Proc p = start(concat(sh("echo ready; while :; do $BB sleep 0.02; done"), "-gv"))) {
      p.awaitStdout("ready");
      long child = ProcessHandle.of(p.pid()).orElseThrow().children().findFirst().orElseThrow().pid();
      p.signal("TERM");
      Proc.Result r = p.waitFor();
      assertEquals(143, r.exitCode(), r.toString());
      assertTrue(r.stderr().contains("plinth-init: forwarded signal 15 to group " + child + "\n"), r.toString());
      assertTrue(r.stderr().contains("plinth-init: reaped " + child + ": killed by signal 15\n"), r.toString());
    }
  }

  // --- reaping ---------------------------------------------------------------------------------

  /**
   * The child's sub-shell starts a waiter in the background and exits: the waiter is orphaned and
   * re-parented to init (the subreaper). It runs until the file "go" appears, then ends; while the
   * main child still runs, init must reap it: it disappears from /proc instead of staying a zombie.
   */
  @Test
  void orphanedGrandchild_isAdoptedAndReaped_whileTheChildRuns() throws IOException {
    String script = String.join("; ",
        "trap 'exit 0' USR1",
        "$BB sh -c '$BB sh -c \"while [ ! -e go ]; do $BB sleep 0.01; done\" & echo bg=$!'",
        "echo ready",
        "while :; do $BB sleep 0.02; done");
    try (Proc p = start(sh(script))) {
      p.awaitStdout("ready");
      long orphan = backgroundPid(p);
      try {
        List<String> st = Signals.stat(orphan);
        assertNotNull(st, "the orphan ended too early");
        assertEquals(Long.toString(p.pid()), st.get(1), "init did not adopt the orphan (subreaper)");
        Files.createFile(tmp.resolve("go"));
        p.await(() -> Signals.stat(orphan) == null
                || !st.get(19).equals(Signals.stat(orphan).get(19)),
            "init to reap the orphan " + orphan + " (state now: " + Signals.stat(orphan) + ")");
        assertTrue(p.stderr().isEmpty(), p.toString());
        p.signal("USR1");
        assertEquals(0, p.waitFor().exitCode(), p.toString());
      } finally {
        Signals.killQuietly(orphan);
      }
    }
  }

  @Test
  void manyOrphans_leaveNoZombieChildOfInit() {
    String script = String.join("; ",
        "trap 'exit 0' USR1",
        "for i in 1 2 3 4 5 6 7 8; do ($BB true &); done",
        "echo ready",
        "while :; do $BB sleep 0.02; done");
    try (Proc p = start(sh(script))) {
      p.awaitStdout("ready");
      // every orphan has exited by now or soon; none may stay a zombie child of init
      p.await(() -> zombieChildren(p.pid()) == 0, "no zombie children of init");
      p.signal("USR1");
      assertEquals(0, p.waitFor().exitCode(), p.toString());
    }
  }

  private static long zombieChildren(long ppid) {
    try (var procs = Files.list(Path.of("/proc"))) {
      return procs.filter(d -> d.getFileName().toString().matches("\\d+"))
          .map(d -> Signals.stat(Long.parseLong(d.getFileName().toString())))
          .filter(st -> st != null && st.get(0).equals("Z") && st.get(1).equals(Long.toString(ppid)))
          .count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void childExit_endsInit_evenWhileAnOrphanStillRuns() {
    try (Proc p = start(sh("$BB sh -c '$BB sleep 30 & echo bg=$!'; exit 5"))) {
      Proc.Result r = p.waitFor();
      long bg = backgroundPid(p);
      Signals.killQuietly(bg);
      assertEquals(5, r.exitCode(), r.toString());
    }
  }

  // --- program not found / not executable -----------------------------------------------------

  @Test
  void missingProgram_exits127_andTheMessageNamesIt() {
    Proc.Result r = init("--", "/no/such/program");
    assertEquals(127, r.exitCode(), r.toString());
    assertEquals("plinth-init: cannot run /no/such/program: not found\n", r.stderr());
  }

  @Test
  void missingProgramOnPath_exits127() {
    Proc.Result r = init("no-such-program-plinth");
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("no-such-program-plinth: not found"), r.toString());
  }

  @Test
  void nonExecutableFile_exits126() throws IOException {
    Path f = Files.writeString(tmp.resolve("app"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    Proc.Result r = init("--", f.toString());
    assertEquals(126, r.exitCode(), r.toString());
    assertEquals("plinth-init: cannot run " + f + ": permission denied\n", r.stderr());
  }

  @Test
  void directory_exits126() {
    Proc.Result r = init("--", tmp.toString());
    assertEquals(126, r.exitCode(), r.toString());
  }

  @Test
  void fileOfUnknownFormat_exits126() throws IOException {
    Path f = Files.write(tmp.resolve("garbage"), new byte[] {0, 1, 2, 3, 4, 5, 6, 7});
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    Proc.Result r = init("--", f.toString());
    assertEquals(126, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("exec format error"), r.toString());
  }

  @Test
  void programAfterDoubleDash_mayStartWithADash() {
    Proc.Result r = init("--", "-dash-program");
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("cannot run -dash-program: not found"), r.toString());
  }

  // --- a missing interpreter ------------------------------------------------------------------

  @Test
  void missingElfInterpreter_exits127_andTheMessageNamesIt() throws IOException {
    String stderr = Tools.assertMissingInterpreter(tmp, this::init);
    assertEquals(Tools.missingInterpreter(tmp.resolve("zv")), stderr, "nothing else on stderr");
  }

  @Test
  void missingElfInterpreter_foundOnPath_isNamed() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("bin"));
    Tools.elfWithInterpreter(dir.resolve("zv"), Tools.MISSING_LD);
    Proc.Result r = init(Map.of("PATH", "/no/such/dir:" + dir), "zv");
    assertEquals(127, r.exitCode(), r.toString());
    assertEquals(Tools.missingInterpreter("zv"), r.stderr());
  }

  /** Like execvp, the search goes on past a file whose interpreter is missing. */
  @Test
  void pathSearch_skipsAFileWhoseInterpreterIsMissing() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("first"));
    Tools.elfWithInterpreter(dir.resolve("busybox"), Tools.MISSING_LD);
    Map<String, String> env = Map.of("PATH", dir + ":" + Tools.busybox().getParent());
    Proc.Result r = init(env, "busybox", "sh", "-c", "exit 4");
    assertEquals(4, r.exitCode(), r.toString());
  }

  @Test
  void missingScriptInterpreter_exits127_andTheMessageNamesIt() throws IOException {
    Path f = Tools.script(tmp.resolve("app.py"), "#! /no/such/python3 -u");
    Proc.Result r = init("--", f.toString());
    assertEquals(127, r.exitCode(), r.toString());
    assertEquals("plinth-init: cannot run " + f + ": its #! interpreter /no/such/python3 is missing\n", r.stderr());
  }

  /** The #! interpreter exists but cannot run for want of its own: init cannot tell which is missing. */
  @Test
  void interpreterOfAnInterpreterMissing_saysTheFileExists() throws IOException {
    Path inner = Tools.script(tmp.resolve("inner"), "#!/no/such/sh");
    Path f = Tools.script(tmp.resolve("outer"), "#!" + inner);
    Proc.Result r = init("--", f.toString());
    assertEquals(127, r.exitCode(), r.toString());
    assertEquals("plinth-init: cannot run " + f
        + ": the file exists, but its ELF interpreter (or a #! interpreter) is missing\n", r.stderr());
  }

  // --- PATH search -----------------------------------------------------------------------------

  @Test
  void pathSearch_findsBusybox() {
    Map<String, String> env = Map.of("PATH", "/no/such/dir:" + Tools.busybox().getParent());
    Proc.Result r = init(env, "--", "busybox", "true");
    assertEquals(0, r.exitCode(), r.toString());
  }

  @Test
  void pathSearch_skipsANonExecutableMatch() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("first"));
    Files.writeString(dir.resolve("busybox"), "not executable");
    Map<String, String> env = Map.of("PATH", dir + ":" + Tools.busybox().getParent());
    Proc.Result r = init(env, "busybox", "sh", "-c", "exit 4");
    assertEquals(4, r.exitCode(), r.toString());
  }

  @Test
  void pathSearch_onlyANonExecutableMatch_exits126() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("only"));
    Files.writeString(dir.resolve("app"), "not executable");
    Proc.Result r = init(Map.of("PATH", "/no/such/dir:" + dir), "app");
    assertEquals(126, r.exitCode(), r.toString());
    assertEquals("plinth-init: cannot run app: permission denied\n", r.stderr());
  }

  @Test
  void pathUnset_searchesTheDefaultPath() {
    assumeTrue(Tools.busybox().equals(Path.of("/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
        "busybox is not in /bin");
    Proc.Result r = init(Map.of(), "busybox", "true");
    assertEquals(0, r.exitCode(), r.toString());
  }

  @Test
  void environment_isPassedToTheChild() {
    Map<String, String> env = new HashMap<>(Tools.env());
    env.put("GREETING", "hello world");
    Proc.Result r = init(env, sh("echo \"$GREETING\""));
    assertEquals("hello world\n", r.stdout(), r.toString());
  }

  // --- -e remapping ----------------------------------------------------------------------------

  @Test
  void remap143_turnsADeathByTermIntoZero() {
    try (Proc p = start(concat(sh("echo ready; while :; do $BB sleep 0.02; done"), "-e", "143"))) {
      p.awaitStdout("ready");
      p.signal("TERM");
      assertEquals(0, p.waitFor().exitCode(), p.toString());
    }
  }

  @Test
  void remap143_turnsExit143IntoZero_andLeavesOtherCodes() {
    assertEquals(0, init(concat(sh("exit 143"), "-e", "143")).exitCode());
    assertEquals(3, init(concat(sh("exit 3"), "-e", "143")).exitCode());
  }

  @Test
  void remap_isRepeatable_andMayBeGrouped() {
    assertEquals(0, init(concat(sh("exit 1"), "-e", "143", "-e", "1")).exitCode());
    assertEquals(0, init(concat(sh("exit 143"), "-ge143")).exitCode());
    assertEquals(0, init(concat(sh("exit 0"), "-e", "0")).exitCode());
    assertEquals(0, init(concat(sh("exit 255"), "-e255")).exitCode());
  }

  @Test
  void remap_appliesToNotFound() {
    assertEquals(0, init("-e", "127", "/no/such/program").exitCode());
  }

  // --- usage -----------------------------------------------------------------------------------

  @Test
  void help_printsUsageOnStdout_exits0() {
    Proc.Result r = init("-h");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().startsWith(
        "usage: plinth-init [-g] [-t SECONDS] [-e CODE]... [-v] [--] PROGRAM [ARGS...]\n"), r.toString());
    assertEquals("", r.stderr());
    assertEquals(r, init("--help"));
    assertEquals(r, init("-g", "--help", "busybox"));
  }

  @Test
  void version_printsTheVersionOnStdout_exits0() {
    Proc.Result r = init("--version");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("plinth-init 0.2.0\n", r.stdout());
    assertEquals("", r.stderr());
  }

  /** -t SECONDS and -e CODE: out of range, not a number, or missing. */
  static Stream<Arguments> badNumbers() {
    Stream.Builder<Arguments> all = Stream.builder();
    for (String[] option : new String[][] {
        {"-t", "3600", "3601", "-1", "abc", "", "1.5"},
        {"-e", "255", "256", "-1", "abc", "", "1x", "99999999999"}}) {
      String needs = option[0] + " needs a number from 0 to " + option[1] + ", not ";
      for (int i = 2; i < option.length; i++) {
        all.add(Arguments.of(List.of(option[0], option[i], "busybox", "true"), needs + option[i]));
      }
      all.add(Arguments.of(List.of(option[0]), needs + "nothing"));
    }
    return all.build();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badNumbers")
  void badNumber_isAUsageError_exits2_sayingWhatItNeeds(List<String> args, String message) {
    Proc.Result r = init(args.toArray(String[]::new));
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().startsWith("plinth-init: " + message + "\n"), r.toString());
  }

  @Test
  void noProgram_isAUsageError_exits2() {
    for (String[] args : new String[][] {{}, {"--"}, {"-g"}, {"-e", "1"}}) {
      Proc.Result r = init(args);
      assertEquals(2, r.exitCode(), List.of(args) + ": " + r);
      assertTrue(r.stderr().startsWith("plinth-init: no program to run\nusage:"), r.toString());
      assertEquals("", r.stdout());
    }
  }

  @Test
  void unknownOption_isAUsageError_exits2() {
    Proc.Result r = init("-x", "busybox", "true");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().startsWith("plinth-init: unknown option -x\nusage:"), r.toString());
    assertEquals(2, init("--group", "busybox", "true").exitCode());
    assertTrue(init("--versions", "busybox").stderr().startsWith("plinth-init: unknown option --versions\n"));
  }

  // --- what the child inherits -----------------------------------------------------------------

  private static String statusField(Proc.Result r, String name) {
    Matcher m = Pattern.compile("\n" + name + ":\t([0-9a-f]+)\n").matcher(r.stdout());
    assertTrue(m.find(), name + " in " + r);
    return m.group(1);
  }

  /** Init blocks nearly every signal for itself; the child gets the mask init started with. */
  @Test
  void child_getsTheSignalMaskAndIgnoresInitStartedWith() {
    // both started by this JVM, so with the same mask and ignores (SIGQUIT blocked, at least)
    List<String> cat = List.of(Tools.busybox().toString(), "cat", "/proc/self/status");
    Proc.Result direct = Proc.run(cat, Tools.env(), tmp);
    Proc.Result viaInit = Proc.run(Tools.concat(List.of(Tools.binary("amd64", "init").toString(), "--"),
        cat.toArray(String[]::new)), Tools.env(), tmp);
    assertEquals(0, viaInit.exitCode(), viaInit.toString());
    assertEquals(statusField(direct, "SigBlk"), statusField(viaInit, "SigBlk"));
    assertEquals(statusField(direct, "SigIgn"), statusField(viaInit, "SigIgn"));
    assertEquals("0000000000000000", statusField(viaInit, "SigCgt"));
  }

  @Test
  void child_startedWithAnEmptyMask_getsAnEmptyMask() {
    assumeTrue(Tools.canClearSignalMask(), "no perl to start init with an empty signal mask");
    Proc.Result r = init("--", Tools.busybox().toString(), "cat", "/proc/self/status");
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("0000000000000000", statusField(r, "SigBlk"));
  }

  @Test
  void child_runsInItsOwnSessionAndProcessGroup() {
    try (Proc p = start(sh("echo ready; cat /proc/$$/stat"))) {
      Proc.Result r = p.waitFor();
      String stat = r.stdout().substring(r.stdout().indexOf('\n') + 1);
      List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).strip().split(" "));
      String self = stat.substring(0, stat.indexOf(' '));
      assertEquals(Long.toString(p.pid()), f.get(1), "parent");
      assertEquals(self, f.get(2), "process group");
      assertEquals(self, f.get(3), "session");
    }
  }

  /**
   * An inherited SIG_IGN for SIGCHLD would let the kernel reap children before init sees their
   * status; init resets it for itself and gives it back to the child.
   */
  @Test
  void sigchldIgnoredByTheCaller_exitCodeIsStillSeen_andTheChildInheritsTheIgnore() {
    Path perl = Path.of("/usr/bin/perl");
    assumeTrue(Files.isExecutable(perl), "no perl to start init with SIGCHLD ignored");
    List<String> ignoring = List.of(perl.toString(), "-e", "$SIG{CHLD} = 'IGNORE'; exec @ARGV or die");
    List<String> init = Tools.concat(ignoring, Tools.binary("amd64", "init").toString());
    Proc.Result exit3 = Proc.run(Tools.concat(init, sh("exit 3")), Tools.env(), tmp);
    assertEquals(3, exit3.exitCode(), exit3.toString());
    Proc.Result status = Proc.run(Tools.concat(init, "--", Tools.busybox().toString(), "cat", "/proc/self/status"),
        Tools.env(), tmp);
    assertNotEquals(0, Long.parseLong(statusField(status, "SigIgn"), 16) & (1L << (17 - 1)),
        "SIGCHLD not ignored in the child: " + status);
  }

  /**
   * With a terminal on stdin (util-linux script gives init one, as its session leader), the child
   * takes it over: it is the child's controlling terminal and the child's group is in the
   * foreground. Init's letting go of the terminal sends SIGHUP/SIGCONT to init itself; they must
   * not reach the child (it would die of SIGHUP before "ok").
   */
  @Test
  void ttyOnStdin_becomesTheChildsControllingTerminal() {
    Path script = Path.of("/usr/bin/script");
    assumeTrue(Files.isExecutable(script), "no util-linux script(1) to run init on a terminal");
    String child = "trap 'echo got HUP' HUP; trap 'echo ok; exit 0' USR1; cat /proc/$$/stat;"
        + " kill -USR1 $PPID; while :; do $BB sleep 0.02; done";
    String cmd = "exec " + Tools.binary("amd64", "init") + " -- " + Tools.busybox() + " sh -c \""
        + child.replace("$", "\\$") + "\"";
    Proc.Result r = Proc.run(List.of(script.toString(), "-q", "-e", "-c", cmd, "/dev/null"), Tools.env(), tmp);
    assertEquals(0, r.exitCode(), r.toString());
    String out = r.stdout().replace("\r", "");
    assertTrue(out.contains("ok\n"), r.toString());
    assertFalse(out.contains("got HUP"), r.toString());
    String stat = out.lines().filter(l -> l.contains("(busybox)")).findFirst().orElseThrow();
    List<String> f = List.of(stat.substring(stat.lastIndexOf(')') + 2).strip().split(" "));
    String self = stat.substring(0, stat.indexOf(' '));
    assertNotEquals("0", f.get(4), "no controlling terminal: " + stat);
    assertEquals(self, f.get(5), "the child's group is not the terminal's foreground group: " + stat);
  }
}
