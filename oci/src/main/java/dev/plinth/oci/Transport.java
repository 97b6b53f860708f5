package dev.plinth.oci;

import java.util.List;

/**
 * One kind of place images live in, named by a prefix of {@link ImageRef} ({@code oci}, {@code
 * dir}, {@code docker}...): how to read from it and write to it. {@link Transports} holds each
 * under its prefix and finds the one a reference names.
 */
public interface Transport {
  ImageSource source(ImageRef ref) throws PlinthException;

  ImageSink sink(ImageRef ref) throws PlinthException;

  /**
   * Checks up front, before anything is built or read, that {@code target} can take an image of
   * these platforms, and says which it will hold.
   *
   * @return the platforms written (all of them, unless the target holds fewer: a daemon runs its
   *     own)
   * @throws PlinthException USAGE when it cannot (a docker-archive holds one platform)
   */
  default List<Platform> check(ImageRef target, List<Platform> platforms) throws PlinthException {
    return platforms;
  }
}
