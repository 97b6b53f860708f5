package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.Inflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZipRangesTest {
  private static final long[] NONE = {};

  @TempDir Path tmp;

  private static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * A jar as the JDK writes it (deflated entries with data descriptors, sizes only in the central
   * directory): {@code big} deflated entries of random bytes, a stored one, a small deflated one
   * and a directory, with a 22-byte comment.
   */
  private static byte[] jar(int big, int size) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Manifest m = new Manifest();
    m.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (JarOutputStream jar = new JarOutputStream(out, m)) {
      jar.putNextEntry(new ZipEntry("a/"));
      for (int i = 0; i < big; i++) {
        jar.putNextEntry(new ZipEntry("a/Big" + i + ".class"));
        jar.write(random(size + i, i));
      }
      byte[] stored = random(3000, 99);
      ZipEntry e = new ZipEntry("a/Stored.bin");
      e.setMethod(ZipEntry.STORED);
      e.setSize(stored.length);
      CRC32 crc = new CRC32();
      crc.update(stored);
      e.setCrc(crc.getValue());
      jar.putNextEntry(e);
      jar.write(stored);
      jar.putNextEntry(new ZipEntry("a/Small.class"));
      jar.write(random(100, 100));
      jar.setComment("c".repeat(22));
    }
    return out.toByteArray();
  }

  private long[] ranges(byte[] file) throws Exception {
    Path p = Files.write(tmp.resolve("f" + System.nanoTime()), file);
    try (FileChannel ch = FileChannel.open(p)) {
      long[] ranges = ZipRanges.deflated(ch);
      assertEquals(0, ch.position(), "the channel's position does not move");
      return ranges;
    }
  }

  /** The content of the jar's deflated entries of at least MIN bytes, in file order. */
  private List<byte[]> deflatedContents(byte[] jar) throws Exception {
    Path p = Files.write(tmp.resolve("check.jar"), jar);
    List<byte[]> out = new ArrayList<>();
    try (ZipFile z = new ZipFile(p.toFile())) {
      for (ZipEntry e : Collections.list(z.entries())) {
        if (e.getMethod() == ZipEntry.DEFLATED && e.getCompressedSize() >= ZipRanges.MIN) {
          try (InputStream in = z.getInputStream(e)) {
            out.add(in.readAllBytes());
          }
        }
      }
    }
    return out;
  }

  private static byte[] inflate(byte[] data, long start, long end) throws Exception {
    Inflater inf = new Inflater(true);
    inf.setInput(data, (int) start, (int) (end - start));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    while (!inf.finished()) {
      int n = inf.inflate(buf);
      assertTrue(n > 0 || !inf.needsInput(), "the range holds one whole deflate stream");
      out.write(buf, 0, n);
    }
    assertEquals(0, inf.getRemaining(), "and nothing after it");
    inf.end();
    return out.toByteArray();
  }

  /** Each range is exactly one deflated entry's data, in order, and every such entry has one. */
  private void assertRangesAreTheDeflatedEntries(byte[] file, byte[] jar, long[] ranges)
      throws Exception {
    List<byte[]> contents = deflatedContents(jar);
    assertEquals(2 * contents.size(), ranges.length, "one range per deflated entry");
    for (int i = 0; i < contents.size(); i++) {
      assertArrayEquals(contents.get(i), inflate(file, ranges[2 * i], ranges[2 * i + 1]),
          "range " + i);
    }
  }

  @Test
  void jar_deflatedEntries_areFound_notStoredOrSmallOnes() throws Exception {
    byte[] jar = jar(5, 2000);
    long[] ranges = ranges(jar);
    assertEquals(10, ranges.length, "the 5 big deflated entries only");
    assertRangesAreTheDeflatedEntries(jar, jar, ranges);
  }

  @Test
  void jarAfterALauncherScript_offsetsShifted() throws Exception {
    byte[] jar = jar(3, 1000);
    byte[] script = "#!/bin/sh\nexec java -jar \"$0\" \"$@\"\n".getBytes(StandardCharsets.UTF_8);
    byte[] file = concat(script, jar);
    long[] ranges = ranges(file);
    long[] plain = ranges(jar);
    assertEquals(6, ranges.length);
    for (int i = 0; i < plain.length; i++) {
      assertEquals(plain[i] + script.length, ranges[i]);
    }
    assertRangesAreTheDeflatedEntries(file, jar, ranges);
  }

  @Test
  void notAZip_orTooSmall_hasNone() throws Exception {
    assertArrayEquals(NONE, ranges(new byte[0]));
    assertArrayEquals(NONE, ranges(random(100_000, 1)));
    assertArrayEquals(NONE, ranges("PK\5\6".getBytes(StandardCharsets.ISO_8859_1)));
    // An end record and nothing it describes.
    byte[] end = new byte[22];
    le32(end, 0, 0x06054b50);
    assertArrayEquals(NONE, ranges(concat(random(5000, 2), end)));
    // A whole jar after a prefix that is neither a zip's nor a script's: not read further.
    byte[] jar = jar(3, 1000);
    assertEquals(6, ranges(jar).length);
    assertArrayEquals(NONE, ranges(concat("\u00ca\u00fe".getBytes(StandardCharsets.ISO_8859_1), jar)));
    assertArrayEquals(NONE, ranges(concat("#".getBytes(StandardCharsets.ISO_8859_1), jar)));
  }

  /** Hostile and broken zips: each one gives no ranges at all. */
  static Map<String, byte[]> hostile(byte[] jar) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int end = jar.length - 22 - 22; // the end record, before its 22-byte comment
    out.put("truncated", Arrays.copyOf(jar, jar.length / 2));
    out.put("truncated in the central directory", Arrays.copyOf(jar, end - 10));
    byte[] b = jar.clone();
    le32(b, end + 16, jar.length + 1000);
    out.put("central directory past the end", b);
    b = jar.clone();
    le32(b, end + 16, 0);
    out.put("central directory offset too small", b);
    b = jar.clone();
    le32(b, end + 12, le32(b, end + 12) + 46);
    out.put("central directory size too big", b);
    b = jar.clone();
    le16(b, end + 8, le16(b, end + 8) + 1);
    le16(b, end + 10, le16(b, end + 10) + 1);
    out.put("entry count one too many", b);
    b = jar.clone();
    le16(b, end + 8, le16(b, end + 8) - 1);
    le16(b, end + 10, le16(b, end + 10) - 1);
    out.put("entry count one too few", b);
    b = jar.clone();
    le16(b, end + 8, 0xffff);
    le16(b, end + 10, 0xffff);
    out.put("ZIP64 entry count", b);
    // A ZIP64 end record and its locator between the central directory and the end record.
    byte[] zip64 = new byte[56 + 20];
    le32(zip64, 0, 0x06064b50);
    le32(zip64, 56, 0x07064b50);
    b = concat(concat(Arrays.copyOf(jar, end), zip64), Arrays.copyOfRange(jar, end, jar.length));
    out.put("ZIP64 end record", b);
    // The comment holds an end record of its own that fits the end of the file, and describes a
    // central directory of garbage.
    b = jar.clone();
    int fake = jar.length - 22;
    le32(b, fake, 0x06054b50);
    le32(b, fake + 4, 0);
    le16(b, fake + 8, 1);
    le16(b, fake + 10, 1);
    le32(b, fake + 12, 46);
    le32(b, fake + 16, 100);
    le16(b, fake + 20, 0);
    out.put("fake end record in the comment", b);
    b = jar.clone();
    int local = indexOf(b, "a/Big1.class") - 30;
    le16(b, local + 26, 0xffff);
    out.put("local name length past the end", b);
    b = jar.clone();
    int central = lastIndexOf(b, "a/Big2.class") - 46;
    le32(b, central + 42, indexOf(b, "a/Big1.class") - 30);
    out.put("two entries at one local header", b);
    b = jar.clone();
    central = lastIndexOf(b, "a/Small.class") - 46;
    le32(b, central + 20, 200_000);
    out.put("last entry's compressed size past the central directory", b);
    b = jar.clone();
    central = lastIndexOf(b, "a/Big1.class") - 46;
    le32(b, central + 20, le32(b, central + 20) + 100); // past its data descriptor (16 bytes)
    out.put("compressed size over the next local header", b);
    b = jar.clone();
    central = lastIndexOf(b, "a/Big1.class") - 46;
    le32(b, central + 20, 0xffffffff);
    out.put("ZIP64 compressed size", b);
    b = jar.clone();
    local = indexOf(b, "a/Big1.class") - 30;
    le32(b, local, 0x12345678);
    out.put("local header signature", b);
    return out;
  }

  @Test
  void hostileZips_haveNone() throws Exception {
    byte[] jar = jar(4, 3000);
    assertEquals(8, ranges(jar).length, "the intact jar has its 4");
    for (Map.Entry<String, byte[]> e : hostile(jar).entrySet()) {
      assertArrayEquals(NONE, ranges(e.getValue()), e.getKey());
    }
  }

  @Test
  void commentWithAnEndSignature_thatDoesNotFit_isSkipped() throws Exception {
    byte[] jar = jar(2, 1000);
    byte[] b = jar.clone();
    // "PK\5\6" in the comment, with a comment length that does not reach the end of the file.
    le32(b, jar.length - 22, 0x06054b50);
    long[] ranges = ranges(b);
    assertArrayEquals(ranges(jar), ranges);
    assertRangesAreTheDeflatedEntries(b, jar, ranges);
  }

  @Test
  void hostileZips_inABigLayer_areCompressedAsTheyAre_andReadBack() throws Exception {
    byte[] jar = jar(20, 50_000);
    Map<String, byte[]> files = new LinkedHashMap<>(hostile(jar));
    files.put("intact", jar);
    LayerBuilder b = new LayerBuilder();
    long total = 0;
    int i = 0;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      Path p = Files.write(tmp.resolve("h" + i), e.getValue());
      b.file("/lib/" + i++ + ".jar", p, 0644, 0, 0);
      total += e.getValue().length;
    }
    assertTrue(total >= ParallelGzipOutputStream.THRESHOLD, "a big layer: " + total);
    Layer layer = b.build(tmp.resolve("out"), 0, 6);
    try (InputStream in = layer.openUncompressed()) {
      TarReader t = new TarReader(in, "layer");
      assertEquals("lib/", t.next().name());
      List<String> names = new ArrayList<>(files.keySet());
      for (int k = 0; k < files.size(); k++) {
        String name = t.next().name();
        int index = Integer.parseInt(name.substring(4, name.length() - 4));
        assertArrayEquals(files.get(names.get(index)), t.content().readAllBytes(),
            names.get(index));
      }
    }
    Path gz = Files.write(tmp.resolve("layer.tar.gz"), layer.blob().readAllBytes());
    Process p = new ProcessBuilder("gzip", "-t", gz.toString()).redirectErrorStream(true).start();
    String err = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "gzip -t: " + err);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static int indexOf(byte[] hay, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i + n.length <= hay.length; i++) {
      if (Arrays.equals(hay, i, i + n.length, n, 0, n.length)) {
        return i;
      }
    }
    throw new AssertionError(needle + " not found");
  }

  private static int lastIndexOf(byte[] hay, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    for (int i = hay.length - n.length; i >= 0; i--) {
      if (Arrays.equals(hay, i, i + n.length, n, 0, n.length)) {
        return i;
      }
    }
    throw new AssertionError(needle + " not found");
  }

  private static int le16(byte[] b, int at) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getShort(at) & 0xffff;
  }

  private static void le16(byte[] b, int at, int v) {
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) v);
  }

  private static int le32(byte[] b, int at) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
  }

  private static void le32(byte[] b, int at, int v) {
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
  }
}
