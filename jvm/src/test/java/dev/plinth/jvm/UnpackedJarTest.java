package dev.plinth.jvm;

import static dev.plinth.jvm.TestJars.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A fat jar is untrusted input: hostile ones fail closed, naming the jar and the entry. */
class UnpackedJarTest {
  @TempDir Path tmp;

  private static final UnpackedJar.Grouping ONE = new UnpackedJar.Grouping() {
    @Override
    public List<String> order() {
      return List.of("all");
    }

    @Override
    public String groupOf(String name) {
      return "all";
    }
  };

  private List<UnpackedJar.Group> unpack(Path jar, UnpackedJar.Limits limits) throws Exception {
    return UnpackedJar.unpack(jar, tmp.resolve("store"), "test", tree -> ONE, limits);
  }

  private PlinthException refused(byte[] bytes, UnpackedJar.Limits limits) throws Exception {
    Path jar = TestJars.write(tmp.resolve("evil.jar"), bytes);
    PlinthException e = assertThrows(PlinthException.class, () -> unpack(jar, limits));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(jar.toString()), e.getMessage());
    assertNothingLeft();
    return e;
  }

  /** No partial output: the store is empty, and nothing was written beside it. */
  private void assertNothingLeft() throws Exception {
    try (Stream<Path> s = Files.list(tmp.resolve("store"))) {
      assertEquals(List.of(), s.toList());
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("evil.jar", "store"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "/abs/x", "a/../../x", "..\\..\\x", "\\x", "C:\\x", "C:/x",
      "a//b", "./x", "a/./b", "a/..", "..", "new\nline"})
  void hostileNames_areRefused_namingTheEntry(String name) throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("ok.txt", text("fine"));
    e.put(name, text("payload"));
    PlinthException ex = refused(TestJars.jar(null, e), UnpackedJar.Limits.DEFAULT);
    assertTrue(ex.getMessage().contains("entry '" + name.replace('\n', '?') + "'"), ex.getMessage());
  }

  @Test
  void duplicateName_isRefused() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("dup1.class", text("first"));
    e.put("dup2.class", text("other"));
    byte[] bytes = TestJars.jar(null, e);
    // the same name twice, in the local headers and the central directory alike
    byte[] patched = new String(bytes, StandardCharsets.ISO_8859_1).replace("dup2.class",
        "dup1.class").getBytes(StandardCharsets.ISO_8859_1);
    PlinthException ex = refused(patched, UnpackedJar.Limits.DEFAULT);
    assertTrue(ex.getMessage().contains("'dup1.class' is given twice"), ex.getMessage());
  }

  @Test
  void fileThenSameNameAsDirectory_isRefused() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("lib", text("a file"));
    e.put("lib/x.jar", text("under the file"));
    PlinthException ex = refused(TestJars.jar(null, e), UnpackedJar.Limits.DEFAULT);
    assertTrue(ex.getMessage().contains("'lib/x.jar'"), ex.getMessage());
  }

  @Test
  void zipBomb_stopsAtTheLimit_withBoundedOutput() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("bomb.bin", new byte[8 << 20]);   // 8 MiB of zeros: a few KiB deflated
    byte[] bytes = TestJars.jar(null, e);
    assertTrue(bytes.length < 64 << 10, "the bomb is small: " + bytes.length);
    PlinthException ex = refused(bytes, new UnpackedJar.Limits(100, 1 << 20, 100));
    assertTrue(ex.getMessage().contains("'bomb.bin'") && ex.getMessage().contains("zip bomb"),
        ex.getMessage());
  }

  @Test
  void byDefault_aJarMayUnpackToAHundredTimesItsSize_plus64MiB() {
    UnpackedJar.Limits d = UnpackedJar.Limits.DEFAULT;
    assertEquals((64L << 20) + 100L * 1000, d.bytesFor(1000));
    assertEquals(4L << 30, d.bytesFor(1L << 30), "and never more than 4 GiB");
  }

  @Test
  void tooManyEntries_isRefused() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    for (int i = 0; i < 11; i++) {
      e.put("f" + i, text("x"));
    }
    PlinthException ex = refused(TestJars.jar(null, e), new UnpackedJar.Limits(10, 1 << 20, 100));
    assertTrue(ex.getMessage().contains("'f10'") && ex.getMessage().contains("10 allowed"),
        ex.getMessage());
  }

  @Test
  void truncatedJar_isRefused() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("big.txt", "some text that deflates ".repeat(4000).getBytes(StandardCharsets.UTF_8));
    byte[] bytes = TestJars.jar(null, e);
    refused(Arrays.copyOf(bytes, bytes.length / 4), UnpackedJar.Limits.DEFAULT);
  }

  @Test
  void notAZipAtAll_isRefused() throws Exception {
    PlinthException ex = refused(text("just text"), UnpackedJar.Limits.DEFAULT);
    assertTrue(ex.getMessage().contains("not a jar"), ex.getMessage());
  }

  @Test
  void symlinkEntry_becomesAFileOfItsBytes_neverALink() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("link", text("/etc/shadow"));
    byte[] bytes = TestJars.jar(null, e);
    // mark the entry a unix symlink (mode 0120777) in the central directory, as zip -y does
    String s = new String(bytes, StandardCharsets.ISO_8859_1);
    int cen = s.indexOf("PK\1\2");
    bytes[cen + 5] = 3;   // made by: unix
    int mode = 0120777 << 16;
    for (int i = 0; i < 4; i++) {
      bytes[cen + 38 + i] = (byte) (mode >>> (8 * i));
    }
    Path jar = TestJars.write(tmp.resolve("links.jar"), bytes);
    List<UnpackedJar.Group> groups = unpack(jar, UnpackedJar.Limits.DEFAULT);
    Path f = groups.get(0).dir().resolve("link");
    assertTrue(Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS));
    assertEquals("/etc/shadow", Files.readString(f));
  }

  @Test
  void launchScriptBeforeTheJar_isSkipped() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("a.txt", text("a"));
    byte[] jar = TestJars.jar(null, e);
    byte[] script = text("#!/bin/bash\nexec java -jar \"$0\" \"$@\"\n");
    byte[] both = Arrays.copyOf(script, script.length + jar.length);
    System.arraycopy(jar, 0, both, script.length, jar.length);
    List<UnpackedJar.Group> groups = unpack(TestJars.write(tmp.resolve("run.jar"), both),
        UnpackedJar.Limits.DEFAULT);
    assertEquals("a", Files.readString(groups.get(0).dir().resolve("a.txt")));
  }

  @Test
  void fourBuildsUnpackingOneJarAtOnce_agreeAndLeaveNoTempFiles() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    for (int i = 0; i < 200; i++) {
      e.put("p/f" + i + ".class", text("class " + i));
    }
    Path jar = TestJars.write(tmp.resolve("app.jar"), TestJars.jar(null, e));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<List<UnpackedJar.Group>>> runs = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runs.add(pool.submit(() -> unpack(jar, UnpackedJar.Limits.DEFAULT)));
      }
      for (java.util.concurrent.Future<List<UnpackedJar.Group>> f : runs) {
        assertEquals(runs.get(0).get(), f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> s = Files.list(tmp.resolve("store"))) {
      List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(2, names.size(), names.toString());
      assertTrue(names.get(0).startsWith("files-") && names.get(1).startsWith("jar-"),
          names.toString());
    }
  }
}
