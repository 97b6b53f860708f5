package dev.plinth.oci;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * At most {@code limit} bytes of another stream: a member of an archive, a body with a
 * Content-Length, a tarball that may not exceed a size. What happens at either end is the
 * caller's choice: a stream that ends early is EOF, or an EOFException with a message; bytes
 * past the limit are cut, or an EOFException (a bomb, a lying length).
 */
public final class LimitedInputStream extends BulkFilterInputStream {
  private final long limit;
  private final String endsEarly;
  private final String goesOn;
  private long left;

  /**
   * @param endsEarly the message of the EOFException when {@code in} ends before the limit, or
   *     null for a plain end of stream
   * @param goesOn the message of the EOFException when {@code in} has more than {@code limit}
   *     bytes, or null to cut it there
   */
  public LimitedInputStream(InputStream in, long limit, String endsEarly, String goesOn) {
    super(in);
    this.limit = limit;
    this.left = limit;
    this.endsEarly = endsEarly;
    this.goesOn = goesOn;
  }

  /** The first {@code limit} bytes of {@code in}; it may end sooner. */
  public static InputStream cut(InputStream in, long limit) {
    return new LimitedInputStream(in, limit, null, null);
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (left <= 0) {
      if (goesOn != null && in.read() >= 0) {
        throw new EOFException(goesOn);
      }
      return -1;
    }
    int r = in.read(b, off, (int) Math.min(len, left));
    if (r < 0 && endsEarly != null) {
      throw new EOFException(endsEarly);
    }
    if (r > 0) {
      left -= r;
    }
    return r;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), left);
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** The limit this stream was made with. */
  public long limit() {
    return limit;
  }
}
