package dev.plinth.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** One connection of the client: buffered both ways, and the pool it goes back to when kept. */
final class Conn {
  final Connection connection;
  final InputStream in;
  final OutputStream out;
  private final Pool pool;
  private final String key;
  /** Whether it answered a request already (an EOF before the next answer means stale). */
  boolean used;
  /** Whether the current request got a status line. */
  boolean answered;
  /** Bytes of the head (or chunk-size line) read so far, against {@link Http1#MAX_HEAD}. */
  int headBytes;

  Conn(Connection connection, Pool pool, String key) {
    this.connection = connection;
    this.in = new BufferedInputStream(connection.input(), 64 * 1024);
    this.out = new BufferedOutputStream(connection.output(), 64 * 1024);
    this.pool = pool;
    this.key = key;
  }

  /** A CRLF- (or LF-) ended line of the head; null at EOF before its first byte if allowed. */
  String line(boolean eofOk) throws IOException {
    StringBuilder b = new StringBuilder(64);
    while (true) {
      int ch = in.read();
      if (ch < 0) {
        if (eofOk && b.length() == 0) {
          return null;
        }
        throw new EOFException("the connection ended inside the answer's head");
      }
      if (++headBytes > Http1.MAX_HEAD) {
        throw new IOException("the answer's head is over " + Http1.MAX_HEAD + " bytes");
      }
      if (ch == '\n') {
        int len = b.length();
        return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
      }
      b.append((char) ch);
    }
  }

  /** Its answer was read to the end: idle now, for the next request to the same server. */
  void release() {
    pool.give(key, this);
  }

  void close() {
    connection.close();
  }
}
