package dev.plinth.builder;

import dev.plinth.daemon.DaemonTransport;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Transports;
import dev.plinth.registry.RegistryTransport;

/**
 * The transports the facade reads and writes through, all of them, in one place: the files and
 * directories of {@code oci} ({@code oci:}, {@code oci-archive:}, {@code dir:}, {@code
 * docker-archive:}), the registry and the daemon, each set up from the options.
 */
final class ImageTransports {
  static Transports of(Plinth.Options options) {
    return Transports.local(options.epochSeconds())
        .with(ImageRef.REGISTRY, new RegistryTransport(options.registry()))
        .with(ImageRef.DOCKER_DAEMON, new DaemonTransport(options::daemon, options.epochSeconds()));
  }

  private ImageTransports() {}
}
