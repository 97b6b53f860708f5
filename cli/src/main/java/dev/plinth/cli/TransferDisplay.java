package dev.plinth.cli;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.Sizes;
import dev.plinth.registry.Progress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shows registry transfers: on a terminal one status line redrawn in place (at most ten times a
 * second); otherwise one line per blob as it finishes and per retry; with --json the same events as
 * JSON lines; with --quiet nothing.
 */
final class TransferDisplay implements Progress {
  enum Mode { TERMINAL, LINES, JSON }

  private final Mode mode;
  private final PrintWriter err;
  private final Map<Digest, Long> sizes = new ConcurrentHashMap<>();
  private final AtomicLong moved = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  private volatile long lastDraw;

  private TransferDisplay(Mode mode, PrintWriter err) {
    this.mode = mode;
    this.err = err;
  }

  static Progress choose(boolean quiet, boolean json, PrintWriter err) {
    if (json) {
      return new TransferDisplay(Mode.JSON, err);
    }
    if (quiet) {
      return Progress.NONE;
    }
    return new TransferDisplay(System.console() != null ? Mode.TERMINAL : Mode.LINES, err);
  }

  @Override
  public void started(Digest digest, long size) {
    sizes.put(digest, size);
    draw(false);
  }

  @Override
  public void advanced(Digest digest, long bytes) {
    moved.addAndGet(bytes);
    draw(false);
  }

  @Override
  public synchronized void finished(Digest digest, long size, Outcome outcome) {
    finished.incrementAndGet();
    switch (mode) {
      case TERMINAL -> draw(true);
      case LINES -> err.printf(Locale.ROOT, "%s  %9s  %s%n", digest.toString().substring(0, 19),
          Sizes.decimal(size), outcome.name().toLowerCase(Locale.ROOT));
      case JSON -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "blob");
        m.put("digest", digest.toString());
        m.put("size", size);
        m.put("outcome", outcome.name().toLowerCase(Locale.ROOT));
        err.println(new String(Json.write(m), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    err.flush();
  }

  @Override
  public synchronized void retrying(String what, int attempt, Duration wait, String why) {
    switch (mode) {
      case TERMINAL, LINES -> err.printf(Locale.ROOT, "%sretrying %s (try %d) in %.1f s: %s%n",
          mode == Mode.TERMINAL ? "\r\033[K" : "", what, attempt + 1, wait.toMillis() / 1000.0,
          why);
      case JSON -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "retry");
        m.put("what", what);
        m.put("attempt", attempt + 1);
        m.put("waitMillis", wait.toMillis());
        m.put("why", why);
        err.println(new String(Json.write(m), java.nio.charset.StandardCharsets.UTF_8));
      }
    }
    err.flush();
  }

  private void draw(boolean force) {
    if (mode != Mode.TERMINAL) {
      return;
    }
    long now = System.nanoTime();
    if (!force && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    long total = sizes.values().stream().mapToLong(Long::longValue).sum();
    synchronized (this) {
      err.printf(Locale.ROOT, "\r\033[K%d done, %s of %s moved", finished.get(),
          Sizes.decimal(Math.min(moved.get(), Math.max(total, moved.get()))), Sizes.decimal(total));
      err.flush();
    }
  }

  /** Ends the status line on a terminal. */
  void close() {
    if (mode == Mode.TERMINAL) {
      err.println();
      err.flush();
    }
  }
}
