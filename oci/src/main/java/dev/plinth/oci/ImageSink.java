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

  /**
   * Writes as {@link #write} does, but leaves the reference as it was until {@link
   * Staged#commit}: a build writes its image while its last check runs, and a check that fails
   * drops what was written ({@link Staged#close}) with nothing changed at the reference. A sink
   * that cannot hold a write back (a registry, a daemon) writes it all on commit.
   */
  default Staged stage(ImageIndex index, Consumer<String> notes)
      throws IOException, PlinthException {
    return new Staged() {
      @Override
      public Descriptor commit() throws IOException, PlinthException {
        return write(index, notes);
      }

      @Override
      public void close() {}
    };
  }

  /** A write held back: committed once, or closed (and dropped) without. */
  interface Staged extends AutoCloseable {
    /** Makes the reference name what was written; returns what it names. */
    Descriptor commit() throws IOException, PlinthException;

    /** Drops what was written, unless it was committed. */
    @Override
    void close() throws IOException;
  }
}
