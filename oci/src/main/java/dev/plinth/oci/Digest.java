package dev.plinth.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest, {@code sha256:<64 hex>}. Only sha256 is produced or accepted. */
public record Digest(String hex) {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  public Digest {
    if (!HEX.matcher(hex).matches()) {
      throw new IllegalArgumentException("not a sha256 hex digest: " + hex);
    }
  }

  /** Parses {@code sha256:<hex>}; throws IllegalArgumentException naming the bad text. */
  public static Digest parse(String text) {
    if (text == null || !text.startsWith("sha256:") || !HEX.matcher(text.substring(7)).matches()) {
      throw new IllegalArgumentException("not a sha256 digest: " + text);
    }
    return new Digest(text.substring(7));
  }

  /** The sha256 of these bytes. */
  public static Digest of(byte[] bytes) {
    return of(sha256().digest(bytes), true);
  }

  /** The sha256 of a file's contents, read in 64 KiB blocks. */
  public static Digest of(java.nio.file.Path file) throws java.io.IOException {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 16];
    try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        md.update(buf, 0, r);
      }
    }
    return of(md);
  }

  /** The digest a finished {@link MessageDigest} holds. */
  public static Digest of(MessageDigest finished) {
    return of(finished.digest(), true);
  }

  private static Digest of(byte[] raw, boolean rawSha256) {
    return new Digest(HexFormat.of().formatHex(raw));
  }

  /**
   * A fresh SHA-256 digest: a copy of one made once. Asking the security providers for each one
   * goes through reflection, which after some 15 calls generates an accessor class (a few ms of a
   * short run such as a push).
   */
  public static MessageDigest sha256() {
    try {
      return (MessageDigest) SHA256.clone();
    } catch (CloneNotSupportedException e) {
      return newSha256();
    }
  }

  private static final MessageDigest SHA256 = newSha256();

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The first 12 hex digits, as tools show image ids. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return "sha256:" + hex;
  }

  // written out: a record's generated equals and hashCode are bootstrapped through
  // java.lang.runtime.ObjectMethods on first use, some 30 ms of a short run such as a re-push

  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && hex.equals(d.hex);
  }

  @Override
  public int hashCode() {
    return hex.hashCode();
  }
}
