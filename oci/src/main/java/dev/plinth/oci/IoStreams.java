package dev.plinth.oci;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Small stream helpers. */
final class IoStreams {
  /** Counts the bytes written through it. */
  static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  private IoStreams() {}
}
