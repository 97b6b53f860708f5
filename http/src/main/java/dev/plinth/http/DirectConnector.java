package dev.plinth.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * TCP to the URI's host and port, or to the HTTP proxy {@link Proxies} names for it; TLS on top
 * for https (through a CONNECT tunnel when proxied; plain http goes to the proxy in absolute
 * form). Connecting, the tunnel and the TLS handshake together end by the connect timeout: a
 * {@link Guard} closes the socket then, which a server (or proxy) trickling its answer cannot put
 * off.
 */
final class DirectConnector implements Connector {
  private final SSLContext tls;
  private final Proxies proxies;

  DirectConnector(SSLContext tls, Proxies proxies) {
    this.tls = tls;
    this.proxies = proxies;
  }

  @Override
  public Connection open(URI uri, Duration connectTimeout) throws IOException {
    String host = Uris.bareHost(uri);
    int port = Uris.port(uri);
    Proxies.Proxy via = proxies.forUri(uri);
    Deadline deadline = Deadline.after(connectTimeout, via == null ? "for connecting"
        : "for connecting through the proxy " + via);
    Socket s = new Socket();
    Guard guard = new Guard(() -> close(s));
    try {
      s.setTcpNoDelay(true);
      guard.watch(deadline, null);
      s.connect(via == null ? new InetSocketAddress(host, port)
          : new InetSocketAddress(via.host(), via.port()), Uris.millis(connectTimeout));
      if (Uris.isHttps(uri)) {
        if (via != null) {
          ProxyTunnel.open(s, via, host, port);
        }
        Socket t = Tls.handshake(tls, s, host, port, deadline.left());
        return Connection.of(t, s);
      }
      return via == null ? Connection.of(s) : Connection.toProxy(Connection.of(s),
          via.authorization());
    } catch (IOException | RuntimeException e) {
      close(s);
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

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already failing
    }
  }
}
