package dev.plinth.oci;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes images into an OCI image layout directory ({@code oci:DIR[:TAG]}). Blobs already present
 * are skipped; each new blob and index.json are written atomically, index.json last, so an
 * interrupted write leaves the previous layout readable. Other tags in index.json are kept, also
 * when several builds write to one layout at once: each write holds a lock (an fcntl lock on the
 * layout's {@code oci-layout} file, which is never replaced, and a lock within this JVM).
 */
public final class OciLayoutWriter {
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes();
  /** What a layout writer puts in a layout directory. */
  private static final java.util.Set<String> LAYOUT_NAMES =
      java.util.Set.of("oci-layout", "blobs", "index.json");
  /** Per layout directory, the lock of this JVM's writers (file locks are per process). */
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /** Writes the index (or its lone image) under {@code tag} (null: untagged). */
  public static void write(Path dir, String tag, ImageIndex index)
      throws IOException, PlinthException {
    Path blobs = dir.resolve("blobs").resolve("sha256");
    Path indexJson = dir.resolve("index.json");
    if (Files.exists(indexJson)) {
      // a layout whose index.json plinth cannot read fails before anything is written
      indexJson(readIndex(indexJson), dir + "/index.json", tag, index.top());
    } else if (Files.isDirectory(dir) && !Files.exists(dir.resolve("oci-layout"))) {
      try (var list = Files.list(dir)) {
        // what another writer of this layout may have made since the check above: fine
        if (list.anyMatch(p -> !LAYOUT_NAMES.contains(p.getFileName().toString())
            && !p.getFileName().toString().endsWith(".plinth-tmp"))) {
          throw new PlinthException(
              PlinthException.Kind.OUTPUT,
              dir
                  + " exists and is not an OCI layout (it has no index.json): name an empty"
                  + " or new directory");
        }
      }
    }
    Files.createDirectories(dir);
    try (Lock lock = Lock.take(dir)) {
      Files.createDirectories(blobs);
      for (Blob blob : index.blobs()) {
        writeBlob(blobs, blob);
      }
      byte[] oldIndex = Files.exists(indexJson) ? readIndex(indexJson) : null;
      AtomicFile.write(indexJson, indexJson(oldIndex, dir + "/index.json", tag, index.top()));
    }
  }

  /**
   * The layout's lock, held for a whole write (blobs, then index.json read, changed and
   * replaced), so that no writer sees another's layout half set up or loses its tag. It is taken
   * on the {@code oci-layout} file, created with its content by the first writer.
   */
  static final class Lock implements AutoCloseable {
    private final ReentrantLock local;
    private final FileChannel channel;
    private FileLock file;

    private Lock(ReentrantLock local, FileChannel channel) {
      this.local = local;
      this.channel = channel;
    }

    static Lock take(Path dir) throws IOException {
      Path key = dir.toRealPath();
      ReentrantLock local = LOCKS.computeIfAbsent(key, k -> new ReentrantLock());
      local.lock();
      FileChannel ch = null;
      try {
        ch = FileChannel.open(key.resolve("oci-layout"), StandardOpenOption.CREATE,
            StandardOpenOption.READ, StandardOpenOption.WRITE);
        Lock l = new Lock(local, ch);
        l.file = ch.lock();
        if (ch.size() != OCI_LAYOUT.length) {
          // new (or left empty by a writer that died): written in place, never replaced
          ch.truncate(0);
          ch.write(ByteBuffer.wrap(OCI_LAYOUT), 0);
          ch.force(true);
        }
        return l;
      } catch (IOException | RuntimeException e) {
        if (ch != null) {
          ch.close();
        }
        local.unlock();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        if (file != null) {
          file.release();
        }
        channel.close();
      } finally {
        local.unlock();
      }
    }
  }

  /** Writes {@code blob} into {@code blobs} (blobs/sha256), atomically; nothing when it is there. */
  static void writeBlob(Path blobs, Blob blob) throws IOException, PlinthException {
    Path target = blobs.resolve(blob.descriptor().digest().hex());
    if (Files.isRegularFile(target) && Files.size(target) == blob.descriptor().size()) {
      return;
    }
    try (AtomicFile f = new AtomicFile(target)) {
      try (java.nio.channels.FileChannel out = f.openChannel()) {
        Blobs.copyVerified(blob, out);
      }
      f.commitUnsynced();
    }
  }

  /** Takes the layout's lock (see {@link Lock}): for a writer of more than one write. */
  static Lock lock(Path dir) throws IOException {
    return Lock.take(dir);
  }

  private static byte[] readIndex(Path indexJson) throws IOException, PlinthException {
    return SmallFiles.read(indexJson, ImageReader.MAX_DOCUMENT, "the layout's index");
  }

  /**
   * The index.json that lists {@code top} under {@code tag}, keeping the other entries of {@code
   * old} (null for a new layout) except the one that had the same tag.
   */
  static byte[] indexJson(byte[] old, String what, String tag, Descriptor top)
      throws PlinthException {
    List<Descriptor> manifests = new ArrayList<>();
    if (old != null) {
      for (Descriptor d : Index.parse(old, what).manifests()) {
        if (!Objects.equals(d.annotations().get(REF_NAME), tag)) {
          manifests.add(d);
        }
      }
    }
    Map<String, String> annotations = new LinkedHashMap<>(top.annotations());
    if (tag != null) {
      annotations.put(REF_NAME, tag);
    }
    manifests.add(top.withAnnotations(annotations));
    return Index.of(MediaTypes.OCI_INDEX, manifests, Map.of()).bytes();
  }

  /**
   * The index.json of a fresh layout holding only this index, under each of {@code tags} (none:
   * one untagged entry).
   */
  static byte[] freshIndexJson(List<String> tags, ImageIndex index) throws IOException {
    try {
      if (tags.isEmpty()) {
        return indexJson(null, "index.json", null, index.top());
      }
      byte[] json = null;
      for (String tag : tags) {
        json = indexJson(json, "index.json", tag, index.top());
      }
      return json;
    } catch (PlinthException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }

  private OciLayoutWriter() {}
}
