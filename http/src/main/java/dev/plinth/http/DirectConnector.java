package dev.plinth.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * TCP straight to the URI's host and port; TLS on top for https, with the context {@code tls}
 * gives when the first https connection asks for it. Connecting and the TLS
 * handshake together end by the connect timeout: a {@link Guard} closes the socket then, which a
 * server trickling its handshake cannot put off.
 */
record DirectConnector(Supplier<SSLContext> tls) implements Connector {
  @Override
  public Connection open(URI uri, Duration connectTimeout) throws IOException {
    String host = Uris.bareHost(uri);
    int port = Uris.port(uri);
    Deadline deadline = Deadline.after(connectTimeout, "for connecting");
    Socket s = new Socket();
    Guard guard = new Guard(() -> StreamConnection.quietly(s));
    try {
      s.setTcpNoDelay(true);
      guard.watch(deadline, null);
      s.connect(new InetSocketAddress(host, port), Uris.millis(connectTimeout));
      if (Uris.isHttps(uri)) {
        Socket t = Tls.handshake(tls.get(), s, host, port, deadline.left());
        return Connection.of(t, s);
      }
      return Connection.of(s);
    } catch (IOException | RuntimeException e) {
      StreamConnection.quietly(s);
      if (guard.deadline() != null || e instanceof SocketTimeoutException) {
        DeadlineException x = new DeadlineException("not connected within " + deadline,
            deadline);
        x.initCause(e);
        throw x;
      }
      throw e;
    } finally {
      guard.close();
    }
  }
}
