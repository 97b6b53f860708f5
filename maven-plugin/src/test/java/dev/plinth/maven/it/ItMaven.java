package dev.plinth.maven.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The plugin as this build installed it (maven-invoker-plugin:install, pre-integration-test, into
 * {@code plinth.it.repo}), the sample projects of src/it, and the peers the ITs check images
 * with: skopeo, and podman in a storage of its own. Running mvn and other programs, and copying
 * projects, is {@link Processes}'s.
 */
final class ItMaven {
  static final String VERSION = Processes.property("plinth.it.pluginVersion");
  static final String GOAL = "dev.plinth:plinth-maven-plugin:" + VERSION + ":build";

  private ItMaven() {}

  /** The sample project {@code name} of src/it. */
  static Path sample(String name) {
    return Path.of(Processes.property("plinth.it.samples"), name);
  }

  /** skopeo with {@code args}; fails the test unless it exits 0. */
  static String skopeo(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("skopeo"));
    cmd.addAll(List.of(args));
    return Processes.run(cmd, dir, Duration.ofMinutes(2), Map.of()).orFail().out();
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
  static Processes.Result podmanRun(Path base, String image, String... args) {
    List<String> cmd = podman(base, "run", "--rm", "--network", "host", "--ulimit",
        "nofile=20000:20000", "--ulimit", "nproc=1000:1000", image);
    cmd.addAll(List.of(args));
    return Processes.run(cmd, base, Duration.ofMinutes(10), Map.of());
  }
}
