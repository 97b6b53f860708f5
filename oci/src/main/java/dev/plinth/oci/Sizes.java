package dev.plinth.oci;

import java.util.Locale;

/** Sizes as plinth prints them, and registries and the reference figures show them. */
public final class Sizes {
  /** Decimal: {@code 999 B}, {@code 12.3 kB}, {@code 4.56 MB}. */
  public static String decimal(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    if (bytes < 1_000_000) {
      return String.format(Locale.ROOT, "%.1f kB", bytes / 1000.0);
    }
    return String.format(Locale.ROOT, "%.2f MB", bytes / 1_000_000.0);
  }

  private Sizes() {}
}
