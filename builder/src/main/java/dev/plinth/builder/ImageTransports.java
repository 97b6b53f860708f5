package dev.plinth.builder;

import dev.plinth.daemon.DaemonTransport;
import dev.plinth.oci.Compression;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.ImageSink;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import dev.plinth.oci.Transports;
import dev.plinth.registry.RegistryTransport;
import java.io.IOException;
import java.util.List;

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

  /**
   * zstd layers go where they can be read: Docker's archive format and the Docker daemon (its
   * classic image store) read only gzip layers.
   */
  static void checkCompression(ImageRef target, Compression c) throws PlinthException {
    if (c.isZstd() && (target.transport().equals(ImageRef.DOCKER_ARCHIVE)
        || target.transport().equals(ImageRef.DOCKER_DAEMON))) {
      throw new PlinthException(PlinthException.Kind.USAGE, target + ": "
          + target.transport() + " cannot hold zstd layers (Docker reads only gzip ones there); use"
          + " --compression gzip (or compression: gzip in the build file), or write zstd to"
          + " oci:, oci-archive: or a registry");
    }
  }

  /** Writes {@code index} to {@code target} and returns what the target's reference now names. */
  static Descriptor write(ImageRef target, ImageSink sink,
      ImageIndex index, List<String> notes) throws IOException, PlinthException {
    return guard(target, () -> sink.write(index, notes::add));
  }

  /**
   * Writes {@code index} for {@code target} without changing what the reference names yet
   * ({@link ImageSink#stage}); commit it with {@link #commit}, or close it to drop it.
   */
  static ImageSink.Staged stage(ImageRef target, ImageSink sink, ImageIndex index,
      List<String> notes) throws IOException, PlinthException {
    return guard(target, () -> sink.stage(index, notes::add));
  }

  /** Commits a staged write and returns what the target's reference now names. */
  static Descriptor commit(ImageRef target, ImageSink.Staged staged)
      throws IOException, PlinthException {
    return guard(target, staged::commit);
  }

  private interface Step<T> {
    T run() throws IOException, PlinthException;
  }

  /** Runs a step of writing to {@code target}; a failure to write names the target. */
  private static <T> T guard(ImageRef target, Step<T> step) throws IOException, PlinthException {
    try {
      return step.run();
    } catch (StreamFailure e) {
      throw e; // of its own kind: a registry's refusal, an input whose bytes do not match
    } catch (java.nio.file.FileSystemException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": cannot write " + e.getFile() + ": " + (e.getReason() == null
              ? e.getClass().getSimpleName() : e.getReason()), e);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": writing failed: " + e.getMessage(), e);
    }
  }

  private ImageTransports() {}
}
