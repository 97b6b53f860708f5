package dev.plinth.cli;

import dev.plinth.oci.PlinthException;

/** plinth's exit codes; docs/exit-codes.md is the run book for each. */
public enum ExitCode {
  OK(0),
  /** Reserved for audit: a finding at or above --fail-on. */
  FINDINGS(1),
  USAGE(2),
  NOT_FOUND(3),
  BAD_INPUT(4),
  OUTPUT(5),
  INTERNAL(70),
  INTERRUPTED(130);

  public final int code;

  ExitCode(int code) {
    this.code = code;
  }

  static ExitCode of(PlinthException.Kind kind) {
    return switch (kind) {
      case USAGE -> USAGE;
      case NOT_FOUND -> NOT_FOUND;
      case BAD_INPUT -> BAD_INPUT;
      case OUTPUT -> OUTPUT;
    };
  }
}
