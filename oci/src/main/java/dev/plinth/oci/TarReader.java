package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a tar stream that may be hostile: every header checksum is verified, sizes and PAX
 * records are bounded, and truncation is an error. It returns names as written; callers decide
 * what a safe name is (see {@link ImagePath}).
 *
 * <p>Every reader of tar in plinth reads through this class, and it reads each header the way
 * the tar reader of containerd and Docker (Go's archive/tar) does, so that what plinth audits or
 * copies is what a runtime unpacks: a PAX header applies to the next entry only and the last one
 * wins, a GNU long name or link wins over a PAX path, a global header ends the metadata before
 * it, the ustar prefix counts only in ustar headers (not GNU ones, 131 bytes in star ones), and an
 * old-style regular entry whose name ends in '/' is a directory. GNU sparse entries (type 'S',
 * or any {@code GNU.sparse.*} PAX record: formats 0.0, 0.1 and 1.0) are refused: their header
 * names and sizes are not the file's, and plinth does not expand them.
 */
public final class TarReader {
  /** The largest PAX or GNU long-name record accepted. */
  static final int MAX_META = 1 << 20;

  private final InputStream in;
  private final String what;
  private long position;
  private long remaining;
  private long padding;
  private long dataOffset;

  /** @param what names the archive in errors */
  public TarReader(InputStream in, String what) {
    this.in = in;
    this.what = what;
  }

  /** The next entry, or null at the end of the archive. */
  public TarEntry next() throws IOException, PlinthException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
    Map<String, String> pax = Map.of();
    String gnuName = null;
    String gnuLink = null;
    while (true) {
      byte[] h = new byte[512];
      int n = in.readNBytes(h, 0, 512);
      if (n == 0) {
        return null;
      }
      if (n < 512) {
        throw bad("ends inside a header");
      }
      position += 512;
      if (allZero(h)) {
        return null;
      }
      verifyChecksum(h);
      char type = (char) h[156];
      long size = number(h, 124, 12, "size");
      if (size < 0) {
        throw bad("has an entry with a negative size");
      }
      if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
        if (size > MAX_META) {
          throw bad("has a " + size + "-byte metadata record (the limit is " + MAX_META + ")");
        }
        byte[] data = readFully((int) size);
        skip(pad(size));
        if (type == 'x') {
          pax = parsePax(data); // the last one wins, as in Go's archive/tar
        } else if (type == 'g') { // an entry of its own there, which runtimes skip
          parsePax(data);
          pax = Map.of();
          gnuName = null;
          gnuLink = null;
        } else if (type == 'L') {
          gnuName = cString(data);
        } else if (type == 'K') {
          gnuLink = cString(data);
        }
        continue;
      }
      String name = cString(h, 0, 100);
      if (isUstar(h)) { // not a GNU header, where these bytes hold times and the sparse map
        String prefix = cString(h, 345, isStar(h) ? 131 : 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
      }
      String link = cString(h, 157, 100);
      name = gnuName != null ? gnuName : pax.getOrDefault("path", name);
      link = gnuLink != null ? gnuLink : pax.getOrDefault("linkpath", link);
      if (type == 'S' || pax.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse."))) {
        throw sparse(pax.getOrDefault("GNU.sparse.name", name), type, pax);
      }
      if (type == '\0' && name.endsWith("/")) {
        type = '5'; // old archives mark directories by the slash only
      }
      long uid = pax.containsKey("uid") ? paxLong(pax, "uid") : number(h, 108, 8, "uid");
      long gid = pax.containsKey("gid") ? paxLong(pax, "gid") : number(h, 116, 8, "gid");
      if (pax.containsKey("size")) {
        size = paxLong(pax, "size");
      }
      long mtime = number(h, 136, 12, "mtime");
      int mode = (int) (number(h, 100, 8, "mode") & 07777);
      TarEntry.Type t = TarEntry.Type.of(type);
      if (t == null) {
        throw bad("has entry '" + JsonFields.clean(name) + "' of unknown type '"
            + JsonFields.clean(String.valueOf(type)) + "'");
      }
      if (t != TarEntry.Type.FILE) {
        size = 0;
      }
      remaining = size;
      padding = pad(size);
      dataOffset = position;
      return new TarEntry(name, t, mode, uid, gid, size, link.isEmpty() ? null : link, mtime);
    }
  }

  /** The offset in the stream where the current entry's content starts. */
  public long dataOffset() {
    return dataOffset;
  }

  /** The current entry's content; reading past it returns EOF. */
  public InputStream content() {
    return new BulkInputStream() {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
          return -1;
        }
        int r = in.read(b, off, (int) Math.min(len, remaining));
        if (r < 0) {
          throw truncated();
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
          throw truncated();
        }
        s = 1;
      }
      n -= s;
      position += s;
    }
  }

  private byte[] readFully(int n) throws IOException, PlinthException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw bad("ends inside a metadata record");
    }
    position += n;
    return b;
  }

  private static long pad(long size) {
    long rem = size % 512;
    return rem == 0 ? 0 : 512 - rem;
  }

  private void verifyChecksum(byte[] h) throws PlinthException {
    long expected = number(h, 148, 8, "checksum");
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    if (sum != expected) {
      throw bad("has a header with a wrong checksum at offset " + (position - 512));
    }
  }

  private long number(byte[] h, int off, int len, String field) throws PlinthException {
    if ((h[off] & 0x80) != 0) {
      long v = h[off] & 0x3f;
      for (int i = off + 1; i < off + len; i++) {
        if (v > (Long.MAX_VALUE >> 8)) {
          throw bad("has a " + field + " too large to read");
        }
        v = (v << 8) | (h[i] & 0xff);
      }
      return (h[off] & 0x40) != 0 ? -1 : v;
    }
    long v = 0;
    int i = off;
    int end = off + len;
    while (i < end && (h[i] == ' ' || h[i] == 0)) {
      i++;
    }
    for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
      if (h[i] < '0' || h[i] > '7') {
        throw bad("has a header whose " + field + " field is not octal");
      }
      if (v > (Long.MAX_VALUE >> 3)) {
        throw bad("has a " + field + " too large to read");
      }
      v = v * 8 + (h[i] - '0');
    }
    return v;
  }

  private Map<String, String> parsePax(byte[] data) throws PlinthException {
    Map<String, String> pax = new HashMap<>();
    int i = 0;
    while (i < data.length) {
      int sp = i;
      while (sp < data.length && data[sp] != ' ') {
        sp++;
      }
      int len;
      try {
        len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw bad("has a malformed PAX record");
      }
      if (len <= sp - i + 1 || i + len > data.length || data[i + len - 1] != '\n') {
        throw bad("has a malformed PAX record");
      }
      String rec = new String(data, sp + 1, i + len - sp - 2, StandardCharsets.UTF_8);
      int eq = rec.indexOf('=');
      if (eq <= 0) {
        throw bad("has a malformed PAX record");
      }
      pax.put(rec.substring(0, eq), rec.substring(eq + 1));
      i += len;
    }
    return pax;
  }

  private static boolean isUstar(byte[] h) {
    return h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'
        && h[262] == 0;
  }

  private static boolean isStar(byte[] h) {
    return h[508] == 't' && h[509] == 'a' && h[510] == 'r' && h[511] == 0;
  }

  private PlinthException sparse(String name, char type, Map<String, String> pax) {
    String format = type == 'S' ? "old GNU format, type 'S'"
        : pax.containsKey("GNU.sparse.major")
            ? "PAX format " + JsonFields.clean(pax.get("GNU.sparse.major") + "."
                + pax.getOrDefault("GNU.sparse.minor", "?"))
            : "PAX format 0.x";
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has entry '"
        + JsonFields.clean(name) + "' stored as a GNU sparse file (" + format + "), which plinth"
        + " does not read: its header's name and size are not the file's. Write the archive"
        + " without --sparse (GNU tar) or with another tool");
  }

  private long paxLong(Map<String, String> pax, String key) throws PlinthException {
    try {
      long v = Long.parseLong(pax.get(key));
      if (v < 0) {
        throw bad("has a negative PAX " + key);
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad("has a PAX " + key + " that is not a number");
    }
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String cString(byte[] b) {
    return cString(b, 0, b.length);
  }

  private static String cString(byte[] b, int off, int len) {
    int end = off;
    while (end < off + len && b[end] != 0) {
      end++;
    }
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }

  /** A failure, not a bare EOFException: a caller that lets IOExceptions through keeps its kind. */
  private StreamFailure truncated() {
    return new StreamFailure(PlinthException.Kind.BAD_INPUT, what + " is not a valid tar: it ends"
        + " inside an entry");
  }

  private PlinthException bad(String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a valid tar: it " + why);
  }
}
