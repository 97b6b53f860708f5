package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One process started by a test: stdout and stderr go to files (no pipe can fill up), every wait
 * is bounded, and {@link #close()} kills it and everything below it if it is still running.
 */
final class Proc implements AutoCloseable {
  /** The longest any single process of these tests may run. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** The longest a test waits for something to appear (output, a process to go). */
  static final Duration POLL = Duration.ofSeconds(5);

  private final List<String> command;
  private final Process process;
  private final Path out;
  private final Path err;

  private Proc(List<String> command, Process process, Path out, Path err) {
    this.command = command;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code command} in {@code dir} with exactly {@code env}, stdin from /dev/null. */
  static Proc start(List<String> command, Map<String, String> env, Path dir) {
    try {
      Path out = Files.createTempFile(dir, "stdout", ".txt");
      Path err = Files.createTempFile(dir, "stderr", ".txt");
      ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().clear();
      pb.environment().putAll(env);
      return new Proc(command, pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** Runs {@code command} to its end (bounded by {@link #TIMEOUT}). */
  static Result run(List<String> command, Map<String, String> env, Path dir) {
    try (Proc p = start(command, env, dir)) {
      return p.waitFor();
    }
  }

  long pid() {
    return process.pid();
  }

  String stdout() {
    return read(out);
  }

  String stderr() {
    return read(err);
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until stdout contains {@code text}, or fails. */
  void awaitStdout(String text) {
    await(() -> stdout().contains(text), "\"" + text + "\" on stdout");
  }

  /** Polls {@code condition} every 10 ms for at most {@link #POLL}; fails naming {@code what}. */
  void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + POLL.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("waited " + POLL.toSeconds() + " s for " + what + "; " + this);
      }
      if (!process.isAlive() && !condition.getAsBoolean()) {
        fail("the process ended before " + what + "; " + this);
      }
      sleep10();
    }
  }

  static void sleep10() {
    try {
      Thread.sleep(10);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Sends signal {@code name} (TERM, USR1, ...) to this process. */
  void signal(String name) {
    Signals.send(name, pid());
  }

  /** Waits for the end (at most {@link #TIMEOUT}); on timeout kills it and fails. */
  Result waitFor() {
    try {
      if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        String state = this.toString();
        close();
        fail("still running after " + TIMEOUT.toSeconds() + " s, killed; " + state);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException(e);
    }
    return new Result(process.exitValue(), stdout(), stderr());
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      // children first: once init is gone they are re-parented and out of sight
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    return "command " + command + ", stdout [" + stdout() + "], stderr [" + stderr() + "]";
  }

  /** How a process ended. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + ", stdout [" + stdout + "], stderr [" + stderr + "]";
    }
  }
}
