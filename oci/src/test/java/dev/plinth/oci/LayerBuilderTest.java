package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
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
}
