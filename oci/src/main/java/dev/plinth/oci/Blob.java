package dev.plinth.oci;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Content-addressed bytes: a layer, a config, a manifest. Read-only; {@link #open()} may be
 * called any number of times and streams the same bytes each time.
 */
public interface Blob {
  Descriptor descriptor() throws IOException;

  InputStream open() throws IOException;

  /**
   * Whether every stream {@link #open()} returns checks the bytes against the descriptor itself,
   * failing with a {@link ContentMismatchException} when read to its end, so a reader need not
   * hash them again.
   */
  default boolean verifiesItself() {
    return false;
  }

  /**
   * A file that holds exactly this blob's bytes, checked against its digest when it was stored
   * and unchanged since (its size, modification and change times and inode are those it had
   * then), so a writer may copy it without reading and hashing it (the kernel copies it); null
   * when there is none, and the bytes are read through {@link #open()}.
   */
  default Path trustedFile() throws IOException {
    return null;
  }

  /** A blob held in memory (JSON documents). */
  static Blob of(String mediaType, byte[] bytes) {
    byte[] copy = bytes.clone();
    Descriptor d = new Descriptor(mediaType, Digest.of(copy), copy.length);
    return new Blob() {
      @Override
      public Descriptor descriptor() {
        return d;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(copy);
      }

      @Override
      public byte[] readAllBytes() {
        return copy.clone();
      }
    };
  }

  /** A blob in a file whose digest and size are already known (computed while it was written). */
  static Blob ofFile(Descriptor descriptor, Path file) {
    return of(descriptor, () -> Files.newInputStream(file));
  }

  /**
   * The bytes {@code opener} gives, each time anew, as the blob {@code descriptor}: taken on
   * trust, not checked against it as they are read.
   */
  static Blob of(Descriptor descriptor, StreamOpener opener) {
    return new OpenedBlob(descriptor, opener);
  }

  /**
   * The bytes from {@code offset} on, for one part of an upload. A part cannot be checked against
   * the digest, so a blob that checks its bytes as they are read may skip to it without reading
   * (a stored one seeks); by default the stream is opened and read up to the offset.
   */
  default InputStream openAt(long offset) throws IOException {
    return skipped(open(), offset);
  }

  /** {@code in} with its first {@code offset} bytes skipped; closed if that fails. */
  static InputStream skipped(InputStream in, long offset) throws IOException {
    try {
      in.skipNBytes(offset);
    } catch (IOException e) {
      in.close();
      throw e;
    }
    return in;
  }

  /** Reads the whole blob; meant for JSON documents, which are small. */
  default byte[] readAllBytes() throws IOException {
    try (InputStream in = open()) {
      return in.readAllBytes();
    }
  }
}
