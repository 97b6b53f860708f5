package dev.plinth.oci;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Writes {@code oci-archive:} (a tar of an OCI layout) and {@code docker-archive:} (the format of
 * {@code docker save}) files, atomically: a temp file beside the target, renamed when complete.
 * Entries are sorted, owned by 0:0 and dated {@code mtime}, so the same images give the same bytes.
 */
public final class ArchiveWriter {
  /** Writes an OCI archive holding the index (or its lone image) under {@code tag}. */
  public static void writeOciArchive(Path file, String tag, ImageIndex index, long mtime)
      throws IOException, PlinthException {
    writeOciArchiveTags(file, tag == null ? List.of() : List.of(tag), index, mtime);
  }

  /**
   * Writes an OCI archive holding the index (or its lone image) under each of {@code tags}: one
   * index.json entry per tag, all naming the same top; none when empty (untagged).
   */
  public static void writeOciArchiveTags(Path file, List<String> tags, ImageIndex index,
      long mtime)
      throws IOException, PlinthException {
    try (AtomicFile f = stageOciArchiveTags(file, tags, index, mtime)) {
      f.commitUnsynced();
    }
  }

  /**
   * As {@link #writeOciArchiveTags}, written whole beside {@code file} but not renamed over it:
   * the caller commits the AtomicFile (unsynced, as an archive is) or closes it to drop it.
   */
  public static AtomicFile stageOciArchiveTags(Path file, List<String> tags, ImageIndex index,
      long mtime) throws IOException, PlinthException {
    AtomicFile f = new AtomicFile(file);
    boolean written = false;
    try {
      FileChannel ch = f.openChannel();
      try (OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(ch), 65536);
          TarWriter tar = new TarWriter(raw)) {
        dir(tar, "blobs/", mtime);
        dir(tar, "blobs/sha256/", mtime);
        Map<String, Blob> sorted = new TreeMap<>();
        for (Blob b : index.blobs()) {
          sorted.put(b.descriptor().digest().hex(), b);
        }
        for (Map.Entry<String, Blob> e : sorted.entrySet()) {
          blob(tar, ch, "blobs/sha256/" + e.getKey(), e.getValue(), mtime);
        }
        bytes(tar, "index.json", OciLayoutWriter.freshIndexJson(tags, index), mtime);
        bytes(tar, "oci-layout", OciLayoutWriter.OCI_LAYOUT, mtime);
      }
      written = true;
      return f;
    } finally {
      if (!written) {
        f.close();
      }
    }
  }

  /**
   * Writes a docker-archive of one image: uncompressed layer tars, the config and manifest.json.
   *
   * @param repoTag {@code name:tag}, or null for an archive without a name
   */
  public static void writeDockerArchive(Path file, String repoTag, Image image, long mtime)
      throws IOException, PlinthException {
    writeDockerArchiveTags(file, repoTag == null ? List.of() : List.of(repoTag), image, mtime);
  }

  /**
   * Writes a docker-archive of one image named by each of {@code repoTags} ({@code name:tag};
   * none: without a name), as {@code docker save} of several tags of one image does.
   */
  public static void writeDockerArchiveTags(Path file, List<String> repoTags, Image image,
      long mtime) throws IOException, PlinthException {
    Digest configDigest = image.config().descriptor().digest();
    List<Layer> layers = image.layers();
    List<String> layerPaths = new java.util.ArrayList<>();
    for (Layer l : layers) {
      layerPaths.add(l.diffId().hex() + "/layer.tar");
    }
    Map<String, Object> entry = new java.util.LinkedHashMap<>();
    entry.put("Config", configDigest.hex() + ".json");
    entry.put("RepoTags", List.copyOf(repoTags));
    entry.put("Layers", layerPaths);
    byte[] manifest = Json.write(List.of(entry));
    try (AtomicFile f = new AtomicFile(file)) {
      try (OutputStream raw = new BufferedOutputStream(f.open(), 65536);
          TarWriter tar = new TarWriter(raw)) {
        TreeSet<String> written = new TreeSet<>();
        for (Layer l : layers) {
          String hex = l.diffId().hex();
          if (!written.add(hex)) {
            continue;
          }
          dir(tar, hex + "/", mtime);
          long size =
              l.uncompressedSize().isPresent()
                  ? l.uncompressedSize().getAsLong()
                  : measure(l);
          try (InputStream in = l.openUncompressed()) {
            tar.write(
                new TarEntry(hex + "/layer.tar", TarEntry.Type.FILE, 0644, 0, 0, size, null, mtime),
                in);
            if (in.read() >= 0) {
              throw new PlinthException(
                  PlinthException.Kind.BAD_INPUT,
                  "layer " + l.blob().descriptor().digest() + " is longer than its recorded size");
            }
          }
        }
        bytes(tar, configDigest.hex() + ".json", image.config().readAllBytes(), mtime);
        bytes(tar, "manifest.json", manifest, mtime);
      }
      f.commitUnsynced();
    }
  }

  private static long measure(Layer l) throws IOException {
    long n = 0;
    try (InputStream in = l.openUncompressed()) {
      byte[] buf = new byte[65536];
      int r;
      while ((r = in.read(buf)) >= 0) {
        n += r;
      }
    }
    return n;
  }

  private static void dir(TarWriter tar, String name, long mtime) throws IOException {
    tar.write(new TarEntry(name, TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, null, mtime), null);
  }

  private static void bytes(TarWriter tar, String name, byte[] b, long mtime) throws IOException {
    tar.write(
        new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, b.length, null, mtime),
        new ByteArrayInputStream(b));
  }

  /**
   * A blob's entry: a blob kept in a file already checked against its digest is copied by the
   * kernel into {@code ch} (the channel under {@code tar}); any other is read and checked.
   */
  private static void blob(TarWriter tar, FileChannel ch, String name, Blob blob, long mtime)
      throws IOException, PlinthException {
    long size = blob.descriptor().size();
    Path trusted = blob.trustedFile();
    if (trusted != null) {
      tar.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, size, null, mtime), trusted, ch);
      return;
    }
    try (OutputStream body =
        tar.begin(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, size, null, mtime))) {
      Blobs.copyVerified(blob, body);
    }
  }

  private ArchiveWriter() {}
}
