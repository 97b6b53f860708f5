package dev.plinth.oci;

import java.util.Arrays;

/**
 * What every fuzz test (Jazzer's {@code @FuzzTest}) of a reader of hostile input checks: for any
 * bytes, the reader either reads them or fails with a {@link Failure}, plinth's own error that the
 * front ends turn into a message and an exit code. Anything else (an IndexOutOfBounds, a
 * NumberFormat, a NegativeArraySize, an OutOfMemoryError, a StackOverflowError) escapes, and the
 * fuzzer reports it with the input that caused it. In the test-jar, for every module's fuzz tests.
 *
 * <p>A plain {@code mvn verify} runs each fuzz test on its seeds and on every input that once
 * failed (the files under {@code src/test/resources/.../<Class>Inputs/<method>/}); the build's
 * {@code fuzz} executions then fuzz each for a bounded number of runs (see docs/architecture.md).
 */
public final class Fuzzing {
  private Fuzzing() {}

  /** A reading of hostile bytes. */
  @FunctionalInterface
  public interface Read {
    void run() throws Exception;
  }

  /** Runs {@code read}: done, or a plinth failure, is fine; any other exception escapes. */
  public static void onlyFailures(Read read) throws Exception {
    try {
      read.run();
    } catch (Exception e) {
      if (!(e instanceof Failure)) {
        throw e;
      }
    }
  }

  /**
   * The bytes with the checksum of every block that looks like a ustar or GNU header (magic
   * "ustar" at 257) made right: so that the fuzzer gets past the checksum to what a header says.
   * Blocks without the magic keep theirs (a wrong checksum is fuzzed too).
   */
  public static byte[] tarChecksumsFixed(byte[] data) {
    byte[] b = Arrays.copyOf(data, data.length);
    for (int off = 0; off + 512 <= b.length; off += 512) {
      if (b[off + 257] == 'u' && b[off + 258] == 's' && b[off + 259] == 't'
          && b[off + 260] == 'a' && b[off + 261] == 'r') {
        TestTar.fixChecksum(b, off);
      }
    }
    return b;
  }
}
