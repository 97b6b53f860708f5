package dev.plinth.oci;

/**
 * A failure the user can act on. The message says what failed (naming the file, field or
 * reference) and what to do; the {@link Kind} decides the documented exit code.
 */
public class PlinthException extends Exception implements Failure {
  private static final long serialVersionUID = 1L;

  /** What kind of failure, mapped one to one onto the documented exit codes. */
  public enum Kind {
    /** Bad command line, bad plinth.yaml, bad image reference. */
    USAGE,
    /** A file or image the user named does not exist or cannot be read. */
    NOT_FOUND,
    /** An input exists but is invalid: corrupt or hostile archive, digest mismatch, wrong ELF. */
    BAD_INPUT,
    /** The output could not be written. */
    OUTPUT,
  }

  private final Kind kind;

  public PlinthException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public PlinthException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}
