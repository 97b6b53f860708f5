package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plinth.deb.testing.TestKeys;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InReleaseTest {
  private static final DateTimeFormatter RFC2822 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final String WHAT = "http://mirror.example.invalid/debian/dists/stable/InRelease";
  private static final String PACKAGES_SHA =
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  private static Keyring keyring;

  @TempDir Path tmp;

  @BeforeAll
  static void keys(@TempDir Path dir) throws Exception {
    keyring = Keyring.load(List.of(TestKeys.archive().write(dir.resolve("archive.gpg"))));
  }

  private static String release(Instant date, Instant validUntil, String sums) {
    return "Origin: Debian\nLabel: Debian\nSuite: stable\nCodename: trixie\n"
        + "Date: " + RFC2822.format(date) + "\n"
        + (validUntil == null ? "" : "Valid-Until: " + RFC2822.format(validUntil) + "\n")
        + "Acquire-By-Hash: yes\nArchitectures: amd64 arm64\nComponents: main contrib\n"
        + "Description: Debian x.y\n" + sums;
  }

  private static String release() {
    return release(NOW.minus(Duration.ofHours(2)), null,
        "MD5Sum:\n 0123456789abcdef0123456789abcdef 1234 main/binary-amd64/Packages.xz\n"
            + "SHA256:\n " + PACKAGES_SHA + "     1234 main/binary-amd64/Packages.xz\n"
            + " " + PACKAGES_SHA.replace('0', 'f') + "   99 main/binary-arm64/Packages.xz\n");
  }

  private static byte[] signed(String text) {
    return TestKeys.clearsign(text, TestKeys.archive());
  }

  private static Release verify(byte[] bytes) throws PlinthException {
    return InRelease.verify(bytes, keyring, NOW, null, WHAT);
  }

  private static PlinthException rejected(byte[] bytes, String... inMessage) {
    return rejected(bytes, NOW, null, inMessage);
  }

  private static PlinthException rejected(byte[] bytes, Instant now, Instant lastSeen,
      String... inMessage) {
    PlinthException e = assertThrows(PlinthException.class,
        () -> InRelease.verify(bytes, keyring, now, lastSeen, WHAT));
    assertEquals(Kind.BAD_INPUT, e.kind(), e.getMessage());
    assertTrue(e.getMessage().startsWith(WHAT), e.getMessage());
    for (String s : inMessage) {
      assertTrue(e.getMessage().contains(s), "'" + s + "' not in: " + e.getMessage());
    }
    return e;
  }

  private static byte[] concat(String before, byte[] middle, String after) {
    return (before + new String(middle, StandardCharsets.UTF_8) + after)
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void signedInRelease_verifies_andReturnsItsRelease() throws Exception {
    Release r = verify(signed(release()));
    assertEquals("Debian", r.origin());
    assertEquals("stable", r.suite());
    assertEquals("trixie", r.codename());
    assertEquals(NOW.minus(Duration.ofHours(2)), r.date());
    assertNull(r.validUntil());
    assertEquals(List.of("amd64", "arm64"), r.architectures());
    assertEquals(List.of("main", "contrib"), r.components());
    assertEquals(2, r.sha256().size());
    Release.FileHash h = r.file("main/binary-amd64/Packages.xz");
    assertEquals(new Digest(PACKAGES_SHA), h.sha256());
    assertEquals(1234, h.size());
    assertEquals("main/binary-amd64/by-hash/SHA256/" + PACKAGES_SHA,
        r.fetchPath("main/binary-amd64/Packages.xz"));
    PlinthException e = assertThrows(PlinthException.class, () -> r.file("main/binary-s390x/Packages.xz"));
    assertEquals(Kind.NOT_FOUND, e.kind());
  }

  @Test
  void leadingAndTrailingBlankLines_areAccepted() throws Exception {
    verify(concat("\n\n", signed(release()), "\n\n"));
  }

  @Test
  void crlfLineEndingsAndTrailingWhitespace_areCanonicalisedBeforeChecking() throws Exception {
    String text = new String(signed(release()), StandardCharsets.UTF_8);
    verify(text.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    verify(text.replace("Suite: stable\n", "Suite: stable \t \n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void dashEscapedLines_areUnescapedBeforeChecking() throws Exception {
    String text = release().replace("Description: Debian x.y\n", "Description: Debian x.y\n"
        + " ---- a continuation line is fine\n");
    // a line of the signed text starting with '-' is dash-escaped by the signer
    String withDash = "-Dash: yes\n" + text;
    byte[] bytes = signed(withDash);
    assertTrue(new String(bytes, StandardCharsets.UTF_8).contains("\n- -Dash: yes\n"));
    Release r = verify(bytes);
    assertEquals("stable", r.suite());
  }

  @Test
  void inRelease_withUnsignedTextBeforeTheSignedBlock_isRejected() {
    rejected(concat("Suite: evil\n", signed(release()), ""), "unsigned text before");
    rejected(concat("\u001c\n", signed(release()), ""), "unsigned text before");
    rejected(concat("", signed(release()), "\u000b\n"), "unsigned text after");
  }

  @Test
  void inRelease_withUnsignedTextAfterTheSignature_isRejected() {
    rejected(concat("", signed(release()), "SHA256:\n " + PACKAGES_SHA + " 1 evil\n"),
        "unsigned text after its signature");
  }

  @Test
  void inRelease_withDataBetweenSignatures_isRejected() {
    String s = new String(signed(release()), StandardCharsets.UTF_8);
    String sig = s.substring(s.indexOf("-----BEGIN PGP SIGNATURE-----"));
    rejected(concat("", signed(release()), "Suite: evil\n" + sig), "unsigned text after");
    rejected(concat("", signed(release()), sig), "second signed block or signature");
  }

  @Test
  void inRelease_withTwoSignedBlocks_isRejected() {
    byte[] one = signed(release());
    byte[] two = signed(release().replace("stable", "unstable"));
    rejected(concat("", one, new String(two, StandardCharsets.UTF_8)), "second signed block");
  }

  @Test
  void inRelease_withASignedBlockNestedInTheText_isRejected() {
    String inner = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nSuite: evil\n";
    byte[] bytes = ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + inner
        + new String(signed(release()), StandardCharsets.UTF_8).split("\n\n", 2)[1])
        .getBytes(StandardCharsets.UTF_8);
    rejected(bytes, "more than one signed block");
  }

  @Test
  void inRelease_withAChangedLine_failsTheSignature() {
    String s = new String(signed(release()), StandardCharsets.UTF_8);
    rejected(s.replace("Codename: trixie", "Codename: sid").getBytes(StandardCharsets.UTF_8),
        "does not verify", TestKeys.archive().keyIdHex());
    rejected(s.replace(" 1234 main/binary-amd64", " 1235 main/binary-amd64")
        .getBytes(StandardCharsets.UTF_8), "does not verify");
  }

  @Test
  void inRelease_withADamagedArmorChecksum_isRejected() {
    String s = new String(signed(release()), StandardCharsets.UTF_8);
    int end = s.indexOf("\n-----END PGP SIGNATURE-----");
    int crc = s.lastIndexOf("\n=", end);
    String bad = s.substring(0, crc + 2) + (s.charAt(crc + 2) == 'A' ? 'B' : 'A')
        + s.substring(crc + 3);
    rejected(bad.getBytes(StandardCharsets.UTF_8), "checksum");
  }

  @Test
  void inRelease_withoutEndLine_isRejected() {
    String s = new String(signed(release()), StandardCharsets.UTF_8);
    rejected(s.substring(0, s.indexOf("-----END PGP")).getBytes(StandardCharsets.UTF_8),
        "truncated");
  }

  @Test
  void inRelease_signedByAKeyNotInTheKeyring_isRejectedNamingTheKey() {
    byte[] bytes = TestKeys.clearsign(release(), TestKeys.stranger());
    rejected(bytes, TestKeys.stranger().keyIdHex(), "not in the keyring");
  }

  @Test
  void inRelease_signedByATrustedAndAnUnknownKey_verifies() throws Exception {
    verify(TestKeys.clearsign(release(), TestKeys.stranger(), TestKeys.archive()));
  }

  @Test
  void inRelease_withASha1Signature_isRejected() {
    rejected(TestKeys.clearsign(release(), HashAlgorithmTags.SHA1, "SHA256", TestKeys.archive()),
        "weak digest SHA1");
    rejected(TestKeys.clearsign(release(), HashAlgorithmTags.SHA1, "SHA1", TestKeys.archive()),
        "SHA1");
    rejected(TestKeys.clearsign(release(), HashAlgorithmTags.MD5, null, TestKeys.archive()),
        "weak digest MD5");
  }

  @Test
  void inRelease_withASha512Signature_verifies() throws Exception {
    verify(TestKeys.clearsign(release(), HashAlgorithmTags.SHA512, "SHA512", TestKeys.archive()));
  }

  @Test
  void inRelease_signedByAnExpiredKey_isRejected() throws Exception {
    TestKeys.Key old = TestKeys.generate("old <old@example.invalid>",
        Instant.now().minus(Duration.ofDays(10)), Duration.ofDays(1));
    Keyring k = Keyring.load(List.of(old.write(tmp.resolve("old.gpg"))));
    byte[] bytes = TestKeys.clearsign(release(), old);
    PlinthException e = assertThrows(PlinthException.class,
        () -> InRelease.verify(bytes, k, Instant.now(), null, WHAT));
    assertEquals(Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void unsignedReleaseAsInRelease_isRejected() {
    rejected(release().getBytes(StandardCharsets.UTF_8), "is not signed", "unsigned Release");
    rejected(new byte[0], "is not signed");
  }

  @Test
  void validUntilInThePast_isRejected() throws Exception {
    String sums = "SHA256:\n " + PACKAGES_SHA + " 1 main/binary-amd64/Packages\n";
    rejected(signed(release(NOW.minus(Duration.ofDays(9)), NOW.minus(Duration.ofDays(2)), sums)),
        "expired", "Valid-Until");
    Release ok = verify(signed(release(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(6)),
        sums)));
    assertEquals(NOW.plus(Duration.ofDays(6)), ok.validUntil());
  }

  @Test
  void dateInTheFuture_isRejected() throws Exception {
    String sums = "SHA256:\n " + PACKAGES_SHA + " 1 main/binary-amd64/Packages\n";
    rejected(signed(release(NOW.plus(Duration.ofMinutes(6)), null, sums)), "in the future");
    verify(signed(release(NOW.plus(Duration.ofMinutes(4)), null, sums)));
  }

  @Test
  void rollbackToAnOlderDate_isRejected() throws Exception {
    byte[] bytes = signed(release());
    Instant date = NOW.minus(Duration.ofHours(2));
    rejected(bytes, NOW, date.plusSeconds(1), "older than one already seen", "rollback");
    assertEquals(date, InRelease.verify(bytes, keyring, NOW, date, WHAT).date());
    InRelease.verify(bytes, keyring, NOW, date.minusSeconds(3600), WHAT);
  }

  @Test
  void md5OnlyRelease_isRejected() {
    String md5 = "MD5Sum:\n 0123456789abcdef0123456789abcdef 1234 main/binary-amd64/Packages\n"
        + "SHA1:\n 0123456789abcdef0123456789abcdef01234567 1234 main/binary-amd64/Packages\n";
    rejected(signed(release(NOW.minus(Duration.ofHours(1)), null, md5)),
        "no SHA256 field", "MD5Sum and SHA1");
  }

  @Test
  void release_withAPathLeavingTheSuite_isRejected() {
    String sums = "SHA256:\n " + PACKAGES_SHA + " 1 ../../../etc/passwd\n";
    rejected(signed(release(NOW.minus(Duration.ofHours(1)), null, sums)), "outside");
  }

  @Test
  void release_withADuplicateField_isRejected() {
    rejected(signed(release() + "Suite: evil\n"), "twice");
  }

  @Test
  void release_withoutADate_isRejected() {
    rejected(signed(release().replaceAll("Date: [^\n]*\n", "")), "no Date");
  }

  @Test
  void release_dates_inTheFormsMirrorsWrite() throws Exception {
    Instant want = Instant.parse("2026-07-11T10:16:37Z");
    assertEquals(want, Release.date("Sat, 11 Jul 2026 10:16:37 UTC", "Date", WHAT));
    assertEquals(want, Release.date("Sat, 11 Jul 2026 10:16:37 +0000", "Date", WHAT));
    assertEquals(want, Release.date("Sat, 11 Jul 2026 12:16:37 +0200", "Date", WHAT));
    assertEquals(want, Release.date("Sat, 11 Jul 2026 10:16:37 GMT", "Date", WHAT));
    assertThrows(PlinthException.class, () -> Release.date("yesterday", "Date", WHAT));
  }

  @Test
  void keyring_armoredAndBinary_holdTheSameKeys() throws Exception {
    Keyring bin = Keyring.load(List.of(TestKeys.archive().write(tmp.resolve("k.gpg"))));
    Keyring asc = Keyring.load(List.of(TestKeys.archive().write(tmp.resolve("k.asc"))));
    assertEquals(bin.fingerprints(), asc.fingerprints());
    InRelease.verify(signed(release()), asc, NOW, null, WHAT);
  }

  @Test
  void keyring_missingOrNotAKeyring_failsNamingTheFile() throws Exception {
    PlinthException missing = assertThrows(PlinthException.class,
        () -> Keyring.load(List.of(tmp.resolve("nope.gpg"))));
    assertEquals(Kind.NOT_FOUND, missing.kind());
    assertTrue(missing.getMessage().contains("nope.gpg"));
    Path junk = Files.writeString(tmp.resolve("junk.gpg"), "not a key\n");
    PlinthException bad = assertThrows(PlinthException.class, () -> Keyring.load(List.of(junk)));
    assertEquals(Kind.BAD_INPUT, bad.kind());
    assertTrue(bad.getMessage().contains("junk.gpg"), bad.getMessage());
  }

  @Test
  void systemDebianKeyring_whenMissing_saysWhatToInstall() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> Keyring.systemDebian(tmp.resolve("debian-archive-keyring.gpg")));
    assertEquals(Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("debian-archive-keyring package"), e.getMessage());
    assertTrue(e.getMessage().contains("debian.keyring"), e.getMessage());
  }

  /**
   * The real thing: the InRelease of the mirror this machine's apt uses verifies against the
   * system's Debian keyring, and fails with one byte flipped. Skipped only when the machine has no
   * Debian keyring or mirror, or the mirror cannot be reached.
   */
  @Test
  void realDebianInRelease_verifiesAgainstTheSystemKeyring_andOneFlippedByteFails()
      throws Exception {
    assumeTrue(Files.isRegularFile(Keyring.DEBIAN_ARCHIVE_KEYRING),
        "skipped: " + Keyring.DEBIAN_ARCHIVE_KEYRING + " is not installed");
    Mirrors.Source source;
    try {
      source = Mirrors.debianSource(System.getenv(Mirrors.ENV)); // as a front end would
    } catch (PlinthException e) {
      abort("skipped: no Debian mirror configured on this machine: " + e.getMessage());
      return;
    }
    String suite = source.suites().isEmpty() ? "stable" : source.suites().get(0);
    Fetcher fetcher = new Fetcher(source.uri(), new Cache(tmp), Duration.ofSeconds(3),
        Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofMillis(200));
    String path = "dists/" + suite + "/InRelease";
    byte[] bytes;
    try {
      bytes = fetcher.small(path, Fetcher.MAX_IN_RELEASE);
    } catch (PlinthException e) {
      if (e.kind() == Kind.NOT_FOUND && e.getMessage().contains("cannot fetch")) {
        abort("skipped: the Debian mirror " + source.uri() + " is unreachable: " + e.getMessage());
      }
      throw e;
    }
    String what = fetcher.uri(path).toString();
    Keyring system = Keyring.systemDebian();
    Release r = InRelease.verify(bytes, system, Instant.now(), null, what);
    assertTrue(suite.equals(r.suite()) || suite.equals(r.codename()),
        suite + " is neither " + r.suite() + " nor " + r.codename());
    assertTrue(r.sha256().size() > 10, "the Release lists " + r.sha256().size() + " files");
    assertTrue(r.architectures().contains("amd64") || r.architectures().contains("arm64"));

    int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\nSHA256:\n") + 20;
    byte[] flipped = bytes.clone();
    flipped[at] ^= 0x01;
    PlinthException e = assertThrows(PlinthException.class,
        () -> InRelease.verify(flipped, system, Instant.now(), null, what));
    assertEquals(Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
  }
}
