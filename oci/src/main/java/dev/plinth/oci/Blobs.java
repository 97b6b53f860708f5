package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/** Copying blobs with their digest and size checked on the way. */
public final class Blobs {
  /**
   * Streams the blob into {@code out}, failing if the bytes do not hash to the descriptor's
   * digest or their count differs from its size.
   */
  public static void copyVerified(Blob blob, OutputStream out) throws IOException, PlinthException {
    Descriptor d = blob.descriptor();
    boolean hash = !blob.verifiesItself();
    MessageDigest sha = Digest.sha256();
    long n = 0;
    byte[] buf = new byte[65536];
    try (InputStream in = blob.open()) {
      int r;
      while ((r = in.read(buf)) >= 0) {
        n += r;
        if (n > d.size()) {
          throw new PlinthException(
              PlinthException.Kind.BAD_INPUT,
              "blob " + d.digest() + " is longer than the " + d.size() + " bytes its descriptor says");
        }
        if (hash) {
          sha.update(buf, 0, r);
        }
        out.write(buf, 0, r);
      }
    }
    if (!hash && n == d.size()) {
      return; // the blob's own stream checked the digest when it reached its end
    }
    Digest actual = hash ? Digest.of(sha) : null;
    if (n != d.size() || !actual.equals(d.digest())) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          "blob "
              + d.digest()
              + " ("
              + d.size()
              + " bytes) read as "
              + (actual == null ? "?" : actual)
              + " ("
              + n
              + " bytes): the content does not match its digest");
    }
  }

  /**
   * Copies the blob to {@code out} at its position: a {@link Blob#trustedFile} by the kernel, any
   * other blob read and checked as {@link #copyVerified(Blob, OutputStream)} does.
   */
  public static void copyVerified(Blob blob, FileChannel out) throws IOException, PlinthException {
    Path trusted = blob.trustedFile();
    if (trusted != null) {
      transfer(trusted, blob.descriptor().size(), out);
      return;
    }
    OutputStream s = new java.io.BufferedOutputStream(Channels.newOutputStream(out), 65536);
    copyVerified(blob, s);
    s.flush();
  }

  /**
   * Copies the file {@code source}, which must hold exactly {@code size} bytes, to {@code out} at
   * its position, in the kernel (sendfile or copy_file_range, no bytes through the heap).
   */
  static void transfer(Path source, long size, FileChannel out) throws IOException {
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      if (in.size() != size) {
        throw new ContentMismatchException(source + " holds " + in.size() + " bytes, not " + size);
      }
      for (long at = 0; at < size; ) {
        long n = in.transferTo(at, size - at, out);
        if (n <= 0) {
          throw new ContentMismatchException(source + " ended after " + at + " of " + size
              + " bytes");
        }
        at += n;
      }
    }
  }

  /**
   * Wraps a blob's stream so that reaching its end checks the size and digest against the
   * descriptor; a mismatch (or bytes past the size) is an IOException naming the blob.
   */
  public static InputStream verifying(Descriptor d, InputStream in) {
    return new BulkFilterInputStream(in) {
      final MessageDigest sha = Digest.sha256();
      long n;
      boolean checked;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int r = super.read(b, off, len);
        if (r > 0) {
          sha.update(b, off, r);
          n += r;
          if (n > d.size()) {
            throw new ContentMismatchException(
                "blob " + d.digest() + " is longer than the " + d.size() + " bytes it should have");
          }
        } else if (r < 0 && !checked) {
          checked = true;
          Digest actual = Digest.of(sha);
          if (n != d.size() || !actual.equals(d.digest())) {
            throw new ContentMismatchException(
                "blob " + d.digest() + " read as " + actual + " (" + n + " of " + d.size()
                    + " bytes): the content does not match its digest");
          }
        }
        return r;
      }
    };
  }

  private Blobs() {}
}
