package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The committed binaries: what SHA256SUMS says, their size budget, their ELF shape, a rebuild. */
class BinariesTest {
  private static final List<String> BINARIES =
      List.of("amd64/init", "amd64/nologin", "arm64/init", "arm64/nologin");

  /** SHA256SUMS: "# ARCH: COMPILER --version LINE" headers, then "SHA256  bin/ARCH/NAME" lines. */
  private record Sums(Map<String, String> compilers, Map<String, String> sha256) {
    static Sums read() throws IOException {
      Map<String, String> compilers = new LinkedHashMap<>();
      Map<String, String> sha = new LinkedHashMap<>();
      for (String line : Files.readAllLines(Tools.moduleDir().resolve("SHA256SUMS"))) {
        if (line.startsWith("# ")) {
          int colon = line.indexOf(": ");
          compilers.put(line.substring(2, colon), line.substring(colon + 2));
        } else if (!line.isBlank()) {
          String[] f = line.split("  ", 2);
          sha.put(f[1].replaceFirst("^bin/", ""), f[0]);
        }
      }
      return new Sums(compilers, sha);
    }
  }

  private static String sha256(Path f) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void sha256sums_describeTheCommittedBinaries() throws IOException {
    Sums sums = Sums.read();
    assertEquals(BINARIES, List.copyOf(sums.sha256().keySet()));
    assertEquals(List.of("amd64", "arm64"), List.copyOf(sums.compilers().keySet()));
    for (String b : BINARIES) {
      assertEquals(sums.sha256().get(b), sha256(Tools.binary(b.split("/")[0], b.split("/")[1])),
          b + " differs from SHA256SUMS: run native/build.sh");
    }
  }

  @ParameterizedTest(name = "{0}_{1}_isAtMost{2}Bytes_andExecutable")
  @CsvSource({"amd64, init, 6144", "amd64, nologin, 1024", "arm64, init, 6144", "arm64, nologin, 1024"})
  void binary_fitsItsSizeBudget_andIsExecutable(String arch, String name, int budget) throws IOException {
    Path f = Tools.binary(arch, name);
    assertTrue(Files.size(f) <= budget, f + " is " + Files.size(f) + " bytes, over " + budget);
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
    assertTrue(perms.containsAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_EXECUTE)), f + " is " + perms);
  }

  /**
   * A static ELF64 executable for its machine: no interpreter, no writable and executable
   * segment, and every LOAD segment's file offset congruent to its address modulo 64 KiB, so it
   * loads on kernels with 4K, 16K and 64K pages.
   */
  @ParameterizedTest(name = "{0}_{1}_isAStaticElfFor{2}")
  @CsvSource({"amd64, init, 62", "amd64, nologin, 62", "arm64, init, 183", "arm64, nologin, 183"})
  void binary_isAStaticElfExecutable_loadableOnAnyPageSize(String arch, String name, int machine)
      throws IOException {
    ByteBuffer elf = ByteBuffer.wrap(Files.readAllBytes(Tools.binary(arch, name))).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x464c457f, elf.getInt(0), "ELF magic");
    assertEquals(2, elf.get(4), "ELFCLASS64");
    assertEquals(1, elf.get(5), "little endian");
    assertEquals(2, elf.getShort(16), "ET_EXEC");
    assertEquals(machine, elf.getShort(18), "e_machine");
    long phoff = elf.getLong(32);
    int phentsize = elf.getShort(54);
    int phnum = elf.getShort(56);
    int loads = 0;
    for (int i = 0; i < phnum; i++) {
      int ph = (int) (phoff + (long) i * phentsize);
      int type = elf.getInt(ph);
      int flags = elf.getInt(ph + 4);
      assertNotEquals(3, type, "PT_INTERP: not static");
      assertNotEquals(2, type, "PT_DYNAMIC: not static");
      if (type == 1) {
        loads++;
        assertNotEquals(3, flags & 3, "a writable and executable segment");
        long offset = elf.getLong(ph + 8);
        long vaddr = elf.getLong(ph + 16);
        assertEquals(offset % 65536, vaddr % 65536, "LOAD segment " + i + " is not 64K-congruent");
      }
      if (type == 0x6474e551) { // PT_GNU_STACK
        assertEquals(0, flags & 1, "executable stack");
      }
    }
    assertTrue(loads >= 1, "no LOAD segment");
  }

  private static String firstVersionLine(String compiler) {
    try {
      Process p = new ProcessBuilder(compiler, "--version").redirectErrorStream(true).start();
      if (!p.waitFor(Proc.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String out = new String(p.getInputStream().readAllBytes());
      return p.exitValue() == 0 ? out.lines().findFirst().orElse(null) : null;
    } catch (IOException e) {
      return null; // not installed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * build.sh --out into a temp dir gives byte-identical binaries, when this machine has the
   * compilers SHA256SUMS records (same --version line); otherwise skipped, saying why.
   */
  @Test
  void rebuild_matchesCommittedBinaries(@TempDir Path tmp) throws IOException, InterruptedException {
    Map<String, String> recorded = Sums.read().compilers();
    Map<String, String> compilers = Map.of("amd64", "gcc", "arm64", "aarch64-linux-gnu-gcc");
    for (var c : compilers.entrySet()) {
      String have = firstVersionLine(c.getValue());
      assumeTrue(have != null, c.getValue() + " is not installed: cannot rebuild the " + c.getKey() + " binaries"
          + " (Debian: apt-get install gcc gcc-aarch64-linux-gnu)");
      assumeTrue(have.equals(recorded.get(c.getKey())), "the committed " + c.getKey() + " binaries were built with ["
          + recorded.get(c.getKey()) + "], this machine has [" + have + "]: other bytes are expected");
    }
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("build.log");
    Process p = new ProcessBuilder("bash", Tools.moduleDir().resolve("build.sh").toString(), "--out", out.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      throw new AssertionError("build.sh took over 60 s: " + Files.readString(log));
    }
    assertEquals(0, p.exitValue(), "build.sh failed: " + Files.readString(log));
    for (String b : BINARIES) {
      assertArrayEquals(Files.readAllBytes(Tools.binary(b.split("/")[0], b.split("/")[1])),
          Files.readAllBytes(out.resolve(b)), b + " rebuilt differs from the committed one");
      assertTrue(Files.isExecutable(out.resolve(b)), b);
    }
    assertTrue(Files.notExists(out.resolve("SHA256SUMS")), "--out must not write SHA256SUMS");
  }
}
