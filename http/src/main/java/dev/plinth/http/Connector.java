package dev.plinth.http;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Where a connection is opened: the one place that decides how bytes reach the server a URI
 * names. {@link Http1} asks its connector for a connection whenever it has no idle one for that
 * scheme, host and port.
 *
 * <ul>
 *   <li>{@link #direct()}, {@link #direct(Supplier)}: TCP to the URI's host and port, TLS on top for https (see
 *       {@link Tls#handshake}).
 *   <li>{@link #unix(Path)}: a unix-domain socket, whatever the URI's host (the Docker Engine
 *       API).
 * </ul>
 *
 * <p>An HTTP CONNECT proxy is one more implementation of this interface, and nothing else
 * changes: open TCP to the proxy, send {@code CONNECT host:port HTTP/1.1} (with its
 * Proxy-Authorization), read its answer's head (a 2xx opens the tunnel), then for https do the
 * TLS handshake with the origin's host name over that socket ({@link Tls#handshake}) and return
 * it as a {@link Connection#of(java.net.Socket)}. Whether a URI goes through the proxy (NO_PROXY)
 * is a connector that picks {@code direct} or the proxy per URI.
 */
public interface Connector {
  /**
   * Opens a connection to the server of {@code uri}: its scheme, host and port (the path and
   * query are the request's business).
   *
   * @param connectTimeout how long connecting (and a TLS handshake) may take
   */
  Connection open(URI uri, Duration connectTimeout) throws IOException;

  /** TCP, and TLS with this context for https; host names are checked against certificates. */
  static Connector direct(SSLContext tls) {
    return direct(() -> tls);
  }

  /**
   * TCP, and TLS for https with the context {@code tls} gives ({@link Tls#lazy}: made on the first
   * https connection); host names are checked against certificates.
   */
  static Connector direct(Supplier<SSLContext> tls) {
    return new DirectConnector(tls);
  }

  /** TCP, and TLS for https with the JDK's trusted CAs, loaded on the first https connection. */
  static Connector direct() {
    return direct(Tls.lazy(Trust.system()));
  }

  /** Every request over the unix-domain socket at {@code socket}. */
  static Connector unix(Path socket) {
    return new UnixSocketConnector(socket);
  }
}
