package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
  void truncatedContent_isABadInputFailure_readOrSkipped() throws Exception {
    // found by OciFuzzTest#archive: a bare EOFException made a truncated oci-archive exit 5
    byte[] t = Arrays.copyOf(oneFile("a", new byte[2000]), 1024);
    for (boolean read : new boolean[] {true, false}) {
      StreamFailure e = assertThrows(StreamFailure.class, () -> {
        TarReader r = new TarReader(new ByteArrayInputStream(t), "x.tar");
        r.next();
        if (read) {
          r.content().readAllBytes();
        }
        r.next();
      });
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertEquals("x.tar is not a valid tar: it ends inside an entry", e.getMessage());
    }
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

  // ---- GNU sparse entries (BAD-INPUTS 52): refused, naming the real entry ----

  @ParameterizedTest
  @MethodSource("dev.plinth.oci.TestTar#sparseFormats")
  void gnuSparse_writtenByGnuTar_isRefusedNamingTheEntry(String format, @TempDir Path tmp)
      throws Exception {
    byte[] tar = Files.readAllBytes(TestTar.gnuSparseTar(tmp, "d", format));
    PlinthException e = readAll(tar);
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("x.tar has entry 'd/sparse' stored as a GNU sparse file"),
        e.getMessage());
    assertTrue(e.getMessage().contains("--sparse"), e.getMessage());
    assertTrue(!e.getMessage().contains("GNUSparseFile"), e.getMessage());
  }

  // ---- headers read as Go's archive/tar (containerd, Docker) reads them ----

  private static byte[] header(String name, char type, byte[] data) {
    byte[] h = new byte[512];
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(n, 0, h, 0, n.length);
    System.arraycopy("0000644\0".getBytes(StandardCharsets.US_ASCII), 0, h, 100, 8);
    byte[] size = String.format("%011o", data.length).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, h, 124, 11);
    h[156] = (byte) type;
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    fixChecksum(h);
    byte[] out = Arrays.copyOf(h, 512 + (data.length + 511) / 512 * 512);
    System.arraycopy(data, 0, out, 512, data.length);
    return out;
  }

  private static byte[] pax(String... records) {
    StringBuilder b = new StringBuilder();
    for (String r : records) {
      int len = r.length() + 2;
      while (Integer.toString(len).length() + r.length() + 2 != len) {
        len++;
      }
      b.append(len).append(' ').append(r).append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> names(byte[]... parts) throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      all.write(p);
    }
    all.write(new byte[1024]);
    TarReader r = new TarReader(new ByteArrayInputStream(all.toByteArray()), "x.tar");
    List<String> names = new ArrayList<>();
    for (TarEntry e; (e = r.next()) != null; ) {
      names.add(e.name() + (e.linkTarget() == null ? "" : "->" + e.linkTarget())
          + (e.type() == TarEntry.Type.FILE ? "" : " " + e.type()));
    }
    return names;
  }

  @Test
  void twoPaxHeaders_onlyTheLastApplies() throws Exception {
    assertEquals(List.of("innocent"), names(header("P", 'x', pax("path=etc/evil")),
        header("P", 'x', pax("mtime=1")), header("innocent", '0', new byte[0])));
  }

  @Test
  void globalHeader_endsThePaxHeaderBeforeIt() throws Exception {
    assertEquals(List.of("innocent"), names(header("P", 'x', pax("path=etc/evil")),
        header("G", 'g', pax("comment=x")), header("innocent", '0', new byte[0])));
  }

  @Test
  void gnuLongNameAndLink_winOverPaxPath() throws Exception {
    assertEquals(List.of("long/name->long/target HARDLINK"),
        names(header("P", 'x', pax("path=pax/name", "linkpath=pax/target")),
            header("././@LongLink", 'L', "long/name\0".getBytes(StandardCharsets.UTF_8)),
            header("././@LongLink", 'K', "long/target\0".getBytes(StandardCharsets.UTF_8)),
            header("short", '1', new byte[0])));
  }

  @Test
  void gnuHeader_hasNoPrefix_starHeaderA131BytePrefix() throws Exception {
    byte[] gnu = header("passwd", '0', new byte[0]);
    System.arraycopy("ustar  \0".getBytes(StandardCharsets.US_ASCII), 0, gnu, 257, 8);
    System.arraycopy("etc".getBytes(StandardCharsets.US_ASCII), 0, gnu, 345, 3); // atime bytes
    fixChecksum(gnu);
    byte[] star = header("b", '0', new byte[0]);
    Arrays.fill(star, 345, 345 + 131, (byte) 'p');
    System.arraycopy("12345670123".getBytes(StandardCharsets.US_ASCII), 0, star, 476, 11);
    System.arraycopy("tar\0".getBytes(StandardCharsets.US_ASCII), 0, star, 508, 4);
    fixChecksum(star);
    assertEquals(List.of("passwd", "p".repeat(131) + "/b"), names(gnu, star));
  }

  @Test
  void oldRegularEntryEndingInSlash_isADirectory_andItsSizeIsNotData() throws Exception {
    // Go reads "d/" as a directory with no data, so the 512 bytes after it are the next header;
    // reading them as d/'s content would show the audit other entries than a runtime unpacks.
    byte[] inner = header("hidden", '0', new byte[0]);
    byte[] dir = header("d/", '\0', new byte[0]);
    byte[] size = String.format("%011o", 512).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, dir, 124, 11);
    fixChecksum(dir);
    assertEquals(List.of("d/ DIRECTORY", "hidden"), names(dir, inner));
  }

  static void fixChecksum(byte[] h) {
    TestTar.fixChecksum(h, 0);
  }

}
