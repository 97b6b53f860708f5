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

  /**
   * One paragraph. One read by {@link #each} holds its fields as the UTF-8 bytes they were read
   * as, and makes a String of a value only when it is asked for: an index reader that copies
   * values as bytes ({@link #valueLength}, {@link #copyValue}) makes none.
   */
  public static final class Paragraph {
    private volatile Map<String, String> fields;
    /** For a paragraph read: each field's name, then its value. */
    private final byte[] data;
    /** For a paragraph read: four for each field, the starts and ends of its name and value. */
    private final int[] spans;
    /** How many of {@link #spans} are this paragraph's: four for each field. */
    private final int used;
    /**
     * For a paragraph read: where its lines start in what was read, from its first line to the
     * end of its last, in bytes; -1 and 0 for one made of fields.
     */
    private long offset = -1;
    private int length;

    Paragraph(Map<String, String> fields) {
      this.fields = Collections.unmodifiableMap(fields);
      this.data = null;
      this.spans = null;
      this.used = 0;
    }

    private Paragraph(byte[] data, int[] spans, int used) {
      this.data = data;
      this.spans = spans;
      this.used = used;
    }

    /** Records where the paragraph's lines were, {@code [first, end)}; returns it. */
    private Paragraph at(long first, long end) {
      long n = end - first;
      if (first >= 0 && n > 0 && n <= Integer.MAX_VALUE) {
        offset = first;
        length = (int) n;
      }
      return this;
    }

    /**
     * A field's value, the name matched without case, or null. A multi-line value keeps its lines
     * joined with '\n', each without its leading space; a " ." line is an empty line.
     */
    public String get(String field) {
      if (data != null) {
        int i = find(field);
        return i < 0 ? null : text(data, spans[i + 2], spans[i + 3] - spans[i + 2]);
      }
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
      Map<String, String> f = fields;
      if (f == null) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < used; i += 4) {
          m.put(text(data, spans[i], spans[i + 1] - spans[i]),
              text(data, spans[i + 2], spans[i + 3] - spans[i + 2]));
        }
        fields = f = Collections.unmodifiableMap(m);
      }
      return f;
    }

    /**
     * Where the paragraph's lines start in the text it was read from, in bytes; -1 for one made
     * of fields. Those {@link #length} bytes read on their own give this paragraph again.
     */
    long offset() {
      return offset;
    }

    /** How many bytes its lines take, from the start of the first to the end of the last. */
    int length() {
      return length;
    }

    /** The length of a field's value in UTF-8 bytes, or -1 when the paragraph has no such field. */
    int valueLength(String field) {
      if (data == null) {
        String v = get(field);
        return v == null ? -1 : v.getBytes(StandardCharsets.UTF_8).length;
      }
      int i = find(field);
      return i < 0 ? -1 : spans[i + 3] - spans[i + 2];
    }

    /** Copies a field's value, {@link #valueLength} UTF-8 bytes, to {@code to} at {@code at}. */
    void copyValue(String field, byte[] to, int at) {
      if (data == null) {
        byte[] v = get(field).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, to, at, v.length);
      } else {
        int i = find(field);
        System.arraycopy(data, spans[i + 2], to, at, spans[i + 3] - spans[i + 2]);
      }
    }

    /** Where a field's four spans start, or -1. */
    private int find(String field) {
      for (int i = 0; i < used; i += 4) {
        int len = spans[i + 1] - spans[i];
        if (len == field.length()) {
          boolean same = true;
          for (int k = 0; k < len && same; k++) {
            char c = field.charAt(k);
            same = c < 128 && lower(data[spans[i] + k]) == lower(c);
          }
          if (same) {
            return i;
          }
        }
      }
      return -1;
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
    each(in, what, keep, false, visitor);
  }

  /**
   * As {@link #each(InputStream, String, java.util.Set, Visitor)}, but each paragraph is a view of
   * the reader's own buffer, valid only until the visitor returns: for a visitor that copies what
   * it keeps (a Packages index), which then costs no copy of every paragraph.
   */
  static void eachInPlace(InputStream in, String what, java.util.Set<String> keep,
      Visitor visitor) throws IOException, PlinthException {
    each(in, what, keep, true, visitor);
  }

  private static void each(InputStream in, String what, java.util.Set<String> keep,
      boolean inPlace, Visitor visitor) throws IOException, PlinthException {
    byte[][] wanted = null;
    if (keep != null) {
      wanted = new byte[keep.size()][];
      int i = 0;
      for (String k : keep) {
        wanted[i++] = k.getBytes(StandardCharsets.UTF_8);
      }
    }
    // The kept fields of this paragraph: each one's name, then its value, in data; their starts
    // and ends in spans
    Scratch data = new Scratch();
    int[] spans = new int[32];
    int kept = 0;
    boolean inKept = false; // in a field kept, whose value ends data
    // The field names of this paragraph, side by side in one array, to find a second one
    // without making a String of each line: two architectures' indexes have 2.5 million lines
    // and keep a third of them. Past 64 fields the names go into a set instead, so that a
    // hostile paragraph of a million fields costs n log n, not n squared.
    byte[] names = new byte[1024];
    int[] nameEnds = new int[64];
    int count = 0;
    java.util.Set<String> many = null;
    boolean skipping = false; // in a field not kept, whose continuation lines are passed over
    LineReader reader = new LineReader(in, what);
    long first = -1; // where the paragraph's first line starts
    long last = 0; // where its last line read so far ends
    while (reader.next()) {
      byte[] b = reader.buf;
      int at = reader.start;
      int len = reader.len;
      long lineNo = reader.lineNo;
      if (blank(b, at, len)) {
        if (count > 0 || many != null) { // a paragraph, even of no field kept
          visitor.paragraph(data.paragraph(spans, kept, inPlace).at(first, last));
          data.used = 0;
          kept = 0;
          count = 0;
          many = null;
        }
        first = -1;
        inKept = false;
        skipping = false;
        continue;
      }
      if (first < 0) {
        first = reader.lineOffset();
      }
      last = reader.offset();
      if (b[at] == '#') {
        continue;
      }
      if (b[at] == ' ' || b[at] == '\t') {
        if (!inKept && !skipping) {
          throw bad(what, lineNo, "a continuation line before any field");
        }
        if (inKept) {
          data.append((byte) '\n');
          if (!(len == 2 && b[at + 1] == '.')) {
            data.append(b, at + 1, len - 1);
          }
          spans[4 * kept - 1] = data.used;
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
        inKept = false;
        skipping = true;
        continue;
      }
      skipping = false;
      inKept = true;
      if (4 * kept == spans.length) {
        spans = java.util.Arrays.copyOf(spans, spans.length * 2);
      }
      spans[4 * kept] = data.used;
      data.append(b, at, colon);
      spans[4 * kept + 1] = data.used;
      spans[4 * kept + 2] = data.used;
      data.appendStripped(b, at + colon + 1, at + len);
      spans[4 * kept + 3] = data.used;
      kept++;
    }
    if (count > 0 || many != null) {
      visitor.paragraph(data.paragraph(spans, kept, inPlace).at(first, last));
    }
  }

  /** The bytes of one paragraph's kept fields, as they are read. */
  private static final class Scratch {
    byte[] b = new byte[4096];
    int used;

    void append(byte c) {
      room(1);
      b[used++] = c;
    }

    void append(byte[] from, int at, int len) {
      room(len);
      System.arraycopy(from, at, b, used, len);
      used += len;
    }

    /** Appends {@code from[start, end)} without the white space around it, as String.strip. */
    void appendStripped(byte[] from, int start, int end) {
      while (start < end && space(from[start])) {
        start++;
      }
      while (end > start && space(from[end - 1])) {
        end--;
      }
      if (start < end && (from[start] < 0 || from[end - 1] < 0)) { // Unicode has spaces too
        byte[] s = text(from, start, end - start).strip().getBytes(StandardCharsets.UTF_8);
        append(s, 0, s.length);
      } else {
        append(from, start, end - start);
      }
    }

    private void room(int n) {
      if (used + n > b.length) {
        b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, used + n));
      }
    }

    /** The paragraph of these bytes: a copy, or a view of them ({@code inPlace}). */
    Paragraph paragraph(int[] spans, int kept, boolean inPlace) {
      return inPlace ? new Paragraph(b, spans, 4 * kept)
          : new Paragraph(java.util.Arrays.copyOf(b, used),
              java.util.Arrays.copyOf(spans, 4 * kept), 4 * kept);
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
    /** How many bytes of the stream came before buf[0]. */
    private long dropped;

    LineReader(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    /** Where the line {@link #next} gave starts in the stream, in bytes. */
    long lineOffset() {
      return dropped + start;
    }

    /** Where the stream has been read to: the end of that line, past its newline. */
    long offset() {
      return dropped + pos;
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
          dropped += pos;
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
