package dev.plinth.http;

import java.io.EOFException;
import java.io.IOException;

/**
 * A body of a known length, or to the connection's end ({@code left} -1). Read to its end, it
 * gives a kept connection back; closed earlier, it reads what is left if that is little, else
 * drops the connection. A read that fails (a timeout, a reset) drops it too.
 */
final class FixedLengthBody extends ConnBody {
  private long left;

  FixedLengthBody(Conn c, long length, boolean keep) {
    super(c, keep);
    this.left = length;
  }

  boolean atEnd() {
    return left == 0;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (left == 0) {
      return -1;
    }
    checkOpen();
    if (len == 0) {
      return 0;
    }
    int n;
    try {
      n = c.in.read(b, off, left < 0 ? len : (int) Math.min(len, left));
    } catch (IOException e) {
      drop(); // a read that timed out or broke: the connection is in no known state
      throw e;
    }
    if (n < 0) {
      if (left > 0) {
        drop();
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

  @Override
  void finish() {
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
    drop();
  }
}
