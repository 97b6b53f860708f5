package dev.plinth.oci;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Where images are written to. A sink skips blobs it has already, checks every blob's digest as
 * it streams it, and makes the reference point at the new image only when everything it names is
 * written.
 */
@FunctionalInterface
public interface ImageSink {
  /**
   * Writes the index (every image and artifact, and the index document) or, when {@link
   * ImageIndex#isIndex()} is false, its lone image or artifact.
   *
   * @param notes told what a user should know: what was left out (artifacts a sink cannot hold,
   *     platforms a daemon does not run), where it went
   * @return what the reference now names
   */
  Descriptor write(ImageIndex index, Consumer<String> notes) throws IOException, PlinthException;
}
