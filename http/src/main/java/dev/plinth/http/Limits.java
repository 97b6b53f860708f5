package dev.plinth.http;

import java.time.Duration;

/**
 * How long one exchange may take. A read timeout alone ({@code idle}) does not bound an exchange:
 * a server that sends one byte every few seconds resets it forever. A deadline does.
 *
 * @param idle the longest any one read (or write of the request body) may wait; null for {@link
 *     Http1#IDLE_READ}
 * @param head how long the answer's head may take once the request is sent (a registry may check
 *     a large upload before it answers); null for no limit beyond {@code idle} and {@code deadline}
 * @param deadline by when all of it must be done: connecting, sending, the head and the body read
 *     to its end; null for none (a large blob takes what it takes)
 */
public record Limits(Duration idle, Duration head, Deadline deadline) {
  /** Only a read timeout, as {@link Http1#send(String, java.net.URI, java.util.Map, RequestBody,
   * Duration)} takes it. */
  public static Limits idle(Duration idle) {
    return new Limits(idle, null, null);
  }

  /** A small exchange: all of it by {@code deadline}. */
  public static Limits by(Deadline deadline) {
    return new Limits(null, null, deadline);
  }

  Duration idleOrDefault() {
    return idle == null ? Http1.IDLE_READ : idle;
  }
}
