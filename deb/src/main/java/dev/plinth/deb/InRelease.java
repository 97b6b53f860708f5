package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * A repository's InRelease: a Release clearsigned with OpenPGP (RFC 4880 §7), checked the way apt
 * checks it. Everything outside the one signed block is refused, not ignored, so what plinth reads
 * is exactly what was signed; then the signature, the signer, the digest and the dates.
 */
public final class InRelease {
  /** How far a Release's Date may be ahead of our clock (apt's default is 0; mirrors drift). */
  public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private static final String BEGIN_SIGNED = "-----BEGIN PGP SIGNED MESSAGE-----";
  private static final String BEGIN_SIG = "-----BEGIN PGP SIGNATURE-----";
  private static final String END_SIG = "-----END PGP SIGNATURE-----";
  private static final int MAX_SIGNATURES = 16;
  private static final Map<String, Integer> STRONG = Map.of(
      "SHA256", HashAlgorithmTags.SHA256,
      "SHA384", HashAlgorithmTags.SHA384,
      "SHA512", HashAlgorithmTags.SHA512);
  private static final Set<String> SIGNATURE_ARMOR_HEADERS =
      Set.of("version", "comment", "charset", "messageid", "hash");

  /**
   * Verifies an InRelease and returns the Release it signs.
   *
   * @param keyring the keys the repository may be signed by; signatures by other keys are
   *     ignored, but at least one signature must be by a key in it and every such one must verify
   * @param now the time to check Date and Valid-Until against
   * @param lastSeenDate the newest Date already accepted for this repository, or null
   * @param what names the file in messages, e.g. its URL
   * @throws PlinthException BAD_INPUT naming {@code what} and the reason, on any doubt
   */
  public static Release verify(byte[] inRelease, Keyring keyring, Instant now,
      Instant lastSeenDate, String what) throws PlinthException {
    Signed signed = split(inRelease, what);
    List<PGPSignature> sigs = signatures(signed.signatureBytes, what);
    checkSignatures(sigs, signed, keyring, now, what);
    Release release = Release.parse(signed.text, what);
    checkDates(release, now, lastSeenDate, what);
    return release;
  }

  /** The parts of a cleartext-signed message. */
  record Signed(String text, byte[] canonical, byte[] signatureBytes, List<String> hashes) {}

  /**
   * Splits a cleartext-signed message strictly: optional blank lines, the BEGIN line, Hash
   * headers, a blank line, the dash-escaped text, one armored signature block, optional blank
   * lines. The text is canonicalised as RFC 4880 §7.1 says: trailing spaces and tabs removed from
   * each line, CRLF between lines, none after the last.
   */
  static Signed split(byte[] bytes, String what) throws PlinthException {
    String all = new String(bytes, StandardCharsets.ISO_8859_1);
    if (all.indexOf('\0') >= 0) {
      throw bad(what, "contains a NUL byte; an InRelease is text");
    }
    List<String> lines = lines(all, what);
    int i = 0;
    while (i < lines.size() && blank(lines.get(i))) {
      i++;
    }
    if (i == lines.size() || !strip(lines.get(i)).equals(BEGIN_SIGNED)) {
      if (all.contains(BEGIN_SIGNED)) {
        throw bad(what, "has unsigned text before its signed block (first line: '"
            + printable(lines.get(i)) + "'); only the signed block may be there");
      }
      throw bad(what, "is not signed: it has no '" + BEGIN_SIGNED + "' line. An InRelease must"
          + " be clearsigned; an unsigned Release in its place is refused, as apt refuses it");
    }
    i++;
    List<String> hashes = new ArrayList<>();
    for (; i < lines.size() && !blank(lines.get(i)); i++) {
      String h = strip(lines.get(i));
      if (!h.startsWith("Hash:")) {
        throw bad(what, "has an unexpected armor header '" + printable(h)
            + "' in its signed block; only Hash: is allowed there");
      }
      for (String alg : h.substring(5).split(",")) {
        String a = alg.trim().toUpperCase(Locale.ROOT);
        if (!STRONG.containsKey(a)) {
          throw bad(what, "declares the digest " + alg.trim() + "; only SHA256, SHA384 and SHA512"
              + " signatures are accepted (apt refuses SHA1 and MD5)");
        }
        hashes.add(a);
      }
    }
    if (i == lines.size()) {
      throw bad(what, "ends inside the header of its signed block");
    }
    i++; // the blank line after the headers
    List<String> text = new ArrayList<>();
    for (; i < lines.size(); i++) {
      String line = lines.get(i);
      if (strip(line).equals(BEGIN_SIG)) {
        break;
      }
      if (line.startsWith("- ")) {
        line = line.substring(2);
      } else if (line.startsWith("-")) {
        if (strip(line).equals(BEGIN_SIGNED)) {
          throw bad(what, "holds more than one signed block; exactly one is allowed");
        }
        throw bad(what, "has a line starting with '-' that is not dash-escaped: '"
            + printable(line) + "'");
      }
      text.add(strip(line));
    }
    if (i == lines.size()) {
      throw bad(what, "has no signature: its text is not followed by '" + BEGIN_SIG + "'");
    }
    i++;
    for (; i < lines.size() && !blank(lines.get(i)); i++) {
      String h = strip(lines.get(i));
      int colon = h.indexOf(": ");
      if (colon <= 0 || !SIGNATURE_ARMOR_HEADERS.contains(h.substring(0, colon).toLowerCase(Locale.ROOT))) {
        if (colon <= 0 && h.matches("[A-Za-z0-9+/=]+")) {
          throw bad(what, "has no blank line between the signature's armor headers and its data");
        }
        throw bad(what, "has an unexpected armor header in its signature: '" + printable(h) + "'");
      }
    }
    i++;
    StringBuilder b64 = new StringBuilder();
    String crc = null;
    for (; i < lines.size(); i++) {
      String line = strip(lines.get(i));
      if (line.equals(END_SIG)) {
        break;
      }
      if (crc != null) {
        throw bad(what, "has data after the checksum of its signature: '" + printable(line) + "'");
      }
      if (line.startsWith("=") && line.length() == 5) {
        crc = line.substring(1);
      } else {
        b64.append(line);
      }
    }
    if (i >= lines.size()) {
      throw bad(what, "is truncated: its signature has no '" + END_SIG + "' line");
    }
    for (i++; i < lines.size(); i++) {
      String line = lines.get(i);
      if (blank(line)) {
        continue;
      }
      if (strip(line).equals(BEGIN_SIG) || strip(line).equals(BEGIN_SIGNED)) {
        throw bad(what, "has a second signed block or signature after the first; exactly one"
            + " signed block with one signature block is allowed");
      }
      throw bad(what, "has unsigned text after its signature ('" + printable(line)
          + "'); nothing but the signed block is allowed");
    }
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(b64.toString());
    } catch (IllegalArgumentException e) {
      throw bad(what, "has a signature that is not valid base64: " + e.getMessage());
    }
    if (crc != null) {
      byte[] want;
      try {
        want = Base64.getDecoder().decode(crc);
      } catch (IllegalArgumentException e) {
        throw bad(what, "has an unreadable armor checksum '=" + crc + "'");
      }
      if (want.length != 3 || crc24(sig)
          != (((want[0] & 0xff) << 16) | ((want[1] & 0xff) << 8) | (want[2] & 0xff))) {
        throw bad(what, "has a signature whose armor checksum does not match (the signature"
            + " block was damaged)");
      }
    }
    String canonical = String.join("\r\n", text);
    byte[] canon = canonical.getBytes(StandardCharsets.ISO_8859_1);
    String utf8 = new String(canon, StandardCharsets.UTF_8).replace("\r\n", "\n") + "\n";
    return new Signed(utf8, canon, sig, List.copyOf(hashes));
  }

  private static List<String> lines(String all, String what) throws PlinthException {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < all.length()) {
      int nl = all.indexOf('\n', start);
      String line = nl < 0 ? all.substring(start) : all.substring(start, nl);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      if (line.indexOf('\r') >= 0) {
        throw bad(what, "has a bare carriage return inside line " + (out.size() + 1));
      }
      out.add(line);
      if (nl < 0) {
        break;
      }
      start = nl + 1;
    }
    return out;
  }

  /** Empty or only spaces and tabs: the only thing allowed around the signed block. */
  private static boolean blank(String line) {
    return strip(line).isEmpty();
  }

  /** Removes trailing spaces and tabs, which RFC 4880 §7.1 excludes from the signed text. */
  private static String strip(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
      end--;
    }
    return line.substring(0, end);
  }

  private static List<PGPSignature> signatures(byte[] bytes, String what) throws PlinthException {
    List<PGPSignature> sigs = new ArrayList<>();
    try {
      PGPObjectFactory f = new PGPObjectFactory(bytes, new BcKeyFingerprintCalculator());
      for (Object o = f.nextObject(); o != null; o = f.nextObject()) {
        if (!(o instanceof PGPSignatureList)) {
          throw bad(what, "holds an OpenPGP " + o.getClass().getSimpleName()
              + " in its signature block, where only signatures may be");
        }
        for (PGPSignature s : (PGPSignatureList) o) {
          sigs.add(s);
        }
      }
    } catch (IOException | RuntimeException e) {
      throw bad(what, "has an unreadable OpenPGP signature: " + e.getMessage());
    }
    if (sigs.isEmpty()) {
      throw bad(what, "has an empty signature block");
    }
    if (sigs.size() > MAX_SIGNATURES) {
      throw bad(what, "has " + sigs.size() + " signatures; at most " + MAX_SIGNATURES
          + " are read");
    }
    return sigs;
  }

  private static void checkSignatures(List<PGPSignature> sigs, Signed signed, Keyring keyring,
      Instant now, String what) throws PlinthException {
    Set<String> unknown = new LinkedHashSet<>();
    List<String> unusable = new ArrayList<>();
    int good = 0;
    for (PGPSignature sig : sigs) {
      long id = issuer(sig);
      PGPPublicKey key = keyring.key(id);
      String kid = Keyring.keyId(id);
      if (key == null) {
        unknown.add(kid);
        continue;
      }
      String alg = hashName(sig.getHashAlgorithm());
      if (!STRONG.containsKey(alg)) {
        throw bad(what, "is signed by key " + kid + " with the weak digest " + alg
            + "; only SHA256, SHA384 and SHA512 are accepted (apt refuses SHA1 and MD5)");
      }
      if (!signed.hashes.isEmpty() && !signed.hashes.contains(alg)) {
        throw bad(what, "has a " + alg + " signature by key " + kid + " but declares Hash: "
            + String.join(", ", signed.hashes));
      }
      if (sig.getSignatureType() != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
        throw bad(what, "has a signature of type " + sig.getSignatureType() + " by key " + kid
            + "; a cleartext signature must be a text signature (type 1)");
      }
      boolean ok;
      try {
        sig.init(new BcPGPContentVerifierBuilderProvider(), key);
        sig.update(signed.canonical);
        ok = sig.verify();
      } catch (PGPException | RuntimeException e) {
        throw bad(what, "has a signature by key " + kid + " that cannot be checked: "
            + e.getMessage());
      }
      if (!ok) {
        throw bad(what, "has a signature by key " + kid + " that does not verify: the file was"
            + " changed after it was signed");
      }
      String why = unusableBecause(sig, key, keyring.primary(id), now);
      if (why != null) {
        unusable.add("key " + kid + " " + why);
        continue;
      }
      good++;
    }
    if (good == 0) {
      List<String> reasons = new ArrayList<>(unusable);
      if (!unknown.isEmpty()) {
        reasons.add("signed by key" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
            + ", which " + (unknown.size() > 1 ? "are" : "is") + " not in the keyring "
            + String.join(", ", keyring.sources()));
      }
      throw bad(what, "has no valid signature by a trusted key: " + String.join("; ", reasons));
    }
  }

  /** Why a signature that verified still does not count (expired or revoked key), or null. */
  private static String unusableBecause(PGPSignature sig, PGPPublicKey key, PGPPublicKey primary,
      Instant now) {
    Instant created = sig.getCreationTime().toInstant();
    for (PGPPublicKey k : primary == null || primary == key ? List.of(key) : List.of(key, primary)) {
      if (k.hasRevocation()) {
        return "is revoked";
      }
      long valid = k.getValidSeconds();
      if (valid > 0 && k.getCreationTime().toInstant().plusSeconds(valid).isBefore(now)) {
        return "expired on " + k.getCreationTime().toInstant().plusSeconds(valid);
      }
      if (k.getCreationTime().toInstant().isAfter(created)) {
        return "was created after the signature it made";
      }
    }
    PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
    if (hashed != null && hashed.getSignatureExpirationTime() > 0
        && created.plusSeconds(hashed.getSignatureExpirationTime()).isBefore(now)) {
      return "made a signature that expired on "
          + created.plusSeconds(hashed.getSignatureExpirationTime());
    }
    return null;
  }

  private static long issuer(PGPSignature sig) {
    long id = sig.getKeyID();
    if (id == 0 && sig.getHashedSubPackets() != null) {
      IssuerFingerprint fp = sig.getHashedSubPackets().getIssuerFingerprint();
      if (fp != null && fp.getFingerprint().length >= 8) {
        byte[] f = fp.getFingerprint();
        long v = 0;
        for (int j = f.length - 8; j < f.length; j++) {
          v = (v << 8) | (f[j] & 0xff);
        }
        id = v;
      }
    }
    return id;
  }

  private static String hashName(int alg) {
    switch (alg) {
      case HashAlgorithmTags.MD5: return "MD5";
      case HashAlgorithmTags.SHA1: return "SHA1";
      case HashAlgorithmTags.RIPEMD160: return "RIPEMD160";
      case HashAlgorithmTags.SHA224: return "SHA224";
      case HashAlgorithmTags.SHA256: return "SHA256";
      case HashAlgorithmTags.SHA384: return "SHA384";
      case HashAlgorithmTags.SHA512: return "SHA512";
      default: return "digest #" + alg;
    }
  }

  private static void checkDates(Release r, Instant now, Instant lastSeen, String what)
      throws PlinthException {
    if (r.validUntil() != null && now.isAfter(r.validUntil())) {
      throw bad(what, "has expired: Valid-Until " + r.validUntil() + " is before now (" + now
          + "). The mirror is out of date or replaying an old file; use an up-to-date mirror");
    }
    if (r.date().isAfter(now.plus(CLOCK_SKEW))) {
      throw bad(what, "is dated in the future: Date " + r.date() + " is more than "
          + CLOCK_SKEW.toMinutes() + " minutes after now (" + now + "). Check this machine's"
          + " clock, or the mirror's");
    }
    if (lastSeen != null && r.date().isBefore(lastSeen)) {
      throw bad(what, "is older than one already seen: Date " + r.date() + " is before "
          + lastSeen + ". A mirror is serving an outdated InRelease (rollback); use another"
          + " mirror or wait until it has synced");
    }
  }

  /** The CRC-24 of RFC 4880 §6.1, which armor uses as its checksum. */
  static int crc24(byte[] data) {
    int crc = 0xB704CE;
    for (byte b : data) {
      crc ^= (b & 0xff) << 16;
      for (int k = 0; k < 8; k++) {
        crc <<= 1;
        if ((crc & 0x1000000) != 0) {
          crc ^= 0x1864CFB;
        }
      }
    }
    return crc & 0xFFFFFF;
  }

  private static String printable(String s) {
    String t = s.length() > 60 ? s.substring(0, 60) + "…" : s;
    StringBuilder b = new StringBuilder();
    for (char c : t.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : c);
    }
    return b.toString();
  }

  private static PlinthException bad(String what, String msg) {
    return new PlinthException(Kind.BAD_INPUT, what + " " + msg);
  }

  private InRelease() {}
}
