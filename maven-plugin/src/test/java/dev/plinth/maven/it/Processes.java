package dev.plinth.maven.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs the real programs the framework ITs check against (mvn, podman) with a bound on their
 * time; output goes to files, so nothing can block on a full pipe. JDK only.
 */
final class Processes {
  private Processes() {}

  /** What a process did; {@code toString} is what an assertion message needs. */
  record Result(int exit, String out, String err, List<String> command) {
    Result orFail() {
      if (exit != 0) {
        throw new AssertionError("failed: " + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + "\nexit " + exit + "\n--- stdout ---\n" + tail(out)
          + "\n--- stderr ---\n" + tail(err) + "\n--------------";
    }

    private static String tail(String s) {
      return s.length() <= 12000 ? s : "[...]\n" + s.substring(s.length() - 12000);
    }
  }

  /**
   * Runs {@code cmd} in {@code dir} with {@code env} added, stdin from /dev/null; kills it and its
   * descendants and fails naming it when it runs over {@code timeout}.
   */
  static Result run(List<String> cmd, Path dir, Duration timeout, Map<String, String> env) {
    try {
      // the output is kept under plinth.it.logs when the build names it, else deleted after
      String kept = System.getProperty("plinth.it.logs");
      Path logs = kept == null || kept.isBlank() ? null : Files.createDirectories(Path.of(kept));
      Path out = logs == null ? Files.createTempFile("plinth-it-out", ".log")
          : Files.createTempFile(logs, "out", ".log");
      Path err = logs == null ? Files.createTempFile("plinth-it-err", ".log")
          : Files.createTempFile(logs, "err", ".log");
      try {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile())
            .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (dir != null) {
          pb.directory(Files.createDirectories(dir).toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly().waitFor();
        }
        Result r = new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8), List.copyOf(cmd));
        if (!done) {
          throw new AssertionError("did not finish in " + timeout + ": " + r);
        }
        return r;
      } finally {
        if (logs == null) {
          Files.deleteIfExists(out);
          Files.deleteIfExists(err);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted: " + String.join(" ", cmd), e);
    }
  }

  /**
   * {@code mvn -B -ntp} with the Maven and the local repository of the build that runs the ITs
   * (where maven-invoker-plugin installed the plugin) and the plugin's version, then {@code args};
   * offline with {@code -Dplinth.it.offline=true} (failsafe passes it on), once the frameworks'
   * artifacts are in that repository.
   */
  static List<String> mvnCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(property("plinth.it.mavenHome"), "bin", "mvn").toString(), "-B", "-ntp",
        "-Dmaven.repo.local=" + property("plinth.it.localRepository"),
        "-Dplinth.it.pluginVersion=" + property("plinth.it.pluginVersion")));
    if (Boolean.getBoolean("plinth.it.offline")) {
      cmd.add("-o");
    }
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code mvn ... ARGS package} in {@code project}. */
  static Result mvnPackage(Path project, Duration timeout, String... args) {
    List<String> cmd = mvnCommand(args);
    cmd.add("package");
    return run(cmd, project, timeout, Map.of());
  }

  /** A copy of the sample project {@code name} (src/it/NAME, without its target) in {@code dir}. */
  static Path copySample(String name, Path dir) {
    return copyTree(Path.of(property("plinth.it.samples")).resolve(name), dir.resolve(name));
  }

  /** Copies a project directory to {@code to}, without its {@code target}; returns {@code to}. */
  static Path copyTree(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (from.relativize(p).startsWith("target")) {
          continue;
        }
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + from, e);
    }
    return to;
  }

  /** Deletes {@code dir} and everything in it, as far as it can. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  static String property(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the *IT tests with mvn verify");
    }
    return v;
  }
}
