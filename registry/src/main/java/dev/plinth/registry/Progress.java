package dev.plinth.registry;

import dev.plinth.oci.Digest;
import java.time.Duration;

/**
 * What a transfer reports as it goes; called from several threads at once. {@link #NONE} ignores
 * everything.
 */
public interface Progress {
  /** How a blob or manifest got to its destination. */
  enum Outcome {
    /** The destination had it already (one HEAD). */
    EXISTS,
    /** Mounted from another repository of the same registry, without moving its bytes. */
    MOUNTED,
    /** Its bytes were uploaded. */
    PUSHED,
    /** Its bytes were downloaded. */
    PULLED
  }

  /** A blob transfer starts. */
  default void started(Digest digest, long size) {}

  /** {@code bytes} more of it moved. */
  default void advanced(Digest digest, long bytes) {}

  /** It is done. */
  default void finished(Digest digest, long size, Outcome outcome) {}

  /** A request is retried after {@code wait}, because of {@code why} (a status or an error). */
  default void retrying(String what, int attempt, Duration wait, String why) {}

  Progress NONE = new Progress() {};
}
