package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Retries, their waits and their budget, and how a request that used them up is described. */
class AttemptsTest {
  @Test
  void retryAfter_secondsDatesAndGarbage_capped() {
    Duration max = Duration.ofSeconds(30);
    assertEquals(Duration.ofSeconds(5), Attempts.parseRetryAfter("5", max).orElseThrow());
    assertEquals(max, Attempts.parseRetryAfter("86400", max).orElseThrow());
    assertEquals(Duration.ZERO, Attempts.parseRetryAfter(
        "Wed, 21 Oct 2015 07:28:00 GMT", max).orElseThrow());
    String later = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        ZonedDateTime.now(ZoneOffset.UTC).plusHours(2));
    assertEquals(max, Attempts.parseRetryAfter(later, max).orElseThrow());
    assertTrue(Attempts.parseRetryAfter("soon", max).isEmpty());
    assertTrue(Attempts.parseRetryAfter("-1", max).isEmpty());
  }

  /**
   * Anonymous, {@code attempts} tries 1 ms apart, deadlines of 1 s but for documents (1 min) and
   * for a blob's idle time.
   */
  private static RegistryOptions options(int attempts, Duration blobIdle) {
    return new RegistryOptions(new CredentialStore(null, Map.of(), null), Set.of(), null, 1, 1,
        attempts, Duration.ofMillis(1), Duration.ofSeconds(1), Progress.NONE, null)
        .withDeadlines(new RegistryOptions.Deadlines(Duration.ofSeconds(1), Duration.ofMinutes(1),
            Duration.ofSeconds(1), blobIdle));
  }

  @Test
  void documentRetries_endAtTheDeadline_andSaySo() throws IOException {
    Attempts a = Attempts.document(options(5, Duration.ofSeconds(1)));
    assertTrue(a.again(Duration.ZERO, "x", "HTTP 503"));
    assertEquals(false, a.again(Duration.ofMinutes(2), "x", "HTTP 503"),
        "a wait that would end past the deadline is not started");
    assertEquals("no complete answer within the 1 min deadline for documents (2 attempts; last:"
        + " cannot connect (connection refused or unreachable))",
        a.outcome(new ConnectException("refused")));
  }

  @Test
  void blobRetries_endOnceTheIdleTimeHasPassedSinceTheLastByte() throws IOException {
    Attempts a = Attempts.blob(options(5, Duration.ofMinutes(5)));
    assertTrue(a.again(Duration.ZERO, "x", "reset"));
    assertEquals(false, a.again(Duration.ofMinutes(6), "x", "reset"));
    assertEquals("timed out (2 attempts; a blob is not tried again 5 min after its start or last"
        + " byte)", a.outcome(new java.net.SocketTimeoutException("Read timed out")));
  }

  @Test
  void usedUpAttempts_sayHowMany() throws IOException {
    Attempts a = Attempts.document(options(2, Duration.ofMinutes(5)));
    assertTrue(a.again(Duration.ZERO, "x", "reset"));
    assertEquals(false, a.again(Duration.ZERO, "x", "reset"));
    assertEquals("cannot connect (connection refused or unreachable) (after 2 tries)",
        a.outcome(new ConnectException("refused")));
  }
}
