package dev.plinth.elf;

import static dev.plinth.oci.Fuzzing.onlyFailures;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * Fuzzing of the ELF reader: a whole file ({@link ElfFile}, what the build's library closure
 * reads), the audit's way of reading only the parts a loader needs ({@link ElfHeadReader}, asked
 * again for what it says is missing, as the audit's second pass does), and stripping. Seeds:
 * plinth's own init and nologin for amd64 and arm64, and a dynamically linked program.
 */
class ElfFuzzTest {
  /** The runs of one fuzzing execution in the build; see docs/architecture.md to fuzz longer. */
  static final long RUNS = 10_000;

  @FuzzTest(maxExecutions = RUNS)
  void elf(byte[] data) throws Exception {
    onlyFailures(() -> {
      ElfFile f = ElfFile.read(data, "fuzzed");
      f.interpreter();
      f.needed();
      f.soname();
      f.runpath();
      f.isStatic();
      ElfFile.machineName(f.machine());
      ElfFile.typeName(f.type());
    });
    onlyFailures(() -> ElfStrip.strip(data, "fuzzed"));
    onlyFailures(() -> headOnly(data));
  }

  /** Reads as the audit does: the head, the regions it names, then each part it says is missing. */
  private static void headOnly(byte[] data) throws Exception {
    int n = Math.min(data.length, 4096);
    TreeMap<Long, byte[]> parts = new TreeMap<>();
    parts.put(0L, Arrays.copyOf(data, n));
    for (long[] r : ElfHeadReader.regions(Arrays.copyOf(data, n), n, data.length)) {
      capture(data, r[0], r[1], parts);
    }
    for (int pass = 0; pass < 8; pass++) {
      try {
        ElfHeadReader.read(data.length, parts, "fuzzed");
        return;
      } catch (ElfHeadReader.Missing m) {
        capture(data, m.offset(), Math.max(m.length(), 1), parts);
      }
    }
  }

  private static void capture(byte[] data, long offset, long length, TreeMap<Long, byte[]> parts) {
    long from = Math.max(0, Math.min(offset, data.length));
    long to = Math.max(from, Math.min(data.length, offset + Math.max(0, length)));
    parts.merge(from, Arrays.copyOfRange(data, (int) from, (int) to),
        (a, b) -> a.length >= b.length ? a : b);
  }
}
