package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarWriterTest {
  @TempDir Path tmp;

  private static byte[] tar(List<TarEntry> entries, List<byte[]> contents) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (int i = 0; i < entries.size(); i++) {
        w.write(entries.get(i), new ByteArrayInputStream(contents.get(i)));
      }
    }
    return out.toByteArray();
  }

  private static TarEntry file(String name, int size) {
    return new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, size, null, 0);
  }

  @Test
  void longAsciiName_usesUstarPrefix_noPax() throws Exception {
    String name = "a".repeat(90) + "/" + "b".repeat(90);
    byte[] t = tar(List.of(file(name, 3)), List.of("abc".getBytes()));
    assertEquals(512 + 512 + 1024, t.length, "one header, one data block, end blocks; no PAX");
    TarReader r = new TarReader(new ByteArrayInputStream(t), "test");
    assertEquals(name, r.next().name());
  }

  @Test
  void veryLongAndUtf8Names_roundTripThroughPax() throws Exception {
    String longName = "d/" + "x".repeat(300);
    String utf8 = "etc/caf\u00e9-\u65e5\u672c";
    String longLink = "/" + "t".repeat(200);
    byte[] t = tar(
        List.of(file(longName, 1), file(utf8, 0),
            new TarEntry("l", TarEntry.Type.SYMLINK, 0777, 0, 0, 0, longLink, 0)),
        List.of(new byte[] {7}, new byte[0], new byte[0]));
    TarReader r = new TarReader(new ByteArrayInputStream(t), "test");
    TarEntry e = r.next();
    assertEquals(longName, e.name());
    assertEquals(7, r.content().read());
    assertEquals(utf8, r.next().name());
    assertEquals(longLink, r.next().linkTarget());
    assertNull(r.next());
  }

  @Test
  void bigIds_useNumericPaxRecords() throws Exception {
    TarEntry big = new TarEntry("f", TarEntry.Type.FILE, 0600, 4_000_000_000L, 65532, 0, null, 0);
    byte[] t = tar(List.of(big), List.of(new byte[0]));
    TarEntry back = new TarReader(new ByteArrayInputStream(t), "test").next();
    assertEquals(4_000_000_000L, back.uid());
    assertEquals(65532, back.gid());
  }

  @Test
  void gnuTar_listsWhatWeWrote() throws Exception {
    String longName = "deep/" + "n".repeat(150) + "/file";
    byte[] t = tar(
        List.of(new TarEntry("tmp/", TarEntry.Type.DIRECTORY, 01777, 0, 0, 0, null, 0),
            new TarEntry(longName, TarEntry.Type.FILE, 0755, 65532, 65532, 5, null, 1700000000),
            new TarEntry("bin/sh", TarEntry.Type.SYMLINK, 0777, 0, 0, 0, "busybox", 0)),
        List.of(new byte[0], "hello".getBytes(), new byte[0]));
    Path file = tmp.resolve("t.tar");
    Files.write(file, t);
    Process p = new ProcessBuilder("tar", "--numeric-owner", "-tvf", file.toString())
        .redirectErrorStream(true).start();
    assertTrue(p.waitFor(20, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
    String[] lines = out.strip().split("\n");
    assertEquals(3, lines.length, out);
    assertTrue(lines[0].matches("drwxrwxrwt 0/0 +0 1970-01-01 00:00 tmp/"), out);
    assertTrue(lines[1].matches("-rwxr-xr-x 65532/65532 +5 2023-11-14 .*"), out);
    assertTrue(lines[1].endsWith(longName), out);
    assertTrue(lines[2].startsWith("lrwxrwxrwx 0/0") && lines[2].endsWith("bin/sh -> busybox"), out);
  }

  @Test
  void sameEntries_sameBytes() throws Exception {
    List<TarEntry> e = List.of(file("a", 2), file("b/" + "c".repeat(200), 1));
    List<byte[]> c = List.of("hi".getBytes(), "x".getBytes());
    assertArrayEquals(tar(e, c), tar(e, c));
  }

  /** The header's numbers as ustar spells them: zero-padded octal, NUL-ended; a valid checksum. */
  @Test
  void headerNumbers_areZeroPaddedOctal_andTheChecksumHolds() throws Exception {
    long[][] cases = {{0, 0, 0, 0, 0}, {0755, 65532, 65532, 1, 1}, {07777, 07777777, 07777777,
        077777777777L, 077777777777L}, {0644, 1000, 100, 123456789, 1700000000}, {01, 7, 8, 9, 64}};
    for (long[] c : cases) {
      byte[] h = headerOf(new TarEntry("f", TarEntry.Type.FILE, (int) c[0], c[1], c[2], c[3],
          null, c[4]));
      assertEquals(octal(c[0], 7), field(h, 100, 8));
      assertEquals(octal(c[1], 7), field(h, 108, 8));
      assertEquals(octal(c[2], 7), field(h, 116, 8));
      assertEquals(octal(c[4], 11), field(h, 136, 12));
      long sum = 0;
      for (int k = 0; k < 512; k++) {
        sum += k >= 148 && k < 156 ? ' ' : h[k] & 0xff;
      }
      assertEquals(octal(sum, 6), new String(h, 148, 6, StandardCharsets.US_ASCII));
      assertEquals(0, h[154]);
      assertEquals(' ', h[155]);
    }
    for (long size : new long[] {0, 1, 511, 512, 077777777777L}) {
      byte[] h = headerOf(new TarEntry("f", TarEntry.Type.FILE, 0644, 0, 0, size, null, 0));
      assertEquals(octal(size, 11), field(h, 124, 12));
    }
  }

  private static byte[] headerOf(TarEntry e) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    TarWriter w = new TarWriter(out);
    w.begin(e); // the header is written at once; the body is left unwritten
    return java.util.Arrays.copyOf(out.toByteArray(), 512);
  }

  private static String octal(long v, int digits) {
    String s = Long.toOctalString(v);
    return "0".repeat(digits - s.length()) + s;
  }

  /** A NUL-ended field: the digits before the NUL, which must be its last byte. */
  private static String field(byte[] h, int off, int len) {
    assertEquals(0, h[off + len - 1], "NUL-ended");
    return new String(h, off, len - 1, StandardCharsets.US_ASCII);
  }
}
