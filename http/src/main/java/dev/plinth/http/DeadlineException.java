package dev.plinth.http;

import java.net.SocketTimeoutException;

/**
 * A {@link Deadline} passed: connecting, waiting for an answer's head, or reading a body that had
 * to be complete by then. A {@link SocketTimeoutException}, so that code which handles a timeout
 * handles this one too; its message names the deadline.
 */
public final class DeadlineException extends SocketTimeoutException {
  private static final long serialVersionUID = 1L;

  private final transient Deadline deadline;

  public DeadlineException(String message, Deadline deadline) {
    super(message);
    this.deadline = deadline;
  }

  /** The deadline that passed. */
  public Deadline deadline() {
    return deadline;
  }
}
