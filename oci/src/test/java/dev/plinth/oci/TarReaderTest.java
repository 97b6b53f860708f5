package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TarReaderTest {
  private static byte[] oneFile(String name, byte[] content) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      w.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, content.length, null, 0),
          new ByteArrayInputStream(content));
    }
    return out.toByteArray();
  }

  private static PlinthException readAll(byte[] tar) {
    return assertThrows(PlinthException.class, () -> {
      TarReader r = new TarReader(new ByteArrayInputStream(tar), "x.tar");
      while (r.next() != null) {
        r.content().readAllBytes();
      }
    });
  }

  @Test
  void corruptedChecksum_isRejected() throws Exception {
    byte[] t = oneFile("a", "abc".getBytes());
    t[0] = 'b';
    PlinthException e = readAll(t);
    assertTrue(e.getMessage().contains("x.tar") && e.getMessage().contains("checksum"), e.getMessage());
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
  }

  @Test
  void truncatedHeader_isRejected() throws Exception {
    byte[] t = Arrays.copyOf(oneFile("a", "abc".getBytes()), 300);
    assertTrue(readAll(t).getMessage().contains("ends inside a header"));
  }

  @Test
  void truncatedContent_isAnError() throws Exception {
    byte[] t = Arrays.copyOf(oneFile("a", new byte[2000]), 1024);
    assertThrows(EOFException.class, () -> {
      TarReader r = new TarReader(new ByteArrayInputStream(t), "x.tar");
      r.next();
      r.content().readAllBytes();
    });
  }

  @Test
  void oversizedPaxRecord_isRejectedBeforeReading() throws Exception {
    // A PAX header claiming 2 GiB of records: refused from the header alone.
    byte[] h = oneFile("PaxHeader/a", new byte[0]);
    h[156] = 'x';
    byte[] size = String.format("%011o", 2L << 30).getBytes();
    System.arraycopy(size, 0, h, 124, 11);
    fixChecksum(h);
    assertTrue(readAll(h).getMessage().contains("metadata record"));
  }

  @Test
  void nonOctalSize_isRejected() throws Exception {
    byte[] t = oneFile("a", "abc".getBytes());
    t[124] = '9';
    fixChecksum(t);
    assertTrue(readAll(t).getMessage().contains("not octal"));
  }

  @Test
  void malformedPax_isRejected() throws Exception {
    byte[] records = "99 path=x\n".getBytes();
    byte[] t = oneFile("PaxHeader/a", records);
    t[156] = 'x';
    fixChecksum(t);
    assertTrue(readAll(t).getMessage().contains("PAX"));
  }

  static void fixChecksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += h[i] & 0xff;
    }
    byte[] chk = String.format("%06o", sum).getBytes();
    System.arraycopy(chk, 0, h, 148, 6);
    h[154] = 0;
  }
}
