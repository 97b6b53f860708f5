package dev.plinth.oci;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a zip file (a jar, a war) holds the data of its deflated entries: bytes that gzip cannot
 * shrink, so a big layer stores them rather than compress them again ({@link
 * ParallelGzipOutputStream#setStored}). They are read from the file's own central directory and
 * local headers, so they depend on its content only, whatever its name.
 *
 * <p>The file is untrusted input, and the ranges only decide how its bytes are compressed: anything
 * unexpected (not a zip, truncated, ZIP64, a field out of range, an entry count that does not
 * match, entries that overlap, a read that fails) gives no ranges, never an error. Only a file
 * that starts as a zip ("PK") or a script ("#!", as Spring Boot's launchable jars do) is read
 * further: a zip after any other prefix is compressed as it is.
 */
final class ZipRanges {
  /**
   * Deflated entries smaller than this are compressed with the headers around them: each stored
   * run ends a deflate block, which costs about ten bytes. Measured on a layer of 188 real jars
   * (109 MB, level 6): 256 stores 52,000 entries, 99% of their deflated bytes, for 0.6% more
   * output and 65% less CPU; 1024 costs 0.7% and saves 43% (entries of 256 to 1024 bytes left
   * among the headers make those compress worse); 4096 costs 0.3% and saves 29%.
   */
  static final int MIN = 256;

  private static final long[] NONE = {};
  private static final int END = 22;
  private static final int CENTRAL = 46;
  private static final int LOCAL = 30;
  private static final int END_SIG = 0x06054b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int LOCAL_SIG = 0x04034b50;
  private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
  private static final int DEFLATED = 8;
  /** A bigger central directory is not read (65535 entries with 200-byte names take 16 MB). */
  private static final int MAX_CENTRAL = 16 << 20;
  private static final int WINDOW = 64 * 1024;

  /**
   * The offsets {@code start0, end0, start1, end1, ...} of the data of the file's deflated entries
   * of at least {@link #MIN} bytes, in file order; none if it is not a zip this reads. Only
   * positional reads: the channel's position does not move.
   */
  static long[] deflated(FileChannel file) {
    try {
      return deflated(file, 0, file.size(), MIN);
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  /**
   * As {@link #deflated(FileChannel)}, for the zip file that is the {@code size} bytes at {@code
   * offset} of {@code file}; the offsets returned count from {@code offset}.
   */
  static long[] deflated(FileChannel file, long offset, long size) {
    try {
      return deflated(file, offset, size, MIN);
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  static long[] deflated(FileChannel ch, long size, int min) throws IOException {
    return deflated(ch, 0, size, min);
  }

  private static long[] deflated(FileChannel ch, long origin, long size, int min)
      throws IOException {
    if (size < Math.max(END, min)) {
      return NONE;
    }
    // A zip starts with a local header ("PK"), or a launcher script ("#!") before it. Anything
    // else is not searched for an end record: that backwards scan of up to 64 KB read each file
    // whole, a class file among thousands too.
    byte[] head = read(ch, origin, 2);
    if (head == null || !(head[0] == 'P' && head[1] == 'K' || head[0] == '#' && head[1] == '!')) {
      return NONE;
    }
    // The end record is within the last 22 + 65535 (its comment) bytes; a ZIP64 locator 20 before.
    int tailLen = (int) Math.min(size, END + 0xffff + 20);
    byte[] tail = read(ch, origin + size - tailLen, tailLen);
    if (tail == null) {
      return NONE;
    }
    for (int i = tailLen - END; i >= 0; i--) {
      if (i32(tail, i) == END_SIG && i + END + u16(tail, i + 20) == tailLen) {
        boolean zip64 = i >= 20 && i32(tail, i - 20) == ZIP64_LOCATOR_SIG;
        return zip64 ? NONE : fromEnd(ch, origin, size - tailLen + i, tail, i, min);
      }
    }
    return NONE;
  }

  /** Reads the central directory that the end record at {@code end} (tail[i]) describes. */
  private static long[] fromEnd(FileChannel ch, long origin, long end, byte[] tail, int i,
      int min) throws IOException {
    int disk = u16(tail, i + 4);
    int centralDisk = u16(tail, i + 6);
    int entriesHere = u16(tail, i + 8);
    int entries = u16(tail, i + 10);
    long centralSize = u32(tail, i + 12);
    long centralOffset = u32(tail, i + 16);
    if (disk != 0 || centralDisk != 0 || entriesHere != entries || entries == 0xffff
        || centralSize > MAX_CENTRAL || centralOffset == 0xffffffffL) {
      return NONE;
    }
    long centralStart = end - centralSize;
    // Bytes before the archive (a launcher script) shift every offset it records.
    long base = centralStart - centralOffset;
    if (centralStart < 0 || base < 0) {
      return NONE;
    }
    byte[] cd = read(ch, origin + centralStart, (int) centralSize);
    if (cd == null) {
      return NONE;
    }
    List<long[]> found = new ArrayList<>();
    int p = 0;
    int count = 0;
    while (p < centralSize) {
      if (p + CENTRAL > centralSize || i32(cd, p) != CENTRAL_SIG || ++count > entries) {
        return NONE;
      }
      int method = u16(cd, p + 10);
      long compressed = u32(cd, p + 20);
      long uncompressed = u32(cd, p + 24);
      long local = u32(cd, p + 42);
      if (compressed == 0xffffffffL || uncompressed == 0xffffffffL || local == 0xffffffffL
          || u16(cd, p + 34) != 0) {
        return NONE;
      }
      if (method == DEFLATED && compressed >= min) {
        found.add(new long[] {base + local, compressed});
      }
      p += CENTRAL + u16(cd, p + 28) + u16(cd, p + 30) + u16(cd, p + 32);
    }
    if (p != centralSize || count != entries) {
      return NONE;
    }
    found.sort(Comparator.comparingLong(f -> f[0]));
    long[] ranges = new long[2 * found.size()];
    long previousEnd = 0;
    // The local headers, in file order, through one window buffer: many fit in one read, and
    // refilling it makes no garbage (a new buffer per read made as much as the jar's size).
    ByteBuffer buffer = ByteBuffer.allocate(WINDOW);
    byte[] window = buffer.array();
    long windowAt = 0;
    int windowLen = 0; // nothing read yet
    for (int k = 0; k < found.size(); k++) {
      long at = found.get(k)[0];
      if (at < previousEnd || at + LOCAL > centralStart) {
        return NONE;
      }
      if (at + LOCAL > windowAt + windowLen) {
        windowAt = at;
        windowLen = (int) Math.min(WINDOW, centralStart - at);
        if (!fill(ch, origin + at, windowLen, buffer)) {
          return NONE;
        }
      }
      int w = (int) (at - windowAt);
      if (i32(window, w) != LOCAL_SIG || u16(window, w + 8) != DEFLATED) {
        return NONE;
      }
      long start = at + LOCAL + u16(window, w + 26) + u16(window, w + 28);
      long stop = start + found.get(k)[1];
      if (stop > centralStart) {
        return NONE;
      }
      ranges[2 * k] = start;
      ranges[2 * k + 1] = stop;
      previousEnd = stop;
    }
    return ranges;
  }

  /** {@code len} bytes at {@code pos}; null if the file ends first. */
  private static byte[] read(FileChannel ch, long pos, int len) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(len);
    return fill(ch, pos, len, b) ? b.array() : null;
  }

  /**
   * Reads {@code len} bytes at {@code pos} into the start of {@code b} (an array's, at least
   * {@code len} long); false if the file ends first.
   */
  private static boolean fill(FileChannel ch, long pos, int len, ByteBuffer b)
      throws IOException {
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

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static int i32(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16
        | (b[at + 3] & 0xff) << 24;
  }

  private static long u32(byte[] b, int at) {
    return i32(b, at) & 0xffffffffL;
  }

  private ZipRanges() {}
}
