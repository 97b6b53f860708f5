package dev.plinth.maven.it;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code mvn} on a copy of a sample project of src/it, with the plugin as this build
 * installed it (maven-invoker-plugin:install, pre-integration-test, into {@code plinth.it.repo}),
 * and the peers the ITs check images with: skopeo, and podman in a storage of its own.
 */
final class ItMaven {
  static final String VERSION = property("plinth.it.pluginVersion");
  static final String GOAL = "dev.plinth:plinth-maven-plugin:" + VERSION + ":build";

  private ItMaven() {}

  /** What a command did: its exit code and its output. */
  record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout ---\n" + tail(out) + "\n--- stderr ---\n" + tail(err)
          + "\n--------------";
    }

    private static String tail(String s) {
      return s.length() <= 12000 ? s : "[...]\n" + s.substring(s.length() - 12000);
    }
  }

  /** The sample project {@code name} of src/it. */
  static Path sample(String name) {
    return Path.of(property("plinth.it.samples"), name);
  }

  /** Copies the project at {@code from} to {@code to}, without its target directory. */
  static Path copy(Path from, Path to) throws IOException {
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
    }
    return to;
  }

  /** {@code mvn -B -ntp} with the ITs' local repository and the plugin version, then {@code args}. */
  static List<String> mvnCommand(String... args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(property("plinth.it.mavenHome"), "bin", "mvn").toString(), "-B", "-ntp",
        "-Dmaven.repo.local=" + property("plinth.it.localRepository"),
        "-Dplinth.it.pluginVersion=" + VERSION));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code mvn ... EXTRA package} in {@code project}. */
  static Result mvnPackage(Path project, Duration timeout, String... extra) throws Exception {
    List<String> cmd = mvnCommand(extra);
    cmd.add("package");
    return run(cmd, project, timeout, Map.of());
  }

  /** skopeo with {@code args}; fails the test unless it exits 0. */
  static String skopeo(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    Result r = run(cmd, dir, Duration.ofMinutes(2), Map.of());
    if (r.exit() != 0) {
      throw new AssertionError(String.join(" ", cmd) + "\n" + r);
    }
    return r.out();
  }

  /**
   * podman with a storage of its own under {@code base} (vfs, cgroupfs, runc, file events), and
   * then {@code args}.
   */
  static List<String> podman(Path base, String... args) {
    List<String> cmd = new ArrayList<>(List.of("podman", "--root", base.resolve("root").toString(),
        "--runroot", base.resolve("run").toString(), "--tmpdir", base.resolve("tmp").toString(),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime", "runc",
        "--events-backend", "file"));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** {@code podman run --rm} of {@code image} (e.g. oci-archive:FILE) with the sandbox's limits. */
  static Result podmanRun(Path base, String image, String... args) throws Exception {
    List<String> cmd = podman(base, "run", "--rm", "--network", "host", "--ulimit",
        "nofile=20000:20000", "--ulimit", "nproc=1000:1000", image);
    cmd.addAll(List.of(args));
    return run(cmd, base, Duration.ofMinutes(10), Map.of());
  }

  /** Runs {@code cmd} in {@code dir}, its stdout and stderr to files there; bounded by {@code timeout}. */
  static Result run(List<String> cmd, Path dir, Duration timeout, Map<String, String> env)
      throws Exception {
    Path logs = Files.createDirectories(Path.of(property("plinth.it.logs")));
    Path out = Files.createTempFile(logs, "out", ".log");
    Path err = Files.createTempFile(logs, "err", ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Files.createDirectories(dir);
    Process p = pb.directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (!done) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly().waitFor();
    }
    Result r = new Result(done ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    if (!done) {
      throw new AssertionError(String.join(" ", cmd) + " did not finish in " + timeout + "\n" + r);
    }
    return r;
  }

  static String property(String name) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      throw new IllegalStateException(name + " is not set: run the *IT tests with mvn verify");
    }
    return v;
  }
}
