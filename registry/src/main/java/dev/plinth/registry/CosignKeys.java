package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * Signing keys in cosign's formats. The private key is PEM {@code ENCRYPTED COSIGN PRIVATE KEY}
 * (cosign also reads it; newer cosign writes {@code ENCRYPTED SIGSTORE PRIVATE KEY}, which plinth
 * reads too, but containers/image before 5.29, skopeo 1.9 among them, reads only the first):
 * base64 of the JSON {@code {"kdf":{"name":"scrypt","params":{"N":32768,"r":8,"p":1},
 * "salt":…},"cipher":{"name":"nacl/secretbox","nonce":…},"ciphertext":…}} whose ciphertext is
 * the PKCS#8 DER key sealed by NaCl's secretbox (XSalsa20-Poly1305, the 16-byte tag first) under
 * the scrypt of the password. The public key is PEM {@code PUBLIC KEY} (PKIX).
 */
public final class CosignKeys {
  public static final String PRIVATE_PEM = "ENCRYPTED COSIGN PRIVATE KEY";
  static final String SIGSTORE_PRIVATE_PEM = "ENCRYPTED SIGSTORE PRIVATE KEY";
  public static final String PUBLIC_PEM = "PUBLIC KEY";
  // go-tuf's "encrypted" parameters: readers refuse any other (a tampered N would be a DoS)
  private static final int SCRYPT_N = 32768;
  private static final int SCRYPT_R = 8;
  private static final int SCRYPT_P = 1;
  private static final int TAG = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new key pair: the encrypted private key and the public key, each as PEM text. */
  public record Pair(String privatePem, String publicPem) {}

  /** Generates an ECDSA P-256 key pair, the private key sealed under {@code password}. */
  public static Pair generate(byte[] password) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      KeyPair kp = g.generateKeyPair();
      return new Pair(encrypt(kp.getPrivate(), password), publicPem(kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make ECDSA P-256 keys", e);
    }
  }

  /** The private key as cosign stores it: its PKCS#8 DER sealed under {@code password}. */
  public static String encrypt(PrivateKey key, byte[] password) {
    byte[] salt = random(32);
    byte[] nonce = random(24);
    byte[] box = seal(key.getEncoded(), scrypt(password, salt), nonce);
    Base64.Encoder b64 = Base64.getEncoder();
    Map<String, Object> kdf = new LinkedHashMap<>();
    kdf.put("name", "scrypt");
    kdf.put("params", Map.of("N", SCRYPT_N, "r", SCRYPT_R, "p", SCRYPT_P));
    kdf.put("salt", b64.encodeToString(salt));
    Map<String, Object> cipher = new LinkedHashMap<>();
    cipher.put("name", "nacl/secretbox");
    cipher.put("nonce", b64.encodeToString(nonce));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("kdf", kdf);
    doc.put("cipher", cipher);
    doc.put("ciphertext", b64.encodeToString(box));
    return pem(PRIVATE_PEM, Json.write(doc));
  }

  /** The PEM of a public key (PKIX). */
  public static String publicPem(PublicKey key) {
    return pem(PUBLIC_PEM, key.getEncoded());
  }

  /**
   * Opens a cosign private key.
   *
   * @param what the file it came from, for messages
   * @throws PlinthException BAD_INPUT for a file that is not such a key, or a wrong password
   */
  public static PrivateKey decrypt(String pem, byte[] password, String what)
      throws PlinthException {
    String type = pemType(pem);
    if (!PRIVATE_PEM.equals(type) && !SIGSTORE_PRIVATE_PEM.equals(type)) {
      throw bad(what, "is not a cosign private key (PEM '" + PRIVATE_PEM + "'"
          + (type == null ? ", found no PEM block" : ", found '" + type + "'") + "); make one"
          + " with 'plinth key generate' or 'cosign generate-key-pair'");
    }
    JsonNode doc = Json.read(pemBytes(pem, type, what), what);
    JsonNode params = doc.path("kdf").path("params");
    if (!"scrypt".equals(doc.path("kdf").path("name").asText())
        || !"nacl/secretbox".equals(doc.path("cipher").path("name").asText())) {
      throw bad(what, "is encrypted with kdf '" + doc.path("kdf").path("name").asText()
          + "' and cipher '" + doc.path("cipher").path("name").asText() + "'; plinth reads"
          + " scrypt with nacl/secretbox, as cosign writes");
    }
    if (params.path("N").asInt() != SCRYPT_N || params.path("r").asInt() != SCRYPT_R
        || params.path("p").asInt() != SCRYPT_P) {
      throw bad(what, "has scrypt parameters other than N=32768 r=8 p=1 (as cosign refuses"
          + " them too)");
    }
    byte[] salt = base64(doc.path("kdf").path("salt"), what, "kdf.salt");
    byte[] nonce = base64(doc.path("cipher").path("nonce"), what, "cipher.nonce");
    byte[] box = base64(doc.path("ciphertext"), what, "ciphertext");
    if (nonce.length != 24 || box.length < TAG) {
      throw bad(what, "has a nonce or ciphertext of the wrong length");
    }
    byte[] der = open(box, scrypt(password, salt), nonce);
    if (der == null) {
      throw bad(what, "cannot be opened with this password (wrong password, or the file was"
          + " changed); the password comes from --key-password-file, else COSIGN_PASSWORD, else"
          + " a prompt");
    }
    try {
      return keyFactory(der, what).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw bad(what, "holds a key the JDK cannot read: " + e.getMessage());
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  /** Reads a PEM {@code PUBLIC KEY} (ECDSA, RSA or Ed25519). */
  public static PublicKey readPublic(String pem, String what) throws PlinthException {
    String type = pemType(pem);
    if (!PUBLIC_PEM.equals(type)) {
      throw bad(what, "is not a public key (PEM '" + PUBLIC_PEM + "'"
          + (type == null ? ", found no PEM block" : ", found '" + type + "'") + ")");
    }
    byte[] der = pemBytes(pem, type, what);
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        // another algorithm
      }
    }
    throw bad(what, "holds a public key that is not ECDSA, RSA or Ed25519");
  }

  /** The JCA signature algorithm cosign uses with a key: SHA-256 for ECDSA and RSA. */
  static String algorithm(java.security.Key key) {
    return switch (key.getAlgorithm()) {
      case "EC" -> "SHA256withECDSA";
      case "RSA" -> "SHA256withRSA";
      default -> "Ed25519";
    };
  }

  private static KeyFactory keyFactory(byte[] pkcs8, String what) throws PlinthException {
    for (String alg : new String[] {"EC", "RSA", "Ed25519"}) {
      try {
        KeyFactory f = KeyFactory.getInstance(alg);
        f.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        return f;
      } catch (GeneralSecurityException e) {
        // another algorithm
      }
    }
    throw bad(what, "holds a private key that is not ECDSA, RSA or Ed25519");
  }

  private static byte[] scrypt(byte[] password, byte[] salt) {
    return SCrypt.generate(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, 32);
  }

  /** NaCl secretbox: the Poly1305 tag, then the XSalsa20 ciphertext. */
  static byte[] seal(byte[] plain, byte[] key, byte[] nonce) {
    XSalsa20Engine x = stream(key, nonce);
    byte[] out = new byte[TAG + plain.length];
    byte[] polyKey = polyKey(x);
    x.processBytes(plain, 0, plain.length, out, TAG);
    mac(polyKey, out, TAG, plain.length, out);
    return out;
  }

  /** Opens a secretbox; null when its tag does not match (wrong key or changed bytes). */
  static byte[] open(byte[] box, byte[] key, byte[] nonce) {
    XSalsa20Engine x = stream(key, nonce);
    byte[] polyKey = polyKey(x);
    byte[] tag = new byte[TAG];
    mac(polyKey, box, TAG, box.length - TAG, tag);
    if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, TAG))) {
      return null;
    }
    byte[] plain = new byte[box.length - TAG];
    x.processBytes(box, TAG, plain.length, plain, 0);
    return plain;
  }

  private static XSalsa20Engine stream(byte[] key, byte[] nonce) {
    XSalsa20Engine x = new XSalsa20Engine();
    x.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    return x;
  }

  /** The first 32 bytes of the stream key Poly1305; the message is XORed with the rest. */
  private static byte[] polyKey(XSalsa20Engine x) {
    byte[] k = new byte[32];
    x.processBytes(new byte[32], 0, 32, k, 0);
    return k;
  }

  private static void mac(byte[] polyKey, byte[] in, int off, int len, byte[] tagOut) {
    Poly1305 p = new Poly1305();
    p.init(new KeyParameter(polyKey));
    p.update(in, off, len);
    p.doFinal(tagOut, 0);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static String pemType(String pem) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----")
        .matcher(pem);
    return m.find() ? m.group(1) : null;
  }

  private static byte[] pemBytes(String pem, String type, String what) throws PlinthException {
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int b = pem.indexOf(begin);
    int e = pem.indexOf(end, b);
    if (e < 0) {
      throw bad(what, "has no '" + end + "' line");
    }
    try {
      return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e).trim());
    } catch (IllegalArgumentException x) {
      throw bad(what, "is not valid base64 inside its PEM block");
    }
  }

  private static byte[] base64(JsonNode n, String what, String field) throws PlinthException {
    try {
      if (!n.isTextual()) {
        throw new IllegalArgumentException();
      }
      return Base64.getDecoder().decode(n.asText());
    } catch (IllegalArgumentException e) {
      throw bad(what, "has no base64 '" + field + "'");
    }
  }

  private static PlinthException bad(String what, String why) {
    return new PlinthException(Kind.BAD_INPUT, what + ": " + why);
  }

  private CosignKeys() {}
}
