package dev.plinth.oci;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A FilterInputStream whose one-byte {@link #read()} and {@link #skip} go through its {@link
 * #read(byte[], int, int)}, which a subclass overrides (FilterInputStream's own would go to the
 * stream underneath, around the filter): what is skipped is still counted, hashed or checked.
 */
public abstract class BulkFilterInputStream extends FilterInputStream {
  /** Where skipped bytes are read to, one buffer for every skip (a tar skips each entry). */
  private byte[] skipped;

  protected BulkFilterInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    byte[] b = new byte[1];
    return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
  }

  /** Reads up to 64 KiB of the {@code n} bytes and drops them (into the one skip buffer). */
  @Override
  public long skip(long n) throws IOException {
    if (n <= 0) {
      return 0;
    }
    if (skipped == null) {
      skipped = new byte[65536];
    }
    return Math.max(read(skipped, 0, (int) Math.min(n, skipped.length)), 0);
  }
}
