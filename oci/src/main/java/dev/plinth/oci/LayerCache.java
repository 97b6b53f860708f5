package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Finished layers by a key: what was compressed once is not compressed again. The key names the
 * layer's content (e.g. its diff id and gzip level, or a hash of everything a runtime is linked
 * from). Blobs are stored by their own digest and checked when read, so a damaged entry is
 * dropped and built again; entries are written to a temp file and renamed, so concurrent builds
 * are safe.
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
    Path entry = entry(key);
    String text;
    try {
      text = Files.readString(entry, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String[] f = text.strip().split(" ");
    try {
      if (f.length != 5) {
        throw new IllegalArgumentException("fields");
      }
      Digest digest = Digest.parse(f[0]);
      long size = Long.parseLong(f[1]);
      Digest diffId = Digest.parse(f[2]);
      long tarSize = Long.parseLong(f[3]);
      String mediaType = f[4];
      Path blob = blob(digest);
      if (!Files.isRegularFile(blob) || Files.size(blob) != size || !digestOf(blob).equals(digest)) {
        Files.deleteIfExists(blob);
        Files.deleteIfExists(entry);
        return Optional.empty();
      }
      return Optional.of(new Layer.Value(Blob.ofFile(new Descriptor(mediaType, digest, size), blob),
          diffId, tarSize < 0 ? OptionalLong.empty() : OptionalLong.of(tarSize)));
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
    if (!Files.isRegularFile(blob) || Files.size(blob) != d.size()) {
      Path tmp = Files.createTempFile(blob.getParent(), ".blob-", ".tmp");
      try {
        try (InputStream in = layer.blob().open()) {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        move(tmp, blob);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    Path entry = entry(key);
    Files.createDirectories(entry.getParent());
    String text = d.digest() + " " + d.size() + " " + layer.diffId() + " "
        + layer.uncompressedSize().orElse(-1) + " " + d.mediaType() + "\n";
    Path tmp = Files.createTempFile(entry.getParent(), ".entry-", ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      move(tmp, entry);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new Layer.Value(Blob.ofFile(d, blob), layer.diffId(), layer.uncompressedSize());
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

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Digest digestOf(Path file) throws IOException {
    MessageDigest md = Digest.sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return Digest.of(md);
  }
}
