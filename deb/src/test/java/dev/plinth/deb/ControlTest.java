package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlTest {
  private static final String WHAT = "main/binary-amd64/Packages";

  private static List<Control.Paragraph> parse(String text) throws Exception {
    return Control.parse(in(text), WHAT);
  }

  private static InputStream in(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  private static PlinthException rejects(String text) {
    PlinthException e = assertThrows(PlinthException.class, () -> parse(text));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains(WHAT), "names the input: " + e.getMessage());
    return e;
  }

  private static void assertNamesLine(PlinthException e, int line) {
    assertTrue(e.getMessage().matches("(?s).*\\bline " + line + "\\b.*"),
        "names line " + line + ": " + e.getMessage());
  }

  @Test
  void parse_paragraphs_separatedByBlankLines() throws Exception {
    List<Control.Paragraph> ps = parse("""
        Package: tini
        Version: 0.19.0-1

        Package: libc6
        Version: 2.36-9+deb12u4


        Package: tzdata
        Version: 2024a-0+deb12u1
        """);
    assertEquals(3, ps.size());
    assertEquals("tini", ps.get(0).get("Package"));
    assertEquals("2.36-9+deb12u4", ps.get(1).get("Version"));
    assertEquals("tzdata", ps.get(2).get("Package"));
  }

  @Test
  void parse_leadingBlankLines_andNoFinalNewline() throws Exception {
    List<Control.Paragraph> ps = parse("\n\nPackage: a\nVersion: 1\n\nPackage: b\nVersion: 2");
    assertEquals(2, ps.size());
    assertEquals("2", ps.get(1).get("Version"));
  }

  @Test
  void parse_empty_givesNoParagraphs() throws Exception {
    assertEquals(List.of(), parse(""));
    assertEquals(List.of(), parse("\n\n# only a comment\n\n"));
  }

  @Test
  void get_isCaseInsensitive_nullWhenAbsent() throws Exception {
    Control.Paragraph p = parse("Package: tini\nPre-Depends: libc6 (>= 2.34)\n").get(0);
    assertEquals("tini", p.get("package"));
    assertEquals("tini", p.get("PACKAGE"));
    assertEquals("libc6 (>= 2.34)", p.get("pre-depends"));
    assertNull(p.get("Depends"));
    // written in another case than looked up
    assertEquals("a", parse("PACKAGE: a\n").get(0).get("Package"));
  }

  @Test
  void value_surroundingWhitespace_stripped() throws Exception {
    Control.Paragraph p = parse("Package:tini\nVersion:    0.19.0-1   \n").get(0);
    assertEquals("tini", p.get("Package"));
    assertEquals("0.19.0-1", p.get("Version"));
  }

  @Test
  void value_keepsColonsAfterTheFirst() throws Exception {
    Control.Paragraph p = parse("Version: 1:2.3-4\nHomepage: https://example.org:8080/x\n").get(0);
    assertEquals("1:2.3-4", p.get("Version"));
    assertEquals("https://example.org:8080/x", p.get("Homepage"));
  }

  @Test
  void multiLine_continuationsJoined_dotLineIsEmpty() throws Exception {
    Control.Paragraph p = parse("""
        Package: tini
        Description: tiny but valid init for containers
         Tini is the simplest init you could think of.
         .
         All Tini does is spawn a single child.
        Section: admin
        """).get(0);
    assertEquals("tiny but valid init for containers\n"
        + "Tini is the simplest init you could think of.\n"
        + "\n"
        + "All Tini does is spawn a single child.", p.get("Description"));
    assertEquals("admin", p.get("Section"));
  }

  @Test
  void multiLine_continuationKeepsTextAfterTheFirstSpace() throws Exception {
    Control.Paragraph p = parse("Description: x\n   indented by three\n").get(0);
    assertEquals("x\n  indented by three", p.get("Description"));
  }

  @Test
  void multiLine_emptyFirstLine() throws Exception {
    Control.Paragraph p = parse("""
        Package: base-files
        Conffiles:
         /etc/debian_version 2b7ef1a3f3f3fd05ebce6e4e3c3e1a8b
         /etc/issue 4a2e1a9d1ef5f73d3a6d8c4a4a8b31d0
        """).get(0);
    assertEquals("/etc/debian_version 2b7ef1a3f3f3fd05ebce6e4e3c3e1a8b\n"
        + "/etc/issue 4a2e1a9d1ef5f73d3a6d8c4a4a8b31d0", p.get("Conffiles").strip());
  }

  @Test
  void fields_keepOrderAndCase() throws Exception {
    Control.Paragraph p = parse("Package: a\nversion: 1\nArchitecture: all\nX-Custom: y\n").get(0);
    assertEquals(List.of("Package", "version", "Architecture", "X-Custom"),
        new ArrayList<>(p.fields().keySet()));
    assertEquals(Map.of("Package", "a", "version", "1", "Architecture", "all", "X-Custom", "y"),
        p.fields());
  }

  @Test
  void comments_ignored_evenBetweenFieldsAndContinuations() throws Exception {
    List<Control.Paragraph> ps = parse("""
        # a comment before anything
        Package: a
        # a comment inside the paragraph
        Description: short
        # a comment between continuation lines
         long
        Version: 1
        """);
    assertEquals(1, ps.size());
    assertEquals("short\nlong", ps.get(0).get("Description"));
    assertEquals("1", ps.get(0).get("Version"));
    assertEquals(3, ps.get(0).fields().size());
  }

  @Test
  void crlfLineEndings_notPartOfValues() throws Exception {
    // some hand-written control files have them; dpkg refuses nothing here but the value must
    // not keep the CR
    Control.Paragraph p;
    try {
      p = parse("Package: a\r\nVersion: 1\r\n").get(0);
    } catch (PlinthException e) {
      assertTrue(e.getMessage().contains(WHAT), e.getMessage());
      return;
    }
    assertEquals("a", p.get("Package"));
    assertEquals("1", p.get("Version"));
  }

  @Test
  void malformedLine_rejected_namingInputAndLine() {
    PlinthException e = rejects("Package: a\nVersion: 1\nthis line has no colon\n");
    assertNamesLine(e, 3);
  }

  @Test
  void emptyFieldName_rejected() {
    assertNamesLine(rejects("Package: a\n: value\n"), 2);
  }

  @Test
  void fieldNameWithSpace_rejected() {
    assertNamesLine(rejects("Package: a\n\nMy Field: value\n"), 3);
  }

  @Test
  void continuationBeforeAnyField_rejected() {
    assertNamesLine(rejects(" continuation first\nPackage: a\n"), 1);
  }

  @Test
  void continuationAtStartOfSecondParagraph_rejected() {
    assertNamesLine(rejects("Package: a\n\n more\nPackage: b\n"), 3);
  }

  @Test
  void duplicateField_rejected_evenInAnotherCase() {
    assertNamesLine(rejects("Package: a\nVersion: 1\nPackage: b\n"), 3);
    assertNamesLine(rejects("Package: a\nVersion: 1\nversion: 2\n"), 3);
  }

  @Test
  void sameFieldInTwoParagraphs_fine() throws Exception {
    assertEquals(2, parse("Package: a\n\nPackage: b\n").size());
  }

  @Test
  void lineOverOneMebibyte_rejected_withoutReadingOnForever() {
    // a single line of 1 MiB + 1, then a stream that would go on for 1 GiB if read
    byte[] head = ("Package: a\nDescription: " + "x".repeat(1 << 20) + "\n")
        .getBytes(StandardCharsets.US_ASCII);
    InputStream endless = new InputStream() {
      long left = 1L << 30;

      @Override
      public int read() {
        return left-- > 0 ? 'x' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        left -= n;
        return n;
      }
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> Control.parse(new SequenceInputStream(new ByteArrayInputStream(head), endless), WHAT));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(WHAT), e.getMessage());
    assertNamesLine(e, 2);

    PlinthException endlessLine = assertThrows(PlinthException.class,
        () -> Control.parse(new SequenceInputStream(in("Package: a\nDescription: "), endless),
            WHAT));
    assertEquals(PlinthException.Kind.BAD_INPUT, endlessLine.kind());
  }

  @Test
  void lineOfAlmostOneMebibyte_accepted() throws Exception {
    String big = "y".repeat((1 << 20) - 100);
    assertEquals(big, parse("Package: a\nDescription: " + big + "\n").get(0).get("Description"));
  }

  @Test
  void linesSplitAcrossReads_readAsWhenReadWhole() throws Exception {
    // lines are cut wherever a read ends: one byte at a time, and reads of 7 bytes, must give
    // what one read of everything gives, long lines and CRLF included
    String text = "Package: a\r\nDepends: " + "b, ".repeat(40_000) + "c\r\n"
        + "Description: d\n  two\n .\n\u3000\n" // a line of a Unicode space ends a paragraph
        + "Package: ü\nDescription: " + "é".repeat(50_000) + "\n\nPackage: last";
    List<Map<String, String>> whole = new ArrayList<>();
    Control.each(in(text), WHAT, p -> whole.add(p.fields()));
    assertEquals(3, whole.size());
    assertEquals("ü", whole.get(1).get("Package"));
    assertEquals("d\n two\n", whole.get(0).get("Description"));
    for (int step : new int[] {1, 7}) {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      InputStream trickle = new InputStream() {
        int at;

        @Override
        public int read() {
          return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
          if (at == bytes.length) {
            return -1;
          }
          int n = Math.min(Math.min(len, step), bytes.length - at);
          System.arraycopy(bytes, at, b, off, n);
          at += n;
          return n;
        }
      };
      List<Map<String, String>> cut = new ArrayList<>();
      Control.each(trickle, WHAT, p -> cut.add(p.fields()));
      assertEquals(whole, cut, "reads of " + step);
    }
  }

  @Test
  void valuesCopiedAsBytes_areTheUtf8OfTheValuesGiven() throws Exception {
    String text = "Package: a\nsource: Zoë (1.0)\nDepends: b,\n c\n .\n d\n"
        + "Empty:\nX-Spaces: \u00a0 nbsp \u3000\n";
    Control.Paragraph read = parse(text).get(0);
    Control.Paragraph made = new Control.Paragraph(new java.util.LinkedHashMap<>(read.fields()));
    assertEquals("b,\nc\n\nd", read.get("depends"));
    assertEquals("\u00a0 nbsp", read.get("X-Spaces")); // U+00A0 is not white space to strip
    for (String field : List.of("Package", "Source", "DEPENDS", "Empty", "X-Spaces", "Absent",
        "Päckage")) {
      String value = read.get(field);
      for (Control.Paragraph p : List.of(read, made)) {
        assertEquals(value, p.get(field), field);
        if (value == null) {
          assertEquals(-1, p.valueLength(field), field);
          continue;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        assertEquals(utf8.length, p.valueLength(field), field);
        byte[] copy = new byte[utf8.length + 2];
        p.copyValue(field, copy, 1);
        assertEquals(value, new String(copy, 1, utf8.length, StandardCharsets.UTF_8), field);
      }
    }
    assertEquals(List.of("Package", "source", "Depends", "Empty", "X-Spaces"),
        List.copyOf(read.fields().keySet()));
  }

  @Test
  void nonAsciiFieldName_rejected_namingIt() {
    PlinthException e = rejects("Package: a\nPäckage: b\n");
    assertTrue(e.getMessage().contains("'Päckage'"), e.getMessage());
    assertNamesLine(e, 2);
  }

  @Test
  void each_streamsParagraphsInOrder_andStopsOnVisitorError() throws Exception {
    List<String> names = new ArrayList<>();
    Control.each(in("Package: a\n\nPackage: b\n\nPackage: c\n"), WHAT,
        p -> names.add(p.get("Package")));
    assertEquals(List.of("a", "b", "c"), names);

    List<String> seen = new ArrayList<>();
    PlinthException stop = new PlinthException(PlinthException.Kind.BAD_INPUT, "stop at b");
    PlinthException e = assertThrows(PlinthException.class, () -> Control.each(
        in("Package: a\n\nPackage: b\n\nPackage: c\n"), WHAT, p -> {
          seen.add(p.get("Package"));
          if (p.get("Package").equals("b")) {
            throw stop;
          }
        }));
    assertEquals(stop, e);
    assertEquals(List.of("a", "b"), seen);

    IOException io = new IOException("disk gone");
    assertEquals(io, assertThrows(IOException.class, () -> Control.each(in("Package: a\n"), WHAT,
        p -> {
          throw io;
        })));
  }

  @Test
  void each_malformedLaterLine_deliversEarlierParagraphsFirst() {
    List<String> names = new ArrayList<>();
    PlinthException e = assertThrows(PlinthException.class, () -> Control.each(
        in("Package: a\n\nPackage: b\nbroken\n"), WHAT, p -> names.add(p.get("Package"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertNamesLine(e, 4);
    assertEquals(List.of("a"), names);
  }

  @Test
  void utf8Values_decoded() throws Exception {
    Control.Paragraph p = parse("Maintainer: Jérémy Bobbio <lunar@debian.org>\n").get(0);
    assertEquals("Jérémy Bobbio <lunar@debian.org>", p.get("Maintainer"));
  }

  private static List<Control.Paragraph> kept(String text, String... keep) throws Exception {
    List<Control.Paragraph> out = new ArrayList<>();
    Control.each(in(text), WHAT, java.util.Set.of(keep), out::add);
    return out;
  }

  @Test
  void keep_onlyTheFieldsNamed_matchedWithoutCase_continuationsOfOthersPassedOver()
      throws Exception {
    String text = """
        Package: a
        Description: short
         a long line
         .
         more
        version: 1
        Tag: x, y

        Package: b
        Version: 2
        """;
    List<Control.Paragraph> ps = kept(text, "Package", "Version");
    assertEquals(2, ps.size());
    assertEquals(Map.of("Package", "a", "version", "1"), ps.get(0).fields());
    assertEquals("1", ps.get(0).get("Version"));
    assertNull(ps.get(0).get("Description"));
    assertEquals(Map.of("Package", "b", "Version", "2"), ps.get(1).fields());
    // a paragraph of no kept field still reaches the visitor, to be judged there
    List<Control.Paragraph> none = kept("Tag: x\n\nPackage: c\n", "Package");
    assertEquals(2, none.size());
    assertEquals(Map.of(), none.get(0).fields());
  }

  @Test
  void keep_fieldsNotKept_areCheckedAsAnyField() {
    for (String bad : List.of("Package: a\nTag: x\ntag: y\n", "Package: a\nT@g x\n",
        " continuation first\nPackage: a\n", "Package: a\nBad Name: x\n")) {
      PlinthException e = assertThrows(PlinthException.class, () -> kept(bad, "Package"), bad);
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().contains(WHAT), e.getMessage());
    }
  }

  /** Past the first 64 fields of a paragraph, repeated names are still found, in any case. */
  @Test
  void manyFields_repeatedNameFound_beforeAndAfterSixtyFour() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 200; i++) {
      many.append("F").append(i).append(": v\n");
    }
    assertEquals(200, parse(many.toString()).get(0).fields().size());
    assertEquals(1, kept(many + "\nPackage: x\n", "F150").get(0).fields().size());
    for (String repeat : List.of("f3: again\n", "F199: again\n", "f100: again\n")) {
      PlinthException e = rejects(many + repeat);
      assertTrue(e.getMessage().contains("twice"), e.getMessage());
      assertNamesLine(e, 201);
      assertThrows(PlinthException.class, () -> kept(many + repeat, "Package"));
    }
    // and a long line's name is compared as a short one's
    String longValue = "x".repeat(1000);
    PlinthException e = rejects("Tag: " + longValue + "\nPackage: a\ntag: y\n");
    assertNamesLine(e, 3);
  }

  /**
   * Each paragraph read knows where its lines were: those bytes, read on their own, give it again
   * (a package index keeps only that place and reads the paragraph again when it is asked for).
   */
  @Test
  void paragraphs_knowWhereTheirLinesWere_andThoseBytesReadTheSameParagraph() throws Exception {
    // leading blank and comment lines, CRLF lines, continuations, a comment inside, more than one
    // blank line between paragraphs, a buffer's worth of text, and no newline at the end
    String big = "x".repeat(70_000);
    String text = "\n\n# a comment\nPackage: a\r\nVersion: 1\r\nDescription: one\r\n two\r\n"
        + "\n\n\nPackage: b\nTag: " + big + "\n# inside\nVersion: 2\n \t\n"
        + "Package: c\nDescription: é\n .\n more\n\nPackage: d\nVersion: 4";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (java.util.Set<String> keep : java.util.Arrays.asList(null, java.util.Set.of("Package"))) {
      List<Control.Paragraph> ps = new ArrayList<>();
      if (keep == null) {
        Control.each(new ByteArrayInputStream(bytes), WHAT, ps::add);
      } else {
        Control.eachInPlace(new ByteArrayInputStream(bytes), WHAT, keep, p -> {
          ps.add(p);
          // a view: its place is read before the next paragraph reuses it
          assertTrue(p.offset() >= 0 && p.length() > 0, p.get("Package"));
        });
      }
      assertEquals(4, ps.size());
      List<Control.Paragraph> all = parse(text);
      long previousEnd = 0;
      for (int i = 0; i < ps.size(); i++) {
        Control.Paragraph p = ps.get(i);
        assertTrue(p.offset() >= previousEnd, "in order, apart: " + p.offset());
        previousEnd = p.offset() + p.length();
        List<Control.Paragraph> again = Control.parse(
            new ByteArrayInputStream(bytes, (int) p.offset(), p.length()), WHAT);
        assertEquals(1, again.size(), "paragraph " + i);
        assertEquals(all.get(i).fields(), again.get(0).fields(), "paragraph " + i);
      }
      assertEquals(bytes.length, previousEnd, "the last one ends with the text");
      assertEquals(2, ps.get(0).offset(), "from the comment line before its first field");
    }
    // a paragraph made of fields was not read from anywhere
    assertEquals(-1, new Control.Paragraph(Map.of("Package", "x")).offset());
  }
}
