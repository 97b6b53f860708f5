package dev.plinth.http;

import dev.plinth.oci.BulkInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A body of a known length, or to the connection's end ({@code left} -1). Read to its end, it
 * gives a kept connection back; closed earlier, it reads what is left if that is little, else
 * drops the connection. A read that fails (a timeout, a reset) drops it too.
 */
final class FixedLengthBody extends BulkInputStream {
  private final Conn c;
  private final boolean keep;
  private long left;
  private boolean closed;

  FixedLengthBody(Conn c, long length, boolean keep) {
    this.c = c;
    this.left = length;
    this.keep = keep;
  }

  boolean atEnd() {
    return left == 0;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (left == 0) {
      return -1;
    }
    if (closed) {
      throw new IOException("the response body is closed");
    }
    if (len == 0) {
      return 0;
    }
    int n;
    try {
      n = c.in.read(b, off, left < 0 ? len : (int) Math.min(len, left));
    } catch (IOException e) {
      closed = true; // a read that timed out or broke: the connection is in no known state
      c.close();
      throw e;
    }
    if (n < 0) {
      if (left > 0) {
        closed = true;
        c.close();
        throw new EOFException("the connection ended " + left + " bytes before the body's end");
      }
      left = 0;
      return -1;
    }
    if (left > 0) {
      left -= n;
      if (left == 0) {
        done();
      }
    }
    return n;
  }

  private void done() {
    if (keep && !closed) {
      c.release();
      closed = true;
    }
  }

  /** Reading it to its end must also be done by {@code d}; nothing once it is done or closed. */
  void within(Deadline d) {
    if (!closed) {
      c.tighten(d);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (keep && left == 0) {
      done();
      return;
    }
    if (keep && left > 0 && left <= Http1.DRAIN) {
      try {
        c.in.skipNBytes(left);
        left = 0;
        done();
        return;
      } catch (IOException e) {
        // drop it
      }
    }
    closed = true;
    c.close();
  }
}
