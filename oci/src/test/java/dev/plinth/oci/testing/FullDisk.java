package dev.plinth.oci.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory on a full disk, for real: a command runs in a mount namespace of its own (util-linux
 * {@code unshare}, gone when the command ends, nothing mounted on the host) where {@code dir} is a
 * 256 KiB tmpfs that a file of zeros has filled, so every write to it fails with ENOSPC ("No space
 * left on device") while directories and empty files can still be made. Needs root, or
 * unprivileged user namespaces ({@code unshare --map-root-user}); scripts/test runs as root.
 *
 * <p>What the command left in {@code dir} (the fill file aside) is listed, one path a line,
 * relative to {@code dir}, in {@link #left}, since nothing outside the namespace can see it.
 */
public final class FullDisk {
  private static final String SCRIPT = """
      d=$1 perf=$2; shift 2
      path=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin
      mount -t tmpfs -o size=256k plinth-full "$d" || { echo "FullDisk: cannot mount a tmpfs on $d" >&2; exit 99; }
      if [ -n "$perf" ]; then
        mkdir -p "$perf" "$d/.perf" && mount --bind "$d/.perf" "$perf" || exit 99
      fi
      dd if=/dev/zero of="$d/.fill" bs=4k 2>/dev/null
      PATH=$path "$@"
      rc=$?
      (cd "$d" && find . -mindepth 1 ! -name .fill ! -path './.perf*') >"$d.left"
      exit $rc
      """;

  private FullDisk() {}

  /**
   * {@code command} wrapped to run with {@code dir} (which must exist and be empty) a full tmpfs;
   * the wrapper exits 99 when it cannot mount one.
   */
  public static List<String> wrap(Path dir, List<String> command) {
    return wrap(dir, "", command);
  }

  /**
   * As {@link #wrap(Path, List)}, with the JVM's own files on the full disk too: its
   * performance-data directory {@code /tmp/hsperfdata_USER} (where a JVM that keeps one warns
   * "Insufficient space for shared memory file"), a directory of the full tmpfs mounted there.
   */
  public static List<String> wrapWithJvmFiles(Path dir, List<String> command) {
    return wrap(dir, "/tmp/hsperfdata_" + System.getProperty("user.name"), command);
  }

  private static List<String> wrap(Path dir, String perf, List<String> command) {
    List<String> c = new ArrayList<>(List.of(unshare(), "--mount"));
    if (!"root".equals(System.getProperty("user.name"))) {
      c.add("--map-root-user");
    }
    c.addAll(List.of("/bin/sh", "-c", SCRIPT, "full-disk", dir.toAbsolutePath().toString(),
        perf));
    c.addAll(command);
    return c;
  }

  /** What the wrapped command left in {@code dir}: paths relative to it ("./out/index.json"). */
  public static List<String> left(Path dir) throws IOException {
    Path f = Path.of(dir.toAbsolutePath() + ".left");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  private static String unshare() {
    for (String d : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      if (Files.isExecutable(Path.of(d, "unshare"))) {
        return d + "/unshare";
      }
    }
    throw new AssertionError("unshare not found: install util-linux (scripts/test runs as root)");
  }
}
