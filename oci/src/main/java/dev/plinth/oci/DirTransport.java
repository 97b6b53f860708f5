package dev.plinth.oci;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code dir:DIR}: skopeo's directory of loose files, as skopeo 1.9 reads and writes it. The top
 * manifest (an image's, or an index) is {@code manifest.json}; an index's child manifests are
 * {@code <hex>.manifest.json}; every other blob (configs, layers) is a file named by the hex of
 * its sha256 digest; {@code version} says {@value #VERSION_TEXT}.
 *
 * <p>A write replaces the whole directory, as skopeo does: it is made beside the target and
 * renamed over it when complete (blobs the old directory has are linked, not copied again). A
 * directory that exists, is not empty and has no version file is refused, never overwritten.
 */
public final class DirTransport implements Transport {
  static final String VERSION_TEXT = "Directory Transport Version: 1.1\n";
  private static final String MANIFEST = "manifest.json";
  private static final String VERSION = "version";

  @Override
  public ImageSource source(ImageRef ref) {
    return want -> {
      FileStore files = FileStore.Dir.open(ref.path(), ref.toString());
      if (files.exists(VERSION)) {
        String v = new String(files.document(VERSION), StandardCharsets.UTF_8);
        if (!v.equals(VERSION_TEXT)) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, ref + ": the version file says '"
              + JsonFields.clean(v.strip()) + "'; plinth reads '" + VERSION_TEXT.strip() + "'");
        }
      }
      if (!files.exists(MANIFEST)) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, ref
            + " is not a dir: image: it has no " + MANIFEST);
      }
      byte[] bytes = files.document(MANIFEST);
      String what = ref + " " + MANIFEST;
      Descriptor top = new Descriptor(ImageReader.mediaType(bytes, null, what), Digest.of(bytes),
          bytes.length);
      BlobStore store = files.blobs(Digest::hex, d -> d.hex() + ".manifest.json");
      return ImageReader.read(store, top, bytes, want);
    };
  }

  @Override
  public ImageSink sink(ImageRef ref) {
    return (index, notes) -> {
      write(ref.path(), index);
      return index.top();
    };
  }

  /** Writes {@code index} as the directory {@code target}, replacing what it held. */
  static void write(Path target, ImageIndex index) throws IOException, PlinthException {
    Path dir = target.toAbsolutePath();
    boolean replace = checkTarget(dir);
    Files.createDirectories(dir.getParent());
    Path temp = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".");
    Cleanup.register(temp);
    try {
      Set<Digest> written = new HashSet<>();
      for (ImageIndex.Child c : index.children()) {
        for (Blob b : c.blobs()) {
          if (written.add(b.descriptor().digest())) {
            blob(b, temp.resolve(b.descriptor().digest().hex()), replace ? dir : null);
          }
        }
        if (index.isIndex()) {
          Blob m = c.manifest();
          blob(m, temp.resolve(m.descriptor().digest().hex() + ".manifest.json"), null);
        }
      }
      Blob top = index.isIndex() ? index.index() : index.children().get(0).manifest();
      blob(top, temp.resolve(MANIFEST), null);
      file(temp.resolve(VERSION), VERSION_TEXT.getBytes(StandardCharsets.UTF_8));
      Path old = null;
      if (Files.exists(dir)) {
        old = Files.createTempDirectory(dir.getParent(), "." + dir.getFileName() + ".old.");
        Files.delete(old);
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
      }
      try {
        Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (old != null) {
          Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
        }
        throw e;
      }
      if (old != null) {
        Cleanup.deleteTree(old);
      }
    } finally {
      if (Files.exists(temp)) {
        Cleanup.deleteTree(temp);
      }
      Cleanup.unregister(temp);
    }
  }

  /** Whether the target holds a dir: image to replace; refuses a directory of something else. */
  private static boolean checkTarget(Path dir) throws IOException, PlinthException {
    if (!Files.exists(dir)) {
      return false;
    }
    if (!Files.isDirectory(dir)) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, dir + " exists and is not a"
          + " directory: name an empty or new directory for dir:");
    }
    if (Files.isRegularFile(dir.resolve(VERSION))) {
      return true;
    }
    try (Stream<Path> list = Files.list(dir)) {
      if (list.findAny().isPresent()) {
        throw new PlinthException(PlinthException.Kind.OUTPUT, dir + " exists and is not a dir:"
            + " image (it has no version file): name an empty or new directory");
      }
    }
    return false;
  }

  /** Writes a blob to {@code file}, checked; linked from {@code old} when that has it already. */
  private static void blob(Blob b, Path file, Path old) throws IOException, PlinthException {
    Descriptor d = b.descriptor();
    if (old != null) {
      Path have = old.resolve(file.getFileName());
      if (Files.isRegularFile(have) && Files.size(have) == d.size()) {
        try {
          Files.createLink(file, have);
          return;
        } catch (IOException | UnsupportedOperationException e) {
          // another file system, or no hard links: written again below
        }
      }
    }
    try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(file,
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Blobs.copyVerified(b, out);
    }
    force(file);
  }

  private static void file(Path file, byte[] bytes) throws IOException {
    Files.write(file, bytes, StandardOpenOption.CREATE_NEW);
    force(file);
  }

  private static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }
}
