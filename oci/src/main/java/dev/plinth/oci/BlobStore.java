package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;

/**
 * Blobs fetched by descriptor: what {@link ImageReader} reads manifests, configs and layers
 * from, whatever holds them (a layout's blobs/sha256, an archive, a directory, a registry).
 */
public interface BlobStore {
  /** Names the store in messages, e.g. {@code oci:out} or {@code registry.example/app}. */
  String what();

  /** The blob {@code d} names, fetched when opened and checked against {@code d} as it is read. */
  Blob blob(Descriptor d) throws IOException, PlinthException;

  /**
   * A small blob (a config) read whole now: checked against {@code d}, at most {@link
   * ImageReader#MAX_DOCUMENT} bytes; a blob that holds its bytes.
   */
  default Blob document(Descriptor d) throws IOException, PlinthException {
    return Blob.of(d.mediaType(), readChecked(this, blob(d), d));
  }

  /** The bytes of the manifest or index {@code d} names (registries serve those apart). */
  default byte[] manifest(Descriptor d) throws IOException, PlinthException {
    return readChecked(this, blob(d), d);
  }

  /** Reads a document blob whole, capped and checked; a mismatch is BAD_INPUT naming the store. */
  static byte[] readChecked(BlobStore store, Blob blob, Descriptor d)
      throws IOException, PlinthException {
    if (d.size() > ImageReader.MAX_DOCUMENT) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + ": "
          + d.mediaType() + " " + d.digest() + " is " + d.size() + " bytes, over the "
          + ImageReader.MAX_DOCUMENT + "-byte limit for a document");
    }
    try (InputStream in = blob.verifiesItself() ? blob.open() : Blobs.verifying(d, blob.open())) {
      return in.readAllBytes();
    } catch (ContentMismatchException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + ": "
          + e.getMessage(), e);
    }
  }
}
