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
   * Trusts what the JDK trusts (loaded when first needed), or what the extra CA file does; host
   * names checked by both.
   */
  private static final class Either extends X509ExtendedTrustManager {
    private volatile X509ExtendedTrustManager a;
    private final X509ExtendedTrustManager b;

    Either(X509ExtendedTrustManager extra) {
      this.b = extra == null ? new RejectAll() : extra;
    }

    private X509ExtendedTrustManager system() throws CertificateException {
      X509ExtendedTrustManager t = a;
      if (t == null) {
        synchronized (this) {
          if (a == null) {
            a = systemTrust();
          }
          t = a;
        }
      }
      return t;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      try {
        system().checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        b.checkServerTrusted(chain, authType, engine);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      try {
        system().checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        b.checkServerTrusted(chain, authType, socket);
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      try {
        system().checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        b.checkServerTrusted(chain, authType);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw new CertificateException("no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw new CertificateException("no client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("no client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return b.getAcceptedIssuers(); // no client certificates are sent
    }
  }

  /** Trusts nothing: the extra CA file when none was given. */
  private static final class RejectAll extends X509ExtendedTrustManager {
    private static CertificateException no() {
      return new CertificateException("not trusted");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e)
        throws CertificateException {
      throw no();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, Socket s)
        throws CertificateException {
      throw no();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException {
      throw no();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e)
        throws CertificateException {
      throw no();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, Socket s)
        throws CertificateException {
      throw no();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException {
      throw no();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  /** For hosts named --insecure only: no certificate or host name check. */
  private static final class TrustAll extends X509ExtendedTrustManager {
    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a, Socket s) {}

    @Override
    public void checkServerTrusted(X509Certificate[] c, String a) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a, Socket s) {}

    @Override
    public void checkClientTrusted(X509Certificate[] c, String a) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
