package dev.plinth.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Whole ELF files read from a stream into reused blocks read as the same bytes in one array do. */
class ElfBlocksTest {

  /** The host's libraries of more than one block (libc, libstdc++, the JDK's libjvm), largest first. */
  private static List<Path> largeLibraries() throws Exception {
    List<Path> out = new ArrayList<>();
    for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
        System.getProperty("java.home") + "/lib/server", System.getProperty("java.home") + "/lib")) {
      Path d = Path.of(dir);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (Stream<Path> s = Files.list(d)) {
        s.filter(p -> p.getFileName().toString().contains(".so"))
            .filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p))
            .filter(p -> size(p) > 2L * ElfBlocks.BLOCK && isElf(p))
            .sorted().limit(6).forEach(out::add);
      }
    }
    out.sort(Comparator.comparingLong(ElfBlocksTest::size).reversed());
    return out;
  }

  @Test
  void read_largeLibrariesThenSmallOnes_sameAsOneArray() throws Exception {
    List<Path> files = largeLibraries();
    assumeTrue(files.size() >= 3, "few large libraries on this machine: " + files);
    files.add(Path.of("/bin/true"));
    ElfBlocks blocks = new ElfBlocks();
    for (Path f : files) {   // largest first: each later file lies in blocks that held more
      byte[] bytes = Files.readAllBytes(f);
      ElfFile whole = ElfFile.read(bytes, f.toString());
      ElfFile read;
      try (InputStream in = Files.newInputStream(f)) {
        read = blocks.read(in, bytes.length, f.toString());
      }
      assertSame(whole, read, f.toString());
    }
    long largest = size(files.get(0));
    assertEquals((largest + ElfBlocks.BLOCK - 1) / ElfBlocks.BLOCK, blocks.blocks(),
        "as many blocks as the largest file needs, kept for the next");
  }

  @Test
  void read_streamEndsEarly_theBytesThereAsOneArrayReadsThem() throws Exception {
    List<Path> files = largeLibraries();
    assumeTrue(!files.isEmpty(), "no large library on this machine");
    byte[] bytes = Files.readAllBytes(files.get(files.size() - 1));
    ElfBlocks blocks = new ElfBlocks();
    for (int cut : new int[] {200, ElfBlocks.BLOCK, ElfBlocks.BLOCK + 1, bytes.length - 1}) {
      InputStream in = new ByteArrayInputStream(bytes, 0, cut);
      String what = "cut at " + cut;
      PlinthException blocked = assertThrows(PlinthException.class,
          () -> blocks.read(in, bytes.length, what));
      PlinthException array = assertThrows(PlinthException.class,
          () -> ElfFile.read(bytes, cut, what));
      assertEquals(array.getMessage(), blocked.getMessage());
      assertTrue(blocked.getMessage().contains(what), blocked.getMessage());
    }
  }

  /** Damaged copies of a library spanning several blocks: the two readers agree on every one. */
  @Test
  void read_damagedLibraries_sameAnswerOrRefusalAsOneArray() throws Exception {
    List<Path> files = largeLibraries();
    assumeTrue(!files.isEmpty(), "no large library on this machine");
    byte[] original = Files.readAllBytes(files.get(files.size() - 1));
    ElfFile clean = ElfFile.read(original, "clean");
    Random random = new Random(13);
    ElfBlocks blocks = new ElfBlocks();
    int refused = 0;
    for (int round = 0; round < 150; round++) {
      byte[] bytes = original.clone();
      for (int i = 0; i < 4; i++) {   // the headers, the tables they point at, anywhere
        int at = switch (i) {
          case 0 -> random.nextInt(64);
          case 1 -> (int) Math.min(bytes.length - 8, clean.is64() ? 0x40 + random.nextInt(0x400)
              : 0x34 + random.nextInt(0x300));
          default -> random.nextInt(bytes.length);
        };
        bytes[at] = (byte) random.nextInt(256);
      }
      String what = "round " + round;
      Object array = outcome(() -> ElfFile.read(bytes, what));
      Object blocked = outcome(() -> blocks.read(new ByteArrayInputStream(bytes), bytes.length,
          what));
      assertEquals(array, blocked, what);
      refused += array instanceof String s && s.startsWith("refused") ? 1 : 0;
    }
    assertTrue(refused > 0, "some damage was refused");
  }

  @Test
  void read_negativeSize_refused() {
    assertThrows(IllegalArgumentException.class,
        () -> new ElfBlocks().read(InputStream.nullInputStream(), -1, "negative"));
  }

  private interface Read {
    ElfFile get() throws Exception;
  }

  private static Object outcome(Read r) {
    try {
      ElfFile e = r.get();
      return List.of(e.machine(), e.type(), e.is64(), String.valueOf(e.interpreter()),
          e.needed(), String.valueOf(e.soname()), String.valueOf(e.runpath()));
    } catch (PlinthException e) {
      return "refused: " + e.getMessage();
    } catch (Exception e) {
      return "failed: " + e;
    }
  }

  private static void assertSame(ElfFile want, ElfFile got, String what) {
    assertEquals(outcome(() -> want), outcome(() -> got), what);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (Exception e) {
      return -1;
    }
  }

  private static boolean isElf(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      return ElfFile.isElf(in.readNBytes(4));
    } catch (Exception e) {
      return false;
    }
  }
}
