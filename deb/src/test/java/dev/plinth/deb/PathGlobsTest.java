package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathGlobsTest {
  /**
   * Each row: the globs (comma-separated), a path, whether they match it, and why. * stays in
   * one segment; a directory glob takes everything under it; ** spans any number of segments,
   * none included; ? is one character; regex characters are literal.
   */
  @ParameterizedTest(name = "{0} ~ {1}: {2} ({3})")
  @CsvSource(delimiter = '|', textBlock = """
      /usr/lib/*/gconv/**  | /usr/lib/x86_64-linux-gnu/gconv/UTF-16.so | true | * is a segment
      /usr/lib/*/gconv/**  | /usr/lib/aarch64-linux-gnu/gconv/gconv-modules.d/gconv-modules-extra.conf | true | ** below
      /usr/lib/*/gconv/**  | /usr/lib/x86_64-linux-gnu/gconv | true | the directory itself goes too
      /usr/lib/*/gconv/**  | /usr/lib/x86_64-linux-gnu/libc.so.6 | false | another directory
      /usr/lib/*/gconv/**  | /usr/lib/a/b/gconv/x.so | false | * is one segment, never two
      /usr/lib/*/gconv/**  | /usr/lib/x86_64-linux-gnu/gconvx/x.so | false | a segment matches whole
      /usr/share/locale    | /usr/share/locale | true | the directory
      /usr/share/locale    | /usr/share/locale/de/LC_MESSAGES/libc.mo | true | everything under it
      /usr/share/locale    | /usr/share/locale-langpack/de | false | a segment matches whole
      /usr/share/locale    | /usr/share | false | its parent stays
      /usr/**/__pycache__  | /usr/__pycache__ | true | ** spans no segment
      /usr/**/__pycache__  | /usr/lib/python3.11/__pycache__/os.cpython-311.pyc | true | ** spans two
      /usr/**/__pycache__  | /usr/lib/python3/dist-packages/flask/__pycache__ | true | ** spans three
      /usr/**/__pycache__  | /usr/lib/python3.11/os.py | false | no __pycache__
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /usr/lib/python3.9/lib-dynload/_testcapi.so | true | ? and * within names
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /usr/lib/python3.11/lib-dynload/_testcapi.so | false | ? is one character
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /usr/lib/python3x9/lib-dynload/_testcapi.so | false | . is a dot
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /usr/lib/python3.9/lib-dynload/_testcapi.so.1 | false | * stays in the name
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /a+b/(c) | true | regex characters literal
      /usr/lib/python3.?/lib-dynload/_test*.so, /a+b/(c) | /aab/(c) | false | + is a plus
      """)
  void globs_matchPath(String globs, String path, boolean matches, String why) {
    PathGlobs g = PathGlobs.of(List.of(globs.split(",\\s*")));
    assertEquals(matches, g.matches(path), why);
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
