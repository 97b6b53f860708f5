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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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

  /** Polls until PID has ended (gone, or a zombie of someone else's); fails otherwise. */
  private static void awaitEnded(Proc p, long pid, String what) {
    p.await(() -> {
      List<String> st = Signals.stat(pid);
      return st == null || st.get(0).equals("Z") || st.get(0).equals("X");
    }, what + " (pid " + pid + ") to end");
  }

  @Test
  void groupMode_termToInit_stopsTheChildsBackgroundGrandchildrenToo() {
    try (Proc p = start(concat(sh("$BB sleep 30 & echo bg=$!; echo ready; wait"), "-g"))) {
      p.awaitStdout("ready");
      long bg = backgroundPid(p);
      try {
        p.signal("TERM");
        assertEquals(143, p.waitFor().exitCode(), p.toString());
        // the whole group got TERM: the background sleep ends as well
        p.await(() -> {
          List<String> st = Signals.stat(bg);
          return st == null || st.get(0).equals("Z") || st.get(0).equals("X");
        }, "the background sleep " + bg + " to end");
      } finally {
        Signals.killQuietly(bg);
      }
    }
  }

  @Test
  void withoutGroupMode_termToInit_reachesOnlyTheChild() {
    try (Proc p = start(sh("$BB sleep 30 & echo bg=$!; echo ready; wait"))) {
      p.awaitStdout("ready");
      long bg = backgroundPid(p);
      try {
        List<String> before = Signals.stat(bg);
        p.signal("TERM");
        assertEquals(143, p.waitFor().exitCode(), p.toString());
        List<String> after = Signals.stat(bg);
        assertNotNull(after, "the background sleep was killed too");
        assertEquals(before.get(19), after.get(19), "not the same process");
        // sleeping, or running for a moment on a busy machine: anything but ended
        assertFalse(after.get(0).equals("Z") || after.get(0).equals("X"), "the background sleep ended: " + after);
      } finally {
        Signals.killQuietly(bg);
      }
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
    assertTrue(r.stdout().startsWith("usage: plinth-init [-g] [-e CODE]... [-h] [--] PROGRAM [ARGS...]\n"),
        r.toString());
    assertEquals("", r.stderr());
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
  }

  @ParameterizedTest(name = "badRemapCode_{0}_isAUsageError")
  @ValueSource(strings = {"256", "-1", "abc", "", "1x", "99999999999"})
  void badRemapCode_isAUsageError_exits2(String code) {
    Proc.Result r = init("-e", code, "busybox", "true");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().startsWith("plinth-init: -e needs an exit code from 0 to 255"), r.toString());
  }

  @Test
  void remapWithoutCode_isAUsageError_exits2() {
    Proc.Result r = init("-e");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("-e needs an exit code"), r.toString());
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
