package dev.plinth.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/** TCP straight to the URI's host and port; TLS on top for https. */
final class DirectConnector implements Connector {
  private final SSLContext tls;

  DirectConnector(SSLContext tls) {
    this.tls = tls;
  }

  @Override
  public Connection open(URI uri, Duration connectTimeout) throws IOException {
    String host = Uris.bareHost(uri);
    int port = Uris.port(uri);
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), Uris.millis(connectTimeout));
      if (Uris.isHttps(uri)) {
        s = Tls.handshake(tls, s, host, port, connectTimeout);
      }
      return Connection.of(s);
    } catch (IOException | RuntimeException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }
}
