package dev.plinth.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PEM files as container tools keep them: CA certificates ({@code ca.crt}), and a client
 * certificate with its unencrypted private key ({@code client.cert}, {@code client.key}: PKCS#8
 * "PRIVATE KEY", RSA or EC, or PKCS#1 "RSA PRIVATE KEY", as openssl writes them).
 */
public final class Pem {
  private Pem() {}

  /** Trust in the certificates of these PEM texts; IllegalArgumentException if none. */
  public static X509ExtendedTrustManager trust(List<byte[]> pems, String what)
      throws GeneralSecurityException {
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (byte[] pem : pems) {
        for (Certificate c : certificates(pem)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw new IllegalArgumentException(what + " holds no PEM certificate");
      }
      TrustManagerFactory f =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      f.init(ks);
      return (X509ExtendedTrustManager) f.getTrustManagers()[0];
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** The certificates of a PEM text. */
  public static List<Certificate> certificates(byte[] pem) throws GeneralSecurityException {
    return new ArrayList<>(CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem)));
  }

  /** A key manager that presents this certificate chain and key. */
  public static KeyManager client(byte[] certPem, byte[] keyPem, String what)
      throws GeneralSecurityException {
    List<Certificate> chain = certificates(certPem);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(what + ": the certificate file holds no certificate");
    }
    PrivateKey key = privateKey(keyPem, chain.get(0).getPublicKey().getAlgorithm(), what);
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      char[] none = new char[0];
      ks.setKeyEntry("client", key, none, chain.toArray(new Certificate[0]));
      KeyManagerFactory f = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      f.init(ks, none);
      return f.getKeyManagers()[0];
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** An unencrypted private key in PEM, of the certificate's algorithm (RSA or EC). */
  static PrivateKey privateKey(byte[] pem, String algorithm, String what)
      throws GeneralSecurityException {
    String text = new String(pem, StandardCharsets.US_ASCII);
    byte[] der;
    if ((der = block(text, "PRIVATE KEY")) != null) {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    }
    if ((der = block(text, "RSA PRIVATE KEY")) != null) {
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(
          rsaPkcs8(der)));
    }
    if (block(text, "ENCRYPTED PRIVATE KEY") != null || text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw new IllegalArgumentException(what + ": the private key is encrypted; container tools"
          + " read unencrypted keys (openssl pkey -in KEY -out KEY.plain)");
    }
    throw new IllegalArgumentException(what + ": no PEM private key (\"PRIVATE KEY\" or \"RSA"
        + " PRIVATE KEY\"); convert it with openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
  }

  private static byte[] block(String text, String label) {
    String begin = "-----BEGIN " + label + "-----";
    int b = text.indexOf(begin);
    if (b < 0) {
      return null;
    }
    int e = text.indexOf("-----END " + label + "-----", b);
    if (e < 0) {
      return null;
    }
    String body = text.substring(b + begin.length(), e);
    if (body.contains(":")) {
      return null;   // headers (an encrypted PKCS#1 key)
    }
    return Base64.getMimeDecoder().decode(body);
  }

  /** PKCS#1 RSAPrivateKey wrapped in a PKCS#8 PrivateKeyInfo. */
  private static byte[] rsaPkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7,
        0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.write(0x04);
    body.writeBytes(length(pkcs1.length));
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.writeBytes(length(body.size()));
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    if (n < 0x100) {
      return new byte[] {(byte) 0x81, (byte) n};
    }
    if (n < 0x10000) {
      return new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
    }
    return new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
  }
}
