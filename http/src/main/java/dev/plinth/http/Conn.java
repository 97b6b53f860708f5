package dev.plinth.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * One connection of the client: buffered both ways, its reads timed, and the pool it goes back to
 * when kept. Every read waits at most the idle time and ends by the exchange's deadline: the read
 * timeout is set to whichever is shorter before each read, and a {@link Guard} aborts the
 * connection at the deadline for what read timeouts cannot end (a trickled TLS record).
 */
final class Conn {
  final Connection connection;
  final InputStream in;
  final OutputStream out;
  private final Pool pool;
  private final String key;
  private final Guard guard;
  /** Whether it answered a request already (an EOF before the next answer means stale). */
  boolean used;
  /** Whether the current request got a status line. */
  boolean answered;
  /** Bytes of the head (or chunk-size line) read so far, against {@link Http1#MAX_HEAD}. */
  int headBytes;
  private Duration idle = Http1.IDLE_READ;
  private Deadline deadline;
  private Deadline whole;
  private long timeoutMillis = -1;

  Conn(Connection connection, Pool pool, String key) {
    this.connection = connection;
    this.guard = new Guard(connection::abort);
    this.in = new BufferedInputStream(new Timed(connection.input()), 64 * 1024);
    this.out = new BufferedOutputStream(connection.output(), 64 * 1024);
    this.pool = pool;
    this.key = key;
  }

  /**
   * An exchange starts: reads wait at most {@code idle} each; until the answer's head, all ends by
   * {@code head} (null: none), then by {@code whole} (null: none).
   */
  void start(Duration idle, Deadline head, Deadline whole) {
    this.idle = idle;
    this.whole = whole;
    limit(Deadline.earlier(head, whole));
  }

  /** The request body is being written: it may make no progress for {@code idle} at most. */
  void writing() {
    guard.watch(deadline, idle);
  }

  /** More of the request body went out. */
  void wrote() {
    guard.progress();
  }

  /** The request is sent: from now on until the answer's head, {@code head} applies. */
  void sent(Deadline head) {
    limit(Deadline.earlier(head, whole));
  }

  /** The answer's head is read: its body must be read by the exchange's deadline. */
  void headRead() {
    limit(whole);
  }

  /** The body must also be read to its end by {@code d}. */
  void tighten(Deadline d) {
    whole = Deadline.earlier(whole, d);
    limit(Deadline.earlier(deadline, d));
  }

  private void limit(Deadline d) {
    deadline = d;
    guard.watch(d, null);
  }

  /**
   * What a failed read or write means: a {@link DeadlineException} when the deadline passed (the
   * guard aborted the connection, or the read timeout was the deadline's), a timeout when the
   * server took no bytes of the request for the idle time; else {@code e} itself.
   */
  IOException explain(IOException e) {
    if (e instanceof DeadlineException) {
      return e;
    }
    Deadline d = guard.deadline();
    if (d == null && deadline != null && deadline.passed()) {
      d = deadline;
    }
    if (d != null) {
      DeadlineException x = new DeadlineException("no complete answer within " + d, d);
      x.initCause(e);
      return x;
    }
    if (guard.stalled()) {
      SocketTimeoutException x = new SocketTimeoutException("the server took none of the"
          + " request for " + Deadline.format(idle));
      x.initCause(e);
      return x;
    }
    return e;
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

  /**
   * Its answer was read to the end: idle now, for the next request to the same server; unless the
   * guard aborted it meanwhile (its deadline passed just as the body ended).
   */
  void release() {
    guard.close();
    deadline = null;
    whole = null;
    if (guard.deadline() != null || guard.stalled()) {
      connection.close();
      return;
    }
    pool.give(key, this);
  }

  void close() {
    guard.close();
    connection.close();
  }

  /** The connection's input, each read timed by the idle time and the deadline. */
  private final class Timed extends InputStream {
    private final InputStream raw;

    Timed(InputStream raw) {
      this.raw = raw;
    }

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      long wait = idle.toMillis();
      Deadline d = deadline;
      if (d != null) {
        long left = d.nanosLeft();
        if (left <= 0) {
          throw explain(new SocketTimeoutException("Read timed out"));
        }
        wait = Math.min(wait, (left + 999_999) / 1_000_000);
      }
      wait = Math.max(1, wait);
      if (wait != timeoutMillis) {
        connection.readTimeout(Duration.ofMillis(wait));
        timeoutMillis = wait;
      }
      try {
        return raw.read(b, off, len);
      } catch (IOException e) {
        throw explain(e);
      }
    }

    @Override
    public int available() throws IOException {
      return raw.available();
    }
  }
}
