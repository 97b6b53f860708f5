package dev.plinth.http;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Aborts a connection at a deadline, or when a write makes no progress for a while: the waits a
 * read timeout cannot end by itself. A TLS handshake and a TLS record are read with several socket
 * reads each, so a server that trickles bytes resets every per-read timeout; a write that the
 * server does not take has no timeout at all. Aborting the connection ends the blocked call with
 * an IOException, which the caller turns into a {@link DeadlineException} ({@link #deadline()}) or
 * a timeout ({@link #stalled()}).
 *
 * <p>One daemon thread for the JVM runs the checks, and ends when it has nothing to watch.
 */
final class Guard implements AutoCloseable {
  private static final ScheduledThreadPoolExecutor TIMER = timer();

  private final Runnable abort;
  private Deadline deadline;
  private Duration idle;
  private volatile long progress;
  private ScheduledFuture<?> task;
  private volatile Deadline passed;
  private volatile boolean stalled;

  /** @param abort closes the connection (from the guard's thread) */
  Guard(Runnable abort) {
    this.abort = abort;
  }

  private static ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "plinth-http-guard");
      th.setDaemon(true);
      return th;
    });
    t.setRemoveOnCancelPolicy(true);
    t.setKeepAliveTime(10, TimeUnit.SECONDS);
    t.allowCoreThreadTimeOut(true);
    return t;
  }

  /**
   * Watches for {@code deadline} (null: none) and, while a request body is written, for {@code
   * idle} without {@link #progress()} (null: not writing).
   */
  synchronized void watch(Deadline deadline, Duration idle) {
    this.deadline = deadline;
    this.idle = idle;
    this.progress = System.nanoTime();
    schedule();
  }

  /** Bytes moved: the idle time starts again. */
  void progress() {
    progress = System.nanoTime();
  }

  /** The deadline at which it aborted the connection, or null. */
  Deadline deadline() {
    return passed;
  }

  /** Whether it aborted the connection because a write made no progress. */
  boolean stalled() {
    return stalled;
  }

  private void schedule() {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
    if (passed != null || stalled || (deadline == null && idle == null)) {
      return;
    }
    long next = Long.MAX_VALUE;
    if (deadline != null) {
      next = deadline.nanosLeft();
    }
    if (idle != null) {
      next = Math.min(next, progress + idle.toNanos() - System.nanoTime());
    }
    task = TIMER.schedule(this::check, Math.max(0, next), TimeUnit.NANOSECONDS);
  }

  private void check() {
    synchronized (this) {
      if (deadline != null && deadline.passed()) {
        passed = deadline;
      } else if (idle != null && System.nanoTime() - progress >= idle.toNanos()) {
        stalled = true;
      } else {
        schedule(); // progress was made meanwhile, or the watch changed
        return;
      }
      task = null;
    }
    abort.run();
  }

  /** Stops watching. */
  @Override
  public synchronized void close() {
    deadline = null;
    idle = null;
    schedule();
  }
}
