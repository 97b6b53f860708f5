package dev.plinth.oci;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Collects files, directories and symlinks with explicit owners and modes and writes them as a
 * reproducible gzip layer: entries sorted by path, missing parents emitted as root-owned 0755
 * directories, every mtime pinned, and both digests computed in the one pass that writes it.
 */
public final class LayerBuilder {
  /**
   * One entry. A file's content is {@code bytes}, or {@code source}: the whole file when {@code
   * length} is -1, else the {@code length} bytes at {@code offset}.
   */
  private record Spec(TarEntry.Type type, int mode, long uid, long gid, byte[] bytes, Path source,
      long offset, long length, String link, Stamp stamp) {
    Spec(TarEntry.Type type, int mode, long uid, long gid, byte[] bytes, Path source,
        String link) {
      this(type, mode, uid, gid, bytes, source, 0, -1, link, null);
    }

    long sourceSize() throws IOException {
      return length >= 0 ? length : Files.size(source);
    }
  }

  private final Map<String, Spec> entries = new TreeMap<>();

  /**
   * Adds a deferred builder's entries when they are first needed ({@link #deferred}); null once
   * added, or for a builder made the usual way.
   */
  private volatile Filler filler;
  /** A deferred builder's entries key and content bytes, as {@link #deferred} was given them. */
  private Digest deferredKey;
  private long deferredBytes;
  /** The entries key the last {@link #build(Path, long, Compression, LayerCache)} settled. */
  private volatile Digest entriesKey;

  /** Adds a deferred builder's entries ({@link #deferred}). */
  public interface Filler {
    void fill(LayerBuilder into) throws IOException;
  }

  /**
   * A builder whose entries are known by their {@link #entriesKey} and content bytes alone, from
   * what an earlier build recorded: {@link #build(Path, long, Compression, LayerCache)} takes the
   * layer from the cache by that key without adding an entry; anything else (a layer not in the
   * cache, or stored with a content check, a build without a cache, a question about the
   * entries) first has {@code filler} add them. The caller vouches that {@code filler} adds
   * entries whose key is {@code key}: the same inputs, each with the same stamp, as the build
   * that recorded it.
   */
  public static LayerBuilder deferred(Digest key, long contentBytes, Filler filler) {
    LayerBuilder b = new LayerBuilder();
    b.deferredKey = java.util.Objects.requireNonNull(key);
    b.deferredBytes = contentBytes;
    b.filler = java.util.Objects.requireNonNull(filler);
    return b;
  }

  /** Whether this is a {@link #deferred} builder whose entries were not added (yet). */
  public boolean isDeferred() {
    return filler != null;
  }

  /**
   * The key of the entries alone (what the layer is made of, without its time or compression),
   * as the last build with a cache made it; null when none did, or when a file in it had changed
   * too recently for its stamp to settle its content (see {@link #build(Path, long, Compression,
   * LayerCache)}): only then may a later build name these entries by it ({@link #deferred}).
   */
  public Digest entriesKey() {
    return entriesKey;
  }

  /** Adds a deferred builder's entries, once; an I/O error on the way as unchecked. */
  private void fill() {
    try {
      filled();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Adds a deferred builder's entries, once. */
  private void filled() throws IOException {
    if (filler == null) {
      return;
    }
    synchronized (this) {
      Filler f = filler;
      if (f != null) {
        filler = null; // its own puts add as usual
        f.fill(this);
      }
    }
  }

  /**
   * Reads a layer's uncompressed tar while it is written, on a thread of its own beside the
   * compression (a layer taken from a cache is not written, and not read). Advisory: whatever a
   * tap does or fails to do, the layer is written as without it.
   */
  public interface Tap {
    /**
     * Reads {@code tar} (it may stop early: the rest is discarded) and returns what to do with
     * the layer those bytes make, once it is written; the stream fails if the write does.
     */
    Written read(InputStream tar) throws IOException, PlinthException;

    /** What a tap does with the layer it read, once written (not called if the write failed). */
    interface Written {
      void written(Layer layer) throws IOException, PlinthException;
    }
  }

  private volatile Tap tap;
  private volatile String tapName = "layer";

  /**
   * Has {@code tap} read the tar of every layer this builder writes from now on (null: none).
   *
   * @param what names the layer in the tap thread's name
   */
  public LayerBuilder tap(Tap tap, String what) {
    this.tap = tap;
    this.tapName = what;
    return this;
  }

  /**
   * The content bytes the last cache key found (the sizes its stamps read), -1 when the entries
   * changed since or no key was made: {@link #contentBytes()} need not read each file's size
   * again.
   */
  private volatile long keyedBytes = -1;

  /**
   * One entry as it was added, to store what a layer is made of and make it again: a file's
   * content is {@code bytes} or {@code source} (its {@code length} bytes at {@code offset}, or
   * all of it when {@code length} is -1); {@code link} is a symlink's target.
   */
  public record Entry(String path, TarEntry.Type type, int mode, long uid, long gid, byte[] bytes,
      Path source, long offset, long length, String link) {
    /** A file's content: its bytes, or its source's (slice). */
    public InputStream open() throws IOException {
      if (bytes != null) {
        return new ByteArrayInputStream(bytes);
      }
      if (length < 0) {
        return Files.newInputStream(source);
      }
      FileChannel ch = FileChannel.open(source);
      ch.position(offset);
      return LimitedInputStream.cut(Channels.newInputStream(ch), length);
    }
  }

  /** The entries added, by path (without the parents the layer adds). */
  public List<Entry> entries() {
    fill();
    List<Entry> out = new ArrayList<>();
    entries.forEach((path, s) -> out.add(new Entry(path, s.type, s.mode, s.uid, s.gid,
        s.bytes == null ? null : s.bytes.clone(), s.source, s.offset, s.length, s.link)));
    return out;
  }

  public LayerBuilder directory(String path, int mode, long uid, long gid) {
    return put(path, new Spec(TarEntry.Type.DIRECTORY, mode, uid, gid, null, null, null));
  }

  public LayerBuilder file(String path, byte[] content, int mode, long uid, long gid) {
    return put(path, new Spec(TarEntry.Type.FILE, mode, uid, gid, content.clone(), null, null));
  }

  /** A file whose content is read from {@code source} when the layer is built. */
  public LayerBuilder file(String path, Path source, int mode, long uid, long gid) {
    return put(path, new Spec(TarEntry.Type.FILE, mode, uid, gid, null, source, null));
  }

  /**
   * As {@link #file(String, Path, int, long, long)}, with {@code source}'s stamp as read just
   * now ({@link HostTree} reads a directory's in one go): the cache key takes it instead of
   * reading the file's attributes again. It must be {@code source}'s own, read before its
   * content is (then a change in between only costs a rebuild next time); null: read when the
   * key is made, as the method without it does.
   */
  public LayerBuilder file(String path, Path source, Stamp stamp, int mode, long uid, long gid) {
    return put(path, new Spec(TarEntry.Type.FILE, mode, uid, gid, null, source, 0, -1, null,
        stamp));
  }

  /**
   * A file whose content is the {@code size} bytes at {@code offset} of {@code source}, read when
   * the layer is built (many files spilled into one).
   */
  public LayerBuilder file(String path, Path source, long offset, long size, int mode, long uid,
      long gid) {
    if (offset < 0 || size < 0) {
      throw new IllegalArgumentException(path + ": offset " + offset + ", size " + size);
    }
    return put(path, new Spec(TarEntry.Type.FILE, mode, uid, gid, null, source, offset, size,
        null, null));
  }

  public LayerBuilder symlink(String path, String target, long uid, long gid) {
    return put(path, new Spec(TarEntry.Type.SYMLINK, 0777, uid, gid, null, null, target));
  }

  /**
   * The bytes of file content the layer will hold (what the files weigh, before tar and gzip);
   * after a build from the cache, the sizes it read (ask then, not before, to read them once).
   */
  public long contentBytes() throws IOException {
    long keyed = keyedBytes;
    if (keyed >= 0) {
      return keyed;
    }
    if (filler != null) {
      return deferredBytes;
    }
    long n = 0;
    for (Spec s : entries.values()) {
      if (s.bytes != null) {
        n += s.bytes.length;
      } else if (s.source != null) {
        n += s.sourceSize();
      }
    }
    return n;
  }

  public boolean isEmpty() {
    return filler == null && entries.isEmpty();
  }

  /** Whether an entry was added at this path (normalized as {@link ImagePath#normalize}). */
  public boolean contains(String path) {
    fill();
    return entries.containsKey(ImagePath.normalize(path));
  }

  /** Takes the entry at {@code path} out again (a source replaced by its compiled form). */
  public LayerBuilder remove(String path) {
    fill();
    entries.remove(ImagePath.normalize(path));
    keyedBytes = -1;
    return this;
  }

  private LayerBuilder put(String path, Spec spec) {
    if (filler != null) {
      fill(); // (a filler's own puts find it null)
    }
    if (spec.uid < 0 || spec.gid < 0) {
      throw new IllegalArgumentException(path + ": negative uid or gid");
    }
    if ((spec.mode & ~07777) != 0) {
      throw new IllegalArgumentException(path + ": mode " + Integer.toOctalString(spec.mode));
    }
    entries.put(ImagePath.normalize(path), spec);
    keyedBytes = -1;
    return this;
  }

  /**
   * Bump when the bytes written for the same entries change (tar format, compression), so that
   * layers cached by an older plinth are not taken for this one's. Every other cache key of a
   * built layer (a linked runtime, an AOT cache) holds it too.
   */
  public static final String FORMAT = "plinth-layer-4";

  /**
   * As {@link #build(Path, long, int)}, but a layer built before from the same entries comes from
   * {@code cache} instead, with nothing read or compressed. The key is what the layer is made of:
   * every entry's path, type, mode, owner and link, inline content by its hash, and each source
   * file by its path, size, modification and change times and inode (as Jib keys its layers), so
   * any change to a file changes the key. A layer not in the cache is built straight into it.
   * Null {@code cache}: always build.
   *
   * <p>A file changed in the last few seconds may change again within the file system's clock
   * tick and keep all of those attributes (git calls it "racily clean"). The content hash of such
   * files is stored with the entry, and a hit on it hashes them again and must match.
   */
  public Layer build(Path dir, long mtime, int level, LayerCache cache) throws IOException {
    return build(dir, mtime, Compression.gzip(level), cache);
  }

  /**
   * As {@link #build(Path, long, int, LayerCache)}, compressed as {@code level} says (gzip or
   * zstd); the compression is part of the cache key.
   */
  public Layer build(Path dir, long mtime, Compression level, LayerCache cache)
      throws IOException {
    if (cache == null) {
      return build(dir, mtime, level);
    }
    if (filler != null) {
      // entries stored with a content check need them: only a plain entry is taken as it is
      java.util.Optional<Layer> hit = cache.get(layerKey(mtime, level, deferredKey),
          String::isEmpty);
      if (hit.isPresent()) {
        keyedBytes = deferredBytes;
        entriesKey = deferredKey;
        return hit.get();
      }
    }
    Map<String, Spec> all = withParents();
    List<Spec> specs = new ArrayList<>(all.values());
    List<Integer> racy = new ArrayList<>();
    long[] bytes = new long[1];
    Digest made = entriesKey(all, racy, bytes);
    String key = layerKey(mtime, level, made);
    keyedBytes = bytes[0];
    entriesKey = racy.isEmpty() ? made : null;
    String[] found = new String[1];
    java.util.Optional<Layer> hit = cache.get(key, check -> {
      found[0] = check;
      return matches(check, specs);
    });
    if (hit.isPresent()) {
      if (!found[0].isEmpty() && racy.isEmpty()) {
        // The files checked by content have settled since: from now on their attributes, which
        // the key holds, suffice, and a hit need not read them.
        cache.recheck(key, hit.get(), "");
      }
      return hit.get();
    }
    // The content hash of racy files is taken from the bytes that go into the layer.
    Map<String, MessageDigest> hashes = new java.util.HashMap<>();
    List<String> paths = new ArrayList<>(all.keySet());
    for (int i : racy) {
      hashes.put(paths.get(i), Digest.sha256());
    }
    Path staging = cache.staging();
    Cleanup.register(staging);
    try {
      Layer built = write(all, staging, mtime, level, hashes);
      String check = "";
      if (!racy.isEmpty()) {
        List<Digest> digests = new ArrayList<>();
        for (int i : racy) {
          digests.add(Digest.of(hashes.get(paths.get(i))));
        }
        check = check(racy, digests);
      }
      return cache.adopt(key, built, staging, check);
    } finally {
      Cleanup.deleteTree(staging);
      Cleanup.unregister(staging);
    }
  }

  /** "racy HASH I,J,...": one hash of the content hashes of the entries at those indices. */
  private static String check(List<Integer> indices, List<Digest> contents) {
    MessageDigest md = Digest.sha256();
    StringBuilder list = new StringBuilder();
    for (int k = 0; k < indices.size(); k++) {
      md.update(contents.get(k).hex().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      list.append(k == 0 ? "" : ",").append(indices.get(k));
    }
    return "racy " + Digest.of(md).hex() + " " + list;
  }

  /** Whether an entry's check still holds: none, or its files' content is what the layer has. */
  private static boolean matches(String check, List<Spec> specs) {
    if (check.isEmpty()) {
      return true;
    }
    String[] f = check.split(" ");
    try {
      if (f.length != 3 || !f[0].equals("racy")) {
        return false;
      }
      List<Integer> indices = new ArrayList<>();
      List<Digest> contents = new ArrayList<>();
      for (String i : f[2].split(",")) {
        int n = Integer.parseInt(i);
        if (n < 0 || n >= specs.size() || specs.get(n).source == null) {
          return false;
        }
        indices.add(n);
        contents.add(contentHash(specs.get(n)));
      }
      return check(indices, contents).equals(check);
    } catch (RuntimeException | IOException e) {
      return false;
    }
  }

  /**
   * The key of these entries (see {@link #build(Path, long, int, LayerCache)}); adds the
   * indices of source files changed too recently for their attributes to settle it to {@code
   * racy}, and the content bytes to {@code bytes[0]}.
   */
  private static Digest entriesKey(Map<String, Spec> all, List<Integer> racy, long[] bytes)
      throws IOException {
    KeyWriter k = new KeyWriter();
    long now = System.currentTimeMillis() * 1_000_000L;
    int index = 0;
    for (Map.Entry<String, Spec> e : all.entrySet()) {
      Spec s = e.getValue();
      k.text(e.getKey()).number(s.type.flag).number(s.mode).number(s.uid).number(s.gid);
      if (s.link != null) {
        k.number(1).text(s.link);
      } else if (s.bytes != null) {
        k.number(2).text(Digest.of(s.bytes).hex());
        bytes[0] += s.bytes.length;
      } else if (s.source != null) {
        k.number(3).text(s.source.toAbsolutePath().toString());
        Stamp stamp = s.stamp != null ? s.stamp : Stamp.of(s.source);
        stamp.writeTo(k);
        k.number(s.length >= 0 ? s.offset : -1).number(s.length);
        bytes[0] += s.length >= 0 ? s.length : stamp.size();
        if (now - stamp.ctime() < RACY_NANOS) {
          racy.add(index);
        }
      } else {
        k.number(0);
      }
      index++;
    }
    return k.digest();
  }

  /** A layer's cache key: its entries' key, its time and its compression. */
  private static String layerKey(long mtime, Compression level, Digest entries) {
    return "files-" + new KeyWriter().text(FORMAT).number(mtime).text(level.key())
        .text(entries.hex()).digest().hex();
  }

  /**
   * A layer key's bytes, fed to SHA-256 through one buffer: each field in a fixed form (a number
   * in 8 bytes, a text as its length and its UTF-8 bytes), so that two different lists of fields
   * never give the same bytes. Cheaper per file than a line of text for each: a key of 3,000
   * files is made before the JIT has compiled much of it.
   */
  private static final class KeyWriter {
    private final MessageDigest md = Digest.sha256();
    private final byte[] buf = new byte[16384];
    private int n;

    KeyWriter number(long v) {
      if (n + 8 > buf.length) {
        flush();
      }
      byte[] b = buf;
      int i = n;
      b[i] = (byte) (v >>> 56);
      b[i + 1] = (byte) (v >>> 48);
      b[i + 2] = (byte) (v >>> 40);
      b[i + 3] = (byte) (v >>> 32);
      b[i + 4] = (byte) (v >>> 24);
      b[i + 5] = (byte) (v >>> 16);
      b[i + 6] = (byte) (v >>> 8);
      b[i + 7] = (byte) v;
      n = i + 8;
      return this;
    }

    KeyWriter text(String s) {
      byte[] t = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      number(t.length);
      if (t.length > buf.length - n) {
        flush();
        if (t.length > buf.length) {
          md.update(t);
          return this;
        }
      }
      System.arraycopy(t, 0, buf, n, t.length);
      n += t.length;
      return this;
    }

    private void flush() {
      md.update(buf, 0, n);
      n = 0;
    }

    Digest digest() {
      flush();
      return Digest.of(md);
    }
  }

  /**
   * What changes whenever a file's content can have changed: its size, modification and change
   * times (nanoseconds), device and inode; where the file system has no unix view, its size,
   * modification time and file key ({@code unix} false, {@code ctime} then the modification
   * time, device and inode 0).
   */
  public record Stamp(boolean unix, long size, long mtime, long ctime, long dev, long ino,
      Object fileKey) {
    /** A unix file system's stamp: times in nanoseconds since 1970. */
    public static Stamp unix(long size, long mtime, long ctime, long dev, long ino) {
      return new Stamp(true, size, mtime, ctime, dev, ino, null);
    }

    /** {@code file}'s stamp, read now (its target's, for a symlink). */
    public static Stamp of(Path file) throws IOException {
      try {
        Map<String, Object> a =
            Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,dev,ino");
        return new Stamp(true, (Long) a.get("size"),
            ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
            ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS), (Long) a.get("dev"),
            (Long) a.get("ino"), null);
      } catch (UnsupportedOperationException | IllegalArgumentException e) {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long mtime = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        return new Stamp(false, a.size(), mtime, mtime, 0, 0, a.fileKey());
      }
    }

    /** Its fields in a layer key. */
    void writeTo(KeyWriter k) {
      if (unix) {
        k.number(1).number(size).number(mtime).number(ctime).number(dev).number(ino);
      } else {
        k.number(2).number(size).number(mtime).text(String.valueOf(fileKey));
      }
    }

    /** As text, for {@link #fileStamp}. */
    String text() {
      return unix ? size + " " + mtime + " " + ctime + " " + dev + " " + ino
          : size + " " + mtime + " " + fileKey;
    }
  }

  /**
   * What changes whenever {@code file}'s content can have changed: its size, modification and
   * change times, device and inode (what the layer cache keys source files by), for other caches
   * of what is read from a file.
   */
  public static String fileStamp(Path file) throws IOException {
    return Stamp.of(file).text();
  }

  private static Digest contentHash(Spec s) throws IOException {
    MessageDigest md = Digest.sha256();
    try (InputStream in = open(s)) {
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.of(md);
  }

  /** How recently changed a file must be for its attributes not to settle that it is unchanged. */
  private static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(3);

  /**
   * Writes the layer into {@code dir} (a file named by its digest) and returns it.
   *
   * @param mtime seconds since the epoch for every entry (SOURCE_DATE_EPOCH)
   * @param level gzip level, 0-9
   */
  public Layer build(Path dir, long mtime, int level) throws IOException {
    return build(dir, mtime, Compression.gzip(level));
  }

  /** As {@link #build(Path, long, int)}, compressed as {@code level} says (gzip or zstd). */
  public Layer build(Path dir, long mtime, Compression level) throws IOException {
    return write(withParents(), dir, mtime, level, Map.of());
  }

  /**
   * Threads per big layer: every core, up to 8 (16 slots of about 0.6 MB each, so a many-core
   * machine building several big layers at once does not grow a large heap).
   */
  static final int GZIP_THREADS =
      Math.min(8, Runtime.getRuntime().availableProcessors());

  /**
   * Tar, gzip and both digests in one pass. A big layer is compressed on every core ({@link
   * ParallelGzipOutputStream}), with the deflated entries of the zip files in it stored rather than
   * compressed again ({@link ZipRanges}); whether a layer is big depends on its content only, so
   * the same entries give the same bytes on any machine.
   */
  private Layer write(Map<String, Spec> all, Path dir, long mtime, Compression compression,
      Map<String, MessageDigest> hashes) throws IOException {
    Files.createDirectories(dir);
    int level = compression.level();
    boolean big = !compression.isZstd() && contentBytes() >= ParallelGzipOutputStream.THRESHOLD;
    Path tmp = Files.createTempFile(dir, ".layer-", ".tmp");
    TarTap tapped = tap == null ? null : new TarTap(tap, tapName);
    boolean done = false;
    try {
      MessageDigest compressedSha = Digest.sha256();
      MessageDigest tarSha = Digest.sha256();
      IoStreams.Counting compressedCount;
      IoStreams.Counting tarCount;
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 65536)) {
        compressedCount = new IoStreams.Counting(new DigestOutputStream(file, compressedSha));
        OutputStream unclosed = new java.io.FilterOutputStream(compressedCount) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() {
            // the file is closed by its own try
          }
        };
        ParallelGzipOutputStream parallel =
            big ? new ParallelGzipOutputStream(unclosed, level, GZIP_THREADS) : null;
        try (OutputStream gz = compression.isZstd()
            ? new ParallelZstdOutputStream(unclosed, compression.level(), GZIP_THREADS)
            : big ? parallel : new LeveledGzip(unclosed, level)) {
          // Straight through to gz, so that parallel.setStored applies to the bytes written next.
          tarCount = new IoStreams.Counting(new DigestOutputStream(gz, tarSha));
          // the tap gets each write after the compressor, unbuffered, so setStored still applies
          OutputStream tarOut = tapped == null ? tarCount : tapped.tee(tarCount);
          try (TarWriter tar = new TarWriter(tarOut)) {
            for (Map.Entry<String, Spec> e : all.entrySet()) {
              writeEntry(tar, e.getKey(), e.getValue(), mtime, hashes.get(e.getKey()), parallel);
            }
          }
          tarCount.flush();
          if (tapped != null) {
            tapped.output.close();
          }
        }
        compressedCount.flush();
      }
      Digest digest = Digest.of(compressedSha);
      Digest diffId = Digest.of(tarSha);
      Path blobFile = dir.resolve(digest.hex() + ".tar.gz");
      // rename(2): two platforms that build the same layer replace it atomically, never leaving
      // a moment without the file (REPLACE_EXISTING deletes it first), while the other reads it
      Files.move(tmp, blobFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Blob blob =
          Blob.ofFile(
              new Descriptor(compression.mediaType(), digest, compressedCount.count), blobFile);
      Layer layer = new Layer.Value(blob, diffId, OptionalLong.of(tarCount.count));
      done = true;
      if (tapped != null) {
        tapped.written(layer);
      }
      return layer;
    } finally {
      if (tapped != null && !done) {
        tapped.abort();
      }
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * The entries and every missing parent directory (root-owned, 0755). Paths come in order, a
   * parent before what is inside it, so the climb stops at the first parent already there: its
   * own parents are in too.
   */
  private Map<String, Spec> withParents() throws IOException {
    filled();
    Map<String, Spec> all = new TreeMap<>(entries);
    // in path order most entries share the last one's parent, already found a directory
    String checked = null;
    for (String path : entries.keySet()) {
      String first = ImagePath.parent(path);
      if (first != null && first.equals(checked)) {
        continue;
      }
      checked = first;
      for (String p = first; p != null; p = ImagePath.parent(p)) {
        Spec parent = all.get(p);
        if (parent == null) {
          all.put(p, new Spec(TarEntry.Type.DIRECTORY, 0755, 0, 0, null, null, null));
        } else if (parent.type != TarEntry.Type.DIRECTORY) {
          throw new IllegalArgumentException(
              "/" + path + " is inside /" + p + ", which is not a directory");
        } else {
          break;
        }
      }
    }
    return all;
  }

  /** A source file's content: the whole file or its slice. */
  private static InputStream open(Spec s) throws IOException {
    if (s.length < 0) {
      return Files.newInputStream(s.source);
    }
    FileChannel ch = FileChannel.open(s.source);
    ch.position(s.offset);
    return LimitedInputStream.cut(Channels.newInputStream(ch), s.length);
  }

  /**
   * Writes one entry; a file's content is also fed to {@code hash} when it is not null. With
   * {@code parallel}, the stream under {@code tar}, a zip file's deflated entries are stored.
   */
  private static void writeEntry(TarWriter tar, String path, Spec s, long mtime,
      MessageDigest hash, ParallelGzipOutputStream parallel) throws IOException {
    switch (s.type) {
      case DIRECTORY -> tar.write(
          new TarEntry(path + "/", s.type, s.mode, s.uid, s.gid, 0, null, mtime), null);
      case SYMLINK -> tar.write(
          new TarEntry(path, s.type, s.mode, s.uid, s.gid, 0, s.link, mtime), null);
      case FILE -> {
        if (s.bytes != null) {
          tar.write(
              new TarEntry(path, s.type, s.mode, s.uid, s.gid, s.bytes.length, null, mtime),
              new ByteArrayInputStream(s.bytes));
        } else {
          long size = s.sourceSize();
          try (FileChannel file = FileChannel.open(s.source)) {
            // Positional reads only: the content is still read from the start.
            long[] stored = parallel == null ? new long[0]
                : s.length < 0 ? ZipRanges.deflated(file) : ZipRanges.deflated(file, s.offset, size);
            InputStream in = Channels.newInputStream(file);
            if (s.length >= 0) {
              file.position(s.offset);
              in = LimitedInputStream.cut(in, size);
            }
            if (hash != null) {
              in = new java.security.DigestInputStream(in, hash);
            }
            TarEntry entry = new TarEntry(path, s.type, s.mode, s.uid, s.gid, size, null, mtime);
            if (stored.length == 0) {
              tar.write(entry, in);
            } else {
              in = new java.io.BufferedInputStream(in, 65536);
              writeStoring(tar, entry, in, stored, parallel, s.source);
            }
            if (in.read() >= 0) {
              throw new IOException(s.source + " grew while the layer was being written");
            }
          }
        }
      }
      default -> throw new IllegalStateException(s.type.toString());
    }
  }

  /**
   * Writes a file's entry with the {@code stored} ranges of its content stored; the content is
   * written whole, in order, whatever the ranges say.
   */
  private static void writeStoring(TarWriter tar, TarEntry entry, InputStream in, long[] stored,
      ParallelGzipOutputStream parallel, Path source) throws IOException {
    byte[] buf = new byte[65536];
    try (OutputStream body = tar.begin(entry)) {
      long at = 0;
      for (int i = 0; i < stored.length; i += 2) {
        long end = Math.min(stored[i + 1], entry.size());
        if (stored[i] < at || stored[i] >= end) {
          continue;
        }
        copy(in, body, stored[i] - at, buf, source);
        parallel.setStored(true);
        copy(in, body, end - stored[i], buf, source);
        parallel.setStored(false);
        at = end;
      }
      copy(in, body, entry.size() - at, buf, source);
    }
  }

  /** Copies exactly {@code n} bytes. */
  private static void copy(InputStream in, OutputStream out, long n, byte[] buf, Path source)
      throws IOException {
    while (n > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, n));
      if (r < 0) {
        throw new IOException(source + " shrank while the layer was being written");
      }
      out.write(buf, 0, r);
      n -= r;
    }
  }

  /** GZIPOutputStream with a chosen level; its header carries no time and no file name. */
  private static final class LeveledGzip extends GZIPOutputStream {
    LeveledGzip(OutputStream out, int level) throws IOException {
      super(out, 65536);
      def.setLevel(level < 0 ? Deflater.DEFAULT_COMPRESSION : level);
    }
  }
}
