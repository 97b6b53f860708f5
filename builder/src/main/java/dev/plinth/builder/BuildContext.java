package dev.plinth.builder;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The directory a plinth.yaml may read host files from, as Docker's build context: the yaml's
 * own directory unless the command line names another. Every path the yaml names must resolve
 * inside it, through any symlinks, unless {@code allowOutside} (a command-line option only,
 * never the yaml) says otherwise. A pull request's plinth.yaml cannot then copy
 * {@code ~/.docker/config.json} or {@code /etc/shadow} into the image it builds.
 *
 * @param root the context directory
 * @param allowOutside whether paths outside {@code root} are allowed
 */
public record BuildContext(Path root, boolean allowOutside) {
  /** The largest plinth.yaml read. */
  public static final long MAX_YAML_BYTES = 1 << 20;
  /** The largest plinth.lock read. */
  public static final long MAX_LOCK_BYTES = 16L << 20;

  /** The command-line option that allows paths outside the context. */
  public static final String ALLOW_OPTION = "--allow-outside-context";

  public BuildContext {
    root = root.toAbsolutePath().normalize();
  }

  /** The default context of {@code yamlFile}: its directory, confined. */
  public static BuildContext of(Path yamlFile) {
    return new BuildContext(yamlFile.toAbsolutePath().normalize().getParent(), false);
  }

  /**
   * Refuses {@code path} (already resolved against the yaml's directory) when it, or what its
   * symlinks lead to, lies outside the context. A path that does not exist yet is checked as
   * written and through its nearest existing parent.
   *
   * @param where the yaml file (and line) that names it
   * @param field the field that names it
   */
  void check(Path path, String where, String field) throws PlinthException {
    if (allowOutside) {
      return;
    }
    Path p = path.toAbsolutePath().normalize();
    String why = null;
    if (!p.startsWith(root)) {
      why = "is outside the build context " + root;
    } else {
      Path real = realOfNearest(p);
      Path realRoot = realOfNearest(root);
      if (real != null && realRoot != null && !real.startsWith(realRoot)) {
        why = "leads (through a symlink) to " + real + ", outside the build context " + root;
      }
    }
    if (why != null) {
      throw new PlinthException(PlinthException.Kind.USAGE, where + ": " + field + ": " + path
          + " " + why + "; plinth reads only files inside it, as Docker's COPY does (name"
          + " another context with --context DIR, or allow this with " + ALLOW_OPTION + ")");
    }
  }

  /** The real path of {@code p}, or of its nearest existing parent with the rest appended. */
  private static Path realOfNearest(Path p) {
    Path rest = null;
    for (Path q = p; q != null; q = q.getParent()) {
      try {
        Path real = q.toRealPath();
        return rest == null ? real : real.resolve(rest).normalize();
      } catch (IOException e) {
        Path name = q.getFileName();
        if (name == null) {
          return null;
        }
        rest = rest == null ? name : name.resolve(rest);
      }
    }
    return null;
  }

  /**
   * Refuses {@code path} when it exists and is neither a regular file nor a directory (after its
   * symlinks): a device such as /dev/zero, a FIFO or a socket would be read forever or block.
   */
  static void checkType(Path path, String where, String field) throws PlinthException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (IOException e) {
      return; // does not exist (yet): the reader says so
    }
    if (!a.isRegularFile() && !a.isDirectory()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, where + ": " + field + ": "
          + path + " is not a regular file or directory (a device, FIFO or socket)");
    }
  }

  /** Whether {@code p} is a regular file, directory or symlink, not following links. */
  static boolean ordinary(Path p) throws IOException {
    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
        LinkOption.NOFOLLOW_LINKS);
    return a.isRegularFile() || a.isDirectory() || a.isSymbolicLink();
  }
}
