package dev.plinth.oci;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The flattened filesystem of an image: its layers ({@link LayerDiff}s) applied bottom first as a
 * runtime applies them, in memory, one node per path. Contents are not held: each regular file
 * carries what its layer's reader kept of it (a {@code T}: the audit's facts of it, where copyFrom
 * put its bytes) and which tar entry its bytes are in, to read them again.
 *
 * <p>Each layer's whiteouts and opaque directories apply first, to the layers below it only (the
 * OCI rule: a whiteout never hides an entry of its own layer, wherever the tar lists it); then its
 * entries in order, a later one replacing an earlier one, a non-directory replacing a whole tree,
 * a directory merging into one, missing parents made as directories. Hardlinks take what they link
 * to at that moment; one to nothing, to a directory or to itself is an error. An entry's parents
 * are resolved through symlinks, which must stay inside the root; its last component never is, so
 * writing "over" a symlink replaces the symlink.
 *
 * <p>The tree is a trie: an entry costs the length of its name, a whiteout of a tree of any size
 * one removal, and nothing recurses, so deep or wide trees take linear time and no stack.
 *
 * @param <T> what is kept of a file's content
 */
public final class Filesystem<T> {
  /** What a path is. */
  public enum Kind { FILE, DIRECTORY, SYMLINK, CHAR_DEVICE, BLOCK_DEVICE, FIFO }

  /**
   * What an image may hold before it is called hostile (a decompression bomb, a tar of a million
   * empty names): caps on memory and time, not on what real images hold.
   *
   * @param maxEntries tar entries in all the layers of one image
   * @param maxMetadataBytes names, link targets and kept file contents of one image, in bytes
   * @param maxLayerBytes the uncompressed size of one layer
   * @param maxPathLength the longest entry name or link target, in characters (Linux's PATH_MAX:
   *     a runtime cannot make a longer one)
   */
  public record Limits(long maxEntries, long maxMetadataBytes, long maxLayerBytes,
      int maxPathLength) {
    public static final Limits DEFAULT = new Limits(1 << 21, 256L << 20, 64L << 30, 4096);

    public Limits {
      if (maxEntries < 1 || maxMetadataBytes < 1 || maxLayerBytes < 1 || maxPathLength < 1) {
        throw new IllegalArgumentException("limits out of range");
      }
    }
  }

  /** Linux gives up after 40 links in one lookup (MAXSYMLINKS). */
  public static final int MAX_LINKS = 40;

  /**
   * One path. {@code layer} is the index of the layer that last wrote it, -1 for a directory no
   * entry named (made because a layer put something inside it). A file's bytes are in entry
   * {@code dataOrdinal} of layer {@code dataLayer} (its target's, for a hardlink).
   */
  public static final class Node<T> {
    private final String name;
    private Node<T> parent;
    private Map<String, Node<T>> children;
    private Kind kind;
    private int mode;
    private long uid;
    private long gid;
    private long size;
    private String link;
    private T content;
    private int layer;
    private int dataLayer = -1;
    private int dataOrdinal = -1;

    private Node(String name, Kind kind, int mode, long uid, long gid, long size, String link,
        T content, int layer) {
      this.name = name;
      this.kind = kind;
      this.mode = mode;
      this.uid = uid;
      this.gid = gid;
      this.size = size;
      this.link = link;
      this.content = content;
      this.layer = layer;
    }

    public Kind kind() {
      return kind;
    }

    public int mode() {
      return mode;
    }

    public long uid() {
      return uid;
    }

    public long gid() {
      return gid;
    }

    public long size() {
      return size;
    }

    /** A symlink's target as written; else null. */
    public String link() {
      return link;
    }

    /** What the layer's reader kept of a file's content; null for none. */
    public T content() {
      return content;
    }

    public int layer() {
      return layer;
    }

    public int dataLayer() {
      return dataLayer;
    }

    public int dataOrdinal() {
      return dataOrdinal;
    }

    public boolean isDirectory() {
      return kind == Kind.DIRECTORY;
    }

    public boolean isFile() {
      return kind == Kind.FILE;
    }

    /** Its path relative to the root, "" for the root. */
    public String path() {
      if (parent == null) {
        return "";
      }
      List<String> names = new ArrayList<>();
      for (Node<T> n = this; n.parent != null; n = n.parent) {
        names.add(n.name);
      }
      StringBuilder sb = new StringBuilder();
      for (int i = names.size() - 1; i >= 0; i--) {
        sb.append(names.get(i)).append(i == 0 ? "" : "/");
      }
      return sb.toString();
    }

    private Node<T> child(String n) {
      return children == null ? null : children.get(n);
    }

    private void attach(Node<T> c) {
      if (children == null) {
        children = new HashMap<>(4);
      }
      c.parent = this;
      children.put(c.name, c);
    }

    private void takeAttributes(Node<T> from) {
      kind = from.kind;
      mode = from.mode;
      uid = from.uid;
      gid = from.gid;
      size = from.size;
      link = from.link;
      content = from.content;
      layer = from.layer;
      dataLayer = from.dataLayer;
      dataOrdinal = from.dataOrdinal;
    }
  }

  /** A layer that cannot be applied: names the path and why. */
  private static class ApplyError extends Exception {
    private static final long serialVersionUID = 1L;

    ApplyError(String message) {
      super(message);
    }
  }

  /** A path whose parent does not exist or is not a directory. */
  private static final class Absent extends ApplyError {
    private static final long serialVersionUID = 1L;

    Absent(String message) {
      super(message);
    }
  }

  /** Where a walk ended: child {@code name} of {@code dir}, or {@code dir} itself (name null). */
  private record Place<T>(Node<T> dir, String name, boolean throughLink) {
    Node<T> node() {
      return name == null ? dir : dir.child(name);
    }

    String path() {
      String d = dir.path();
      return name == null ? d : d.isEmpty() ? name : d + "/" + name;
    }
  }

  private final String what;
  private final Limits limits;
  private final Node<T> root = new Node<>("", Kind.DIRECTORY, 0755, 0, 0, 0, null, null, -1);
  private long entries;
  private long metadata;

  /** @param what names the image in messages, e.g. "oci-archive:app.tar (linux/amd64)" */
  public Filesystem(String what, Limits limits) {
    this.what = what;
    this.limits = limits;
  }

  /**
   * Applies one layer; findings about its entries (one written through a symlink) are added to
   * {@code notes}.
   *
   * @param index the layer's position, bottom 0
   * @param layerWhat names the layer in messages
   */
  public void apply(LayerDiff<T> layer, int index, String layerWhat, List<LayerDiff.Note> notes)
      throws PlinthException {
    entries += layer.entries().size() + layer.whiteouts().size() + layer.opaqueDirs().size();
    metadata += layer.metadataBytes();
    if (entries > limits.maxEntries()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has more than "
          + limits.maxEntries() + " entries in its layers");
    }
    if (metadata > limits.maxMetadataBytes()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has more than "
          + limits.maxMetadataBytes() + " bytes of names and metadata in its layers");
    }
    try {
      for (String dir : layer.opaqueDirs()) {
        Place<T> p = lookupForApply(dir);
        Node<T> n = p == null ? null : p.node();
        if (n != null && n.isDirectory()) {
          n.children = null;
        }
      }
      for (String path : layer.whiteouts()) {
        Place<T> p = lookupForApply(path);
        if (p != null && p.name() != null && p.dir().children != null) {
          p.dir().children.remove(p.name());
        }
      }
    } catch (ApplyError e) {
      throw bad(layerWhat, "a whiteout", e);
    }
    for (LayerDiff.Entry<T> e : layer.entries()) {
      Place<T> at;
      try {
        at = walk(e.path(), false, true, true);
      } catch (ApplyError err) {
        throw bad(layerWhat, "'" + e.path() + "'", err);
      }
      if (at.throughLink()) {
        String real = at.path();
        if (!real.equals(e.path())) {
          notes.add(new LayerDiff.Note(LayerDiff.NoteKind.THROUGH_SYMLINK, e.path(),
              "written through a symbolic link (it lands at /" + real + "); tools that extract"
                  + " layers differ on this"));
        }
      }
      if (at.name() == null) {
        if (e.kind() != Kind.DIRECTORY || e.hardlinkTo() != null) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the entry '"
              + e.path() + "' would replace the image root");
        }
        root.takeAttributes(new Node<>("", e.kind(), e.mode(), e.uid(), e.gid(), 0, null, null,
            index));
        continue;
      }
      Node<T> node;
      if (e.hardlinkTo() != null) {
        node = hardlink(e, at, index, layerWhat);
      } else {
        node = new Node<>(at.name(), e.kind(), e.mode(), e.uid(), e.gid(), e.size(), e.link(),
            e.content(), index);
        if (e.kind() == Kind.FILE) {
          node.dataLayer = index;
          node.dataOrdinal = e.ordinal();
        }
      }
      put(at, node);
    }
  }

  private Node<T> hardlink(LayerDiff.Entry<T> e, Place<T> at, int index, String layerWhat)
      throws PlinthException {
    Place<T> to;
    try {
      to = walk(e.hardlinkTo(), false, true, false);
    } catch (ApplyError err) {
      throw bad(layerWhat, "the hardlink '" + e.path() + "'", err);
    }
    if (to.dir() == at.dir() && to.name() != null && to.name().equals(at.name())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the hardlink '"
          + e.path() + "' links to itself");
    }
    Node<T> target = to.node();
    if (target == null) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the hardlink '"
          + e.path() + "' links to '" + e.hardlinkTo() + "', which does not exist");
    }
    if (target.isDirectory()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the hardlink '"
          + e.path() + "' links to the directory '" + e.hardlinkTo() + "'");
    }
    Node<T> node = new Node<>(at.name(), target.kind, target.mode, target.uid, target.gid,
        target.size, target.link, target.content, index);
    node.dataLayer = target.dataLayer;
    node.dataOrdinal = target.dataOrdinal;
    return node;
  }

  /** Puts a node at a placed path: over a directory a directory merges, else it replaces. */
  private void put(Place<T> at, Node<T> node) {
    Node<T> old = at.node();
    if (old != null && old.isDirectory() && node.isDirectory()) {
      old.takeAttributes(node);
    } else {
      at.dir().attach(node);
    }
  }

  private PlinthException bad(String layerWhat, String subject, ApplyError e) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": " + subject
        + " cannot be applied: " + e.getMessage());
  }

  // ---- queries ----

  public Node<T> root() {
    return root;
  }

  /** The node at exactly {@code path} (relative or absolute, no link followed), or null. */
  public Node<T> get(String path) {
    Node<T> n = root;
    for (String c : components(path)) {
      if (c.equals(".")) {
        continue;
      }
      n = c.equals("..") ? null : n.child(c);
      if (n == null) {
        return null;
      }
    }
    return n;
  }

  /**
   * Where {@code path} leads inside the container, following links as the kernel would with the
   * image as root; null when it does not exist (or a link loops or dangles on the way).
   *
   * @param path absolute ("/etc/passwd") or relative to the root
   * @param followLast whether a link at the last component is followed too
   */
  public String lookup(String path, boolean followLast) {
    Place<T> p = find(path, followLast);
    return p == null ? null : p.path();
  }

  /** The node {@code path} leads to, following every link; null when it does not exist. */
  public Node<T> resolve(String path) {
    Place<T> p = find(path, true);
    return p == null ? null : p.node();
  }

  private Place<T> find(String path, boolean followLast) {
    try {
      Place<T> p = walk(path, followLast, false, false);
      return p.node() == null ? null : p;
    } catch (ApplyError e) {
      return null;
    }
  }

  /**
   * {@code path} (no link followed) and every path below it, sorted as strings; empty when it
   * does not exist. "" is the whole tree, the root included.
   */
  public SortedMap<String, Node<T>> tree(String path) {
    SortedMap<String, Node<T>> out = new TreeMap<>();
    Node<T> top = get(path);
    if (top == null) {
      return out;
    }
    Deque<Map.Entry<String, Node<T>>> todo = new ArrayDeque<>();
    todo.push(Map.entry(top.path(), top));
    while (!todo.isEmpty()) {
      Map.Entry<String, Node<T>> e = todo.pop();
      out.put(e.getKey(), e.getValue());
      if (e.getValue().children != null) {
        String prefix = e.getKey().isEmpty() ? "" : e.getKey() + "/";
        for (Node<T> c : e.getValue().children.values()) {
          todo.push(Map.entry(prefix + c.name, c));
        }
      }
    }
    return out;
  }

  // ---- walking ----

  /** Where a whiteout applies, its parents resolved as an entry's; null when one is missing. */
  private Place<T> lookupForApply(String path) throws ApplyError {
    try {
      return walk(path, false, true, false);
    } catch (Absent e) {
      return null;
    }
  }

  /**
   * Walks {@code path} from the root, one component at a time.
   *
   * @param strict a link that climbs out of the root is an error (a layer being applied), not
   *     stopped at the root (a lookup inside the container)
   * @param create missing parents are made as directories (as a runtime's MkdirAll does)
   */
  private Place<T> walk(String path, boolean followLast, boolean strict, boolean create)
      throws ApplyError {
    Deque<String> todo = new ArrayDeque<>(components(path));
    Node<T> cur = root;
    int links = 0;
    boolean linked = false;
    while (!todo.isEmpty()) {
      String c = todo.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (cur.parent != null) {
          cur = cur.parent;
        } else if (strict) {
          throw new ApplyError("'" + path + "' leads out of the image root through a symbolic"
              + " link");
        }
        continue;
      }
      Node<T> n = cur.child(c);
      boolean last = todo.isEmpty();
      if (n != null && n.kind == Kind.SYMLINK && (!last || followLast)) {
        if (++links > MAX_LINKS) {
          throw new ApplyError("'" + path + "' goes through more than " + MAX_LINKS
              + " symbolic links (a loop?)");
        }
        String target = n.link == null ? "" : n.link;
        if (target.isEmpty()) {
          throw new ApplyError("'" + path + "' goes through /" + n.path() + ", a link to nothing");
        }
        if (target.startsWith("/")) {
          cur = root;
        }
        List<String> parts = components(target);
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        linked = true;
        continue;
      }
      if (last) {
        return new Place<>(cur, c, linked);
      }
      if (n == null) {
        if (!create) {
          throw new Absent("'" + path + "': /" + join(cur, c) + " does not exist");
        }
        n = new Node<>(c, Kind.DIRECTORY, 0755, 0, 0, 0, null, null, -1);
        cur.attach(n);
      } else if (!n.isDirectory()) {
        String message = "'" + path + "': /" + join(cur, c) + " is not a directory";
        throw create ? new ApplyError(message) : new Absent(message);
      }
      cur = n;
    }
    return new Place<>(cur, null, linked);
  }

  private static String join(Node<?> dir, String name) {
    String d = dir.path();
    return d.isEmpty() ? name : d + "/" + name;
  }

  /** The non-empty components of a path, in order. */
  static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= path.length(); i++) {
      if (i == path.length() || path.charAt(i) == '/') {
        if (i > start) {
          out.add(path.substring(start, i));
        }
        start = i + 1;
      }
    }
    return out;
  }
}
