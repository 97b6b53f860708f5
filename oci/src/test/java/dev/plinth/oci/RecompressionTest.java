package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Recompression}: what changes when layers are compressed another way, and what stays. */
class RecompressionTest {
  @TempDir Path tmp;

  /** A gzip layer under a zstd one, a config listing both, an annotated manifest. */
  private Image mixed(Platform p) throws Exception {
    Layer gzip = new LayerBuilder().file("/a", ("gzip " + p).getBytes(), 0644, 0, 0)
        .build(tmp.resolve("built"), 0, Compression.gzip(6));
    Layer zstd = new LayerBuilder().file("/b", "zstd".getBytes(), 0644, 0, 0)
        .build(tmp.resolve("built"), 0, Compression.ZSTD);
    String config = "{\"architecture\":\"" + p.architecture() + "\",\"os\":\"linux\","
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + gzip.diffId() + "\",\""
        + zstd.diffId() + "\"]}}";
    return Image.of(p, Blob.of(MediaTypes.OCI_CONFIG, config.getBytes()), List.of(gzip, zstd),
        Map.of("org.opencontainers.image.title", "mixed"));
  }

  @Test
  void toZstd_recompressesTheGzipLayer_keepsTheZstdOne_andTheConfig() throws Exception {
    Image source = mixed(Platform.LINUX_AMD64);
    Image other = mixed(Platform.LINUX_ARM64);
    Artifact about = DirTransportTest.attestation(source);
    Artifact aboutOther = DirTransportTest.attestation(other);
    ImageIndex index = ImageIndex.of(List.of(source, other), List.of(about, aboutOther),
        Map.of("org.opencontainers.image.version", "1"), true);
    List<String> notes = new ArrayList<>();
    ImageIndex r = Recompression.apply(index, Compression.ZSTD, tmp.resolve("work"), notes::add);

    Image copy = r.images().get(0);
    Layer first = copy.layers().get(0);
    assertEquals(MediaTypes.OCI_LAYER_ZSTD, first.blob().descriptor().mediaType());
    assertEquals(source.layers().get(0).diffId(), first.diffId(), "the same tar");
    assertArrayEquals(source.layers().get(0).openUncompressed().readAllBytes(),
        first.openUncompressed().readAllBytes());
    assertEquals(source.layers().get(1).blob().descriptor(), copy.layers().get(1).blob()
        .descriptor(), "already zstd: its bytes and digest kept");
    assertArrayEquals(source.config().readAllBytes(), copy.config().readAllBytes());
    assertEquals(source.config().descriptor(), copy.config().descriptor());
    Manifest m = Manifest.parse(copy.manifest().readAllBytes(), "copy");
    assertEquals(Map.of("org.opencontainers.image.title", "mixed"), m.annotations());
    assertNotEquals(source.manifest().descriptor().digest(), copy.manifest().descriptor()
        .digest());
    // Both platforms changed: their attestations name digests the copy lacks, and go.
    assertEquals(List.of(), r.artifacts());
    assertEquals(Map.of("org.opencontainers.image.version", "1"),
        Index.parse(r.index().readAllBytes(), "copy").annotations());
    assertTrue(notes.get(0).startsWith("recompressed 2 layer(s) as zstd, kept 1"), notes.toString());
    assertTrue(notes.get(1).startsWith("left out 2 artifact(s)"), notes.toString());

    // Back to gzip: the same tars again, the config still the same bytes.
    ImageIndex back = Recompression.apply(r, Compression.gzip(6), tmp.resolve("back"), n -> {});
    for (Layer l : back.images().get(0).layers()) {
      assertEquals(MediaTypes.OCI_LAYER_GZIP, l.blob().descriptor().mediaType());
    }
    assertEquals(source.layers().get(1).diffId(), back.images().get(0).layers().get(1).diffId());
    assertEquals(source.config().descriptor(), back.images().get(0).config().descriptor());
  }

  @Test
  void alreadyCompressedSo_theIndexItself() throws Exception {
    ImageIndex index = ImageIndex.of(ImageIoTest.twoPlatformImages(tmp.resolve("w")), Map.of());
    assertSame(index, Recompression.apply(index, Compression.gzip(6), tmp.resolve("x"), n -> {}));
  }

  @Test
  void sameWorkTwice_sameBytes() throws Exception {
    ImageIndex index = ImageIndex.of(List.of(mixed(Platform.LINUX_AMD64)), Map.of());
    Digest a = Recompression.apply(index, Compression.ZSTD, tmp.resolve("a"), n -> {}).top()
        .digest();
    Digest b = Recompression.apply(index, Compression.ZSTD, tmp.resolve("b"), n -> {}).top()
        .digest();
    assertEquals(a, b);
  }

  @Test
  void tarNotTheConfigsDiffId_failsNamingTheLayer() throws Exception {
    Layer l = new LayerBuilder().file("/a", "a".getBytes(), 0644, 0, 0)
        .build(tmp.resolve("built"), 0, Compression.gzip(6));
    Layer lying = new Layer.Value(l.blob(), Digest.of("other".getBytes()), OptionalLong.empty());
    PlinthException e = assertThrows(PlinthException.class,
        () -> Recompression.recompress(lying, Compression.ZSTD, tmp.resolve("w")));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("layer " + l.blob().descriptor().digest()),
        e.getMessage());
  }
}
