package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian control data (deb822(5)): paragraphs of {@code Field: value} lines separated by blank
 * lines, with continuation lines starting with a space or tab. Used for a package's control file
 * and for Packages indexes, which can be large, so {@link #each} streams.
 */
public final class Control {
  /** The longest line accepted. */
  static final int MAX_LINE = 1 << 20;

  /** One paragraph. */
  public static final class Paragraph {
    private final Map<String, String> fields;

    Paragraph(Map<String, String> fields) {
      this.fields = Collections.unmodifiableMap(fields);
    }

    /**
     * A field's value, the name matched without case, or null. A multi-line value keeps its lines
     * joined with '\n', each without its leading space; a " ." line is an empty line.
     */
    public String get(String field) {
      // names are nearly always written as looked up; a paragraph holds each name once, in any
      // case (each() refuses a second), so the first match is the one
      String exact = fields.get(field);
      if (exact != null) {
        return exact;
      }
      for (Map.Entry<String, String> e : fields.entrySet()) {
        if (e.getKey().equalsIgnoreCase(field)) {
          return e.getValue();
        }
      }
      return null;
    }

    /** Every field in the order written, names as written. */
    public Map<String, String> fields() {
      return fields;
    }
  }

  /** Receives paragraphs as they are read. */
  public interface Visitor {
    void paragraph(Paragraph p) throws IOException, PlinthException;
  }

  /** Every paragraph of {@code in}; {@code what} names the input in errors. */
  public static List<Paragraph> parse(InputStream in, String what)
      throws IOException, PlinthException {
    List<Paragraph> out = new ArrayList<>();
    each(in, what, out::add);
    return out;
  }

  /** Reads {@code in} paragraph by paragraph. */
  public static void each(InputStream in, String what, Visitor visitor)
      throws IOException, PlinthException {
    each(in, what, null, visitor);
  }

  /**
   * Reads {@code in} paragraph by paragraph, each holding only the fields named in {@code keep}
   * (matched without case; null: all). The others are checked as any field is, and their values
   * never made: a Packages index has twice the fields a resolver reads, and 130,000 paragraphs
   * for two architectures.
   */
  public static void each(InputStream in, String what, java.util.Set<String> keep,
      Visitor visitor) throws IOException, PlinthException {
    byte[][] wanted = null;
    if (keep != null) {
      wanted = new byte[keep.size()][];
      int i = 0;
      for (String k : keep) {
        wanted[i++] = k.getBytes(StandardCharsets.UTF_8);
      }
    }
    Map<String, String> fields = new LinkedHashMap<>();
    // The field names of this paragraph, side by side in one array, to find a second one
    // without making a String of each line: two architectures' indexes have 2.5 million lines
    // and keep a third of them. Past 64 fields the names go into a set instead, so that a
    // hostile paragraph of a million fields costs n log n, not n squared.
    byte[] names = new byte[1024];
    int[] nameEnds = new int[64];
    int count = 0;
    java.util.Set<String> many = null;
    String current = null;
    boolean skipping = false; // in a field not kept, whose continuation lines are passed over
    String first = null; // the value of the current field's first line
    StringBuilder value = null; // and its continuation lines, once it has any
    LineReader reader = new LineReader(in, what);
    while (reader.next()) {
      byte[] b = reader.buf;
      int at = reader.start;
      int len = reader.len;
      long lineNo = reader.lineNo;
      if (blank(b, at, len)) {
        if (current != null) {
          fields.put(current, value == null ? first : value.toString());
          current = null;
        }
        if (count > 0 || many != null) { // a paragraph, even of no field kept
          visitor.paragraph(new Paragraph(fields));
          fields = new LinkedHashMap<>();
          count = 0;
          many = null;
        }
        skipping = false;
        continue;
      }
      if (b[at] == '#') {
        continue;
      }
      if (b[at] == ' ' || b[at] == '\t') {
        if (current == null && !skipping) {
          throw bad(what, lineNo, "a continuation line before any field");
        }
        if (!skipping) {
          boolean dot = len == 2 && b[at + 1] == '.';
          if (value == null) {
            value = new StringBuilder(first);
          }
          value.append('\n');
          if (!dot) {
            value.append(new String(b, at + 1, len - 1, StandardCharsets.UTF_8));
          }
        }
        continue;
      }
      int colon = -1;
      for (int i = at; i < at + len; i++) {
        if (b[i] == ':') {
          colon = i - at;
          break;
        }
      }
      if (colon <= 0) {
        throw bad(what, lineNo, "a line that is neither 'Field: value' nor a continuation");
      }
      for (int i = at; i < at + colon; i++) {
        if (b[i] <= 32 || b[i] >= 127) { // a byte of a non-ASCII character is negative
          throw bad(what, lineNo, "a bad field name '" + text(b, at, colon) + "'");
        }
      }
      if (current != null) {
        fields.put(current, value == null ? first : value.toString());
      }
      if (many == null) {
        int from = 0;
        for (int k = 0; k < count; k++) {
          if (nameEnds[k] - from == colon && sameName(names, from, b, at, colon)) {
            throw bad(what, lineNo, "the field '" + text(b, at, colon)
                + "' twice in one paragraph");
          }
          from = nameEnds[k];
        }
        if (count == nameEnds.length) {
          many = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
          from = 0;
          for (int k = 0; k < count; k++) {
            many.add(text(names, from, nameEnds[k] - from));
            from = nameEnds[k];
          }
        } else {
          int used = count == 0 ? 0 : nameEnds[count - 1];
          if (used + colon > names.length) {
            names = java.util.Arrays.copyOf(names, Math.max(names.length * 2, used + colon));
          }
          System.arraycopy(b, at, names, used, colon);
          nameEnds[count++] = used + colon;
        }
      }
      if (many != null && !many.add(text(b, at, colon))) {
        throw bad(what, lineNo, "the field '" + text(b, at, colon) + "' twice in one paragraph");
      }
      if (wanted != null && !named(b, at, colon, wanted)) {
        current = null;
        skipping = true;
        continue;
      }
      skipping = false;
      current = text(b, at, colon);
      first = stripped(b, at + colon + 1, at + len);
      value = null;
    }
    if (current != null) {
      fields.put(current, value == null ? first : value.toString());
    }
    if (count > 0 || many != null) {
      visitor.paragraph(new Paragraph(fields));
    }
  }

  private static String text(byte[] b, int at, int len) {
    return new String(b, at, len, StandardCharsets.UTF_8);
  }

  /** Whether a line is blank as {@link String#isBlank} sees it. */
  private static boolean blank(byte[] b, int at, int len) {
    for (int i = at; i < at + len; i++) {
      if (b[i] < 0) { // a non-ASCII character: Unicode has spaces of its own
        return text(b, at, len).isBlank();
      }
      if (!space(b[i])) {
        return false;
      }
    }
    return true;
  }

  /** {@code b[from, to)} as a String without the white space around it, as String.strip has it. */
  private static String stripped(byte[] b, int from, int to) {
    while (from < to && space(b[from])) {
      from++;
    }
    while (to > from && space(b[to - 1])) {
      to--;
    }
    String s = text(b, from, to - from);
    return from < to && (b[from] < 0 || b[to - 1] < 0) ? s.strip() : s;
  }

  /** Whether an ASCII byte is white space to {@link Character#isWhitespace}. */
  private static boolean space(byte c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
  }

  /** Whether two ASCII field names are the same without case. */
  private static boolean sameName(byte[] a, int aAt, byte[] b, int bAt, int len) {
    for (int i = 0; i < len; i++) {
      int x = a[aAt + i];
      int y = b[bAt + i];
      if (x != y && lower(x) != lower(y)) {
        return false;
      }
    }
    return true;
  }

  private static int lower(int c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
  }

  /** Whether the field name at {@code at} ({@code len} bytes) is one of {@code names}. */
  private static boolean named(byte[] b, int at, int len, byte[][] names) {
    for (byte[] n : names) {
      if (n.length == len && sameName(n, 0, b, at, len)) {
        return true;
      }
    }
    return false;
  }

  private static PlinthException bad(String what, long line, String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT,
        what + " is not valid control data: line " + line + " is " + why);
  }

  /**
   * Reads '\n'-terminated lines into its buffer, refusing any longer than {@link #MAX_LINE}:
   * each line is {@code buf[start, start + len)}, without its '\n' or a '\r' before it, until
   * the next call.
   */
  private static final class LineReader {
    private final InputStream in;
    private final String what;
    byte[] buf = new byte[65536];
    int start;
    int len;
    long lineNo;
    private int pos;
    private int end;
    private int scanned; // buf[pos, scanned) holds no '\n'
    private boolean eof;

    LineReader(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    boolean next() throws IOException, PlinthException {
      while (true) {
        int nl = -1;
        for (int i = scanned; i < end; i++) {
          if (buf[i] == '\n') {
            nl = i;
            break;
          }
        }
        scanned = nl < 0 ? end : nl;
        if (scanned - pos > MAX_LINE) {
          throw bad(what, lineNo + 1, "longer than " + MAX_LINE + " bytes");
        }
        if (nl >= 0 || (eof && pos < end)) {
          start = pos;
          len = scanned - pos;
          if (len > 0 && buf[start + len - 1] == '\r') {
            len--;
          }
          pos = nl >= 0 ? nl + 1 : end;
          scanned = pos;
          lineNo++;
          return true;
        }
        if (eof) {
          return false;
        }
        if (pos > 0) { // keep the part of a line that is here, and read on after it
          System.arraycopy(buf, pos, buf, 0, end - pos);
          end -= pos;
          scanned -= pos;
          pos = 0;
        }
        if (end == buf.length) {
          buf = java.util.Arrays.copyOf(buf, Math.min(buf.length * 2, MAX_LINE + 2));
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
          eof = true;
        } else {
          end += n;
        }
      }
    }
  }

  private Control() {}
}
