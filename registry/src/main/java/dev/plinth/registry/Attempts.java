package dev.plinth.registry;

import dev.plinth.http.Deadline;
import dev.plinth.http.DeadlineException;
import dev.plinth.http.Headers;
import dev.plinth.http.Limits;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The attempts of one request and their budget: retries on 408, 429, 5xx and dropped connections,
 * waiting with backoff (or as Retry-After says, capped), at most {@link RegistryOptions#attempts()}
 * tries, and bounded in total time. A document's request (ping, token, manifest, config, upload
 * session) has one deadline for all of it ({@link RegistryOptions.Deadlines#document()}): a try
 * in progress ends there, and no wait goes past it. A blob's has none (a big one takes what it
 * takes), but it is not tried again once {@link RegistryOptions.Deadlines#idle()} has passed since
 * it started or last moved a byte.
 */
final class Attempts {
  private final RegistryOptions options;
  private final Deadline deadline;
  private long since = System.nanoTime();
  private int number = 1;
  private boolean budgetEnded;

  private Attempts(RegistryOptions options, Deadline deadline) {
    this.options = options;
    this.deadline = deadline;
  }

  /** A document's request: all of it by the document deadline, from now. */
  static Attempts document(RegistryOptions o) {
    return new Attempts(o, Deadline.after(o.deadlines().document(), "for documents"));
  }

  /** A blob's request. */
  static Attempts blob(RegistryOptions o) {
    return new Attempts(o, null);
  }

  boolean isDocument() {
    return deadline != null;
  }

  /** The document deadline; null for a blob's request. */
  Deadline deadline() {
    return deadline;
  }

  /** The try in progress, from 1. */
  int number() {
    return number;
  }

  /** The limits of the next try. */
  Limits limits() {
    RegistryOptions.Deadlines d = options.deadlines();
    return deadline != null ? new Limits(d.document(), null, deadline)
        : new Limits(d.idle(), d.head(), null);
  }

  /** A blob's bytes moved: its budget for tries starts again. */
  void progressed() {
    since = System.nanoTime();
  }

  /**
   * Whether another try may start after {@code wait}: not after the last one, nor past the
   * budget. If it may, reports it to the progress, waits and counts it.
   */
  boolean again(Duration wait, String what, String why) throws InterruptedIOException {
    if (number >= options.attempts()) {
      return false;
    }
    long w = wait.toNanos();
    if (deadline != null ? deadline.nanosLeft() <= w
        : System.nanoTime() - since + w >= options.deadlines().idle().toNanos()) {
      budgetEnded = true;
      return false;
    }
    options.progress().retrying(what, number, wait, why);
    sleep(wait);
    number++;
    return true;
  }

  /** Whether the tries ended because the budget did (not because they were all used). */
  boolean budgetEnded() {
    return budgetEnded || (deadline != null && deadline.passed());
  }

  /**
   * Why the request failed, with its tries: "no complete answer within the 60 s deadline for
   * documents (3 attempts; last: HTTP 503)", "cannot connect (after 5 tries)".
   */
  String outcome(IOException e) {
    boolean ours = e instanceof DeadlineException d && d.deadline() == deadline;
    return outcome(ours ? null : Failures.describe(e));
  }

  /** As {@link #outcome(IOException)}, for the last try's answer or failure in words. */
  String outcome(String last) {
    String tries = number + (number == 1 ? " attempt" : " attempts");
    if (deadline != null && (last == null || budgetEnded())) {
      return "no complete answer within " + deadline + " (" + tries
          + (last == null ? "" : "; last: " + last) + ")";
    }
    if (budgetEnded) {
      return last + " (" + tries + "; a blob is not tried again "
          + Deadline.format(options.deadlines().idle()) + " after its start or last byte)";
    }
    return last + (number > 1 ? " (after " + number + " tries)" : "");
  }

  // ---- waits ----

  static boolean retryableStatus(int s) {
    return s == 408 || s == 429 || s == 499 || (s >= 500 && s != 501 && s != 505 && s != 511);
  }

  /** How long to wait before the next try after an answer: its Retry-After, else the backoff. */
  Duration wait(Headers h) {
    return h.firstValue("Retry-After").flatMap(v -> parseRetryAfter(v.trim(), options.maxWait()))
        .orElse(backoff());
  }

  /** Retry-After in seconds or as an HTTP date, capped at {@code max}. */
  static Optional<Duration> parseRetryAfter(String v, Duration max) {
    Duration d;
    if (v.matches("[0-9]{1,10}")) {
      d = Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        d = Duration.between(ZonedDateTime.now(t.getZone()), t);
        if (d.isNegative()) {
          d = Duration.ZERO;
        }
      } catch (java.time.format.DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.of(d.compareTo(max) > 0 ? max : d);
  }

  /** The backoff after the try in progress: doubling from the first wait, capped, jittered. */
  Duration backoff() {
    long base = options.backoff().toMillis() << Math.min(number - 1, 16);
    long capped = Math.min(base, options.maxWait().toMillis());
    long jitter = capped <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
    return Duration.ofMillis(Math.min(capped + jitter, options.maxWait().toMillis()));
  }

  static void sleep(Duration d) throws InterruptedIOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }
}
