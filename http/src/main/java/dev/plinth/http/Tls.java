package dev.plinth.http;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;

/**
 * TLS: on top of a connected socket, the server's certificate checked for its host name; and a
 * context that costs nothing until the first https connection. What certificates are trusted is
 * {@link Trust}'s.
 */
public final class Tls {
  private Tls() {}

  /**
   * A TLS context that trusts what {@code trust} does, made when first asked for: the JDK's TLS
   * provider is loaded and set up (some 100 ms) only when a connection goes to https.
   */
  public static Supplier<SSLContext> lazy(TrustManager trust) {
    return lazy(trust, null);
  }

  /** As {@link #lazy(TrustManager)}, presenting a client certificate when the server asks. */
  public static Supplier<SSLContext> lazy(TrustManager trust, KeyManager client) {
    return new Supplier<>() {
      private SSLContext ctx;

      @Override
      public synchronized SSLContext get() {
        if (ctx == null) {
          try {
            SSLContext made = SSLContext.getInstance("TLS");
            made.init(client == null ? null : new KeyManager[] {client},
                new TrustManager[] {trust}, null);
            ctx = made;
          } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS cannot be set up: " + e, e);
          }
        }
        return ctx;
      }
    };
  }

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
