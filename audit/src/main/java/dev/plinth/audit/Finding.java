package dev.plinth.audit;

import java.util.Objects;

/**
 * One thing an audit found.
 *
 * @param platform the platform whose image it was found in, e.g. linux/amd64; null for the index
 *     as a whole (a platform it lacks, a :latest tag)
 * @param path the file in the image it concerns, absolute (e.g. /etc/passwd); null when none
 * @param message what was found, in a sentence a person reads; never a secret's value
 * @param suppression the suppression that accepts it (it then fails nothing), or null
 */
public record Finding(Rule rule, Severity severity, String platform, String path, String message,
    Suppression suppression) {
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
  }

  /** A finding no suppression accepts. */
  public Finding(Rule rule, Severity severity, String platform, String path, String message) {
    this(rule, severity, platform, path, message, null);
  }

  public boolean suppressed() {
    return suppression != null;
  }

  /** This finding, accepted by {@code s}. */
  Finding suppressedBy(Suppression s) {
    return new Finding(rule, severity, platform, path, message, s);
  }
}
