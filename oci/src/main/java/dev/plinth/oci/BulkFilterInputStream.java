package dev.plinth.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A FilterInputStream whose one-byte {@link #read()} goes through its {@link #read(byte[], int,
 * int)}, which a subclass overrides (FilterInputStream's own one-byte read would go to the stream
 * underneath, around the filter).
 */
public abstract class BulkFilterInputStream extends FilterInputStream {
  protected BulkFilterInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    byte[] b = new byte[1];
    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
  }
}
