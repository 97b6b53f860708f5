package dev.plinth.cli;

import dev.plinth.builder.Plinth;
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
 * Shows registry transfers and a build's long steps: on a terminal one status line redrawn in
 * place (at most ten times a second, cut to the terminal's width): blobs moved, or the bar of the
 * download a step started; otherwise one line per blob as it finishes, per retry and per step
 * (a download's says what and how big); with --json the same events as JSON lines; with --quiet
 * nothing.
 */
final class TransferDisplay implements Progress {
  enum Mode { TERMINAL, LINES, JSON }

  /** The width a terminal is assumed to have when COLUMNS does not say. */
  static final int DEFAULT_WIDTH = 80;

  private final Mode mode;
  private final PrintWriter err;
  private final int width;
  private final Map<Digest, Long> sizes = new ConcurrentHashMap<>();
  private final AtomicLong moved = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  private volatile long lastDraw;

  TransferDisplay(Mode mode, PrintWriter err, int width) {
    this.mode = mode;
    this.err = err;
    this.width = Math.max(width, 20);
  }

  /** @param columns the terminal's width (COLUMNS), or null */
  static Progress choose(boolean quiet, boolean json, PrintWriter err, String columns) {
    if (json) {
      return new TransferDisplay(Mode.JSON, err, DEFAULT_WIDTH);
    }
    if (quiet) {
      return Progress.NONE;
    }
    int w = DEFAULT_WIDTH;
    try {
      w = columns == null ? w : Integer.parseInt(columns.trim());
    } catch (NumberFormatException e) {
      // not a number: the default
    }
    return new TransferDisplay(System.console() != null ? Mode.TERMINAL : Mode.LINES, err, w);
  }

  /** A build's steps and its downloads' bytes, shown as this display shows transfers. */
  Plinth.Listener listener() {
    return new Plinth.Listener() {
      @Override
      public void step(String line) {
        status(line);
      }

      @Override
      public void moved(String what, long done, long total) {
        download(what, done, total);
      }
    };
  }

  /** On a terminal, the bar of a download: {@code NAME [#####.....] 45% 1.23 MB of 2.73 MB}. */
  void download(String what, long done, long total) {
    if (mode != Mode.TERMINAL) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 100_000_000L) {
      return;
    }
    lastDraw = now;
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    String tail = String.format(Locale.ROOT, "] %3d%% %s of %s", percent, Sizes.decimal(done),
        Sizes.decimal(total));
    // the name gets what the figures and a bar of up to 20 leave (12 at least), cut at its start
    int room = width - 1 - tail.length() - 2;
    int bar = Math.max(0, Math.min(20, room - 12));
    int nameRoom = Math.max(0, room - bar);
    String name = what.length() <= nameRoom ? what
        : nameRoom <= 3 ? "" : "..." + what.substring(what.length() - nameRoom + 3);
    int filled = (int) ((long) bar * percent / 100);
    synchronized (this) {
      err.print("\r\033[K" + fit(name + " [" + "#".repeat(filled) + ".".repeat(bar - filled)
          + tail));
      err.flush();
    }
  }

  /** {@code line} cut to the terminal's width (one column left, so it never wraps). */
  private String fit(String line) {
    return line.length() < width ? line : line.substring(0, width - 1);
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

  /** A line about what a build is doing that takes long: a download, unpacking, linking. */
  synchronized void status(String line) {
    switch (mode) {
      case TERMINAL, LINES -> err.println((mode == Mode.TERMINAL ? "\r\033[K" : "") + "plinth: "
          + line);
      case JSON -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("event", "status");
        m.put("message", line);
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
      err.print("\r\033[K" + fit(String.format(Locale.ROOT, "%d done, %s of %s moved",
          finished.get(), Sizes.decimal(Math.min(moved.get(), Math.max(total, moved.get()))),
          Sizes.decimal(total))));
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
