package dev.plinth.cli;

import dev.plinth.oci.Failure;
import dev.plinth.oci.PlinthException;
import java.io.IOException;

/** plinth's exit codes; docs/exit-codes.md is the run book for each. */
public enum ExitCode {
  OK(0),
  /** Reserved for audit: a finding at or above --fail-on. */
  FINDINGS(1),
  USAGE(2),
  NOT_FOUND(3),
  BAD_INPUT(4),
  OUTPUT(5),
  /** plinth verify: the image is not signed by the key (or its signature does not verify). */
  NOT_VERIFIED(6),
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

  /**
   * The code of a failure, by its type alone (no cause is looked into): a {@link Failure} (a
   * PlinthException, or a StreamFailure such as a content mismatch or a registry's refusal) its
   * kind's; another IOException OUTPUT; anything else INTERNAL: a bug, or an Error such as
   * OutOfMemoryError or StackOverflowError.
   */
  static ExitCode of(Throwable t) {
    if (t instanceof Failure f) {
      return of(f.kind());
    }
    return t instanceof IOException ? OUTPUT : INTERNAL;
  }
}
