package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths in an image as layers key them: the plain ones taken as they are, the rest cleaned. */
class ImagePathTest {
  @ParameterizedTest
  @CsvSource({
      "/a/b.class, a/b.class",
      "/app/classes/dev/x/Main.class, app/classes/dev/x/Main.class",
      "/a, a",
      "/a//b, a/b",
      "//a, a",
      "/a/b/, a/b",
      "/a/b//, a/b",
      "/.hidden/..x/x../.../a.b, .hidden/..x/x../.../a.b",
  })
  void normalize(String path, String expected) {
    assertEquals(expected, ImagePath.normalize(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "//", "a/b", "", "/a/./b", "/a/../b", "/..", "/.", "/a/.",
      "/a/..", "/a/b/../../etc", "/a\\b", "/a\0b"})
  void refused(String path) {
    assertThrows(IllegalArgumentException.class, () -> ImagePath.normalize(path));
  }
}
