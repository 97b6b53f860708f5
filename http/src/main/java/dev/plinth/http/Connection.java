package dev.plinth.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;

/**
 * One open, two-way byte stream to a server: a TCP socket, a TLS socket over one, a unix-domain
 * socket. {@link Http1} buffers both directions itself; a connection need not.
 */
public interface Connection extends Closeable {
  InputStream input();

  OutputStream output();

  /**
   * How long each read may wait for a byte before it fails with a {@link
   * java.net.SocketTimeoutException}.
   */
  void readTimeout(Duration timeout) throws IOException;

  /** Closes it; a failure to close is nothing to act on. */
  @Override
  void close();

  /**
   * Ends it from another thread, so that a read or write blocked on it fails at once (a {@link
   * Deadline} passed). By default {@link #close()}.
   */
  default void abort() {
    close();
  }

  /**
   * The Proxy-Authorization for requests on a connection to a plain-HTTP proxy, which get their
   * target in absolute form ({@code GET http://host/path}); null on any other connection.
   */
  default String viaProxy() {
    return null;
  }

  /** Whether requests on it go to an HTTP proxy in absolute form. */
  default boolean absoluteForm() {
    return false;
  }

  /** {@code c}, to a plain-HTTP proxy: requests in absolute form, with this authorization. */
  static Connection toProxy(Connection c, String authorization) {
    return new Connection() {
      @Override
      public InputStream input() {
        return c.input();
      }

      @Override
      public OutputStream output() {
        return c.output();
      }

      @Override
      public void readTimeout(Duration timeout) throws IOException {
        c.readTimeout(timeout);
      }

      @Override
      public void close() {
        c.close();
      }

      @Override
      public void abort() {
        c.abort();
      }

      @Override
      public boolean absoluteForm() {
        return true;
      }

      @Override
      public String viaProxy() {
        return authorization;
      }
    };
  }

  /** A connected socket (plain, or TLS with its handshake done). */
  static Connection of(Socket socket) throws IOException {
    return of(socket, socket);
  }

  /**
   * A connected TLS socket over {@code underlying}: {@link #abort()} closes the underlying socket,
   * which ends a blocked read at once without the TLS layer's closing handshake.
   */
  static Connection of(Socket socket, Socket underlying) throws IOException {
    return of(socket.getInputStream(), socket.getOutputStream(),
        timeout -> socket.setSoTimeout(
            (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()))),
        socket, underlying);
  }

  /**
   * A connection of two streams: {@code timeout} sets its read timeout, {@code close} ends it and
   * {@code abort} ends it from another thread (a failure of either ignored).
   */
  static Connection of(InputStream in, OutputStream out, ReadTimeout timeout, Closeable close,
      Closeable abort) {
    return new StreamConnection(in, out, timeout, close, abort);
  }

  /** What sets a connection's {@link #readTimeout}. */
  interface ReadTimeout {
    void set(Duration timeout) throws IOException;
  }
}
