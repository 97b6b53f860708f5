package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathGlobsTest {
  @Test
  void starStaysInOneSegment() {
    PathGlobs g = PathGlobs.of(List.of("/usr/lib/*/gconv/**"));
    assertTrue(g.matches("/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"));
    assertTrue(g.matches("/usr/lib/aarch64-linux-gnu/gconv/gconv-modules.d/gconv-modules-extra.conf"));
    assertTrue(g.matches("/usr/lib/x86_64-linux-gnu/gconv"), "the directory itself goes too");
    assertFalse(g.matches("/usr/lib/x86_64-linux-gnu/libc.so.6"));
    assertFalse(g.matches("/usr/lib/a/b/gconv/x.so"), "* is one segment, never two");
    assertFalse(g.matches("/usr/lib/x86_64-linux-gnu/gconvx/x.so"));
  }

  @Test
  void aDirectoryGlob_takesEverythingUnderIt() {
    PathGlobs g = PathGlobs.of(List.of("/usr/share/locale"));
    assertTrue(g.matches("/usr/share/locale"));
    assertTrue(g.matches("/usr/share/locale/de/LC_MESSAGES/libc.mo"));
    assertFalse(g.matches("/usr/share/locale-langpack/de"), "a segment matches whole");
    assertFalse(g.matches("/usr/share"));
  }

  @Test
  void doubleStar_spansAnyNumberOfSegments_noneIncluded() {
    PathGlobs g = PathGlobs.of(List.of("/usr/**/__pycache__"));
    assertTrue(g.matches("/usr/__pycache__"));
    assertTrue(g.matches("/usr/lib/python3.11/__pycache__/os.cpython-311.pyc"));
    assertTrue(g.matches("/usr/lib/python3/dist-packages/flask/__pycache__"));
    assertFalse(g.matches("/usr/lib/python3.11/os.py"));
  }

  @Test
  void questionMarkAndStar_withinNames_regexCharactersLiteral() {
    PathGlobs g = PathGlobs.of(List.of("/usr/lib/python3.?/lib-dynload/_test*.so", "/a+b/(c)"));
    assertTrue(g.matches("/usr/lib/python3.9/lib-dynload/_testcapi.so"));
    assertFalse(g.matches("/usr/lib/python3.11/lib-dynload/_testcapi.so"), "? is one character");
    assertFalse(g.matches("/usr/lib/python3x9/lib-dynload/_testcapi.so"), ". is a dot");
    assertFalse(g.matches("/usr/lib/python3.9/lib-dynload/_testcapi.so.1"));
    assertTrue(g.matches("/a+b/(c)"));
    assertFalse(g.matches("/aab/(c)"));
  }

  @Test
  void none_matchesNothing() {
    assertFalse(PathGlobs.NONE.matches("/usr"));
    assertTrue(PathGlobs.of(List.of()).isEmpty());
  }

  @Test
  void badGlobs_refused_sayingWhy() {
    assertNull(PathGlobs.problem("/usr/share/locale/**"));
    assertEquals("is not an absolute path glob such as /usr/share/locale/**",
        PathGlobs.problem("usr/share/locale"));
    assertEquals("is not an absolute path glob such as /usr/share/locale/**",
        PathGlobs.problem("/"));
    assertEquals("has an empty, '.' or '..' segment", PathGlobs.problem("/usr/../etc"));
    assertEquals("has an empty, '.' or '..' segment", PathGlobs.problem("/usr//share"));
    assertEquals("has an empty, '.' or '..' segment", PathGlobs.problem("/usr/share/"));
    assertTrue(PathGlobs.problem("/usr/lib/a**b").contains("stands alone"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PathGlobs.of(List.of("/ok", "relative/*")));
    assertTrue(e.getMessage().startsWith("'relative/*' is not an absolute"), e.getMessage());
  }
}
