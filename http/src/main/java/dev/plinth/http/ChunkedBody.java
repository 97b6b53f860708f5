package dev.plinth.http;

import java.io.IOException;

/**
 * A chunked body; chunk extensions and trailers are read and dropped. A chunk size that is not
 * hexadecimal (or over 15 digits), a chunk longer than its size, a connection that ends inside a
 * chunk, or a read that fails (a timeout) end it with an IOException and drop the connection.
 */
final class ChunkedBody extends ConnBody {
  private long chunk; // left in the current chunk
  private boolean end;

  ChunkedBody(Conn c, boolean keep) {
    super(c, keep);
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      return next(b, off, len);
    } catch (IOException e) {
      drop(); // a read that timed out or broke: the connection is in no known state
      throw e;
    }
  }

  private int next(byte[] b, int off, int len) throws IOException {
    if (end) {
      return -1;
    }
    checkOpen();
    if (len == 0) {
      return 0;
    }
    if (chunk == 0) {
      chunk = size();
      if (chunk == 0) {
        while (!c.line(false).isEmpty()) {
          // trailer fields
        }
        end = true;
        if (keep) {
          closed = true;
          c.release();
        }
        return -1;
      }
    }
    int n = c.in.read(b, off, (int) Math.min(len, chunk));
    if (n < 0) {
      throw broken("the connection ended inside a chunk");
    }
    chunk -= n;
    if (chunk == 0) {
      c.headBytes = 0;
      if (!c.line(false).isEmpty()) {
        throw broken("a chunk is longer than its size");
      }
    }
    return n;
  }

  /** The next chunk-size line's size. */
  private long size() throws IOException {
    c.headBytes = 0;
    String line = c.line(false);
    int semi = line.indexOf(';');
    String hex = (semi >= 0 ? line.substring(0, semi) : line).trim();
    if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(ChunkedBody::isHex)) {
      throw broken("a malformed chunk size");
    }
    return Long.parseLong(hex, 16);
  }

  private static boolean isHex(int ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
  }

  private IOException broken(String why) {
    drop();
    return new IOException(why);
  }

  @Override
  void finish() {
    if (keep && !end) {
      try {
        byte[] buf = new byte[8192];
        long drained = 0;
        int n;
        while (drained < Http1.DRAIN && (n = read(buf, 0, buf.length)) >= 0) {
          drained += n;
        }
        if (end) {
          return;
        }
      } catch (IOException e) {
        // drop it
      }
    }
    drop();
  }
}
