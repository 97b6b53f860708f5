package dev.plinth.oci;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * A zip file's central directory (a jar's, a war's), read from its end record and walked entry by
 * entry without an object per entry: {@link ZipRanges} finds the deflated data in it, the SBOM a
 * jar's pom.properties. The file is untrusted input: anything this does not read as expected (no
 * end record where one can be, ZIP64, a split archive, a directory larger than {@link
 * #MAX_CENTRAL}, an entry out of range, counts that do not match) gives no directory, or an
 * iteration that ends {@link #complete} false, never an error but the file's own I/O errors.
 */
public final class ZipDirectory {
  static final int END = 22;
  static final int CENTRAL = 46;
  static final int LOCAL = 30;
  static final int END_SIG = 0x06054b50;
  static final int CENTRAL_SIG = 0x02014b50;
  static final int LOCAL_SIG = 0x04034b50;
  static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  /** A bigger central directory is not read (65535 entries with 200-byte names take 16 MB). */
  static final int MAX_CENTRAL = 16 << 20;

  private final FileChannel ch;
  private final long origin;
  private final byte[] cd;
  private final int entries;
  private final long base;
  private final long centralStart;
  private int at = -1;
  private int next;
  private int count;
  private boolean broken;

  private ZipDirectory(FileChannel ch, long origin, byte[] cd, int entries, long base,
      long centralStart) {
    this.ch = ch;
    this.origin = origin;
    this.cd = cd;
    this.entries = entries;
    this.base = base;
    this.centralStart = centralStart;
  }

  /**
   * The central directory of the zip file that is the {@code size} bytes at {@code origin} of
   * {@code ch} (bytes before the archive, a launcher script, are allowed: offsets count from
   * where it starts); null when it is not one this reads. Only positional reads.
   */
  public static ZipDirectory read(FileChannel ch, long origin, long size) throws IOException {
    if (size < END) {
      return null;
    }
    // The end record is within the last 22 + 65535 (its comment) bytes; a ZIP64 locator 20 before.
    int tailLen = (int) Math.min(size, END + 0xffff + 20);
    byte[] tail = read(ch, origin + size - tailLen, tailLen);
    if (tail == null) {
      return null;
    }
    for (int i = tailLen - END; i >= 0; i--) {
      if (i32(tail, i) == END_SIG && i + END + u16(tail, i + 20) == tailLen) {
        boolean zip64 = i >= 20 && i32(tail, i - 20) == ZIP64_LOCATOR_SIG;
        return zip64 ? null : fromEnd(ch, origin, size - tailLen + i, tail, i);
      }
    }
    return null;
  }

  /** The directory that the end record at {@code end} (tail[i]) describes. */
  private static ZipDirectory fromEnd(FileChannel ch, long origin, long end, byte[] tail, int i)
      throws IOException {
    int disk = u16(tail, i + 4);
    int centralDisk = u16(tail, i + 6);
    int entriesHere = u16(tail, i + 8);
    int entries = u16(tail, i + 10);
    long centralSize = u32(tail, i + 12);
    long centralOffset = u32(tail, i + 16);
    if (disk != 0 || centralDisk != 0 || entriesHere != entries || entries == 0xffff
        || centralSize > MAX_CENTRAL || centralOffset == 0xffffffffL) {
      return null;
    }
    long centralStart = end - centralSize;
    // Bytes before the archive (a launcher script) shift every offset it records.
    long base = centralStart - centralOffset;
    if (centralStart < 0 || base < 0) {
      return null;
    }
    byte[] cd = read(ch, origin + centralStart, (int) centralSize);
    return cd == null ? null : new ZipDirectory(ch, origin, cd, entries, base, centralStart);
  }

  /**
   * Moves to the next entry; false after the last one, or at one not in the expected form (then
   * {@link #complete} is false).
   */
  public boolean next() {
    if (broken) {
      return false;
    }
    int p = next;
    if (p == cd.length) {
      return false;
    }
    if (p + CENTRAL > cd.length || i32(cd, p) != CENTRAL_SIG || ++count > entries
        || u32(cd, p + 20) == 0xffffffffL || u32(cd, p + 24) == 0xffffffffL
        || u32(cd, p + 42) == 0xffffffffL || u16(cd, p + 34) != 0) {
      broken = true;
      return false;
    }
    int after = p + CENTRAL + u16(cd, p + 28) + u16(cd, p + 30) + u16(cd, p + 32);
    if (after > cd.length) {
      broken = true;
      return false;
    }
    at = p;
    next = after;
    return true;
  }

  /** Whether every entry was walked, and the directory held as many as its end record says. */
  public boolean complete() {
    return !broken && next == cd.length && count == entries;
  }

  /** The current entry's compression method (0 stored, 8 deflated). */
  public int method() {
    return u16(cd, at + 10);
  }

  /** The current entry's compressed size. */
  public long compressedSize() {
    return u32(cd, at + 20);
  }

  /** The current entry's size. */
  public long size() {
    return u32(cd, at + 24);
  }

  /** Where the current entry's local header is, from the archive's start (origin + base). */
  public long localHeader() {
    return base + u32(cd, at + 42);
  }

  /** Where the central directory starts (entries' data all lie before it). */
  public long centralStart() {
    return centralStart;
  }

  /** Whether the current entry's name starts with {@code prefix} and ends with {@code suffix}. */
  public boolean nameIs(byte[] prefix, byte[] suffix) {
    int from = at + CENTRAL;
    int len = u16(cd, at + 28);
    return len >= prefix.length + suffix.length && region(from, prefix)
        && region(from + len - suffix.length, suffix);
  }

  /** The current entry's name, its bytes read as UTF-8. */
  public String name() {
    return new String(cd, at + CENTRAL, u16(cd, at + 28), StandardCharsets.UTF_8);
  }

  private boolean region(int from, byte[] what) {
    for (int i = 0; i < what.length; i++) {
      if (cd[from + i] != what[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * The current entry's data as stored (compressed, when {@link #method} says so), found by its
   * local header; null when the header is not one, or the data would run into the central
   * directory. The caller bounds {@link #compressedSize} first: this holds it all.
   */
  public byte[] storedData() throws IOException {
    long local = localHeader();
    if (local + LOCAL > centralStart || compressedSize() > Integer.MAX_VALUE) {
      return null;
    }
    byte[] h = read(ch, origin + local, LOCAL);
    if (h == null || i32(h, 0) != LOCAL_SIG) {
      return null;
    }
    long start = local + LOCAL + u16(h, 26) + u16(h, 28);
    return start + compressedSize() > centralStart ? null
        : read(ch, origin + start, (int) compressedSize());
  }

  /** {@code len} bytes at {@code pos} of {@code ch}; null if the file ends first. */
  static byte[] read(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    return fill(ch, pos, len, b) ? b.array() : null;
  }

  /**
   * Reads {@code len} bytes at {@code pos} into the start of {@code b} (an array's, at least
   * {@code len} long); false if the file ends first.
   */
  static boolean fill(FileChannel ch, long pos, int len, ByteBuffer b) throws IOException {
    b.clear().limit(len);
    while (b.hasRemaining()) {
      if (ch.read(b, pos + b.position()) < 0) {
        return false;
      }
    }
    return true;
  }

  // Little-endian fields read from the bytes themselves: a ByteBuffer's getInt is a deep call
  // tree that C2 spent some 0.2 s of compiling on for a large app's jars (CITime).

  static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  static int i32(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16
        | (b[at + 3] & 0xff) << 24;
  }

  static long u32(byte[] b, int at) {
    return i32(b, at) & 0xffffffffL;
  }
}
