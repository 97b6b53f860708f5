package dev.plinth.registry;

import dev.plinth.oci.PlinthException;
import java.io.IOException;

/**
 * A registry failure met while streaming a blob, where only IOException may be thrown: it carries
 * the {@link PlinthException} (and so the exit code) the facade reports.
 */
public final class RegistryFailure extends IOException {
  private static final long serialVersionUID = 1L;

  private final PlinthException failure;

  public RegistryFailure(PlinthException failure) {
    super(failure.getMessage(), failure);
    this.failure = failure;
  }

  public PlinthException failure() {
    return failure;
  }

  /** The PlinthException a RegistryFailure in {@code t}'s causes carries, or null. */
  public static PlinthException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof RegistryFailure f) {
        return f.failure;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
