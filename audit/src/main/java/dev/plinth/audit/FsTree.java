package dev.plinth.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The flattened filesystem of an image, in memory: every path with its type, mode, owner, link
 * target, size and the {@link FileFacts} kept of its content. Paths are relative to the image
 * root, without leading or trailing slashes ("etc/passwd"); the root itself is "".
 *
 * <p>Two ways to follow symlinks. {@link #lookup} does what a process inside the container sees:
 * absolute targets start at the image root and ".." at the root stays there. {@link #place}
 * resolves where a layer entry lands while layers are applied, and refuses a link that climbs out
 * of the root: only a hostile layer writes through one.
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
  }

  /** A layer that cannot be applied: names the path and why. */
  static class ApplyError extends Exception {
    private static final long serialVersionUID = 1L;

    ApplyError(String message) {
      super(message);
    }
  }

  /** A path whose parent does not exist or is not a directory. */
  static final class Absent extends ApplyError {
    private static final long serialVersionUID = 1L;

    Absent(String message) {
      super(message);
    }
  }

  /** Linux gives up after 40 links in one lookup (MAXSYMLINKS). */
  static final int MAX_LINKS = 40;

  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private Node root = new Node(Kind.DIRECTORY, 0755, 0, 0, 0, null, null, -1);

  /** The node at exactly {@code path} (no link followed), or null. */
  Node get(String path) {
    return path.isEmpty() ? root : nodes.get(path);
  }

  /** Every path but the root, sorted. */
  NavigableMap<String, Node> all() {
    return java.util.Collections.unmodifiableNavigableMap(nodes);
  }

  /** The paths below {@code dir} (not itself), sorted; the root's are all of them. */
  NavigableMap<String, Node> below(String dir) {
    return dir.isEmpty() ? all()
        : java.util.Collections.unmodifiableNavigableMap(nodes.subMap(dir + "/", true, dir + "0",
            false));
  }

  int size() {
    return nodes.size();
  }

  /**
   * Where {@code path} leads inside the container, following links as the kernel would with the
   * image as root; null when it does not exist (or a link loops or dangles on the way).
   *
   * @param path absolute ("/etc/passwd") or relative to the root
   * @param followLast whether a link at the last component is followed too
   */
  String lookup(String path, boolean followLast) {
    try {
      String p = walk(path, followLast, false, false);
      return get(p) == null ? null : p;
    } catch (ApplyError e) {
      return null;
    }
  }

  /** The node {@code path} leads to, following every link; null when it does not exist. */
  Node resolve(String path) {
    String p = lookup(path, true);
    return p == null ? null : get(p);
  }

  /**
   * Where a layer entry named {@code path} lands: its parent resolved through links (which must
   * stay inside the root), missing parents made as directories (as a runtime's MkdirAll does),
   * the last component never followed.
   */
  String place(String path) throws ApplyError {
    return walk(path, false, true, true);
  }

  /** As {@link #place}, but a missing parent is an error rather than made. */
  String placeExisting(String path) throws ApplyError {
    return walk(path, false, true, false);
  }

  /**
   * Where a whiteout applies: the parent resolved as {@link #place} does (a link out of the root
   * is an error), the last component not followed; null when a parent does not exist.
   */
  String lookupForApply(String path) throws ApplyError {
    try {
      return walk(path, false, true, false);
    } catch (Absent e) {
      return null;
    }
  }

  /** Puts a node at a placed path, replacing whatever was there and, unless both are directories, everything below it. */
  void put(String path, Node node) {
    if (path.isEmpty()) {
      root = node;
      return;
    }
    Node old = nodes.get(path);
    if (old != null && old.isDirectory() && node.isDirectory()) {
      nodes.put(path, node);
      return;
    }
    removeTree(path);
    nodes.put(path, node);
  }

  /** Removes {@code path} and everything below it. */
  void removeTree(String path) {
    if (path.isEmpty()) {
      nodes.clear();
      return;
    }
    nodes.remove(path);
    nodes.subMap(path + "/", true, path + "0", false).clear();
  }

  /** Removes everything below {@code dir}, keeping it. */
  void removeChildren(String dir) {
    if (dir.isEmpty()) {
      nodes.clear();
    } else {
      nodes.subMap(dir + "/", true, dir + "0", false).clear();
    }
  }

  private String walk(String path, boolean followLast, boolean strict, boolean create)
      throws ApplyError {
    Deque<String> todo = new ArrayDeque<>(split(path));
    List<String> cur = new ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (cur.isEmpty()) {
          if (strict) {
            throw new ApplyError("'" + path + "' leads out of the image root through a symbolic"
                + " link");
          }
        } else {
          cur.remove(cur.size() - 1);
        }
        continue;
      }
      String p = join(cur, c);
      Node n = nodes.get(p);
      boolean last = todo.isEmpty();
      if (n != null && n.kind() == Kind.SYMLINK && (!last || followLast)) {
        if (++links > MAX_LINKS) {
          throw new ApplyError("'" + path + "' goes through more than " + MAX_LINKS
              + " symbolic links (a loop?)");
        }
        String target = n.link() == null ? "" : n.link();
        if (target.isEmpty()) {
          throw new ApplyError("'" + path + "' goes through /" + p + ", a link to nothing");
        }
        if (target.startsWith("/")) {
          cur.clear();
        }
        List<String> parts = split(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        continue;
      }
      if (!last) {
        if (n == null) {
          if (!create) {
            throw new Absent("'" + path + "': /" + p + " does not exist");
          }
          nodes.put(p, new Node(Kind.DIRECTORY, 0755, 0, 0, 0, null, null, -1));
        } else if (!n.isDirectory()) {
          if (!create) {
            throw new Absent("'" + path + "': /" + p + " is not a directory");
          }
          throw new ApplyError("'" + path + "': /" + p + " is not a directory");
        }
      }
      cur.add(c);
    }
    return String.join("/", cur);
  }

  private static String join(List<String> cur, String c) {
    return cur.isEmpty() ? c : String.join("/", cur) + "/" + c;
  }

  static List<String> split(String path) {
    List<String> out = new ArrayList<>();
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
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

  /** Counts of nodes by kind, for the summary. */
  Map<Kind, Integer> counts() {
    Map<Kind, Integer> m = new java.util.EnumMap<>(Kind.class);
    for (Node n : nodes.values()) {
      m.merge(n.kind(), 1, Integer::sum);
    }
    return m;
  }
}
