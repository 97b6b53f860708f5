package dev.plinth.oci;

/** Sizes as plinth prints them, and registries and the reference figures show them. */
public final class Sizes {
  /**
   * Decimal: {@code 999 B}, {@code 12.3 kB}, {@code 4.56 MB}, rounded half up. Integer arithmetic
   * rather than {@code String.format}, whose first call loads the locale machinery (some 5 ms of
   * every build, which prints sizes).
   */
  public static String decimal(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    if (bytes < 1_000_000) {
      long tenths = (bytes + 50) / 100;
      return tenths / 10 + "." + tenths % 10 + " kB";
    }
    long hundredths = (bytes + 5_000) / 10_000;
    long cents = hundredths % 100;
    return hundredths / 100 + "." + (cents < 10 ? "0" : "") + cents + " MB";
  }

  private Sizes() {}
}
