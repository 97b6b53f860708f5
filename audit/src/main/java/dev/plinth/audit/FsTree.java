package dev.plinth.audit;

import dev.plinth.oci.Filesystem;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What the rules see of an image's flattened {@link Filesystem}: every path with its type, mode,
 * owner, link target, size and the {@link FileFacts} kept of its content, sorted. Paths are
 * relative to the image root, without leading or trailing slashes ("etc/passwd"); the root itself
 * is "".
 *
 * <p>{@link #lookup} follows symlinks as a process inside the container does: absolute targets
 * start at the image root and ".." at the root stays there.
 */
final class FsTree {
  /** What a path is. */
  enum Kind { FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

  /**
   * One path.
   *
   * @param layer the index of the layer that last wrote it; -1 for a directory no entry named
   *     (made because a layer put something inside it)
   */
  record Node(Kind kind, int mode, long uid, long gid, long size, String link, FileFacts facts,
      int layer) {
    boolean isDirectory() {
      return kind == Kind.DIRECTORY;
    }

    boolean isFile() {
      return kind == Kind.FILE;
    }

    static Node of(Filesystem.Node<FileFacts> n) {
      return new Node(Kind.valueOf(n.kind().name()), n.mode(), n.uid(), n.gid(), n.size(),
          n.link(), n.content(), n.layer());
    }
  }

  private final Filesystem<FileFacts> fs;
  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private final Node root;

  /** A view of {@code fs} as it is now (layers applied later are not seen). */
  FsTree(Filesystem<FileFacts> fs) {
    this.fs = fs;
    this.root = Node.of(fs.root());
    for (Map.Entry<String, Filesystem.Node<FileFacts>> e : fs.tree("").entrySet()) {
      if (!e.getKey().isEmpty()) {
        nodes.put(e.getKey(), Node.of(e.getValue()));
      }
    }
  }

  /** The node at exactly {@code path} (no link followed), or null. */
  Node get(String path) {
    return path.isEmpty() ? root : nodes.get(path);
  }

  /** Every path but the root, sorted. */
  NavigableMap<String, Node> all() {
    return Collections.unmodifiableNavigableMap(nodes);
  }

  /** The paths below {@code dir} (not itself), sorted; the root's are all of them. */
  NavigableMap<String, Node> below(String dir) {
    return dir.isEmpty() ? all()
        : Collections.unmodifiableNavigableMap(nodes.subMap(dir + "/", true, dir + "0", false));
  }

  /**
   * Where {@code path} leads inside the container, following links as the kernel would with the
   * image as root; null when it does not exist (or a link loops or dangles on the way).
   *
   * @param path absolute ("/etc/passwd") or relative to the root
   * @param followLast whether a link at the last component is followed too
   */
  String lookup(String path, boolean followLast) {
    return fs.lookup(path, followLast);
  }

  /** The node {@code path} leads to, following every link; null when it does not exist. */
  Node resolve(String path) {
    String p = lookup(path, true);
    return p == null ? null : get(p);
  }

  /** The parent of a tree path, "" for a top-level one. */
  static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i < 0 ? "" : path.substring(0, i);
  }

  /** The last component of a tree path. */
  static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
