package dev.plinth.jvm;

import dev.plinth.http.Connector;
import dev.plinth.http.Http1;
import dev.plinth.http.Response;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One run of the app on this machine at build time, driven as a training run's settings say
 * ({@link AotSpec}): with URLs, the first is polled until the app answers, each is requested
 * once, then the app gets SIGTERM; without, it runs until it exits, until it went quiet (when
 * the caller can tell), or until the settings' timeout, then gets SIGTERM. An app still running
 * a grace time after SIGTERM is killed. What went wrong is returned, not thrown: the AOT cache
 * makes it an error, the modules' run a warning.
 */
final class TrainingRun {
  /**
   * Without URLs and with a measure of progress: the run is stopped once the measure has not
   * moved for {@link #QUIET_MILLIS} and the app ran at least {@link #MIN_MILLIS}.
   */
  static final long QUIET_MILLIS = 3000;
  static final long MIN_MILLIS = 5000;
  /**
   * The heap of every JVM plinth starts to run the app at build time (the module-finding run,
   * the AOT training and assembly), first on its command line, so that a build's memory stays
   * bounded whatever the machine (the image's -XX:MaxRAMPercentage would take three quarters of
   * it); the user's -Xmx among the image's flags comes later and wins.
   */
  static final String HEAP = "-Xmx256m";

  /**
   * How a run ended.
   *
   * @param how what ended it, for messages ("the app exited by itself (code 0)")
   * @param exitCode the app's exit code when it ended by itself, else null
   * @param problem what went wrong (the app did not start, did not answer, did not stop), or
   *     null
   */
  record Ended(String how, Integer exitCode, String problem) {}

  private TrainingRun() {}

  /**
   * Runs {@code pb} (its output already redirected) to its end.
   *
   * @param progress a measure that grows while the app is busy (the size of its class-load log),
   *     or null: then a run without URLs lasts until the app exits or the timeout
   * @param graceSeconds how long the app may take to exit after SIGTERM
   */
  static Ended run(ProcessBuilder pb, AotSpec drive, LongSupplier progress, long graceSeconds)
      throws PlinthException {
    try (ToolSlots.Slot slot = ToolSlots.take("the training run")) {
      return runNow(pb, drive, progress, graceSeconds);
    }
  }

  private static Ended runNow(ProcessBuilder pb, AotSpec drive, LongSupplier progress,
      long graceSeconds) throws PlinthException {
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Ended("it did not start", null, "cannot run " + pb.command().get(0)
          + " on this machine: " + e.getMessage());
    }
    // the app's own port on loopback (AotSpec allows nothing else): direct, no proxy, no TLS
    Http1 http = new Http1(Connector.direct(), Duration.ofSeconds(1));
    try {
      long start = System.nanoTime();
      long deadline = start + TimeUnit.SECONDS.toNanos(drive.timeoutSeconds());
      String how;
      if (!drive.get().isEmpty()) {
        String problem = awaitAnswer(http, p, drive.get().get(0), deadline);
        if (problem != null) {
          return stop(p, p.isAlive() ? "stopped with SIGTERM at java.aot.timeout, "
              + drive.timeoutSeconds() + " s" : exited(p), problem, graceSeconds);
        }
        for (String u : drive.get()) {
          try {
            get(http, u);
          } catch (IOException e) {
            return stop(p, "stopped with SIGTERM after a failed request", "requesting " + u
                + " failed: " + e.getMessage(), graceSeconds);
          }
        }
        how = "stopped with SIGTERM after its requests";
      } else if (progress == null) {
        if (p.waitFor(drive.timeoutSeconds(), TimeUnit.SECONDS)) {
          return new Ended(exited(p), p.exitValue(), null);
        }
        how = "stopped with SIGTERM at java.aot.timeout, " + drive.timeoutSeconds() + " s";
      } else {
        how = awaitQuiet(p, progress, start, deadline, drive.timeoutSeconds());
        if (!p.isAlive()) {
          return new Ended(exited(p), p.exitValue(), null);
        }
      }
      return stop(p, how, null, graceSeconds);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.OUTPUT, "the training run was interrupted", e);
    } finally {
      http.closeIdle();
      if (p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static String exited(Process p) {
    return "the app exited by itself (code " + p.exitValue() + ")";
  }

  /** SIGTERM (the JVM runs its shutdown hooks), then a kill once the grace time is over. */
  private static Ended stop(Process p, String how, String problem, long graceSeconds)
      throws InterruptedException {
    if (!p.isAlive()) {
      return new Ended(how, p.exitValue(), problem);
    }
    p.destroy();
    if (!p.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      return new Ended(how + ", then killed", null, problem != null ? problem
          : "the app did not end within " + graceSeconds + " s of SIGTERM");
    }
    return new Ended(how, null, problem);
  }

  /** Waits until the app exits, goes quiet or runs out of time; says which but for an exit. */
  private static String awaitQuiet(Process p, LongSupplier progress, long start, long deadline,
      int timeoutSeconds) throws InterruptedException {
    long last = progress.getAsLong();
    long lastMoved = System.nanoTime();
    while (true) {
      if (p.waitFor(100, TimeUnit.MILLISECONDS)) {
        return "";
      }
      long now = System.nanoTime();
      long seen = progress.getAsLong();
      if (seen != last) {
        last = seen;
        lastMoved = now;
      } else if (now - lastMoved >= TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)
          && now - start >= TimeUnit.MILLISECONDS.toNanos(MIN_MILLIS)) {
        return "stopped with SIGTERM once it had loaded no class for " + QUIET_MILLIS / 1000
            + " s";
      }
      if (now > deadline) {
        return "stopped with SIGTERM at java.aot.timeout, " + timeoutSeconds + " s";
      }
    }
  }

  /** Polls {@code url} until the app answers it (any HTTP status); else what went wrong. */
  private static String awaitAnswer(Http1 http, Process p, String url, long deadline)
      throws InterruptedException {
    while (true) {
      if (!p.isAlive()) {
        return "the app exited (code " + p.exitValue() + ") before answering " + url;
      }
      try {
        get(http, url);
        return null;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          return "the app did not answer " + url + " in the training run's time (java.aot.timeout)";
        }
        Thread.sleep(50);
      }
    }
  }

  /** GETs {@code url} and reads its answer, whatever the status; no redirects followed. */
  private static void get(Http1 http, String url) throws IOException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    try (Response r = http.send("GET", uri, Map.of(), null, Duration.ofSeconds(30))) {
      r.body().transferTo(OutputStream.nullOutputStream());
    }
  }

  /** A run's process: {@code cmd} in {@code dir}, output to {@code log}, exactly {@code env}. */
  static ProcessBuilder process(List<String> cmd, Path dir, Map<String, String> env, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb;
  }

  /**
   * The image's environment for a run on this machine: this machine's PATH, a HOME of its own,
   * JAVA_HOME (when the image sets it) where the run's java is, then the run's own env.
   */
  static Map<String, String> environment(Map<String, String> image, AotSpec drive, Path home,
      String javaHome) throws IOException {
    Map<String, String> env = new java.util.TreeMap<>(image);
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", Files.createDirectories(home).toString());
    if (env.containsKey("JAVA_HOME")) {
      env.put("JAVA_HOME", javaHome);
    }
    env.putAll(drive.env());
    return env;
  }

  /** The last lines of a run's output (of its last 64 KiB), for a message. */
  static String tail(Path log, int lines) {
    try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(log)) {
      long size = ch.size();
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(size, 64 * 1024));
      ch.position(size - buf.capacity());
      while (buf.hasRemaining() && ch.read(buf) >= 0) {
        // reads the end of the file
      }
      List<String> all = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8)
          .lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }
}
