package dev.plinth.oci;

import java.io.IOException;

/**
 * A {@link Failure} met while a stream is read or written, where only an IOException may be
 * thrown: bytes that do not match their digest, a registry that refuses a blob. It travels as
 * the IOException it is, and keeps its kind: code that turns other IOExceptions into a failure of
 * its own (a broken download retried, a write failed) lets it through as it is.
 */
public class StreamFailure extends IOException implements Failure {
  private static final long serialVersionUID = 1L;

  private final PlinthException.Kind kind;

  public StreamFailure(PlinthException.Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public StreamFailure(PlinthException.Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /**
   * The same failure as {@code failure}, to be thrown from a stream: its kind, message, cause and
   * stack trace, so that nothing need unwrap it.
   */
  public StreamFailure(PlinthException failure) {
    super(failure.getMessage(), failure.getCause());
    this.kind = failure.kind();
    setStackTrace(failure.getStackTrace());
  }

  @Override
  public PlinthException.Kind kind() {
    return kind;
  }
}
