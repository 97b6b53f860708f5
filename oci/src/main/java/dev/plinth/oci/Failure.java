package dev.plinth.oci;

/**
 * A failure the user can act on, of a {@link PlinthException.Kind} the front ends map to an exit
 * code (the CLI) or a Maven exception, as it is: no front end digs through causes. Two kinds of
 * exception are failures: {@link PlinthException}, and {@link StreamFailure} for a failure met
 * where only an IOException may be thrown (reading or writing a stream).
 */
public interface Failure {
  /** What kind of failure: it decides the exit code. */
  PlinthException.Kind kind();

  /** What failed and what to do, for the user (one line). */
  String getMessage();
}
