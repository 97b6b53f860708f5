package dev.plinth.http;

import java.time.Duration;

/**
 * A point in time by which something must be done, with its name for messages: "the 60 s deadline
 * for documents". Unlike a read timeout, which a server resets with every byte it trickles, a
 * deadline does not move. Measured on {@link System#nanoTime()}: a change of the wall clock does
 * not move it either.
 */
public final class Deadline {
  private final long at;
  private final Duration length;
  private final String purpose;

  private Deadline(long at, Duration length, String purpose) {
    this.at = at;
    this.length = length;
    this.purpose = purpose;
  }

  /**
   * The deadline {@code length} from now.
   *
   * @param purpose what it is for, for messages: "for documents", "for connecting"
   */
  public static Deadline after(Duration length, String purpose) {
    long nanos = Math.max(0, Math.min(length.toNanos(), Long.MAX_VALUE / 4));
    return new Deadline(System.nanoTime() + nanos, length, purpose);
  }

  /** Whichever comes first; null stands for no deadline. */
  public static Deadline earlier(Deadline a, Deadline b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.at - b.at <= 0 ? a : b;
  }

  /** Nanoseconds left, 0 or less once it has passed. */
  public long nanosLeft() {
    return at - System.nanoTime();
  }

  /** The time left, zero once it has passed. */
  public Duration left() {
    return Duration.ofNanos(Math.max(0, nanosLeft()));
  }

  public boolean passed() {
    return nanosLeft() <= 0;
  }

  /** How long it was set for. */
  public Duration length() {
    return length;
  }

  /** "the 60 s deadline for documents". */
  @Override
  public String toString() {
    return "the " + format(length) + " deadline " + purpose;
  }

  /** A duration for a message: "250 ms", "30 s", "1.5 s", "5 min". */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + " min";
    }
    return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.valueOf(ms / 1000.0)) + " s";
  }
}
