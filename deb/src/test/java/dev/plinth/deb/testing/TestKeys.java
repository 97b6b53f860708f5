package dev.plinth.deb.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * OpenPGP keys for tests (RSA 2048, made with Bouncy Castle) and clearsigning with them the way
 * {@code gpg --clearsign} does. {@link #archive()} and {@link #stranger()} are made once per JVM
 * and shared, since RSA key generation takes a moment.
 */
public final class TestKeys {
  private static Key archive;
  private static Key stranger;

  /** An OpenPGP key pair: its public keyring (a self-signed user id) and its private key. */
  public static final class Key {
    private final PGPKeyPair pair;
    private final PGPPublicKeyRing ring;

    private Key(PGPKeyPair pair, PGPPublicKeyRing ring) {
      this.pair = pair;
      this.ring = ring;
    }

    public long keyId() {
      return pair.getKeyID();
    }

    /** The key id as apt and gpg print it: 16 upper-case hex digits. */
    public String keyIdHex() {
      return String.format("%016X", keyId());
    }

    public PGPKeyPair pair() {
      return pair;
    }

    public PGPPublicKeyRing publicRing() {
      return ring;
    }

    /** The public keyring in binary form, as a {@code .gpg} file holds it. */
    public byte[] keyring() {
      try {
        return ring.getEncoded();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The public keyring ASCII-armored, as a {@code .asc} file holds it. */
    public String armored() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      try (ArmoredOutputStream a = new ArmoredOutputStream(b)) {
        ring.encode(a);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return b.toString(StandardCharsets.US_ASCII);
    }

    /** Writes the public keyring to {@code file}: armored if it ends in {@code .asc}. */
    public Path write(Path file) throws IOException {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (file.toString().endsWith(".asc")) {
        Files.writeString(file, armored(), StandardCharsets.US_ASCII);
      } else {
        Files.write(file, keyring());
      }
      return file;
    }
  }

  /** The key test repositories sign with by default. */
  public static synchronized Key archive() {
    if (archive == null) {
      archive = generate("plinth test archive <archive@example.invalid>",
          Instant.now().minus(Duration.ofDays(30)), null);
    }
    return archive;
  }

  /** A second key, in no keyring the tests trust by default. */
  public static synchronized Key stranger() {
    if (stranger == null) {
      stranger = generate("someone else <stranger@example.invalid>",
          Instant.now().minus(Duration.ofDays(30)), null);
    }
    return stranger;
  }

  /**
   * A new RSA 2048 key.
   *
   * @param created the key's creation time
   * @param validFor how long after {@code created} the key expires, or null for never
   */
  public static Key generate(String userId, Instant created, Duration validFor) {
    try {
      RSAKeyPairGenerator g = new RSAKeyPairGenerator();
      g.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), new SecureRandom(), 2048,
          80));
      PGPKeyPair pair =
          new BcPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, g.generateKeyPair(), Date.from(created));
      PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
      hashed.setKeyFlags(false, KeyFlags.SIGN_DATA | KeyFlags.CERTIFY_OTHER);
      if (validFor != null) {
        hashed.setKeyExpirationTime(false, validFor.toSeconds());
      }
      hashed.setSignatureCreationTime(false, Date.from(created.plusSeconds(1)));
      PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair,
          userId, new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), hashed.generate(),
          null, new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.RSA_GENERAL,
              HashAlgorithmTags.SHA256), null);
      return new Key(pair, rings.generatePublicKeyRing());
    } catch (PGPException e) {
      throw new IllegalStateException("cannot generate a test key", e);
    }
  }

  /** Clearsigns {@code text} with SHA256 by these keys, as {@code gpg --clearsign} would. */
  public static byte[] clearsign(String text, Key... keys) {
    return clearsign(text, HashAlgorithmTags.SHA256, "SHA256", keys);
  }

  /**
   * Clearsigns {@code text} with the digest {@code hashAlgorithm} (a {@link HashAlgorithmTags}
   * value), declaring {@code hashHeader} in the {@code Hash:} armor header (null for none).
   */
  public static byte[] clearsign(String text, int hashAlgorithm, String hashHeader, Key... keys) {
    List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\n");
    if (hashHeader != null) {
      out.append("Hash: ").append(hashHeader).append('\n');
    }
    out.append('\n');
    List<String> canonical = new ArrayList<>();
    for (String line : lines) {
      out.append(line.startsWith("-") ? "- " + line : line).append('\n');
      canonical.add(line.replaceAll("[ \t]+$", ""));
    }
    byte[] signed = String.join("\r\n", canonical).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream sig = new ByteArrayOutputStream();
    try (ArmoredOutputStream armor = new ArmoredOutputStream(sig)) {
      BCPGOutputStream packets = new BCPGOutputStream(armor);
      for (Key k : keys) {
        PGPSignatureGenerator g = new PGPSignatureGenerator(new BcPGPContentSignerBuilder(
            k.pair.getPublicKey().getAlgorithm(), hashAlgorithm));
        g.init(PGPSignature.CANONICAL_TEXT_DOCUMENT, k.pair.getPrivateKey());
        PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
        hashed.setSignatureCreationTime(false, new Date());
        hashed.setIssuerFingerprint(false, k.pair.getPublicKey());
        g.setHashedSubpackets(hashed.generate());
        PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
        unhashed.setIssuerKeyID(false, k.keyId());
        g.setUnhashedSubpackets(unhashed.generate());
        g.update(signed);
        g.generate().encode(packets);
      }
      packets.flush();
    } catch (IOException | PGPException e) {
      throw new IllegalStateException("cannot clearsign", e);
    }
    out.append(sig.toString(StandardCharsets.US_ASCII));
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private TestKeys() {}
}
