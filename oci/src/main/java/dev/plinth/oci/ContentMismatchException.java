package dev.plinth.oci;

import java.io.IOException;

/**
 * Bytes read from a source do not match the digest or size that names them: the input is corrupt
 * or tampered with. An IOException, since it surfaces from a stream, but a bad input, not a failed
 * output (exit code 4, not 5).
 */
public class ContentMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  public ContentMismatchException(String message) {
    super(message);
  }

  /** The first ContentMismatchException in {@code t}'s chain of causes, or null. */
  public static ContentMismatchException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof ContentMismatchException m) {
        return m;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
