package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sizes read as the reference figures do, and as String.format rounded them before. */
class SizesTest {
  private static String formatted(long bytes) {
    return bytes < 1000 ? bytes + " B"
        : bytes < 1_000_000 ? String.format(Locale.ROOT, "%.1f kB", bytes / 1000.0)
        : String.format(Locale.ROOT, "%.2f MB", bytes / 1_000_000.0);
  }

  @Test
  void examples() {
    assertEquals("0 B", Sizes.decimal(0));
    assertEquals("999 B", Sizes.decimal(999));
    assertEquals("1.0 kB", Sizes.decimal(1000));
    assertEquals("76.4 kB", Sizes.decimal(76_400));
    assertEquals("12.4 kB", Sizes.decimal(12_350));
    assertEquals("1000.0 kB", Sizes.decimal(999_999));
    assertEquals("1.00 MB", Sizes.decimal(1_000_000));
    assertEquals("3.53 MB", Sizes.decimal(3_530_000));
    assertEquals("22.58 MB", Sizes.decimal(22_580_000));
    assertEquals("1.05 MB", Sizes.decimal(1_049_999 + 1));
    assertEquals("62.00 MB", Sizes.decimal(61_999_999));
  }

  @Test
  void everyEdge_roundsAsFormatDid() {
    for (long b = 0; b < 2_000_000; b += 1 + b / 5000) {
      assertEquals(formatted(b), Sizes.decimal(b), "bytes " + b);
    }
    for (long base : new long[] {1000, 1_000_000, 10_000_000, 1_000_000_000, 1L << 40}) {
      for (long d = -60; d <= 60; d++) {
        long b = base + d;
        for (long edge = b; edge < b + 10; edge++) {
          assertEquals(formatted(edge), Sizes.decimal(edge), "bytes " + edge);
        }
      }
    }
    Random r = new Random(1);
    for (int i = 0; i < 200_000; i++) {
      long b = (long) Math.pow(10, 3 + r.nextDouble() * 10);
      long half = b - b % 50 + (r.nextBoolean() ? 50 : 0); // halves, where rounding decides
      assertEquals(formatted(b), Sizes.decimal(b), "bytes " + b);
      assertEquals(formatted(half), Sizes.decimal(half), "bytes " + half);
    }
  }
}
