package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayOutputStream;
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
    String[] wanted = keep == null ? null : keep.toArray(new String[0]);
    Map<String, String> fields = new LinkedHashMap<>();
    // the field lines of this paragraph and where each name ends: a second name is found
    // without making a String of each (2.5 million lines in two architectures' indexes)
    List<String> seen = new ArrayList<>();
    int[] colons = new int[64];
    java.util.Set<String> many = null;
    String current = null;
    boolean skipping = false; // in a field not kept, whose continuation lines are passed over
    StringBuilder value = null;
    long lineNo = 0;
    String line;
    LineReader reader = new LineReader(in, what);
    while ((line = reader.next()) != null) {
      lineNo++;
      if (line.isBlank()) {
        if (current != null) {
          fields.put(current, value.toString());
          current = null;
        }
        if (!seen.isEmpty() || many != null) { // a paragraph, even of no field kept
          visitor.paragraph(new Paragraph(fields));
          fields = new LinkedHashMap<>();
          seen.clear();
          many = null;
        }
        skipping = false;
        continue;
      }
      if (line.charAt(0) == '#') {
        continue;
      }
      if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        if (current == null && !skipping) {
          throw bad(what, lineNo, "a continuation line before any field");
        }
        if (!skipping) {
          String t = line.substring(1);
          value.append('\n').append(t.equals(".") ? "" : t);
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw bad(what, lineNo, "a line that is neither 'Field: value' nor a continuation");
      }
      for (int i = 0; i < colon; i++) {
        char c = line.charAt(i);
        if (c <= 32 || c >= 127) {
          throw bad(what, lineNo, "a bad field name '" + line.substring(0, colon) + "'");
        }
      }
      if (current != null) {
        fields.put(current, value.toString());
      }
      if (many == null) {
        for (int k = 0; k < seen.size(); k++) {
          if (colons[k] == colon && seen.get(k).regionMatches(true, 0, line, 0, colon)) {
            throw bad(what, lineNo, "the field '" + line.substring(0, colon)
                + "' twice in one paragraph");
          }
        }
        if (seen.size() == colons.length) {
          // more fields than a real paragraph has: names go into a set, so that a hostile
          // paragraph of a million fields costs n log n, not n squared
          many = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
          for (int k = 0; k < seen.size(); k++) {
            many.add(seen.get(k).substring(0, colons[k]));
          }
        } else {
          colons[seen.size()] = colon;
        }
      }
      if (many != null) {
        if (!many.add(line.substring(0, colon))) {
          throw bad(what, lineNo, "the field '" + line.substring(0, colon)
              + "' twice in one paragraph");
        }
      } else {
        // the line itself when short (no copy), else its name: a long line is not held
        seen.add(line.length() <= 256 ? line : line.substring(0, colon));
      }
      if (wanted != null && !named(line, colon, wanted)) {
        current = null;
        skipping = true;
        continue;
      }
      skipping = false;
      current = line.substring(0, colon);
      value = new StringBuilder(line.substring(colon + 1).strip());
    }
    if (current != null) {
      fields.put(current, value.toString());
    }
    if (!seen.isEmpty() || many != null) {
      visitor.paragraph(new Paragraph(fields));
    }
  }

  /**
   * Whether the field name {@code line} starts with (its first {@code end} chars) is one of
   * {@code names}, matched without case.
   */
  private static boolean named(String line, int end, String[] names) {
    for (String n : names) {
      if (n.length() == end && line.regionMatches(true, 0, n, 0, end)) {
        return true;
      }
    }
    return false;
  }

  private static PlinthException bad(String what, long line, String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT,
        what + " is not valid control data: line " + line + " is " + why);
  }

  /** Reads '\n'-terminated UTF-8 lines, refusing any longer than {@link #MAX_LINE}. */
  private static final class LineReader {
    private final InputStream in;
    private final String what;
    private final byte[] buf = new byte[65536];
    private int pos;
    private int end;
    private long lineNo;

    LineReader(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    String next() throws IOException, PlinthException {
      ByteArrayOutputStream line = null;
      while (true) {
        if (pos == end) {
          end = in.read(buf, 0, buf.length);
          pos = 0;
          if (end <= 0) {
            end = 0;
            if (line == null) {
              return null;
            }
            lineNo++;
            return strip(line);
          }
        }
        int start = pos;
        while (pos < end && buf[pos] != '\n') {
          pos++;
        }
        if (line == null && pos < end && pos - start <= MAX_LINE) {
          // the whole line is in the buffer (nearly every line): no copy but the String's
          int len = pos - start;
          if (len > 0 && buf[pos - 1] == '\r') {
            len--;
          }
          pos++;
          lineNo++;
          return new String(buf, start, len, StandardCharsets.UTF_8);
        }
        if (line == null) {
          line = new ByteArrayOutputStream();
        }
        line.write(buf, start, pos - start);
        if (line.size() > MAX_LINE) {
          throw bad(what, lineNo + 1, "longer than " + MAX_LINE + " bytes");
        }
        if (pos < end) {
          pos++;
          lineNo++;
          return strip(line);
        }
      }
    }

    private static String strip(ByteArrayOutputStream line) {
      String s = line.toString(StandardCharsets.UTF_8);
      return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
  }

  private Control() {}
}
