package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Finished layers by a key: what was compressed once is not compressed again. The key names what
 * the layer is made of (e.g. its files' paths, sizes and times and the gzip level, or a hash of
 * everything a runtime is linked from). Blobs are stored by their own digest; a hit checks only
 * that the blob is there with its size. An entry also keeps the blob's stamp (size, modification
 * and change times, device, inode) from when its digest was computed, as it was written: a blob
 * that still has it is copied to an output by the kernel without being hashed again ({@link
 * Blob#trustedFile}), as git trusts a file whose stat data is unchanged. Any other blob checks its
 * digest while it is read (the one pass that copies it to the output): a damaged blob fails that
 * read, and its entry is removed, so it is never used and the next build makes it again. Entries
 * are written to a temp file and renamed, so concurrent builds are safe.
 */
public final class LayerCache {
  private static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._-]{0,200}");

  private final Path root;

  /** A cache in {@code root} (created on first write). */
  public LayerCache(Path root) {
    this.root = root.toAbsolutePath();
  }

  public Path root() {
    return root;
  }

  /** The layer stored under {@code key}, if it is there and intact. */
  public Optional<Layer> get(String key) throws IOException {
    return get(key, check -> check.isEmpty());
  }

  /**
   * As {@link #get(String)}, for an entry stored with a {@code check} line (see {@link
   * #adopt}): a hit only if {@code valid} accepts the entry's check ("" when it has none).
   */
  Optional<Layer> get(String key, java.util.function.Predicate<String> valid) throws IOException {
    Path entry = entry(key);
    String text;
    try {
      text = Files.readString(entry, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    int eol = text.indexOf('\n');
    String[] f = (eol < 0 ? text : text.substring(0, eol)).strip().split(" ");
    String check = eol < 0 ? "" : text.substring(eol + 1).strip();
    try {
      if (f.length != 5 && f.length != 6) {
        throw new IllegalArgumentException("fields");
      }
      Digest digest = Digest.parse(f[0]);
      long size = Long.parseLong(f[1]);
      Digest diffId = Digest.parse(f[2]);
      long tarSize = Long.parseLong(f[3]);
      String mediaType = f[4];
      Path blob = blob(digest);
      String now = stampOf(blob);
      if (now == null || !now.startsWith(size + " ")) {
        Files.deleteIfExists(entry);
        return Optional.empty();
      }
      if (!valid.test(check)) {
        return Optional.empty();
      }
      markUsed(entry);
      // the blob's stamp when it was stored: a blob that still has it need not be hashed again
      String stamp = f.length == 6 ? f[5].replace(',', ' ') : "";
      return Optional.of(new CachedLayer(new Cached(new Descriptor(mediaType, digest, size), blob,
          entry, stamp), diffId, tarSize < 0 ? OptionalLong.empty() : OptionalLong.of(tarSize)));
    } catch (IllegalArgumentException e) {
      Files.deleteIfExists(entry);
      return Optional.empty();
    }
  }

  /**
   * Stores {@code layer} under {@code key} and returns it as read from the cache. The layer's blob
   * is copied (its file stays where it was).
   */
  public Layer put(String key, Layer layer) throws IOException {
    Descriptor d = layer.blob().descriptor();
    Path blob = blob(d.digest());
    Files.createDirectories(blob.getParent());
    String stamp = ""; // a blob already there is trusted only once a read has checked it
    if (!Files.isRegularFile(blob) || Files.size(blob) != d.size()) {
      Path tmp = Files.createTempFile(blob.getParent(), ".blob-", ".tmp");
      try {
        Blob b = layer.blob();
        try (InputStream in = b.verifiesItself() ? b.open() : Blobs.verifying(d, b.open())) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        move(tmp, blob);
        stamp = stampOf(blob);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    return record(key, layer, "", stamp);
  }

  /**
   * A new directory in the cache (so on its file system) to build a layer in; the caller deletes
   * it.
   */
  Path staging() throws IOException {
    Path tmp = root.resolve("tmp");
    Files.createDirectories(tmp);
    return Files.createTempDirectory(tmp, "build-");
  }

  /**
   * Stores {@code layer}, just built into {@code staging} as {@code HEX.tar.gz} by {@link
   * LayerBuilder}, under {@code key}: its file is moved into the cache, not copied. {@code check}
   * (one line, or "") is stored with it for {@link #get(String, java.util.function.Predicate)}.
   */
  Layer adopt(String key, Layer layer, Path staging, String check) throws IOException {
    Descriptor d = layer.blob().descriptor();
    Path blob = blob(d.digest());
    Files.createDirectories(blob.getParent());
    move(staging.resolve(d.digest().hex() + ".tar.gz"), blob);
    // its digest was computed as it was written: trusted while it keeps this stamp
    return record(key, layer, check, stampOf(blob));
  }

  /** Rewrites the entry of {@code layer}, a hit on {@code key}, with another check line. */
  void recheck(String key, Layer layer, String check) throws IOException {
    record(key, layer, check,
        layer.blob() instanceof Cached c && c.trustedFile() != null ? c.stamp : "");
  }

  /**
   * The stamp of a blob file (what changes whenever its content can have changed: size, times,
   * device, inode; {@link LayerBuilder#fileStamp}), null when it is not a regular file.
   */
  private static String stampOf(Path blob) throws IOException {
    try {
      if (!Files.isRegularFile(blob, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        return null;
      }
      return LayerBuilder.fileStamp(blob);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * An entry's sixth field for {@code stamp}, with its leading space ("" for none, or for a stamp
   * that could not be read back: one with a comma or a newline): its spaces become commas, which
   * {@link #get(String, java.util.function.Predicate)} turns back.
   */
  private static String stampField(String stamp) {
    return stamp == null || stamp.isEmpty() || stamp.indexOf(',') >= 0
        || stamp.indexOf('\n') >= 0 ? "" : " " + stamp.replace(' ', ',');
  }

  /**
   * Puts {@code stamp} in an entry as its blob's; an entry that cannot be read or written is left
   * as it is (its blob is only hashed again on its next read).
   */
  private static void remember(Path entry, String stamp) {
    try {
      String text = Files.readString(entry, StandardCharsets.UTF_8);
      int eol = text.indexOf('\n');
      String[] f = eol < 0 ? new String[0] : text.substring(0, eol).strip().split(" ");
      String field = stampField(stamp);
      if ((f.length != 5 && f.length != 6) || field.isEmpty()) {
        return;
      }
      Path tmp = Files.createTempFile(entry.getParent(), ".entry-", ".tmp");
      try {
        Files.writeString(tmp, String.join(" ", java.util.Arrays.copyOf(f, 5)) + field
            + text.substring(eol), StandardCharsets.UTF_8);
        move(tmp, entry);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      // a read-only or full cache
    }
  }

  private Layer record(String key, Layer layer, String check, String stamp) throws IOException {
    if (check.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a check is one line");
    }
    Descriptor d = layer.blob().descriptor();
    Path entry = entry(key);
    Files.createDirectories(entry.getParent());
    String field = stampField(stamp);
    String kept = field.isEmpty() ? "" : stamp;
    String text = d.digest() + " " + d.size() + " " + layer.diffId() + " "
        + layer.uncompressedSize().orElse(-1) + " " + d.mediaType() + field + "\n"
        + (check.isEmpty() ? "" : check + "\n");
    Path tmp = Files.createTempFile(entry.getParent(), ".entry-", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      move(tmp, entry);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new CachedLayer(new Cached(d, blob(d.digest()), entry, kept), layer.diffId(),
        layer.uncompressedSize());
  }

  /**
   * A cached blob: every read checks its digest at the end of the stream; a mismatch removes the
   * entry and its blob and fails the read.
   */
  private final class Cached implements Blob {
    private final Descriptor descriptor;
    private final Path file;
    private final Path entry;
    private final String stamp;

    /** {@code stamp}: the blob's when its digest was known to hold, or "" when not known. */
    Cached(Descriptor descriptor, Path file, Path entry, String stamp) {
      this.descriptor = descriptor;
      this.file = file;
      this.entry = entry;
      this.stamp = stamp;
    }

    /** The blob's file, when it still has the stamp it had when its digest was checked. */
    @Override
    public Path trustedFile() throws IOException {
      return !stamp.isEmpty() && stamp.equals(stampOf(file)) ? file : null;
    }

    @Override
    public Descriptor descriptor() {
      return descriptor;
    }

    @Override
    public boolean verifiesItself() {
      return true;
    }

    @Override
    public InputStream open() throws IOException {
      InputStream in;
      // an entry without the blob's stamp (of an older plinth), or with another (the blob was
      // replaced or touched since), gets it once a read has checked the whole blob and the file
      // still has the stamp it had when opened
      String now = stampOf(file);
      String before = now != null && !now.equals(stamp) ? now : null;
      try {
        in = Files.newInputStream(file);
      } catch (NoSuchFileException e) {
        Files.deleteIfExists(entry);
        throw new DamagedEntryException("the layer cache " + root + " lost blob "
            + descriptor.digest() + " while it was in use; its entry was removed, build again");
      }
      return new java.io.FilterInputStream(Blobs.verifying(descriptor, in)) {
        @Override
        public int read() throws IOException {
          try {
            return super.read();
          } catch (ContentMismatchException e) {
            throw evicted(e);
          }
        }

        boolean ended;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          int r;
          try {
            r = super.read(b, off, len);
          } catch (ContentMismatchException e) {
            throw evicted(e);
          }
          if (r < 0 && !ended) {
            ended = true; // the digest held, or the read above threw
            if (before != null && before.equals(stampOf(file))) {
              remember(entry, before);
            }
          }
          return r;
        }
      };
    }

    private DamagedEntryException evicted(IOException e) {
      try {
        Files.deleteIfExists(entry);
        Files.deleteIfExists(file);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      DamagedEntryException d = new DamagedEntryException("the layer cache " + root
          + " held a damaged layer " + descriptor.digest() + " (" + e.getMessage()
          + "); it was removed, build again");
      d.initCause(e);
      return d;
    }
  }

  /**
   * A cached layer. Read uncompressed, its blob is still read to the end, so that its digest is
   * checked; a blob that gzip cannot read is as damaged as one that does not match its digest.
   */
  private record CachedLayer(Cached blob, Digest diffId, OptionalLong uncompressedSize)
      implements Layer {
    @Override
    public InputStream openUncompressed() throws IOException {
      if (!blob.descriptor().mediaType().endsWith("+gzip")) {
        return Layer.super.openUncompressed();
      }
      InputStream raw = blob.open();
      java.util.zip.GZIPInputStream gz;
      try {
        gz = new java.util.zip.GZIPInputStream(raw, 65536);
      } catch (DamagedEntryException e) {
        raw.close();
        throw e;
      } catch (IOException e) {
        raw.close();
        throw blob.evicted(e);
      }
      return new BulkFilterInputStream(gz) {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          try {
            int r = super.read(b, off, len);
            if (r < 0) {
              raw.transferTo(java.io.OutputStream.nullOutputStream());
            }
            return r;
          } catch (DamagedEntryException e) {
            throw e;
          } catch (IOException e) {
            throw blob.evicted(e);
          }
        }
      };
    }
  }

  /**
   * A cached layer's blob did not match its digest when it was read. It has been removed from the
   * cache, so the same build run again makes it afresh.
   */
  public static final class DamagedEntryException extends ContentMismatchException {
    private static final long serialVersionUID = 1L;

    DamagedEntryException(String message) {
      super(message);
    }
  }

  private Path entry(String key) {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("bad layer cache key '" + key + "'");
    }
    return root.resolve("keys").resolve(key);
  }

  private Path blob(Digest d) {
    return root.resolve("blobs").resolve("sha256").resolve(d.hex());
  }

  /**
   * Marks a cache entry used now (its modification time), so that {@code plinth cache prune}
   * removes the least recently used entries first; a cache it cannot write is left as it is.
   */
  public static void markUsed(Path entry) {
    try {
      Files.setLastModifiedTime(entry, java.nio.file.attribute.FileTime.fromMillis(
          System.currentTimeMillis()));
    } catch (IOException | UnsupportedOperationException e) {
      // a read-only cache: the order falls back on access times
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

}
