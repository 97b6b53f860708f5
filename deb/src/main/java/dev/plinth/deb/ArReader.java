package dev.plinth.deb;

import dev.plinth.oci.BulkInputStream;
import dev.plinth.oci.PlinthException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a Unix ar archive, the container of a .deb, defensively: the magic and every header are
 * checked, sizes are decimal and bounded by the file, names are the common format (GNU '/'
 * terminated names accepted) and long-name tables are refused (no .deb member needs one).
 */
final class ArReader {
  static final byte[] MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);

  /** One member header; its content is read with {@link ArReader#content()}. */
  record Member(String name, long size, long offset) {}

  private final InputStream in;
  private final String what;
  private final long length;
  private long position;
  private long remaining;
  private boolean padding;

  /**
   * @param length the archive's size in bytes (members may not claim more)
   * @param what names the archive in errors
   */
  ArReader(InputStream in, long length, String what) throws IOException, PlinthException {
    this.in = in;
    this.what = what;
    this.length = length;
    byte[] magic = in.readNBytes(MAGIC.length);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw bad("does not start with the ar magic '!<arch>'");
    }
    position = MAGIC.length;
  }

  /** The next member, or null at the end of the archive. */
  Member next() throws IOException, PlinthException {
    skip(remaining + (padding ? 1 : 0));
    remaining = 0;
    padding = false;
    byte[] h = in.readNBytes(60);
    if (h.length == 0) {
      return null;
    }
    if (h.length < 60) {
      throw bad("ends inside a member header at offset " + position);
    }
    long headerAt = position;
    position += 60;
    if (h[58] != '`' || h[59] != '\n') {
      throw bad("has a malformed member header at offset " + headerAt
          + " (no terminator; the file is corrupt or not a .deb)");
    }
    String rawName = ascii(h, 0, 16);
    String name = rawName.stripTrailing();
    if (name.endsWith("/") && !name.equals("/") && !name.equals("//")) {
      name = name.substring(0, name.length() - 1);
    }
    if (name.equals("/") || name.equals("//") || name.startsWith("#1/")) {
      throw bad("has a symbol or long-name table member '" + name + "' at offset " + headerAt
          + "; a .deb has none");
    }
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != '/')) {
      throw bad("has a member with a bad name '" + rawName + "' at offset " + headerAt);
    }
    String sizeText = ascii(h, 48, 10).strip();
    if (sizeText.isEmpty() || sizeText.length() > 10 || !sizeText.chars().allMatch(Character::isDigit)) {
      throw bad("has member '" + name + "' with a bad size field '" + ascii(h, 48, 10) + "'");
    }
    long size = Long.parseLong(sizeText);
    if (position + size > length) {
      throw bad("has member '" + name + "' of " + size + " bytes, more than the file holds");
    }
    remaining = size;
    padding = (size & 1) == 1;
    return new Member(name, size, position);
  }

  /** The current member's content; reading past it returns EOF. */
  InputStream content() {
    return new BulkInputStream() {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int r = in.read(b, off, (int) Math.min(len, remaining));
        if (r < 0) {
          throw new EOFException(what + " ends inside an ar member");
        }
        remaining -= r;
        position += r;
        return r;
      }
    };
  }

  private void skip(long n) throws IOException {
    while (n > 0) {
      long s = in.skip(n);
      if (s <= 0) {
        if (in.read() < 0) {
          // Padding after the last member may be missing; the member itself was bounded.
          return;
        }
        s = 1;
      }
      n -= s;
      position += s;
    }
  }

  private static String ascii(byte[] h, int off, int len) {
    return new String(h, off, len, StandardCharsets.US_ASCII);
  }

  private PlinthException bad(String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a valid .deb: it " + why);
  }
}
