package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd layers: the frames read back as one stream (by aircompressor and by the zstd tool), the
 * bytes do not depend on the thread count, and a layer says tar+zstd and is keyed apart from gzip.
 */
class ParallelZstdOutputStreamTest {
  @TempDir Path tmp;

  static byte[] zstd(byte[] data, int threads) throws Exception {
    return zstd(data, Compression.ZSTD_LEVEL, threads);
  }

  static byte[] zstd(byte[] data, int level, int threads) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelZstdOutputStream z = new ParallelZstdOutputStream(out, level, threads)) {
      for (int off = 0; off < data.length; off += 100_003) {
        z.write(data, off, Math.min(100_003, data.length - off));
      }
    }
    return out.toByteArray();
  }

  /** Compressible but not trivially: words from a small vocabulary, then random bytes. */
  static byte[] sample(int size) {
    Random r = new Random(7);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = i < size * 3 / 4 ? (byte) ('a' + r.nextInt(6)) : (byte) r.nextInt();
    }
    return b;
  }

  @Test
  void readBack_byAircompressorAndTheZstdTool_atBlockBoundaries_andEmpty() throws Exception {
    for (int size : List.of(0, 1, ParallelZstdOutputStream.BLOCK,
        2 * ParallelZstdOutputStream.BLOCK + 17)) {
      byte[] data = sample(size);
      byte[] z = zstd(data, 2);
      assertArrayEquals(data, new ZstdInputStream(new ByteArrayInputStream(z)).readAllBytes(),
          "size " + size);
      Path f = tmp.resolve("x" + size + ".zst");
      Files.write(f, z);
      Process p = new ProcessBuilder("zstd", "-d", "-c", "-q", f.toString())
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      byte[] tool = p.getInputStream().readAllBytes();
      assertEquals(0, p.waitFor(), "zstd -d of size " + size);
      assertArrayEquals(data, tool, "the zstd tool reads size " + size);
    }
  }

  @Test
  void sameBytes_forAnyThreadCount() throws Exception {
    byte[] data = sample(3 * ParallelZstdOutputStream.BLOCK + 5);
    byte[] one = zstd(data, 1);
    assertArrayEquals(one, zstd(data, 2));
    assertArrayEquals(one, zstd(data, 4));
    assertArrayEquals(zstd(sample(ParallelZstdOutputStream.BLOCK), 1),
        zstd(sample(ParallelZstdOutputStream.BLOCK), 3), "a last full block: no extra frame");
    assertTrue(one.length < data.length * 0.6, one.length + " of " + data.length);
  }

  @Test
  void layer_isTarZstd_reproducible_andCachedApartFromGzip() throws Exception {
    LayerBuilder b = new LayerBuilder();
    b.file("/app/data", sample(1 << 20), 0644, 0, 0);
    b.file("/app/notes.txt", "hello".getBytes(), 0644, 0, 0);
    Layer first = b.build(tmp.resolve("a"), 0, Compression.ZSTD);
    Layer again = b.build(tmp.resolve("b"), 0, Compression.ZSTD);
    assertEquals(MediaTypes.OCI_LAYER_ZSTD, first.blob().descriptor().mediaType());
    assertEquals(first.blob().descriptor(), again.blob().descriptor(), "the same bytes");
    Layer gzip = b.build(tmp.resolve("c"), 0, 6);
    assertEquals(gzip.diffId(), first.diffId(), "the same tar under both");
    // the tar inside is the one the diff id names
    byte[] tar;
    try (var in = new ZstdInputStream(first.blob().open())) {
      tar = in.readAllBytes();
    }
    assertEquals(first.diffId(), Digest.of(tar));

    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer cachedGzip = b.build(tmp.resolve("d"), 0, Compression.gzip(6), cache);
    Layer cachedZstd = b.build(tmp.resolve("e"), 0, Compression.ZSTD, cache);
    assertEquals(MediaTypes.OCI_LAYER_GZIP, cachedGzip.blob().descriptor().mediaType());
    assertEquals(MediaTypes.OCI_LAYER_ZSTD, cachedZstd.blob().descriptor().mediaType());
    assertEquals(gzip.blob().descriptor().digest(), cachedGzip.blob().descriptor().digest());
    assertEquals(first.blob().descriptor().digest(), cachedZstd.blob().descriptor().digest());
    // hits, each its own
    assertEquals(cachedZstd.blob().descriptor(),
        b.build(tmp.resolve("f"), 0, Compression.ZSTD, cache).blob().descriptor());
    assertEquals(cachedGzip.blob().descriptor(),
        b.build(tmp.resolve("g"), 0, Compression.gzip(6), cache).blob().descriptor());
  }

  /** Words from a vocabulary of 4,000, as in text or class files: where zstd's levels differ. */
  static byte[] words(int size) {
    Random r = new Random(11);
    String[] vocab = new String[4000];
    for (int i = 0; i < vocab.length; i++) {
      vocab[i] = Long.toString(r.nextLong() & 0xffffffffffL, 36);
    }
    byte[] b = new byte[size];
    for (int i = 0; i < size; ) {
      for (char c : (vocab[r.nextInt(vocab.length)] + ' ').toCharArray()) {
        if (i < size) {
          b[i++] = (byte) c;
        }
      }
    }
    return b;
  }

  @Test
  void theLevel_isUsed_andEveryLevelReadsBack() throws Exception {
    byte[] data = words(ParallelZstdOutputStream.BLOCK + 1000);
    byte[] fast = zstd(data, 1, 2);
    byte[] dflt = zstd(data, 2);
    byte[] best = zstd(data, 19, 2);
    assertTrue(best.length < dflt.length && dflt.length < fast.length,
        fast.length + " / " + dflt.length + " / " + best.length);
    for (byte[] z : List.of(fast, dflt, best)) {
      assertArrayEquals(data, new ZstdInputStream(new ByteArrayInputStream(z)).readAllBytes());
    }
  }

  @Test
  void parse_takesALevel_andRefusesOthers() throws Exception {
    assertEquals(Compression.ZSTD, Compression.parse("zstd", 6, "--compression"));
    assertEquals(new Compression("zstd", 9), Compression.parse(" ZSTD:9 ", 6, "--compression"));
    assertEquals(new Compression("zstd", 19), Compression.parse("zstd:19", 6, "--compression"));
    assertEquals(Compression.gzip(4), Compression.parse("gzip", 4, "--compression"));
    for (String bad : List.of("zstd:0", "zstd:20", "zstd:", "zstd:x", "zstd:-1", "zstd:0009",
        "zstd:99999999999", "brotli", "")) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> Compression.parse(bad, 6, "--compression"), bad);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().startsWith("--compression: '" + bad + "' is not a layer"
          + " compression; use gzip, zstd or zstd:LEVEL (1-19)"), e.getMessage());
    }
  }

  @Test
  void layerCache_keepsTwoLevelsApart() throws Exception {
    LayerBuilder b = new LayerBuilder();
    b.file("/app/words", words(1 << 20), 0644, 0, 0);
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer three = b.build(tmp.resolve("a"), 0, new Compression("zstd", 3), cache);
    Layer nine = b.build(tmp.resolve("b"), 0, new Compression("zstd", 9), cache);
    assertNotEquals(three.blob().descriptor().digest(), nine.blob().descriptor().digest());
    assertEquals(three.diffId(), nine.diffId());
    assertEquals(nine.blob().descriptor(),
        b.build(tmp.resolve("c"), 0, new Compression("zstd", 9)).blob().descriptor(),
        "the cached level-9 layer is the one built without a cache");
  }
}
