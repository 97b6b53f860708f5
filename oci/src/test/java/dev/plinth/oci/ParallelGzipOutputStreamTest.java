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

  /**
   * Writes {@code data} with the runs between the {@code switches} offsets stored and compressed by
   * turns, compressed first: {@code {a, b}} stores {@code data[a, b)}. An offset may repeat (an
   * empty run).
   */
  private static byte[] gzip(byte[] data, int[] switches, int threads, int chunk)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 6, threads)) {
      int at = 0;
      for (int k = 0; k <= switches.length; k++) {
        int end = k < switches.length ? switches[k] : data.length;
        gz.setStored(k % 2 == 1);
        gz.write(data, at, 0);
        for (int off = at; off < end; off += chunk) {
          gz.write(data, off, Math.min(chunk, end - off));
        }
        at = end;
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

  @Test
  void storedRuns_readBack_atAndAroundBlockBoundaries_acrossBlocks_andEmpty() throws Exception {
    byte[] data = input(6 * B + 4321, 11);
    int[][] cases = {
        {0, data.length}, // all stored
        {0, 0}, // an empty stored run, then all compressed
        {100, 100, 200, 200}, // empty runs of both kinds
        {B - 1, B + 1}, // across one boundary
        {B, 2 * B}, // exactly one block
        {B - 100, 3 * B + 100}, // over whole blocks, longer than a stored block (65535)
        {10, 20, 30, 40, 50, 70000, 70001, 70002}, // tiny runs; a run just past 64 KiB
        {B + 5, 2 * B - 5, 2 * B + 5, data.length}, // ends stored
        {0, 40000, 40001, data.length - 1}, // starts stored; ends with one compressed byte
        {5 * B, 6 * B}, // the last block stored, then a compressed tail
    };
    for (int[] runs : cases) {
      byte[] gz = gzip(data, runs, 3, 65536);
      String what = java.util.Arrays.toString(runs);
      assertArrayEquals(data, gunzip(gz), "GZIPInputStream, " + what);
      assertArrayEquals(data, gnuGunzip(gz), "gzip -dc, " + what);
    }
    for (int size : new int[] {0, 1, B, B + 1}) {
      byte[] small = input(size, size);
      byte[] gz = gzip(small, new int[] {0, size}, 2, 65536);
      assertArrayEquals(small, gnuGunzip(gz), "all stored, size " + size);
    }
  }

  @Test
  void storedRuns_sameBytes_forAnyThreadCount_andAnyWriteSizes() throws Exception {
    byte[] data = input(7 * B + 999, 43);
    int[] runs = {1000, 3000, 3001, B - 7, B + 9, 3 * B + 2, 3 * B + 2, 3 * B + 3, 5 * B, 6 * B};
    byte[] one = gzip(data, runs, 1, 65536);
    for (int threads : new int[] {2, 3, 8}) {
      assertArrayEquals(one, gzip(data, runs, threads, 65536), threads + " threads");
    }
    assertArrayEquals(one, gzip(data, runs, 4, 1000), "writes of 1000 bytes");
    assertArrayEquals(one, gzip(data, runs, 4, 3 * B + 7), "writes larger than a block");
    assertArrayEquals(one, gzip(data, runs, 2, 1), "single-byte writes");
    assertArrayEquals(data, gnuGunzip(one));
  }

  @Test
  void storedBytes_areNotCompressed_andCostLittleMoreThanThemselves() throws Exception {
    byte[] random = new byte[3 * B + 17];
    new Random(8).nextBytes(random);
    byte[] gz = gzip(random, new int[] {0, random.length}, 2, 65536);
    // Header and trailer (18), 5 bytes per stored block (at most 65535 bytes, 5 per 256 KiB
    // block), an empty final block (2).
    int storedBlocks = 5 * 3 + 1;
    assertEquals(random.length + 18 + 5 * storedBlocks + 2, gz.length, "stored as they are");
    // Text that deflate would shrink to a fraction, marked stored: it stays its own size.
    byte[] text = input(4 * B, 3);
    assertTrue(gzip(text, new int[0], 2, 65536).length < text.length / 2, "compressed");
    assertTrue(gzip(text, new int[] {0, text.length}, 2, 65536).length >= text.length, "stored");
    assertTrue(gzip(text, new int[] {B, 3 * B}, 2, 65536).length >= 2 * B, "half stored");
  }

  @Test
  void compressedBytesAfterAStoredRun_referToThoseBeforeIt() throws Exception {
    // 20 KB of random bytes, 1 KB stored, the same 20 KB again: the repeat is found 21 KB back,
    // across the stored run, and costs next to nothing.
    byte[] data = new byte[41_000];
    new Random(9).nextBytes(data);
    System.arraycopy(data, 0, data, 21_000, 20_000);
    byte[] gz = gzip(data, new int[] {20_000, 21_000}, 1, 65536);
    assertTrue(gz.length < 21_000 + 1_000, "repeat compressed: " + gz.length);
    assertArrayEquals(data, gnuGunzip(gz));
  }

  @Test
  void randomRunsOfEveryKind_readBack_andAreTheSameForAnyThreadCount() throws Exception {
    // Jar-like, text-like, repetitive and random data, cut into stored and compressed runs of
    // random lengths (many short ones, some past ShortRunDeflater.MAX_RUN, some across blocks).
    Random r = new Random(12);
    for (int round = 0; round < 40; round++) {
      int size = r.nextInt(3 * B);
      byte[] data = new byte[size];
      for (int i = 0; i < size; ) {
        int n = Math.min(size - i, 1 + r.nextInt(r.nextBoolean() ? 300 : 6000));
        switch (r.nextInt(4)) {
          case 0 -> { // random
            for (int k = 0; k < n; k++) {
              data[i + k] = (byte) r.nextInt(256);
            }
          }
          case 1 -> { // text
            for (int k = 0; k < n; k++) {
              data[i + k] = (byte) TEXT.charAt((i + k) % TEXT.length());
            }
          }
          case 2 -> java.util.Arrays.fill(data, i, i + n, (byte) r.nextInt(3)); // one byte
          default -> { // a copy of something earlier, at any distance
            int from = i == 0 ? 0 : r.nextInt(i);
            for (int k = 0; k < n; k++) {
              data[i + k] = i == 0 ? 7 : data[from + k % Math.max(1, i - from)];
            }
          }
        }
        i += n;
      }
      java.util.List<Integer> cuts = new java.util.ArrayList<>();
      for (int at = 0; at < size; ) {
        at += r.nextInt(10) < 7 ? r.nextInt(200) : r.nextInt(9000);
        if (at < size) {
          cuts.add(at);
        }
      }
      int[] switches = cuts.stream().mapToInt(Integer::intValue).toArray();
      byte[] one = gzip(data, switches, 1, 65536);
      assertArrayEquals(data, gunzip(one), "round " + round);
      assertArrayEquals(one, gzip(data, switches, 3, 1 + r.nextInt(70000)), "round " + round);
      if (round % 8 == 0) {
        assertArrayEquals(data, gnuGunzip(one), "gzip -dc, round " + round);
      }
    }
  }

  private static final String TEXT = "PK\3\4 org/example/Class.class\n";

  private static long threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("plinth-gzip") && t.isAlive()).count();
  }
}
