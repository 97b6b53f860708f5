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
 * <p>{@link #tcp(SSLContext, Proxies)} goes through an HTTP proxy where {@link Proxies} says so:
 * for https a {@code CONNECT host:port} tunnel ({@link ProxyTunnel}) with the TLS handshake to
 * the origin over it; for plain http a connection to the proxy on which requests name their
 * target in absolute form ({@link Connection#absoluteForm()}).
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
    return tcp(tls, Proxies.NONE);
  }

  /** TCP, and TLS for https with the JDK's trusted CAs, loaded on the first https connection. */
  static Connector direct() {
    return direct(Tls.lazy(Trust.system()));
  }

  /**
   * TCP, directly or through the HTTP proxy {@code proxies} names for a URI (https through a
   * CONNECT tunnel, TLS with this context end to end with the origin).
   */
  static Connector tcp(SSLContext tls, Proxies proxies) {
    return tcp(() -> tls, proxies);
  }

  /** As {@link #tcp(SSLContext, Proxies)}, with the context {@code tls} gives when first asked. */
  static Connector tcp(Supplier<SSLContext> tls, Proxies proxies) {
    return new DirectConnector(tls, proxies);
  }

  /** Every request over the unix-domain socket at {@code socket}. */
  static Connector unix(Path socket) {
    return new UnixSocketConnector(socket);
  }
}
