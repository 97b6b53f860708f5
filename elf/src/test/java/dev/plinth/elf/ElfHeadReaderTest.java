package dev.plinth.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The loader's view read from captured parts equals what {@link ElfFile} reads from the whole
 * file, for the host's real programs and libraries, however small the head.
 */
class ElfHeadReaderTest {
  /** Captures as a streaming reader would: the head, then what regions() and Missing ask for. */
  static ElfFile readInParts(byte[] file, int head, int[] passes) throws Exception {
    TreeMap<Long, byte[]> parts = new TreeMap<>();
    int n = Math.min(head, file.length);
    parts.put(0L, Arrays.copyOf(file, n));
    for (long[] r : ElfHeadReader.regions(file, n, file.length)) {
      parts.put(r[0], Arrays.copyOfRange(file, (int) r[0], (int) (r[0] + r[1])));
    }
    for (int pass = 0; pass < 8; pass++) {
      try {
        passes[0] = pass;
        return ElfHeadReader.read(file.length, parts, "test");
      } catch (ElfHeadReader.Missing m) {
        long end = Math.min(file.length, m.offset() + Math.max(m.length(), 1 << 20));
        parts.put(m.offset(), Arrays.copyOfRange(file, (int) m.offset(), (int) end));
      }
    }
    throw new AssertionError("still missing parts after 8 passes");
  }

  @Test
  void hostBinaries_readInParts_equalTheWholeRead() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("/usr/bin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        "/usr/lib/jvm")) {
      Path d = Path.of(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.walk(d, 3)) {
          s.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).limit(400)
              .forEach(files::add);
        }
      }
    }
    int checked = 0;
    int secondPasses = 0;
    for (Path p : files) {
      byte[] bytes;
      try {
        if (Files.size(p) > (64 << 20)) {
          continue;
        }
        bytes = Files.readAllBytes(p);
      } catch (IOException e) {
        continue;
      }
      if (!ElfFile.isElf(bytes)) {
        continue;
      }
      ElfFile whole;
      try {
        whole = ElfFile.read(bytes, p.toString());
      } catch (PlinthException e) {
        continue;
      }
      int[] passes = new int[1];
      ElfFile parts = readInParts(bytes, 4096, passes);
      secondPasses += passes[0] > 0 ? 1 : 0;
      assertEquals(whole.machine(), parts.machine(), p.toString());
      assertEquals(whole.interpreter(), parts.interpreter(), p.toString());
      assertEquals(whole.needed(), parts.needed(), p.toString());
      assertEquals(whole.runpath(), parts.runpath(), p.toString());
      assertEquals(whole.soname(), parts.soname(), p.toString());
      checked++;
    }
    Assumptions.assumeTrue(checked > 0, "no ELF files on this host");
    assertTrue(checked > 20, "only " + checked + " ELF files checked");
    assertTrue(secondPasses > 0, "some file needed a part past a 4 KiB head");
  }

  /**
   * A file captured in pieces (as the audit captures, at most 256 KiB each), or with short parts
   * starting inside a longer one (two captured ranges that overlap): read as the whole file.
   */
  @Test
  void partsInPieces_orShortPartsInsideLongerOnes_readAsTheWhole() throws Exception {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu")) {
      Path d = Path.of(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          s.filter(p -> p.getFileName().toString().matches("lib(c|stdc\\+\\+|z|m)\\.so\\..*"))
              .filter(p -> Files.isRegularFile(p)).sorted().forEach(files::add);
        }
      }
    }
    Assumptions.assumeTrue(files.size() >= 2, "few host libraries: " + files);
    for (Path p : files) {
      byte[] bytes = Files.readAllBytes(p);
      ElfFile whole = ElfFile.read(bytes, p.toString());
      TreeMap<Long, byte[]> pieces = new TreeMap<>();
      for (int at = 0; at < bytes.length; at += 65536) {
        pieces.put((long) at, Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + 65536)));
      }
      TreeMap<Long, byte[]> shadowed = new TreeMap<>();
      shadowed.put(0L, bytes);
      for (int at = 4096; at + 16 <= bytes.length; at += 4096) {
        shadowed.put((long) at, Arrays.copyOfRange(bytes, at, at + 16));
      }
      for (TreeMap<Long, byte[]> parts : List.of(pieces, shadowed)) {
        ElfFile read = ElfHeadReader.read(bytes.length, parts, p.toString());
        assertEquals(whole.needed(), read.needed(), p.toString());
        assertEquals(whole.soname(), read.soname(), p.toString());
        assertEquals(whole.interpreter(), read.interpreter(), p.toString());
        assertEquals(whole.runpath(), read.runpath(), p.toString());
      }
    }
  }

  @Test
  void notElf_orTruncatedHeader_isBadInputOrMissing() {
    TreeMap<Long, byte[]> parts = new TreeMap<>();
    parts.put(0L, "#!/bin/sh\necho not an elf file at all, just text\n".getBytes());
    PlinthException e = assertThrows(PlinthException.class,
        () -> ElfHeadReader.read(200, parts, "script"));
    assertTrue(e.getMessage().contains("script"), e.getMessage());
    TreeMap<Long, byte[]> empty = new TreeMap<>();
    assertThrows(ElfHeadReader.Missing.class, () -> ElfHeadReader.read(200, empty, "x"));
    assertEquals(List.of(), ElfHeadReader.regions(new byte[10], 10, 10));
  }
}
