package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** A multi-block .xz (as a multi-threaded xz writes .debs) decodes into one dictionary. */
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

  @Test
  void multiBlockStream_reusesOneDictionary_andDecodesTheBytes() throws Exception {
    byte[] data = new byte[BLOCKS * 64 * 1024];
    new Random(13).nextBytes(data);
    ByteArrayOutputStream packed = new ByteArrayOutputStream();
    LZMA2Options options = new LZMA2Options(1);
    options.setDictSize(DICTIONARY);
    try (XZOutputStream xz = new XZOutputStream(packed, options)) {
      for (int i = 0; i < BLOCKS; i++) {
        xz.write(data, i * data.length / BLOCKS, data.length / BLOCKS);
        xz.endBlock();
      }
    }
    Counting cache = new Counting();
    byte[] out;
    try (InputStream in = Xz.open(new ByteArrayInputStream(packed.toByteArray()), -1, cache)) {
      out = in.readAllBytes();
    }
    assertArrayEquals(data, out);
    assertEquals(BLOCKS, cache.asked, "a dictionary for each block");
    assertEquals(1, cache.dictionaries.size(), "the same buffer each time");
  }
}
