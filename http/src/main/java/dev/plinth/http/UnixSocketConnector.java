package dev.plinth.http;

import dev.plinth.oci.BulkInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Every connection to one unix-domain socket, whatever the URI's host (which still goes into the
 * Host header). A unix socket channel has no read timeout of its own, so the channel is
 * non-blocking and a read waits in a selector for at most the timeout.
 */
record UnixSocketConnector(Path socket) implements Connector {
  /** A ConnectException when nothing listens on the socket (or it is no socket). */
  @Override
  public Connection open(URI uri, Duration connectTimeout) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      Channel c = new Channel(ch);
      return Connection.of(c.in, c.out, c::readTimeout, c, c);
    } catch (IOException e) {
      ch.close();
      if (e instanceof ConnectException) {
        throw e;
      }
      ConnectException c = new ConnectException(e.getMessage());
      c.initCause(e);
      throw c;
    }
  }

  /**
   * A connected channel, non-blocking, its reads and writes waiting in a selector; closing it
   * from another thread ends a blocked read or write at once.
   */
  private static final class Channel implements Closeable {
    private final SocketChannel ch;
    private final Selector selector;
    private final SelectionKey key;
    private volatile long timeoutNanos;
    private final InputStream in = new BulkInputStream() {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        long deadline = timeoutNanos == 0 ? 0 : System.nanoTime() + timeoutNanos;
        while (true) {
          int n = ch.read(buf);
          if (n != 0) {
            return n;
          }
          await(SelectionKey.OP_READ, deadline);
        }
      }
    };
    private final OutputStream out = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b, off, len);
        while (buf.hasRemaining()) {
          if (ch.write(buf) == 0) {
            await(SelectionKey.OP_WRITE, 0); // as a TCP socket's write: no timeout
          }
        }
      }
    };

    Channel(SocketChannel ch) throws IOException {
      this.ch = ch;
      ch.configureBlocking(false);
      this.selector = Selector.open();
      try {
        this.key = ch.register(selector, 0);
      } catch (IOException | RuntimeException e) {
        selector.close();
        throw e;
      }
    }

    /** Waits until the channel is ready for {@code op}; deadline 0 for no limit. */
    private void await(int op, long deadline) throws IOException {
      long wait = 0;
      if (deadline != 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new SocketTimeoutException("Read timed out");
        }
        wait = Math.max(1, left / 1_000_000);
      }
      try {
        key.interestOps(op);
        try {
          selector.select(wait);
          selector.selectedKeys().clear();
        } finally {
          key.interestOps(0);
        }
      } catch (ClosedSelectorException | CancelledKeyException e) {
        // aborted from another thread (a deadline passed)
        throw new AsynchronousCloseException();
      }
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the socket");
      }
    }

    void readTimeout(Duration timeout) {
      timeoutNanos = Math.max(1, timeout.toNanos());
    }

    @Override
    public void close() throws IOException {
      try {
        selector.close();
      } finally {
        ch.close();
      }
    }
  }
}
