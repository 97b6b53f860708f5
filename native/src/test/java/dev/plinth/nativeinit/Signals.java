package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Signals and /proc, as the tests see them. */
final class Signals {
  private Signals() {}

  /** kill -s NAME PID, with busybox's kill (no dependency on procps). */
  static void send(String name, long pid) {
    try {
      Process p = new ProcessBuilder(Tools.busybox().toString(), "kill", "-" + name, Long.toString(pid))
          .redirectErrorStream(true).start();
      if (!p.waitFor(Proc.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("busybox kill did not finish");
      }
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.exitValue(), "kill -" + name + " " + pid + ": " + out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The fields of /proc/PID/stat after the command name: [0] state, [1] ppid, [2] pgrp,
   * [3] session, [4] tty_nr, [5] tpgid, ... [19] starttime; null when the process is gone.
   */
  static List<String> stat(long pid) {
    try {
      String s = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return List.of(s.substring(s.lastIndexOf(')') + 2).strip().split(" "));
    } catch (IOException e) {
      return null; // gone
    }
  }

  /** Kills a stray process a test started indirectly (best effort; it may be gone). */
  static void killQuietly(long pid) {
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
  }

  /** x86_64's rt_sigtimedwait: the system call init waits in. */
  private static final String X86_64_RT_SIGTIMEDWAIT = "128";

  /**
   * Makes the x86-64 process PID (started by P) that waits in rt_sigtimedwait fault as soon as it returns: writes
   * {@code code} over the instructions after the system call (the program counter that
   * /proc/PID/syscall shows), through /proc/PID/mem, which writes a private copy of the page as a
   * debugger would (root, or the process's owner with ptrace rights). The file is untouched.
   */
  static void breakAfterWait(Proc p, long pid, byte[] code) {
    String[] f = {""};
    p.await(() -> {
      try {
        f[0] = Files.readString(Path.of("/proc", Long.toString(pid), "syscall")).strip();
      } catch (IOException e) {
        return false;
      }
      return f[0].startsWith(X86_64_RT_SIGTIMEDWAIT + " ");
    }, "init to wait in rt_sigtimedwait");
    String[] fields = f[0].split(" ");
    long pc = Long.decode(fields[fields.length - 1]);
    try (RandomAccessFile mem = new RandomAccessFile("/proc/" + pid + "/mem", "rw")) {
      mem.seek(pc);
      mem.write(code);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to /proc/" + pid + "/mem at " + Long.toHexString(pc), e);
    }
  }
}
