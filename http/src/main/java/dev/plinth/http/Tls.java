package dev.plinth.http;

import java.io.IOException;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * TLS: on top of a connected socket, the server's certificate checked for its host name; and a
 * context that costs nothing until the first https connection. What certificates are trusted is
 * {@link Trust}'s.
 */
public final class Tls {
  private Tls() {}

  /**
   * A TLS context that trusts what {@code trust} does, made on first use: the JDK's TLS provider
   * is loaded and set up (some 100 ms) only when a connection goes to https.
   */
  public static SSLContext lazy(TrustManager trust) {
    return new LazyTls(trust, null);
  }

  /** As {@link #lazy(TrustManager)}, presenting a client certificate when the server asks. */
  public static SSLContext lazy(TrustManager trust, KeyManager client) {
    return new LazyTls(trust, client);
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

  /** A TLS context made on first use, with one trust manager (and a client key, if any). */
  private static final class LazyTls extends SSLContext {
    LazyTls(TrustManager trust, KeyManager client) {
      super(new Spi(trust, client), null, "TLS");
    }

    private static final class Spi extends SSLContextSpi {
      private final TrustManager trust;
      private final KeyManager client;
      private volatile SSLContext ctx;

      Spi(TrustManager trust, KeyManager client) {
        this.trust = trust;
        this.client = client;
      }

      private SSLContext ctx() {
        SSLContext c = ctx;
        if (c == null) {
          synchronized (this) {
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
            c = ctx;
          }
        }
        return c;
      }

      @Override
      protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) {
        throw new UnsupportedOperationException("initialised when made");
      }

      @Override
      protected SSLSocketFactory engineGetSocketFactory() {
        return ctx().getSocketFactory();
      }

      @Override
      protected SSLServerSocketFactory engineGetServerSocketFactory() {
        return ctx().getServerSocketFactory();
      }

      @Override
      protected SSLEngine engineCreateSSLEngine() {
        return ctx().createSSLEngine();
      }

      @Override
      protected SSLEngine engineCreateSSLEngine(String host, int port) {
        return ctx().createSSLEngine(host, port);
      }

      @Override
      protected SSLSessionContext engineGetServerSessionContext() {
        return ctx().getServerSessionContext();
      }

      @Override
      protected SSLSessionContext engineGetClientSessionContext() {
        return ctx().getClientSessionContext();
      }

      @Override
      protected SSLParameters engineGetDefaultSSLParameters() {
        return ctx().getDefaultSSLParameters();
      }

      @Override
      protected SSLParameters engineGetSupportedSSLParameters() {
        return ctx().getSupportedSSLParameters();
      }
    }
  }
}
