package dev.plinth.audit;

import dev.plinth.oci.PlinthException;
import java.util.Locale;

/** How much a finding matters; {@code --fail-on} picks the lowest that fails an audit. */
public enum Severity {
  /** Breaks the image or its security in production: fix it before shipping. */
  ERROR,
  /** Departs from the production standard; usually worth fixing. */
  WARNING,
  /** Worth knowing; never a problem by itself. */
  INFO;

  /** Whether a finding of this severity fails an audit run with {@code --fail-on threshold}. */
  public boolean atLeast(Severity threshold) {
    return ordinal() <= threshold.ordinal();
  }

  /** The lower-case name used in output and options: error, warning, info. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The SARIF result level: error, warning or note. */
  public String sarifLevel() {
    return this == INFO ? "note" : label();
  }

  /**
   * Parses error, warning or info (any case).
   *
   * @param option names the option in the error, e.g. "--fail-on"
   */
  public static Severity parse(String text, String option) throws PlinthException {
    for (Severity s : values()) {
      if (s.label().equalsIgnoreCase(text == null ? "" : text.trim())) {
        return s;
      }
    }
    throw new PlinthException(PlinthException.Kind.USAGE,
        option + " must be error, warning or info, not '" + text + "'");
  }
}
