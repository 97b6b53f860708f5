package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.SmallFiles;
import dev.plinth.oci.PlinthException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * The OpenPGP public keys a repository's InRelease may be signed by: binary ({@code .gpg}) or
 * ASCII-armored ({@code .asc}) keyrings, as apt's {@code Signed-By} takes them.
 */
public final class Keyring {
  /** Where the debian-archive-keyring package puts Debian's archive keys. */
  public static final Path DEBIAN_ARCHIVE_KEYRING =
      Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

  private static final int MAX_KEYRING_BYTES = 16 << 20;

  private final Map<Long, PGPPublicKey> byKeyId;
  private final Map<Long, PGPPublicKey> primaryOf;
  private final List<String> sources;

  private Keyring(Map<Long, PGPPublicKey> byKeyId, Map<Long, PGPPublicKey> primaryOf,
      List<String> sources) {
    this.byKeyId = byKeyId;
    this.primaryOf = primaryOf;
    this.sources = sources;
  }

  /**
   * Loads every key (primary keys and subkeys) of these keyring files. NOT_FOUND for a missing
   * file, BAD_INPUT naming the file when it is not an OpenPGP public keyring or holds no key.
   */
  public static Keyring load(List<Path> files) throws PlinthException {
    if (files.isEmpty()) {
      throw new PlinthException(Kind.USAGE, "no keyring given to check repository signatures");
    }
    Map<Long, PGPPublicKey> keys = new LinkedHashMap<>();
    Map<Long, PGPPublicKey> primary = new LinkedHashMap<>();
    List<String> names = new ArrayList<>();
    for (Path file : files) {
      byte[] bytes;
      try {
        bytes = SmallFiles.read(file, MAX_KEYRING_BYTES, "keyring");
      } catch (NoSuchFileException e) {
        throw new PlinthException(Kind.NOT_FOUND, "keyring " + file + " does not exist");
      } catch (IOException e) {
        throw new PlinthException(Kind.NOT_FOUND, "cannot read keyring " + file + ": " + e, e);
      }
      int before = keys.size();
      for (PGPPublicKeyRing ring : rings(bytes, file.toString())) {
        PGPPublicKey master = ring.getPublicKey();
        for (PGPPublicKey k : ring) {
          keys.put(k.getKeyID(), k);
          primary.put(k.getKeyID(), master);
        }
      }
      if (keys.size() == before) {
        throw new PlinthException(Kind.BAD_INPUT, "keyring " + file + " holds no public key");
      }
      names.add(file.toString());
    }
    return new Keyring(Collections.unmodifiableMap(keys), Collections.unmodifiableMap(primary),
        List.copyOf(names));
  }

  /**
   * Debian's archive keys from {@link #DEBIAN_ARCHIVE_KEYRING}; NOT_FOUND saying what to do when
   * the host does not have them.
   */
  public static Keyring systemDebian() throws PlinthException {
    return systemDebian(DEBIAN_ARCHIVE_KEYRING);
  }

  static Keyring systemDebian(Path file) throws PlinthException {
    if (!Files.isRegularFile(file)) {
      throw new PlinthException(Kind.NOT_FOUND, "Debian's archive keyring " + file
          + " is not on this machine: install the debian-archive-keyring package (apt-get install"
          + " debian-archive-keyring), or set debian.keyring in plinth.yaml to a keyring file");
    }
    return load(List.of(file));
  }

  /** The files the keys came from, for messages. */
  public List<String> sources() {
    return sources;
  }

  /** Fingerprints (hex, upper case) of the primary keys, for messages and reports. */
  public List<String> fingerprints() {
    List<String> l = new ArrayList<>();
    for (PGPPublicKey k : new LinkedHashSet<>(primaryOf.values())) {
      l.add(HexFormat.of().withUpperCase().formatHex(k.getFingerprint()));
    }
    return l;
  }

  /** The key (primary or subkey) with this id, or null. */
  PGPPublicKey key(long keyId) {
    return byKeyId.get(keyId);
  }

  /** The primary key whose ring holds this key id, or null. */
  PGPPublicKey primary(long keyId) {
    return primaryOf.get(keyId);
  }

  static String keyId(long id) {
    return String.format("%016X", id);
  }

  private static List<PGPPublicKeyRing> rings(byte[] bytes, String what) throws PlinthException {
    List<PGPPublicKeyRing> out = new ArrayList<>();
    try {
      String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
      if (head.stripLeading().startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----")) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        String begin = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
        for (int at = text.indexOf(begin); at >= 0; at = text.indexOf(begin, at + 1)) {
          try (InputStream in = ArmoredInputStream.builder().setIgnoreCRC(false)
              .build(new ByteArrayInputStream(bytes, at, bytes.length - at))) {
            collect(in, out);
          }
        }
      } else {
        collect(new ByteArrayInputStream(bytes), out);
      }
    } catch (IOException | PGPException | RuntimeException e) {
      throw new PlinthException(Kind.BAD_INPUT, "keyring " + what
          + " is not an OpenPGP public keyring (binary .gpg or armored .asc): " + e.getMessage(), e);
    }
    return out;
  }

  private static void collect(InputStream in, List<PGPPublicKeyRing> out)
      throws IOException, PGPException {
    PGPPublicKeyRingCollection c = new PGPPublicKeyRingCollection(in, new BcKeyFingerprintCalculator());
    c.forEach(out::add);
  }
}
