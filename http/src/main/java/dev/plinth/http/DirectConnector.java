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
 * TCP to the URI's host and port, or to the HTTP proxy {@link Proxies} names for it; TLS on top
 * for https (through a CONNECT tunnel when proxied; plain http goes to the proxy in absolute
 * form), with the context {@code tls} gives when the first https connection asks for it.
 * Connecting, the tunnel and the TLS handshake together end by the connect timeout: a {@link
 * Guard} closes the socket then, which a server (or proxy) trickling its answer cannot put off.
 */
record DirectConnector(Supplier<SSLContext> tls, Proxies proxies) implements Connector {
  @Override
  public Connection open(URI uri, Duration connectTimeout) throws IOException {
    String host = Uris.bareHost(uri);
    int port = Uris.port(uri);
    Proxies.Proxy via = proxies.forUri(uri);
    Deadline deadline = Deadline.after(connectTimeout, via == null ? "for connecting"
        : "for connecting through the proxy " + via);
    Socket s = new Socket();
    Guard guard = new Guard(() -> StreamConnection.quietly(s));
    try {
      s.setTcpNoDelay(true);
      guard.watch(deadline, null);
      s.connect(via == null ? new InetSocketAddress(host, port)
          : new InetSocketAddress(via.host(), via.port()), Uris.millis(connectTimeout));
      if (Uris.isHttps(uri)) {
        if (via != null) {
          ProxyTunnel.open(s, via, host, port);
        }
        Socket t = Tls.handshake(tls.get(), s, host, port, deadline.left());
        return Connection.of(t, s);
      }
      return via == null ? Connection.of(s) : Connection.toProxy(Connection.of(s),
          via.authorization());
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
