package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipTest {
  @TempDir Path tmp;

  private static byte[] input(int size, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      // half text-like (compressible), half random
      b[i] = (i / 4096) % 2 == 0 ? (byte) ("plinth layer ".charAt(i % 13) + r.nextInt(2))
          : (byte) r.nextInt(256);
    }
    return b;
  }

  private byte[] gzip(byte[] data, int level) throws Exception {
    Path in = Files.write(tmp.resolve("in-" + data.length), data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParallelGzip.compress(in, out, level);
    return out.toByteArray();
  }

  @Test
  void anyGzipReaderReadsIt_acrossBlockBoundaries() throws Exception {
    for (int size : new int[] {1, ParallelGzip.BLOCK - 1, ParallelGzip.BLOCK,
        ParallelGzip.BLOCK + 1, 5 * ParallelGzip.BLOCK + 12345}) {
      byte[] data = input(size, size);
      byte[] gz = gzip(data, 6);
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
        assertArrayEquals(data, in.readAllBytes(), "size " + size);
      }
      // The real peer: GNU gzip checks the CRC and the length in the trailer.
      Path f = Files.write(tmp.resolve("x.gz"), gz);
      Process p = new ProcessBuilder("gzip", "-dc", f.toString()).start();
      byte[] out = p.getInputStream().readAllBytes();
      assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
      assertArrayEquals(data, out, "gzip -dc of size " + size);
    }
  }

  @Test
  void sameInput_sameBytes() throws Exception {
    byte[] data = input(3 * ParallelGzip.BLOCK + 7, 42);
    assertArrayEquals(gzip(data, 6), gzip(data, 6));
  }

  @Test
  void bigLayer_isBuiltThisWay_andReadsBack() throws Exception {
    byte[] big = input(6 << 20, 7);
    LayerBuilder b = new LayerBuilder().file("/big.bin", big, 0644, 0, 0)
        .file("/small.txt", "x".getBytes(), 0644, 0, 0);
    Layer one = b.build(tmp.resolve("a"), 0, 6);
    Layer two = b.build(tmp.resolve("b"), 0, 6);
    assertEquals(one.blob().descriptor(), two.blob().descriptor());
    try (InputStream in = one.openUncompressed()) {
      TarReader r = new TarReader(in, "layer");
      TarEntry e = r.next();
      assertEquals("big.bin", e.name());
      assertArrayEquals(big, r.content().readAllBytes());
      assertEquals("small.txt", r.next().name());
    }
    // The diff id is the tar's, whichever way it was compressed.
    MessageDigestCheck.assertDiffId(one);
  }

  static final class MessageDigestCheck {
    static void assertDiffId(Layer l) throws Exception {
      java.security.MessageDigest md = Digest.sha256();
      try (InputStream in = l.openUncompressed()) {
        byte[] buf = new byte[65536];
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
        }
      }
      assertEquals(l.diffId(), Digest.of(md));
    }
  }
}
