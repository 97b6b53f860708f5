package dev.plinth.registry;

import dev.plinth.http.Trust;
import dev.plinth.oci.PlinthException;
import java.io.FileInputStream;
import java.io.IOException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/** What a registry's certificate is checked against: the JDK's CAs, a private CA besides them. */
final class RegistryTrust {
  private RegistryTrust() {}

  /** Trust for a registry; the CA file is read now. */
  static TrustManager of(RegistryOptions o, boolean insecure) throws PlinthException {
    if (insecure) {
      return Trust.all();
    }
    if (o.caFile() == null) {
      return Trust.system();
    }
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (FileInputStream in = new FileInputStream(o.caFile().toFile())) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "PLINTH_REGISTRY_CA=" + o.caFile() + " holds no PEM certificate");
      }
      TrustManagerFactory extra =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      extra.init(ks);
      // the JDK's CA store is loaded on the first TLS handshake, not for plain-HTTP registries
      return Trust.systemOr((X509ExtendedTrustManager) extra.getTrustManagers()[0]);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          "PLINTH_REGISTRY_CA=" + o.caFile() + " cannot be read: " + e.getMessage());
    } catch (java.security.GeneralSecurityException e) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "PLINTH_REGISTRY_CA=" + o.caFile() + " is not a PEM certificate file: " + e.getMessage());
    }
  }
}
