package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a POSIX ustar stream exactly as told: no user names, no implicit entries, and a PAX
 * extended header only when a value does not fit ustar (long or non-ASCII names, big ids or
 * sizes). The same entries always give the same bytes.
 */
public final class TarWriter implements AutoCloseable {
  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final long MAX_OCTAL_11 = 077777777777L;

  private final OutputStream out;
  private final byte[] buffer = new byte[65536];

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes one entry; {@code content} must hold exactly {@code entry.size()} bytes for files. */
  public void write(TarEntry entry, InputStream content) throws IOException {
    try (OutputStream body = begin(entry)) {
      long left = entry.type() == TarEntry.Type.FILE ? entry.size() : 0;
      while (left > 0) {
        int n = content.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException(
              entry.name() + " ended after " + (entry.size() - left) + " of " + entry.size()
                  + " bytes");
        }
        body.write(buffer, 0, n);
        left -= n;
      }
    }
  }

  /**
   * Writes a file entry whose content is the file {@code source}, copied by the kernel
   * (sendfile, copy_file_range) into {@code channel}, which must be the channel this writer's
   * stream ends in: the stream is flushed before, so the header lands first. The file must hold
   * exactly {@code entry.size()} bytes.
   */
  public void write(TarEntry entry, Path source, FileChannel channel) throws IOException {
    try (Body body = body(entry)) {
      out.flush();
      Blobs.transfer(source, body.size, channel);
      body.written = body.size;
    }
  }

  /**
   * Writes the entry's header and returns a stream for its content. Closing the stream checks that
   * exactly {@code entry.size()} bytes were written (none for non-files) and pads the block.
   */
  public OutputStream begin(TarEntry entry) throws IOException {
    return body(entry);
  }

  private Body body(TarEntry entry) throws IOException {
    writeHeaders(entry);
    return new Body(entry);
  }

  /** An entry's content: counted, and padded to the block when closed. */
  private final class Body extends OutputStream {
    private final TarEntry entry;
    private final long size;
    long written;

    Body(TarEntry entry) {
      this.entry = entry;
      this.size = entry.type() == TarEntry.Type.FILE ? entry.size() : 0;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > size) {
        throw new IOException(entry.name() + " is longer than its " + size + " bytes");
      }
      out.write(b, off, len);
      written += len;
    }

    @Override
    public void close() throws IOException {
      if (written != size) {
        throw new IOException(
            entry.name() + " got " + written + " of its " + size + " bytes");
      }
      pad(size);
    }
  }

  private void writeHeaders(TarEntry entry) throws IOException {
    Map<String, String> pax = new LinkedHashMap<>();
    String name = entry.name();
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    String ustarName = name;
    String prefix = "";
    if (!isAscii(name) || nameBytes.length > 100) {
      int split = splitPoint(name);
      if (isAscii(name) && split > 0) {
        prefix = name.substring(0, split);
        ustarName = name.substring(split + 1);
      } else {
        pax.put("path", name);
        ustarName = asciiStub(name, 100);
      }
    }
    String link = entry.linkTarget() == null ? "" : entry.linkTarget();
    if (!isAscii(link) || link.getBytes(StandardCharsets.UTF_8).length > 100) {
      pax.put("linkpath", link);
      link = asciiStub(link, 100);
    }
    if (entry.uid() > MAX_OCTAL_7) {
      pax.put("uid", Long.toString(entry.uid()));
    }
    if (entry.gid() > MAX_OCTAL_7) {
      pax.put("gid", Long.toString(entry.gid()));
    }
    if (entry.size() > MAX_OCTAL_11) {
      pax.put("size", Long.toString(entry.size()));
    }
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      String paxName = asciiStub("PaxHeader/" + ustarName, 100);
      writeHeader(paxName, 'x', 0644, 0, 0, records.length, "", entry.mtime(), "");
      out.write(records);
      pad(records.length);
    }
    long size = entry.type() == TarEntry.Type.FILE ? entry.size() : 0;
    writeHeader(
        ustarName,
        entry.type().flag,
        entry.mode(),
        Math.min(entry.uid(), MAX_OCTAL_7),
        Math.min(entry.gid(), MAX_OCTAL_7),
        Math.min(size, MAX_OCTAL_11),
        link,
        entry.mtime(),
        prefix);
  }

  /** Writes the two zero blocks that end an archive. Does not close the underlying stream. */
  @Override
  public void close() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void writeHeader(
      String name,
      char type,
      int mode,
      long uid,
      long gid,
      long size,
      String link,
      long mtime,
      String prefix)
      throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    octal(h, 100, 8, mode & 07777);
    octal(h, 108, 8, uid);
    octal(h, 116, 8, gid);
    octal(h, 124, 12, size);
    octal(h, 136, 12, Math.max(0, Math.min(mtime, MAX_OCTAL_11)));
    h[156] = (byte) type;
    put(h, 157, 100, link);
    put(h, 257, 6, "ustar");
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    put(h, 345, 155, prefix);
    Arrays.fill(h, 148, 156, (byte) ' ');
    digits(h, 148, 6, sum(h));
    h[154] = 0;
    h[155] = ' ';
    out.write(h);
  }

  /**
   * The header's checksum: the sum of its bytes. A method of its own, so that its loop, which
   * C2 compiles after a hundred headers, is all it compiles: inside {@link #writeHeader} the same
   * loop had C2 compile that method whole, with the stream under it inlined, twice (on-stack and
   * in full): the C2 compile time of the large bench app's cold build went from 1.25 to 1.05 s
   * (JFR), its wall time did not move beyond noise.
   */
  private static long sum(byte[] h) {
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    return sum;
  }

  private void pad(long size) throws IOException {
    int rem = (int) (size % BLOCK);
    if (rem != 0) {
      out.write(new byte[BLOCK - rem]);
    }
  }

  private static byte[] paxRecords(Map<String, String> pax) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : pax.entrySet()) {
      String body = " " + e.getKey() + "=" + e.getValue() + "\n";
      int bodyLen = body.getBytes(StandardCharsets.UTF_8).length;
      int len = bodyLen + 1;
      while (len != bodyLen + Integer.toString(len).length()) {
        len = bodyLen + Integer.toString(len).length();
      }
      sb.append(len).append(body);
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Where to split a long ASCII name into ustar prefix (≤155) and name (≤100); -1 if nowhere. */
  private static int splitPoint(String name) {
    int len = name.length();
    for (int i = Math.min(155, len - 1); i > 0; i--) {
      if (name.charAt(i) == '/' && len - i - 1 <= 100 && len - i - 1 > 0) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static String asciiStub(String s, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < max; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c <= 0x7e ? c : '_');
    }
    return sb.toString();
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, Math.min(b.length, len));
  }

  /** {@code value} in octal, zero-padded to {@code len - 1} digits, then a NUL. */
  private static void octal(byte[] h, int off, int len, long value) {
    digits(h, off, len - 1, value);
    h[off + len - 1] = 0;
  }

  /**
   * {@code value} in octal (unsigned, as {@link Long#toOctalString}) in {@code count} digits:
   * zero-padded, or its highest {@code count} digits when it has more (callers cap values so it
   * never has). Written out digit by digit: a String.format here cost the JIT 0.7 s of CPU to
   * compile, in every build that writes a few thousand entries.
   */
  private static void digits(byte[] h, int off, int count, long value) {
    int has = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 2) / 3);
    long v = has <= count ? value : value >>> (3 * (has - count));
    for (int i = off + count - 1; i >= off; i--) {
      h[i] = (byte) ('0' + (v & 7));
      v >>>= 3;
    }
  }
}
