package dev.plinth.registry;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;

/**
 * A registry failure met while streaming a blob, where only IOException may be thrown: the
 * registry's answer with its own kind (a refused token NOT_FOUND, a download that broke off too
 * often, ...), which the front ends map to an exit code as they do a {@link PlinthException}.
 */
public final class RegistryFailure extends StreamFailure {
  private static final long serialVersionUID = 1L;

  public RegistryFailure(PlinthException failure) {
    super(failure);
  }
}
