package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;

/**
 * An InputStream whose one-byte {@link #read()} goes through its {@link #read(byte[], int, int)},
 * so that the checks a stream makes (a size limit, a digest, a chunk's framing) are in one place.
 */
public abstract class BulkInputStream extends InputStream {
  @Override
  public int read() throws IOException {
    byte[] b = new byte[1];
    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
  }

  @Override
  public abstract int read(byte[] b, int off, int len) throws IOException;
}
