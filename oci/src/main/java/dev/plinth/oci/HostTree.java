package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The regular files of a directory tree on this machine, each with its stamp (what a layer's
 * cache key holds of it), read in one go: by GNU find, one process that lists and stats the whole
 * tree, where this machine has it; else by the JDK, which stats each file on its own (and the
 * layer key then reads the stamps). Both give the same files and, where find gave them, the same
 * stamps the JDK would read. Measured on the large bench app's classes directory (3,301 files)
 * in a fresh JVM: 45 against 120 ms on a busy two-core machine; its no-change build 391 to 371
 * ms (medians of 21 interleaved). A tree of at most {@link #SMALL} files is listed by the JDK.
 *
 * <p>Symlinks are not entered; one that leads to a regular file is listed (its stamp is then the
 * target's, read by the JDK when the key is made). The walk's order is the file system's: sort
 * what matters.
 */
public final class HostTree {
  /**
   * A regular file: its path; its path relative to the tree, with '/' between names (a backslash
   * too, as plinth always named such files); its stamp (null: not read yet).
   */
  public record File(Path path, String relative, LayerBuilder.Stamp stamp) {}

  /** The program that lists a tree: find on PATH. */
  static final String FIND = "find";

  /** Whether the JDK names files by their UTF-8 bytes, as find's output is read. */
  private static final boolean UTF8_NAMES =
      "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

  /** How long find may take before the JDK's walk is used instead. */
  private static final long FIND_SECONDS = 60;

  /**
   * Starts listing {@code dir}: find runs beside the caller, which takes its {@link
   * Listing#files} when it needs them.
   */
  public static Listing list(Path dir) throws IOException {
    return list(dir, RAW_MAX);
  }

  /** As {@link #list(Path)}, find's output kept whole up to {@code rawMax} bytes. */
  static Listing list(Path dir, int rawMax) throws IOException {
    // a small tree is listed by the JDK at once: starting find costs more than its few stats
    List<File> few = viaJdk(dir, SMALL);
    if (few != null) {
      return new Listing(dir, null, null, few, rawMax);
    }
    Path abs = dir.toAbsolutePath().normalize();
    return new Listing(dir, abs, start(abs, FIND), null, rawMax);
  }

  /**
   * Up to this many files, a tree is listed by the JDK: hello-api's 14 class files took 6 ms
   * longer through find, the large bench app's 3,301 files 20 ms less (no-change builds).
   */
  static final int SMALL = 256;

  /**
   * find's output is kept whole up to this size (some 100 bytes a file), to be named by its
   * digest ({@link Listing#identity}); a longer one is read as it comes.
   */
  static final int RAW_MAX = 16 << 20;

  /**
   * A listing under way; closing it stops find if its output was not taken.
   */
  public static final class Listing implements AutoCloseable {
    private final Path dir;
    private final Path abs;
    private final Process find;
    private List<File> listed;
    /** find's whole output, once read and find exited 0; null when it was not (or too long). */
    private byte[] raw;
    /** find's files, where its output was too long to keep whole and was read as it came. */
    private List<File> streamed;
    private boolean taken;
    /** Whether {@link #files} came from find's output, which listed no symlink. */
    private boolean plain;

    private final int rawMax;

    private Listing(Path dir, Path abs, Process find, List<File> listed, int rawMax) {
      this.rawMax = rawMax;
      this.dir = dir;
      this.abs = abs;
      this.find = find;
      this.listed = listed;
    }

    /** The files, once find is done (or the JDK's walk, when find could not list them). */
    public synchronized List<File> files() throws IOException {
      if (listed == null) {
        List<File> found = fromFind();
        listed = found != null ? found : viaJdk(dir, Integer.MAX_VALUE);
      }
      return listed;
    }

    /** find's files; null when find did not list the tree, or printed what is not expected. */
    private List<File> fromFind() throws IOException {
      take();
      if (streamed != null) {
        return streamed;
      }
      Parsed p = raw == null ? null : parse(new java.io.ByteArrayInputStream(raw), abs);
      plain = p != null && !p.links;
      return p == null ? null : p.files;
    }

    /**
     * A digest of find's whole output (every entry's type, size, times, device, inode and name)
     * and of how it is read, taken without reading a record: two listings with the same identity
     * list the same files with the same stamps, as {@link #files} would give them. Null when the
     * JDK lists the tree, or find failed. Named by it, what an earlier build made of a tree can
     * be taken again without listing it file by file, where that build's listing was {@link
     * #plain}.
     */
    public synchronized Digest identity() throws IOException {
      take();
      if (raw == null) {
        return null;
      }
      java.security.MessageDigest md = Digest.sha256();
      md.update(("plinth-host-tree-1 " + UTF8_NAMES + " " + abs.toString().length() + " " + abs
          + "\n").getBytes(StandardCharsets.UTF_8));
      md.update(raw);
      return Digest.of(md);
    }

    /**
     * Whether {@link #files} (called first) came from find's output, and that output listed no
     * symlink (whose target's stamp it does not hold): then {@link #identity} settles the files
     * and their stamps.
     */
    public synchronized boolean plain() {
      return plain;
    }

    /** Reads find's output whole (once); a longer one than {@link #RAW_MAX} is parsed here. */
    private void take() throws IOException {
      if (taken || find == null) {
        return;
      }
      taken = true;
      try (InputStream in = find.getInputStream()) {
        byte[] head = in.readNBytes(rawMax);
        if (head.length == rawMax) {
          Parsed p = parse(new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head),
              in), abs);
          streamed = p != null && exited(find) ? p.files : null;
          return;
        }
        raw = exited(find) ? head : null;
      } catch (IOException | RuntimeException e) {
        raw = null;
        streamed = null;
      } finally {
        find.destroy();
      }
    }

    @Override
    public void close() {
      if (find != null) {
        find.destroy();
      }
    }
  }

  /** Whether {@code p} exited 0 within {@link #FIND_SECONDS}. */
  private static boolean exited(Process p) {
    try {
      return p.waitFor(FIND_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * By the JDK: a stat per file for the walk, the stamps left to the layer key; null when there
   * are more than {@code limit} files (the walk stops there).
   */
  static List<File> viaJdk(Path dir, int limit) throws IOException {
    List<Path> files;
    // the walk's own attributes (one stat a file) say which are regular files; a symlink is
    // one when it leads to one
    try (Stream<Path> s = Files.find(dir, Integer.MAX_VALUE, (p, a) -> a.isRegularFile()
        || (a.isSymbolicLink() && Files.isRegularFile(p)))) {
      files = s.limit(limit == Integer.MAX_VALUE ? Long.MAX_VALUE : limit + 1L).toList();
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
    if (files.size() > limit) {
      return null;
    }
    // a walk's paths are dir's and more: the rest is the relative path (cheaper than relativize)
    String top = dir.toString();
    String prefix = top.isEmpty() || top.endsWith("/") ? top : top + "/";
    List<File> out = new ArrayList<>(files.size());
    for (Path f : files) {
      String whole = f.toString();
      String rel = whole.startsWith(prefix) ? whole.substring(prefix.length())
          : dir.relativize(f).toString();
      out.add(new File(f, slashed(rel), null));
    }
    return out;
  }

  /**
   * By GNU find: type, size, modification and change times, device, inode and relative path of
   * every entry, NUL after each (a name can hold anything else). Null when find is not there,
   * is not GNU's, fails, or prints anything this does not expect: then the JDK walks instead.
   */
  static List<File> viaFind(Path abs, String program) throws IOException {
    Process p = start(abs, program);
    if (p == null) {
      return null;
    }
    try (Listing l = new Listing(abs, abs, p, null, RAW_MAX)) {
      return l.fromFind(); // as a listing reads it, without the JDK's walk behind it
    }
  }

  /** find's records, and whether a symlink was among them. */
  record Parsed(List<File> files, boolean links) {}

  /** find started on {@code abs}; null where it cannot be. */
  private static Process start(Path abs, String program) {
    if (java.io.File.separatorChar != '/' || !abs.toString().startsWith("/")) {
      return null;
    }
    try {
      // an absolute path: never taken for an option; -P: symlinks are not followed
      return new ProcessBuilder(program, "-P", abs.toString(), "-mindepth", "1", "-printf",
          "%y %s %T@ %C@ %D %i %P\\0")
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .start();
    } catch (IOException | RuntimeException e) {
      return null; // no find here
    }
  }

  /** Reads find's records; null at the first one not in the expected form. */
  static Parsed parse(InputStream in, Path abs) throws IOException {
    List<File> out = new ArrayList<>();
    boolean[] links = new boolean[1];
    byte[] buf = new byte[65536];
    byte[] rec = new byte[4096];
    int len = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      for (int i = 0; i < n; i++) {
        byte b = buf[i];
        if (b != 0) {
          if (len == rec.length) {
            rec = java.util.Arrays.copyOf(rec, rec.length * 2);
          }
          rec[len++] = b;
          continue;
        }
        if (!record(rec, len, abs, out, links)) {
          return null;
        }
        len = 0;
      }
    }
    return len == 0 ? new Parsed(out, links[0]) : null;
  }

  /** One record "TYPE SIZE MTIME CTIME DEV INO PATH"; false when it is not in that form. */
  private static boolean record(byte[] r, int len, Path abs, List<File> out, boolean[] links) {
    if (len < 2 || r[1] != ' ') {
      return false;
    }
    byte type = r[0];
    long[] v = new long[5];
    int at = 2;
    for (int f = 0; f < 5; f++) {
      int end = at;
      while (end < len && r[end] != ' ') {
        end++;
      }
      if (end == len || end == at) {
        return false;
      }
      long n = f == 1 || f == 2 ? nanos(r, at, end) : digits(r, at, end);
      if (n < 0) {
        return false;
      }
      v[f] = n;
      at = end + 1;
    }
    if (at >= len) {
      return false;
    }
    for (int i = at; i < len && !UTF8_NAMES; i++) {
      if (r[i] < 0) {
        return false; // a name beyond ASCII, which this JDK does not read as UTF-8
      }
    }
    String rel = new String(r, at, len - at, StandardCharsets.UTF_8);
    if (rel.indexOf('\uFFFD') >= 0) {
      return false; // not UTF-8: the JDK names such files its own way
    }
    String name = slashed(rel); // as the JDK's walk names them (viaJdk)
    switch (type) {
      case 'f' -> out.add(new File(abs.resolve(rel), name,
          LayerBuilder.Stamp.unix(v[0], v[1], v[2], v[3], v[4])));
      case 'l' -> {
        links[0] = true;
        Path link = abs.resolve(rel);
        if (Files.isRegularFile(link)) {
          out.add(new File(link, name, null)); // the target's stamp, read by the key
        }
      }
      case 'd', 'p', 's', 'c', 'b', 'D' -> { }
      default -> {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code rel} with a backslash as '/', as plinth always named such files. indexOf first: its
   * loop is compiled early for everything, replace's only for this (17 ms of C2 for 3,000 class
   * files).
   */
  private static String slashed(String rel) {
    return rel.indexOf('\\') < 0 ? rel : rel.replace('\\', '/');
  }

  /** The decimal number in r[from, to); -1 when it is not one (or would overflow). */
  private static long digits(byte[] r, int from, int to) {
    if (to - from > 18) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      int d = r[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      n = n * 10 + d;
    }
    return n;
  }

  /** Seconds with a fraction ("1796585151.5203347720") as nanoseconds; -1 when not that. */
  private static long nanos(byte[] r, int from, int to) {
    int dot = from;
    while (dot < to && r[dot] != '.') {
      dot++;
    }
    long seconds = digits(r, from, dot);
    if (seconds < 0 || seconds > 9_000_000_000L) {
      return -1;
    }
    long fraction = 0;
    int places = 0;
    for (int i = dot + 1; i < to; i++) {
      int d = r[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      if (places < 9) {
        fraction = fraction * 10 + d;
        places++;
      }
    }
    // GNU find prints nanoseconds and more: fewer digits would be a coarser stamp than the JDK's
    return places < 9 ? -1 : seconds * 1_000_000_000L + fraction;
  }

  private HostTree() {}
}
