package dev.plinth.oci;

/**
 * Bytes read from a source do not match the digest or size that names them: the input is corrupt
 * or tampered with. An IOException, since it surfaces from a stream, but a bad input, not a failed
 * output (exit code 4, not 5).
 */
public class ContentMismatchException extends StreamFailure {
  private static final long serialVersionUID = 1L;

  public ContentMismatchException(String message) {
    super(PlinthException.Kind.BAD_INPUT, message);
  }
}
