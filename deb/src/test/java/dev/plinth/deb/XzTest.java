package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Streams of many blocks (as a multi-threaded xz writes .debs), one after another, decode into
 * one dictionary buffer.
 */
class XzTest {
  /** Counts the distinct dictionary-sized buffers the decoder was handed. */
  static final class Counting extends ArrayCache {
    final BasicArrayCache inner = new BasicArrayCache();
    final Set<byte[]> dictionaries = Collections.newSetFromMap(new IdentityHashMap<>());
    int asked;

    @Override
    public byte[] getByteArray(int size, boolean fillWithZeros) {
      byte[] b = inner.getByteArray(size, fillWithZeros);
      if (size >= DICTIONARY) {
        asked++;
        dictionaries.add(b);
      }
      return b;
    }

    @Override
    public void putArray(byte[] array) {
      inner.putArray(array);
    }

    @Override
    public int[] getIntArray(int size, boolean fillWithZeros) {
      return inner.getIntArray(size, fillWithZeros);
    }

    @Override
    public void putArray(int[] array) {
      inner.putArray(array);
    }
  }

  static final int DICTIONARY = 1 << 20;
  static final int BLOCKS = 8;

  private static byte[] packed(byte[] data) throws Exception {
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    LZMA2Options options = new LZMA2Options(1);
    options.setDictSize(DICTIONARY);
    try (XZOutputStream xz = new XZOutputStream(packed, options)) {
      for (int i = 0; i < BLOCKS; i++) {
        xz.write(data, i * data.length / BLOCKS, data.length / BLOCKS);
        xz.endBlock();
      }
    }
    return packed.toByteArray();
  }

  @Test
  void streamsOfManyBlocks_reuseOneDictionary_andDecodeTheBytes() throws Exception {
    byte[] data = new byte[BLOCKS * 64 * 1024];
    new Random(13).nextBytes(data);
    byte[] packed = packed(data);
    Counting cache = new Counting();
    for (int stream = 0; stream < 3; stream++) {
      try (InputStream in = Xz.open(new ByteArrayInputStream(packed), -1, cache)) {
        assertArrayEquals(data, in.readAllBytes());
      }
    }
    assertEquals(3 * BLOCKS, cache.asked, "a dictionary for each block of each stream");
    assertEquals(1, cache.dictionaries.size(), "the same buffer each time");
  }

  @Test
  void plinthsStreams_shareTheLibrarysCache() throws Exception {
    assertSame(BasicArrayCache.getInstance(), Xz.CACHE);
    byte[] data = "hello".repeat(1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (InputStream in = Xz.open(new ByteArrayInputStream(packed(data)), 256 * 1024)) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }
}
