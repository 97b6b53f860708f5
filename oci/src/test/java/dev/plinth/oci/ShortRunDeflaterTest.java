package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class ShortRunDeflaterTest {
  /**
   * A raw deflate stream of {@code data}, the runs between the {@code switches} offsets encoded by
   * one ShortRunDeflater and stored by turns (encoded first), then a final empty block.
   */
  private static byte[] stream(byte[] data, int... switches) {
    return stream(new ShortRunDeflater(), data, switches);
  }

  private static byte[] stream(ShortRunDeflater d, byte[] data, int... switches) {
    byte[] out = new byte[ShortRunDeflater.bound(data.length) + 8 * switches.length + 16];
    int o = 0;
    int at = 0;
    for (int k = 0; k <= switches.length; k++) {
      int end = k < switches.length ? switches[k] : data.length;
      if (k % 2 == 0) {
        int before = o;
        o = d.deflate(data, at, end, out, o);
        assertTrue(o - before <= ShortRunDeflater.bound(end - at), "within the bound");
      } else {
        int n = end - at;
        out[o++] = 0; // stored, not final; byte-aligned after the sync flush marker
        out[o++] = (byte) n;
        out[o++] = (byte) (n >>> 8);
        out[o++] = (byte) ~n;
        out[o++] = (byte) (~n >>> 8);
        System.arraycopy(data, at, out, o, n);
        o += n;
      }
      at = end;
    }
    out[o++] = 3; // BFINAL 1, BTYPE 01, end of block
    out[o++] = 0;
    return Arrays.copyOf(out, o);
  }

  private static byte[] inflate(byte[] raw, int size) throws DataFormatException {
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(raw);
      byte[] out = new byte[size + 1];
      int n = 0;
      while (!inf.finished()) {
        int r = inf.inflate(out, n, out.length - n);
        assertTrue(r > 0 || inf.finished(), "inflater made progress");
        n += r;
      }
      assertEquals(0, inf.getRemaining(), "nothing after the final block");
      return Arrays.copyOf(out, n);
    } finally {
      inf.end();
    }
  }

  @Test
  void everyMatchLength_andEveryDistanceCode_readBack() throws Exception {
    Random r = new Random(1);
    // Copies of a random prefix of every length from 3 to 258.
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    byte[] seed = new byte[300];
    r.nextBytes(seed);
    b.write(seed, 0, seed.length);
    for (int len = 3; len <= 258; len++) {
      b.write(seed, 0, len);
      b.write(r.nextInt(256));
    }
    byte[] lengths = b.toByteArray();
    assertArrayEquals(lengths, inflate(stream(lengths), lengths.length));
    // 32 KiB of random bytes, then ten of them again at the first distance of each code (1, 2,
    // 3, 4, 5, 7, ..., 24577) and at the farthest, 32768.
    b.reset();
    byte[] random = new byte[32768];
    r.nextBytes(random);
    b.write(random, 0, random.length);
    int[] distances = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
        769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577, 32768};
    for (int d : distances) {
      byte[] sofar = b.toByteArray();
      b.write(sofar, sofar.length - d, Math.min(10, d));
      b.write(r.nextInt(256));
    }
    byte[] far = b.toByteArray();
    byte[] raw = stream(far);
    assertArrayEquals(far, inflate(raw, far.length));
    // And across a stored run: 300 encoded bytes, 32468 stored, the first 258 again.
    byte[] across = new byte[32768 + 258];
    r.nextBytes(across);
    System.arraycopy(across, 0, across, 32768, 258);
    byte[] acrossRaw = stream(across, 300, 32768);
    assertArrayEquals(across, inflate(acrossRaw, across.length));
    byte[] other = across.clone();
    for (int i = 32768; i < other.length; i++) {
      other[i] ^= (byte) 0x5a; // no repeat
    }
    assertTrue(stream(other, 300, 32768).length > acrossRaw.length + 200,
        "the 258 bytes were found 32768 back");
    // Long repeats of one byte (distance 1) and of a short pattern.
    byte[] same = new byte[4000];
    Arrays.fill(same, 0, 2000, (byte) 'a');
    for (int i = 2000; i < same.length; i++) {
      same[i] = (byte) "abc".charAt(i % 3);
    }
    byte[] sameRaw = stream(same);
    assertArrayEquals(same, inflate(sameRaw, same.length));
    assertTrue(sameRaw.length < 100, "repeats cost next to nothing: " + sameRaw.length);
  }

  @Test
  void neverReachesFurtherThanTheWindow() throws Exception {
    // The same 200 bytes 32769 bytes after the first copy: one byte too far for deflate.
    Random r = new Random(2);
    byte[] data = new byte[200 + 32569 + 200];
    r.nextBytes(data);
    System.arraycopy(data, 0, data, 32769, 200);
    byte[] raw = stream(data, 200, 32769);
    assertArrayEquals(data, inflate(raw, data.length));
  }

  @Test
  void headersBetweenStoredEntries_referToTheOnesBefore_andCompressAsZlibDoes() throws Exception {
    // What a jar looks like to a layer: a local header, a deflated entry (stored by the layer),
    // the next header...
    Random r = new Random(3);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    java.util.List<Integer> switches = new java.util.ArrayList<>();
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    for (int e = 0; e < 500; e++) {
      byte[] h = ("PK\003\004\024\000\010\010\010\000" + (char) r.nextInt(128) + (char) r.nextInt(128)
          + "org/example/pkg" + (e / 50) + "/Class" + e + ".class")
          .getBytes(StandardCharsets.ISO_8859_1);
      b.write(h, 0, h.length);
      headers.write(h, 0, h.length);
      switches.add(b.size());
      byte[] entry = new byte[300 + r.nextInt(3000)];
      r.nextBytes(entry);
      b.write(entry, 0, entry.length);
      switches.add(b.size());
    }
    switches.remove(switches.size() - 1);
    byte[] data = b.toByteArray();
    byte[] raw = stream(data, switches.stream().mapToInt(Integer::intValue).toArray());
    assertArrayEquals(data, inflate(raw, data.length));
    // What zlib at level 6 made of the same: each header deflated with a sync flush after the
    // stored bytes before it were given as its dictionary (as the layer did before).
    int[] sw = switches.stream().mapToInt(Integer::intValue).toArray();
    Deflater z = new Deflater(6, true);
    byte[] zout = new byte[data.length * 2];
    int zlen = 0;
    int at = 0;
    for (int k = 0; k <= sw.length; k += 2) {
      if (k > 0) {
        z.setDictionary(data, Math.max(sw[k - 1] - 32768, sw[k - 2]), sw[k - 1] - Math.max(sw[k - 1] - 32768, sw[k - 2]));
      }
      int end = k < sw.length ? sw[k] : data.length;
      z.setInput(data, at, end - at);
      int before = zlen;
      do {
        zlen += z.deflate(zout, zlen, zout.length - zlen, Deflater.SYNC_FLUSH);
      } while (zlen - before == 0 || !z.needsInput());
      at = k + 1 < sw.length ? sw[k + 1] : data.length;
    }
    z.end();
    int ours = raw.length - 2; // without the final empty block
    int stored = 0;
    for (int k = 0; k < sw.length; k += 2) {
      stored += (k + 1 < sw.length ? sw[k + 1] : data.length) - sw[k] + 5;
    }
    int headerCost = ours - stored;
    assertTrue(headerCost < headers.size() / 2,
        "headers compressed: " + headerCost + " of " + headers.size());
    assertTrue(headerCost < zlen * 11 / 10, "as zlib did: " + headerCost + " against " + zlen);
  }

  @Test
  void blocksAfterBlocks_forgetTheEarlierOnes_evenWhereTheNumberingStartsAgain() throws Exception {
    // Blocks of 3000 bytes, each a repeat of the one before it: no block may refer to another
    // (a block's output stands alone), and the positions' numbering, which a block moves on past
    // the last one's, runs out and starts again within these.
    byte[] block = new byte[3000];
    new Random(5).nextBytes(block);
    ShortRunDeflater d = new ShortRunDeflater(Integer.MAX_VALUE - 10_000);
    byte[] first = null;
    for (int b = 0; b < 8; b++) {
      d.reset();
      byte[] raw = stream(d, block, 1000, 1200);
      assertArrayEquals(block, inflate(raw, block.length), "block " + b);
      if (first == null) {
        first = raw;
      }
      assertArrayEquals(first, raw, "block " + b + " as the first");
    }
  }

  @Test
  void worstCase_incompressibleHighBytes_fitTheBound_andTheOutputIsTheSameEachTime()
      throws Exception {
    byte[] data = new byte[ShortRunDeflater.MAX_RUN];
    Random r = new Random(4);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (144 + r.nextInt(112)); // nine-bit literals
    }
    ShortRunDeflater d = new ShortRunDeflater();
    byte[] out = new byte[ShortRunDeflater.bound(data.length)];
    int n = d.deflate(data, 0, data.length, out, 0);
    assertTrue(n <= out.length);
    byte[] first = Arrays.copyOf(out, n);
    d.reset();
    byte[] again = new byte[out.length];
    assertEquals(n, d.deflate(data, 0, data.length, again, 0));
    assertArrayEquals(first, Arrays.copyOf(again, n), "the same bytes after a reset");
    byte[] raw = Arrays.copyOf(first, n + 2);
    raw[n] = 3;
    assertArrayEquals(data, inflate(raw, data.length));
    // Empty and one- or two-byte runs are blocks too.
    for (int len = 0; len <= 2; len++) {
      byte[] tiny = Arrays.copyOf(data, len);
      assertArrayEquals(tiny, inflate(stream(tiny), len), len + " bytes");
    }
  }
}
