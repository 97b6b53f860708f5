package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerBuilderTest {
  @TempDir Path tmp;

  private static LayerBuilder sample() {
    return new LayerBuilder()
        .file("/usr/bin/app", "#!app".getBytes(), 0755, 0, 0)
        .directory("/tmp", 01777, 0, 0)
        .directory("/home/nonroot", 0750, 65532, 65532)
        .symlink("/bin", "usr/bin", 0, 0);
  }

  static List<TarEntry> entries(InputStream tar) throws Exception {
    TarReader r = new TarReader(tar, "layer");
    List<TarEntry> out = new ArrayList<>();
    for (TarEntry e; (e = r.next()) != null; ) {
      out.add(e);
    }
    return out;
  }

  @Test
  void entries_sortedWithParentsAndPinnedTimes() throws Exception {
    Layer layer = sample().build(tmp, 1234, 9);
    List<TarEntry> es = entries(layer.openUncompressed());
    List<String> names = es.stream().map(TarEntry::name).toList();
    assertEquals(List.of("bin", "home/", "home/nonroot/", "tmp/", "usr/", "usr/bin/", "usr/bin/app"), names);
    for (TarEntry e : es) {
      assertEquals(1234, e.mtime(), e.name());
    }
    assertEquals(0750, es.get(2).mode());
    assertEquals(65532, es.get(2).uid());
    assertEquals(01777, es.get(3).mode());
    assertEquals(0755, es.get(4).mode(), "implicit parent");
  }

  @Test
  void digests_matchTheBytes() throws Exception {
    Layer layer = sample().build(tmp, 0, 9);
    byte[] compressed = layer.blob().readAllBytes();
    assertEquals(layer.blob().descriptor().size(), compressed.length);
    assertEquals(layer.blob().descriptor().digest(), Digest.of(compressed));
    byte[] tar = new GZIPInputStream(new ByteArrayInputStream(compressed)).readAllBytes();
    assertEquals(layer.diffId(), Digest.of(tar));
    assertEquals(tar.length, layer.uncompressedSize().getAsLong());
  }

  @Test
  void buildTwice_sameDigest_andOrderOfAddsDoesNotMatter() throws Exception {
    Layer a = sample().build(tmp.resolve("a"), 0, 9);
    Layer b = new LayerBuilder()
        .symlink("/bin", "usr/bin", 0, 0)
        .directory("/home/nonroot", 0750, 65532, 65532)
        .directory("/tmp", 01777, 0, 0)
        .file("/usr/bin/app", "#!app".getBytes(), 0755, 0, 0)
        .build(tmp.resolve("b"), 0, 9);
    assertEquals(a.blob().descriptor().digest(), b.blob().descriptor().digest());
    assertEquals(a.diffId(), b.diffId());
  }

  @Test
  void fileUnderAFile_isRejected() {
    LayerBuilder l = new LayerBuilder().file("/a", new byte[0], 0644, 0, 0).file("/a/b", new byte[0], 0644, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> l.build(tmp, 0, 9));
  }

  @Test
  void siblingsShareTheirParents_oneEntryEach_andAFileUnderASiblingFile_isRejected()
      throws Exception {
    LayerBuilder l = new LayerBuilder();
    for (String p : List.of("/x/y/1", "/x/y/2", "/x/y/3", "/x/z/4", "/x/z/w/5", "/x/6")) {
      l.file(p, new byte[0], 0644, 0, 0);
    }
    List<String> names = entries(l.build(tmp.resolve("ok"), 0, 9).openUncompressed()).stream()
        .map(TarEntry::name).toList();
    assertEquals(List.of("x/", "x/6", "x/y/", "x/y/1", "x/y/2", "x/y/3", "x/z/", "x/z/4",
        "x/z/w/", "x/z/w/5"), names);
    // the entry before /d/b/c has the parent /d, already found: /d/b must still be looked at
    LayerBuilder bad = new LayerBuilder().file("/d/a", new byte[0], 0644, 0, 0)
        .file("/d/b", new byte[0], 0644, 0, 0).file("/d/b/c", new byte[0], 0644, 0, 0);
    assertThrows(IllegalArgumentException.class, () -> bad.build(tmp.resolve("bad"), 0, 9));
  }

  @Test
  void escapingPaths_areRejected() {
    for (String bad : List.of("../x", "/a/../../x", "/a/./b", "relative", "/", "/a\\b")) {
      assertThrows(IllegalArgumentException.class,
          () -> new LayerBuilder().file(bad, new byte[0], 0644, 0, 0), bad);
    }
  }

  @Test
  void fileFromHost_isCopied() throws Exception {
    Path src = tmp.resolve("src.bin");
    Files.write(src, new byte[100_000]);
    Layer layer = new LayerBuilder().file("/app/src.bin", src, 0644, 0, 0).build(tmp.resolve("o"), 0, 1);
    TarReader r = new TarReader(layer.openUncompressed(), "layer");
    r.next();
    TarEntry e = r.next();
    assertEquals("app/src.bin", e.name());
    assertEquals(100_000, r.content().readAllBytes().length);
  }

  /**
   * A jar of text entries deflated at level 0, so their data is the text itself in deflate's stored
   * blocks: gzip would shrink it, and only the zip's own records say that it is deflated data.
   */
  private static byte[] textJar(int entries, int size) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JarOutputStream jar = new JarOutputStream(out)) {
      jar.setLevel(0);
      for (int i = 0; i < entries; i++) {
        jar.putNextEntry(new ZipEntry("t/" + i + ".txt"));
        StringBuilder text = new StringBuilder();
        for (int line = 0; text.length() < size; line++) {
          text.append("entry ").append(i).append(", line ").append(line).append(" of the jar\n");
        }
        jar.write(text.substring(0, size).getBytes());
      }
    }
    return out.toByteArray();
  }

  @Test
  void bigLayer_jarsDeflatedEntriesStored_readsBack_sameBytesEveryTime() throws Exception {
    byte[] jar = textJar(36, 256 * 1024);
    assertTrue(jar.length >= ParallelGzipOutputStream.THRESHOLD);
    Path app = Files.write(tmp.resolve("app.jar"), jar);
    // The same bytes but the last: no end record, so not a zip, and compressed as a whole.
    byte[] notZip = Arrays.copyOf(jar, jar.length - 1);
    Path bin = Files.write(tmp.resolve("app.bin"), notZip);
    LayerBuilder b = new LayerBuilder().file("/app/lib/app.jar", app, 0644, 0, 0)
        .file("/app/notes.txt", "small".getBytes(), 0644, 0, 0);
    Layer one = b.build(tmp.resolve("a"), 0, 6);
    Layer two = b.build(tmp.resolve("b"), 0, 6, new LayerCache(tmp.resolve("cache")));
    assertEquals(one.blob().descriptor(), two.blob().descriptor(), "the same bytes every time");
    long size = one.blob().descriptor().size();
    assertTrue(Math.abs(size - jar.length) < jar.length / 100,
        "the jar's entries are stored as they are: " + size + " for " + jar.length);
    Layer plain = new LayerBuilder().file("/app/lib/app.bin", bin, 0644, 0, 0)
        .build(tmp.resolve("c"), 0, 6);
    assertTrue(plain.blob().descriptor().size() < jar.length / 4, "the same bytes compress");

    byte[] compressed = one.blob().readAllBytes();
    byte[] tar = new GZIPInputStream(new ByteArrayInputStream(compressed)).readAllBytes();
    assertEquals(one.diffId(), Digest.of(tar));
    TarReader t = new TarReader(new ByteArrayInputStream(tar), "layer");
    List<String> names = new ArrayList<>();
    for (TarEntry e; (e = t.next()) != null; ) {
      names.add(e.name());
      if (e.name().equals("app/lib/app.jar")) {
        assertArrayEquals(jar, t.content().readAllBytes());
      } else if (e.name().equals("app/notes.txt")) {
        assertEquals("small", new String(t.content().readAllBytes()));
      }
    }
    assertEquals(List.of("app/", "app/lib/", "app/lib/app.jar", "app/notes.txt"), names);
  }
}
