package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContentsTest {
  private static Map<String, List<String>> search(String text, String... names) throws Exception {
    return Contents.search(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
        List.of(names));
  }

  @Test
  void library_isFoundInTheLoadersDirectory_beforeCopiesElsewhere() throws Exception {
    String index = """
        usr/lib/debug/.build-id/ab/libz.so.1                    debug/zlib1g-dbgsym
        usr/lib/x86_64-linux-gnu/libz.so.1                      libs/zlib1g
        usr/lib/x86_64-linux-gnu/libz.so.1.2.13                 libs/zlib1g
        usr/share/doc/zlib1g/changelog.gz                       doc/zlib1g
        opt/vendor/lib/libz.so.1                                non-free/misc/vendor-app
        """;
    assertEquals(Map.of("libz.so.1", List.of("zlib1g")), search(index, "libz.so.1"));
  }

  @Test
  void library_onlyOutsideTheLoadersDirectories_namesThosePackages() throws Exception {
    assertEquals(Map.of("libjvm.so", List.of("openjdk-17-jre-headless")),
        search("usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so  java/openjdk-17-jre-headless\n",
            "libjvm.so"));
  }

  @Test
  void interpreter_matchesItsPath_withOrWithoutUsr() throws Exception {
    String index = """
        usr/lib64/ld-linux-x86-64.so.2          libs/libc6
        usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2  libs/libc6,libs/libc6-dbg
        """;
    assertEquals(Map.of("/lib64/ld-linux-x86-64.so.2", List.of("libc6")),
        search(index, "/lib64/ld-linux-x86-64.so.2"));
  }

  @Test
  void severalPackages_areAllNamed_andUnknownNamesLeftOut() throws Exception {
    String index = "lib/x86_64-linux-gnu/libfoo.so.2 libs/libfoo2,oldlibs/libfoo2-compat\n"
        + "lib/x86_64-linux-gnu/libfoo.so.2\tlibs/libfoo2-other";
    Map<String, List<String>> found = search(index, "libfoo.so.2", "libbar.so.1");
    assertEquals(List.of("libfoo2", "libfoo2-compat", "libfoo2-other"), found.get("libfoo.so.2"));
    assertFalse(found.containsKey("libbar.so.1"));
  }

  @Test
  void anOverlongLine_isSkipped_andTheNextOneRead() throws Exception {
    String index = "x".repeat(20_000) + "/libz.so.1 libs/evil\n"
        + "usr/lib/aarch64-linux-gnu/libz.so.1 libs/zlib1g\n";
    assertEquals(Map.of("libz.so.1", List.of("zlib1g")), search(index, "libz.so.1"));
  }
}
