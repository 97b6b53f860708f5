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
   * A sink that writes under {@code ref} and under each of {@code tags} besides ({@link
   * ImageRef#withTag}): the same image, several names. By default one write per name, each
   * skipping the blobs the one before wrote (a layout, a registry); a transport that writes a
   * whole file at once puts every name in it.
   *
   * @return a sink whose result is what {@code ref} names
   */
  default ImageSink sink(ImageRef ref, List<String> tags) throws PlinthException {
    List<ImageSink> sinks = new java.util.ArrayList<>();
    sinks.add(sink(ref));
    for (String tag : tags) {
      sinks.add(sink(ref.withTag(tag)));
    }
    return (index, notes) -> {
      Descriptor top = sinks.get(0).write(index, notes);
      for (ImageSink s : sinks.subList(1, sinks.size())) {
        s.write(index, notes);
      }
      return top;
    };
  }

  /**
   * A transport that writes all of an image's names in one go (a docker-archive's RepoTags, a
   * daemon's load): what it writes under one name is its write with no further tags.
   */
  interface AllNamesAtOnce extends Transport {
    @Override
    ImageSink sink(ImageRef ref, List<String> tags) throws PlinthException;

    @Override
    default ImageSink sink(ImageRef ref) throws PlinthException {
      return sink(ref, List.of());
    }
  }

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
