package dev.plinth.oci;

import java.io.IOException;
import java.util.function.Predicate;

/**
 * Where images are read from: a layout, an archive, a directory, a registry, a daemon. Reading
 * fetches the documents (manifests, index, configs) and checks them; layers are fetched only when
 * opened, where the backend allows.
 */
@FunctionalInterface
public interface ImageSource {
  /**
   * Reads the image, or the index of images and artifacts, the reference names.
   *
   * @param want which images of an index to read; an image it rejects is left out without being
   *     fetched where its platform is stated in the index. When anything is left out, the index
   *     document is computed afresh from the images kept, and its artifacts are left out too (they
   *     may be about the images left out); otherwise the index is kept as read, byte for byte.
   * @throws PlinthException NOT_FOUND when {@code want} leaves no image of an index that has some
   */
  ImageIndex read(Predicate<Platform> want) throws IOException, PlinthException;

  /** Reads everything the reference names. */
  default ImageIndex read() throws IOException, PlinthException {
    return read(p -> true);
  }
}
