package dev.plinth.builder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The META-INF/maven/GROUP/ARTIFACT/pom.properties entries of a jar, found by their names in its
 * central directory, compared as bytes: the JDK's ZipFile makes a ZipEntry, name decoded, of
 * each of a jar's entries to list them (the large bench app's 86 jars hold 64,000), some 60 ms
 * of CPU in a fresh JVM, where this reads the one or two entries it wants. Anything it does not
 * read as expected (ZIP64, an end record hidden by a comment it cannot place, an offset or size
 * out of range, a compression other than none or deflate) gives null, and the caller reads the
 * jar with ZipFile, as before. Untrusted input: every offset is checked against what was read,
 * and at most {@link #MAX_CENTRAL} bytes of central directory are held.
 */
final class PomEntries {
  private static final int END = 22;
  private static final int CENTRAL = 46;
  private static final int LOCAL = 30;
  private static final int END_SIG = 0x06054b50;
  private static final int CENTRAL_SIG = 0x02014b50;
  private static final int LOCAL_SIG = 0x04034b50;
  /** A bigger central directory is left to ZipFile (65,535 entries of 200-byte names: 16 MB). */
  static final int MAX_CENTRAL = 16 << 20;
  private static final byte[] PREFIX = "META-INF/maven/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] SUFFIX = "/pom.properties".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private PomEntries() {}

  /**
   * The content of each pom.properties entry (in central directory order), at most {@code max}
   * bytes of each; null when this does not read the jar (the caller's ZipFile does then).
   */
  static List<byte[]> read(Path jar, int max) throws IOException {
    try (FileChannel ch = FileChannel.open(jar)) {
      return read(ch, max);
    } catch (RuntimeException | DataFormatException e) {
      return null;
    }
  }

  private static List<byte[]> read(FileChannel ch, int max)
      throws IOException, DataFormatException {
    long size = ch.size();
    if (size < END) {
      return null;
    }
    int tailLen = (int) Math.min(size, END + 0xFFFF);
    byte[] tail = readFully(ch, size - tailLen, tailLen);
    if (tail == null) {
      return null;
    }
    // the end record: its signature where the comment it names reaches the file's end
    int end = -1;
    for (int p = tailLen - END; p >= 0; p--) {
      if (int32(tail, p) == END_SIG && p + END + u16(tail, p + 20) == tailLen) {
        end = p;
        break;
      }
    }
    if (end < 0) {
      return null;
    }
    int entries = u16(tail, end + 10);
    long cenSize = u32(tail, end + 12);
    long cenOffset = u32(tail, end + 16);
    if (entries == 0xFFFF || cenSize == 0xFFFFFFFFL || cenOffset == 0xFFFFFFFFL
        || u16(tail, end + 4) != 0 || u16(tail, end + 6) != 0
        || u16(tail, end + 8) != entries) {
      return null; // ZIP64, or a split archive
    }
    long endAt = size - tailLen + end;
    // bytes before the zip (a launcher script): offsets count from where it starts
    long base = endAt - cenSize - cenOffset;
    if (cenSize > MAX_CENTRAL || base < 0) {
      return null;
    }
    byte[] cen = readFully(ch, endAt - cenSize, (int) cenSize);
    if (cen == null) {
      return null;
    }
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    for (int i = 0; i < entries; i++) {
      if (at + CENTRAL > cen.length || int32(cen, at) != CENTRAL_SIG) {
        return null;
      }
      int nameLen = u16(cen, at + 28);
      int next = at + CENTRAL + nameLen + u16(cen, at + 30) + u16(cen, at + 32);
      if (next > cen.length) {
        return null;
      }
      int name = at + CENTRAL;
      if (isPom(cen, name, nameLen)) {
        byte[] content = content(ch, base, size, u16(cen, at + 10), u32(cen, at + 20),
            u32(cen, at + 24), u32(cen, at + 42), max);
        if (content == null) {
          return null;
        }
        out.add(content);
      }
      at = next;
    }
    return at == cen.length ? out : null;
  }

  /** META-INF/maven/GROUP/ARTIFACT/pom.properties: the prefix, the suffix, four slashes. */
  private static boolean isPom(byte[] b, int from, int len) {
    if (len < PREFIX.length + SUFFIX.length || !startsWith(b, from, PREFIX)
        || !startsWith(b, from + len - SUFFIX.length, SUFFIX)) {
      return false;
    }
    int slashes = 0;
    for (int i = from; i < from + len; i++) {
      if (b[i] == '/') {
        slashes++;
      }
    }
    return slashes == 4;
  }

  private static boolean startsWith(byte[] b, int at, byte[] what) {
    for (int i = 0; i < what.length; i++) {
      if (b[at + i] != what[i]) {
        return false;
      }
    }
    return true;
  }

  /** An entry's first {@code max} bytes at most; null when its header or data do not fit. */
  private static byte[] content(FileChannel ch, long base, long size, int method, long compressed,
      long length, long localOffset, int max) throws IOException, DataFormatException {
    long local = base + localOffset;
    if (local + LOCAL > size || compressed > 4L * max + 1024) { // (ZipFile streams a bigger one)
      return null;
    }
    byte[] header = readFully(ch, local, LOCAL);
    if (header == null || int32(header, 0) != LOCAL_SIG) {
      return null;
    }
    long data = local + LOCAL + u16(header, 26) + u16(header, 28);
    if (data + compressed > size) {
      return null;
    }
    byte[] raw = readFully(ch, data, (int) compressed);
    if (raw == null) {
      return null;
    }
    if (method == 0) {
      return compressed == length ? java.util.Arrays.copyOf(raw, (int) Math.min(max, compressed))
          : null;
    }
    if (method != 8) {
      return null;
    }
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(raw);
      byte[] buf = new byte[(int) Math.min(max, Math.max(length, 0))];
      int n = 0;
      while (n < buf.length && !inf.finished()) {
        int got = inf.inflate(buf, n, buf.length - n);
        if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += got;
      }
      return n == Math.min(max, length) ? (n == buf.length ? buf : java.util.Arrays.copyOf(buf, n))
          : null;
    } finally {
      inf.end();
    }
  }

  private static byte[] readFully(FileChannel ch, long at, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len);
    while (buf.hasRemaining()) {
      if (ch.read(buf, at + buf.position()) < 0) {
        return null;
      }
    }
    return buf.array();
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static int int32(byte[] b, int i) {
    return u16(b, i) | u16(b, i + 2) << 16;
  }

  private static long u32(byte[] b, int i) {
    return int32(b, i) & 0xFFFFFFFFL;
  }
}
