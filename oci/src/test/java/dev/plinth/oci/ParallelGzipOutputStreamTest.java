package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParallelGzipOutputStreamTest {
  private static final int B = ParallelGzipOutputStream.BLOCK;

  @TempDir Path tmp;

  /** Text-like runs (compressible, with matches across block boundaries) and random runs. */
  private static byte[] input(int size, long seed) {
    Random r = new Random(seed);
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (i / 40000) % 3 == 2 ? (byte) r.nextInt(256)
          : (byte) ("plinth layer of class files ".charAt(i % 28) + r.nextInt(2));
    }
    return b;
  }

  private static byte[] gzip(byte[] data, int level, int threads, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, level, threads)) {
      for (int off = 0; off < data.length; off += chunk) {
        gz.write(data, off, Math.min(chunk, data.length - off));
      }
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  /** GNU gzip, the real peer: -t checks the deflate data, the CRC and the length. */
  private byte[] gnuGunzip(byte[] gz) throws Exception {
    Path f = Files.write(tmp.resolve("x.gz"), gz);
    Process t = new ProcessBuilder("gzip", "-t", f.toString()).redirectErrorStream(true).start();
    String err = new String(t.getInputStream().readAllBytes());
    assertEquals(0, t.waitFor(), "gzip -t: " + err);
    Process p = new ProcessBuilder("gzip", "-dc", f.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes()));
    return out;
  }

  @Test
  void gzipReadersReadIt_atAndAroundBlockBoundaries_andEmpty() throws Exception {
    for (int size : new int[] {0, 1, 32 * 1024 + 1, B - 1, B, B + 1, 2 * B, 5 * B + 12345}) {
      byte[] data = input(size, size);
      byte[] gz = gzip(data, 6, 2, 65536);
      assertArrayEquals(data, gunzip(gz), "GZIPInputStream, size " + size);
      assertArrayEquals(data, gnuGunzip(gz), "gzip -dc, size " + size);
    }
  }

  @Test
  void sameBytes_forAnyThreadCount_andAnyWriteSizes() throws Exception {
    byte[] data = input(7 * B + 999, 42);
    byte[] one = gzip(data, 6, 1, 65536);
    for (int threads : new int[] {2, 3, 8}) {
      assertArrayEquals(one, gzip(data, 6, threads, 65536), threads + " threads");
    }
    assertArrayEquals(one, gzip(data, 6, 4, 1000), "writes of 1000 bytes");
    assertArrayEquals(one, gzip(data, 6, 4, 3 * B + 7), "writes larger than a block");
    ByteArrayOutputStream bytewise = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(bytewise, 6, 2)) {
      for (int i = 0; i < 2 * B + 5; i++) {
        gz.write(data[i]);
      }
      gz.write(data, 2 * B + 5, data.length - 2 * B - 5);
    }
    assertArrayEquals(one, bytewise.toByteArray(), "single-byte writes");
  }

  @Test
  void everyLevel_andIncompressibleData_readBack() throws Exception {
    byte[] random = new byte[3 * B + 17];
    new Random(7).nextBytes(random);
    for (int level : new int[] {0, 1, 9, -1}) {
      byte[] gz = gzip(random, level, 3, 65536);
      assertArrayEquals(random, gnuGunzip(gz), "level " + level);
    }
    byte[] text = input(4 * B, 3);
    assertTrue(gzip(text, 9, 2, 65536).length < text.length / 2, "it does compress");
  }

  @Test
  void memoryIsBounded_fixedSlots_andThreadsEndWithTheStream() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 1, 3);
    assertEquals(6, gz.slots(), "2 x threads slots, whatever the input size");
    byte[] data = input(40 * B, 5);
    gz.write(data);
    assertTrue(threads() <= 3, "at most 3 compressing threads");
    // A writer far ahead of the compressors waits: all 40 blocks went through the 6 slots.
    assertEquals(6, gz.slots());
    gz.close();
    assertArrayEquals(data, gunzip(out.toByteArray()));
    for (int i = 0; i < 100 && threads() > 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(0, threads(), "no compressing thread outlives the stream");
  }

  @Test
  void failingOutput_failsTheWrite_andReleasesTheThreads() throws Exception {
    OutputStream broken = new OutputStream() {
      int n;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if ((n += len) > 100_000) {
          throw new IOException("disk full");
        }
      }
    };
    ParallelGzipOutputStream gz = new ParallelGzipOutputStream(broken, 6, 2);
    byte[] data = input(20 * B, 9);
    IOException e = assertThrows(IOException.class, () -> {
      gz.write(data);
      gz.finish();
    });
    assertEquals("disk full", e.getMessage());
    gz.close();
    for (int i = 0; i < 100 && threads() > 0; i++) {
      Thread.sleep(10);
    }
    assertEquals(0, threads());
  }

  private static long threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("plinth-gzip") && t.isAlive()).count();
  }
}
