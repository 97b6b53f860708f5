package dev.plinth.maven.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * podman as the framework ITs run images: vfs storage, cgroupfs, runc, host network and the
 * ulimits this sandbox accepts. One storage per architecture and JVM, under /tmp, shared by every
 * IT of the run (an image's base and runtime layers are stored once) and removed at JVM exit.
 * podman 4.3 cannot keep two platforms of one index in one storage, so arm64 (run under qemu)
 * has its own.
 */
final class Podman {
  static final Duration SHORT = Duration.ofMinutes(2);
  private static final Map<String, Podman> BY_ARCH = new HashMap<>();

  private final String arch;
  private final Path base;
  private final List<String> global;

  private Podman(String arch, Path base) {
    this.arch = arch;
    this.base = base;
    this.global = List.of("podman", "--root", base.resolve("root").toString(),
        "--runroot", base.resolve("run").toString(), "--tmpdir", base.resolve("tmp").toString(),
        "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--runtime", "runc",
        "--events-backend", "file");
  }

  /** The podman of this JVM for {@code arch} ("amd64" or "arm64"), made on first use. */
  static synchronized Podman of(String arch) {
    return BY_ARCH.computeIfAbsent(arch, a -> {
      try {
        // short paths: conmon's attach socket path has a length limit
        Path base = Files.createTempDirectory(Path.of("/tmp"), "plinth-mvn-it-" + a + "-");
        Podman p = new Podman(a, base);
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "remove " + base));
        return p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** {@code podman ARGS}. */
  Processes.Result exec(Duration timeout, String... args) {
    List<String> cmd = new ArrayList<>(global);
    cmd.addAll(List.of(args));
    return Processes.run(cmd, null, timeout, Map.of());
  }

  /** Loads this architecture's image of an OCI archive (an index or one image); its ID. */
  String load(Path archive) {
    Processes.Result r = exec(Duration.ofMinutes(5), "pull", "-q", "--arch", arch,
        "oci-archive:" + archive).orFail();
    List<String> lines = r.out().strip().lines().toList();
    return lines.get(lines.size() - 1).strip();
  }

  /** {@code podman run -d} of {@code image} with {@code env}; the container's ID. */
  String start(String image, Map<String, String> env) {
    List<String> args = new ArrayList<>(List.of("run", "-d", "-q", "--arch", arch,
        "--network", "host", "--pull", "never",
        "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=1000:1000"));
    env.forEach((k, v) -> args.addAll(List.of("--env", k + "=" + v)));
    args.add(image);
    Processes.Result r = exec(SHORT, args.toArray(String[]::new)).orFail();
    List<String> lines = r.out().strip().lines().toList();
    return lines.get(lines.size() - 1).strip();
  }

  /** The container's state (running, exited, ...) and, once it exited, its exit code. */
  String state(String id) {
    return exec(SHORT, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", id)
        .orFail().out().strip();
  }

  /** What the container wrote to stdout and stderr. */
  String logs(String id) {
    Processes.Result r = exec(SHORT, "logs", id);
    return r.out() + r.err();
  }

  /** {@code podman top ID DESCRIPTORS}: its lines without the header. */
  List<String> top(String id, String... descriptors) {
    List<String> args = new ArrayList<>(List.of("top", id));
    args.addAll(List.of(descriptors));
    return exec(SHORT, args.toArray(String[]::new)).orFail().out().strip().lines().skip(1).toList();
  }

  /** {@code podman stop -t SECONDS}, then the container's exit code. */
  int stop(String id, int seconds) {
    exec(Duration.ofSeconds(seconds).plus(SHORT), "stop", "-t", Integer.toString(seconds), id).orFail();
    List<String> lines = exec(SHORT, "wait", id).orFail().out().strip().lines().toList();
    return Integer.parseInt(lines.get(lines.size() - 1).strip());
  }

  /** Removes a container, running or not. */
  void rm(String id) {
    exec(SHORT, "rm", "-f", "-t", "0", id);
  }

  @Override
  public String toString() {
    return "podman " + arch;
  }

  private void destroy() {
    try {
      exec(SHORT, "rm", "-a", "-f", "-t", "0");
      exec(SHORT, "system", "reset", "--force");
    } catch (RuntimeException | AssertionError e) {
      // best effort: delete what we can
    }
    Processes.deleteTree(base);
  }
}
