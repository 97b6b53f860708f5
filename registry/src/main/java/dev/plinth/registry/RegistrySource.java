package dev.plinth.registry;

import dev.plinth.oci.Blob;
import dev.plinth.oci.BlobStore;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.util.function.Predicate;

/**
 * Reads images from a registry, lazily: the manifests and configs are fetched (and verified) at
 * once, each layer only when it is opened. The manifests are read by the same {@link ImageReader}
 * as a layout's, over the repository's blobs.
 */
public final class RegistrySource {
  /** Reads every platform of what {@code ref} names. */
  public static ImageIndex read(RegistryRef ref, RegistryOptions options)
      throws IOException, PlinthException {
    return read(ref, options, p -> true);
  }

  /**
   * Reads the images of {@code ref} whose platform {@code want} accepts (from an index; a lone
   * manifest is read whatever its platform), as {@link dev.plinth.oci.ImageSource#read} says.
   */
  public static ImageIndex read(RegistryRef ref, RegistryOptions options,
      Predicate<Platform> want) throws IOException, PlinthException {
    RegistryClient client = RegistryClient.forPull(ref, options);
    RegistryClient.Manifest top = client.manifest(ref.repository(), ref.reference(), ref.digest());
    Descriptor d = new Descriptor(top.mediaType(), top.digest(), top.bytes().length);
    return ImageReader.read(new Store(client, ref), d, top.bytes(), want);
  }

  /** The blobs and manifests of one repository. */
  private record Store(RegistryClient client, RegistryRef ref) implements BlobStore {
    @Override
    public String what() {
      return ref.toString();
    }

    @Override
    public Blob blob(Descriptor d) {
      return client.blob(ref.repository(), d);
    }

    @Override
    public Blob document(Descriptor d) throws IOException, PlinthException {
      return client.blob(ref.repository(), d, client.readSmallBlob(ref.repository(), d));
    }

    @Override
    public byte[] manifest(Descriptor d) throws IOException, PlinthException {
      if (d.size() > ImageReader.MAX_DOCUMENT) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, ref + ": manifest "
            + d.digest() + " is " + d.size() + " bytes, over the " + ImageReader.MAX_DOCUMENT
            + "-byte limit");
      }
      RegistryClient.Manifest m = client.manifest(ref.repository(), d.digest().toString(),
          d.digest());
      if (m.bytes().length != d.size()) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, ref + " manifest "
            + d.digest() + " is " + m.bytes().length + " bytes; the index says " + d.size());
      }
      return m.bytes();
    }
  }

  private RegistrySource() {}
}
