package dev.plinth.http;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** TLS on top of a connected socket, the server's certificate checked for its host name. */
public final class Tls {
  private Tls() {}

  /**
   * Does the TLS handshake with {@code host} over {@code plain} (a direct TCP socket, or a
   * proxy's tunnel) and returns the TLS socket; closing it closes {@code plain}.
   *
   * @param timeout how long each read of the handshake may wait
   */
  public static Socket handshake(SSLContext tls, Socket plain, String host, int port,
      Duration timeout) throws IOException {
    plain.setSoTimeout(Uris.millis(timeout));
    SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(plain, host, port, true);
    SSLParameters p = t.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    t.setSSLParameters(p);
    t.startHandshake();
    return t;
  }
}
