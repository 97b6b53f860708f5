package dev.plinth.http;

import java.net.Socket;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a TLS server's certificate is checked against: the JDK's trusted CAs (loaded on the first
 * check, not before), optionally with one more set of CAs (a private registry's); or, for a host
 * the user named insecure, nothing at all. Host names are checked by {@link Tls#handshake}.
 */
public final class Trust {
  private Trust() {}

  /** The JDK's trusted CAs, loaded when a certificate is first checked. */
  public static X509ExtendedTrustManager system() {
    return new Either(null);
  }

  /** What the JDK trusts, or else what {@code extra} does (say, a private CA's file). */
  public static X509ExtendedTrustManager systemOr(X509ExtendedTrustManager extra) {
    return new Either(extra);
  }

  /** Every certificate, for a host the user named insecure only: no check at all. */
  public static X509ExtendedTrustManager all() {
    return new TrustAll();
  }

  private static X509ExtendedTrustManager systemTrust() throws CertificateException {
    try {
      TrustManagerFactory def =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      def.init((KeyStore) null);
      return (X509ExtendedTrustManager) def.getTrustManagers()[0];
    } catch (java.security.GeneralSecurityException e) {
      throw new CertificateException("the JDK's trusted CAs cannot be loaded: " + e.getMessage(), e);
    }
  }

  /**
   * A client's trust manager: plinth sends no client certificate, so the three client checks
   * refuse, and the three server checks (by engine, by socket, plain) are one {@link #server}.
   */
  private abstract static class ServerCheck extends X509ExtendedTrustManager {
    /** One of the three server checks, made against a given trust manager. */
    interface Check {
      void against(X509ExtendedTrustManager trust) throws CertificateException;
    }

    abstract void server(Check check) throws CertificateException;

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      server(t -> t.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      server(t -> t.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public final void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      server(t -> t.checkServerTrusted(chain, authType));
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public final void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("no client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0]; // no client certificates are sent
    }
  }

  /**
   * Trusts what the JDK trusts (loaded when first needed), or what the extra CA file does, if
   * any; host names checked by both.
   */
  private static final class Either extends ServerCheck {
    private volatile X509ExtendedTrustManager system;
    private final X509ExtendedTrustManager extra;

    Either(X509ExtendedTrustManager extra) {
      this.extra = extra;
    }

    private X509ExtendedTrustManager system() throws CertificateException {
      X509ExtendedTrustManager t = system;
      if (t == null) {
        synchronized (this) {
          if (system == null) {
            system = systemTrust();
          }
          t = system;
        }
      }
      return t;
    }

    @Override
    void server(Check check) throws CertificateException {
      try {
        check.against(system());
      } catch (CertificateException e) {
        if (extra == null) {
          throw new CertificateException("not trusted");
        }
        check.against(extra);
      }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return extra == null ? super.getAcceptedIssuers() : extra.getAcceptedIssuers();
    }
  }

  /** For hosts named --insecure only: no certificate or host name check. */
  private static final class TrustAll extends ServerCheck {
    @Override
    void server(Check check) {}
  }
}
