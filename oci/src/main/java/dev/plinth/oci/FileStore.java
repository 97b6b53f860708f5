package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The files of a layout, an archive or a directory, looked up by exact name; and the blob store
 * over them that {@link ImageReader} reads from.
 */
interface FileStore {
  boolean exists(String name);

  long size(String name) throws IOException;

  InputStream open(String name) throws IOException;

  /** Names the store in messages: the reference it was opened for. */
  String what();

  /** Reads a small file whole (index.json, manifest.json), at most a document's size. */
  default byte[] document(String name) throws IOException, PlinthException {
    if (!exists(name)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what() + " has no " + name);
    }
    if (size(name) > ImageReader.MAX_DOCUMENT) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what() + ": " + name + " is "
          + size(name) + " bytes, over the " + ImageReader.MAX_DOCUMENT
          + "-byte limit for a document");
    }
    try (InputStream in = open(name)) {
      return in.readNBytes(ImageReader.MAX_DOCUMENT);
    }
  }

  /**
   * The blobs of this store, each in the file {@code blobName} gives for its digest, and the
   * manifests in the files {@code manifestName} gives.
   */
  default BlobStore blobs(Function<Digest, String> blobName, Function<Digest, String> manifestName) {
    FileStore files = this;
    return new BlobStore() {
      @Override
      public String what() {
        return files.what();
      }

      @Override
      public Blob blob(Descriptor d) throws PlinthException {
        return files.blob(blobName.apply(d.digest()), d);
      }

      @Override
      public byte[] manifest(Descriptor d) throws IOException, PlinthException {
        return BlobStore.readChecked(this, files.blob(manifestName.apply(d.digest()), d), d);
      }
    };
  }

  /** The file {@code name} as the blob {@code d}: checked as it is read; missing is BAD_INPUT. */
  default Blob blob(String name, Descriptor d) throws PlinthException {
    if (!exists(name)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what() + " lacks blob "
          + d.digest());
    }
    FileStore files = this;
    return new Blob() {
      @Override
      public Descriptor descriptor() {
        return d;
      }

      @Override
      public InputStream open() throws IOException {
        return Blobs.verifying(d, files.open(name));
      }

      @Override
      public boolean verifiesItself() {
        return true;
      }

      @Override
      public InputStream openAt(long offset) throws IOException {
        // not through the check, which would read and hash every byte before the offset (for
        // each part of a chunked upload); a file skips by seeking
        return Blob.skipped(files.open(name), offset);
      }
    };
  }

  /** The files under a directory. */
  record Dir(Path dir, String what) implements FileStore {
    /** The directory {@code dir}; NOT_FOUND when there is none. */
    static Dir open(Path dir, String what) throws PlinthException {
      if (!Files.isDirectory(dir)) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": no directory " + dir);
      }
      return new Dir(dir, what);
    }

    @Override
    public boolean exists(String name) {
      return Files.isRegularFile(dir.resolve(name));
    }

    @Override
    public long size(String name) throws IOException {
      return Files.size(dir.resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
      return Files.newInputStream(dir.resolve(name));
    }
  }

  /** A tar archive indexed once: regular files by name, read in place by offset. */
  final class Tar implements FileStore {
    private record Slot(long offset, long size) {}

    private final Path file;
    private final String what;
    private final Map<String, Slot> slots;

    private Tar(Path file, String what, Map<String, Slot> slots) {
      this.file = file;
      this.what = what;
      this.slots = slots;
    }

    static Tar open(Path file, String what) throws IOException, PlinthException {
      if (!Files.isRegularFile(file)) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": no file " + file);
      }
      Map<String, Slot> slots = new HashMap<>();
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 65536)) {
        TarReader tar = new TarReader(in, what);
        TarEntry e;
        while ((e = tar.next()) != null) {
          String name = e.name();
          while (name.startsWith("./")) {
            name = name.substring(2);
          }
          if (e.type() == TarEntry.Type.FILE
              && slots.put(name, new Slot(tar.dataOffset(), e.size())) != null) {
            throw new PlinthException(
                PlinthException.Kind.BAD_INPUT, what + " holds '" + name + "' twice");
          }
        }
      } catch (NoSuchFileException e) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": no file " + file);
      }
      long fileSize = Files.size(file);
      for (Slot s : slots.values()) {
        if (s.offset + s.size > fileSize) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is truncated");
        }
      }
      return new Tar(file, what, slots);
    }

    @Override
    public boolean exists(String name) {
      return slots.containsKey(name);
    }

    @Override
    public long size(String name) {
      return slots.get(name).size;
    }

    @Override
    public InputStream open(String name) throws IOException {
      Slot s = slots.get(name);
      if (s == null) {
        throw new NoSuchFileException(what + ": " + name);
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(s.offset);
      return LimitedInputStream.cut(Channels.newInputStream(ch), s.size);
    }

    @Override
    public String what() {
      return what;
    }
  }

  /** A name from a document that is a safe relative path, or BAD_INPUT naming it. */
  static String safeName(String name, String what) throws PlinthException {
    String n = name.startsWith("./") ? name.substring(2) : name;
    if (n.isEmpty() || n.startsWith("/") || n.contains("\\") || n.contains("\0")
        || List.of(n.split("/")).contains("..")) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + " names an unsafe path '" + JsonFields.clean(name) + "'");
    }
    return n;
  }
}
