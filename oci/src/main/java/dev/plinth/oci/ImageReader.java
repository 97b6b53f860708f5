package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Reads images, indexes and artifacts from manifests down, over any {@link BlobStore}: a layout,
 * an archive, a directory, a registry. The input is untrusted: documents are size-capped and
 * parsed strictly, every blob is checked against its digest when read; layers are only opened
 * when someone reads them.
 */
public final class ImageReader {
  /** The largest manifest, index or config accepted (as registries cap them). */
  public static final int MAX_DOCUMENT = 4 << 20;

  /**
   * Reads what {@code top} is: an index (its images and artifacts) or one manifest.
   *
   * @param top the top document's descriptor: its media type, and its platform when an outer
   *     index (a layout's index.json) states one
   * @param bytes the top document, already checked against {@code top}
   * @param want which images of an index to keep (see {@link ImageSource#read}); a lone manifest
   *     is read whatever its platform
   */
  public static ImageIndex read(BlobStore store, Descriptor top, byte[] bytes,
      Predicate<Platform> want) throws IOException, PlinthException {
    if (MediaTypes.isIndex(top.mediaType())) {
      return readIndex(store, top, bytes, want);
    }
    if (!MediaTypes.isManifest(top.mediaType())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + " names "
          + top.digest() + " of media type '" + JsonFields.clean(top.mediaType())
          + "', which is not an image manifest or index");
    }
    Manifest m = Manifest.parse(bytes, store.what() + " manifest " + top.digest());
    if (m.isImage()) {
      return ImageIndex.of(List.of(image(store, top, bytes, m)), Map.of());
    }
    return ImageIndex.of(List.of(), List.of(artifact(store, top, bytes, m)), Map.of(), false);
  }

  private static ImageIndex readIndex(BlobStore store, Descriptor top, byte[] bytes,
      Predicate<Platform> want) throws IOException, PlinthException {
    String what = store.what() + " index " + top.digest();
    Index index = Index.parse(bytes, what);
    List<Image> images = new ArrayList<>();
    List<Artifact> artifacts = new ArrayList<>();
    List<String> platforms = new ArrayList<>();
    boolean filtered = false;
    boolean unread = false;
    for (Descriptor d : index.manifests()) {
      if (!MediaTypes.isManifest(d.mediaType())) {
        unread = true; // an index inside the index, or a kind of manifest plinth does not know
        continue;
      }
      if (d.platform() != null && d.artifactType() == null) {
        platforms.add(d.platform().toString());
        if (!want.test(d.platform())) {
          filtered = true;
          continue;
        }
      }
      byte[] mb = store.manifest(d);
      Manifest m = Manifest.parse(mb, store.what() + " manifest " + d.digest());
      if (!m.isImage()) {
        artifacts.add(artifact(store, d, mb, m));
        continue;
      }
      Image image = image(store, d, mb, m);
      if (d.platform() == null) {
        platforms.add(image.platform().toString());
        if (!want.test(image.platform())) {
          filtered = true;
          continue;
        }
      }
      images.add(image);
    }
    if (filtered) {
      if (images.isEmpty()) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, store.what()
            + " has no image for the platforms asked for (it has "
            + (platforms.isEmpty() ? "none" : String.join(", ", platforms)) + ")");
      }
      return ImageIndex.of(images, List.of(), Map.of(), true);
    }
    if (images.isEmpty() && artifacts.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " lists no image");
    }
    if (unread) {
      return ImageIndex.of(images, artifacts, Map.of(), true);
    }
    return new ImageIndex.Value(images, artifacts, Blob.of(top.mediaType(), bytes), true);
  }

  /** An image: its config read and checked now, its layers when opened. */
  private static Image image(BlobStore store, Descriptor d, byte[] bytes, Manifest m)
      throws IOException, PlinthException {
    Descriptor cd = m.config();
    Blob config = store.document(cd);
    String configWhat = store.what() + " config " + cd.digest();
    ImageConfig.Essentials c = ImageConfig.essentials(config.readAllBytes(), configWhat);
    List<Digest> diffIds = c.rootfs().diffIds();
    if (diffIds.size() != m.layers().size()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, configWhat + " lists "
          + diffIds.size() + " diff_ids for " + m.layers().size() + " layers");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < diffIds.size(); i++) {
      layers.add(new Layer.Value(blob(store, m.layers().get(i)), diffIds.get(i),
          OptionalLong.empty()));
    }
    Platform platform = d.platform() != null ? d.platform() : c.platform();
    return new Image.Value(platform, config, layers, Blob.of(d.mediaType(), bytes));
  }

  private static Artifact artifact(BlobStore store, Descriptor d, byte[] bytes, Manifest m)
      throws IOException, PlinthException {
    List<Blob> blobs = new ArrayList<>();
    blobs.add(blob(store, m.config()));
    for (Descriptor l : m.layers()) {
      blobs.add(blob(store, l));
    }
    return new Artifact.Value(Blob.of(d.mediaType(), bytes), m, blobs);
  }

  /** The blob a descriptor names: its embedded data when it has some, else the store's. */
  private static Blob blob(BlobStore store, Descriptor d) throws IOException, PlinthException {
    if (d.data() == null) {
      return store.blob(d);
    }
    byte[] data;
    try {
      data = Base64.getDecoder().decode(d.data());
    } catch (IllegalArgumentException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + ": the data of "
          + d.digest() + " is not base64");
    }
    if (data.length != d.size() || !Digest.of(data).equals(d.digest())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + ": the data of "
          + d.digest() + " does not match its digest");
    }
    return Blob.of(d.mediaType(), data);
  }

  /**
   * The media type of a manifest or index: its own {@code mediaType} field; without one, {@code
   * contentType} (what a registry served it as; null when none); else what its fields show (OCI
   * allows leaving it out).
   */
  public static String mediaType(byte[] bytes, String contentType, String what)
      throws PlinthException {
    JsonFields f = JsonFields.parse(bytes, what, MAX_DOCUMENT);
    f.schemaVersion2();
    String mt = f.optString("mediaType");
    if (mt == null || mt.isEmpty()) {
      if (contentType != null
          && (MediaTypes.isIndex(contentType) || MediaTypes.isManifest(contentType))) {
        mt = contentType;
      } else if (f.has("manifests")) {
        mt = MediaTypes.OCI_INDEX;
      } else if (f.has("config") && f.has("layers")) {
        mt = MediaTypes.OCI_MANIFEST;
      } else {
        throw JsonFields.bad(what, "has no mediaType and is neither an index nor a manifest");
      }
    }
    if (!MediaTypes.isIndex(mt) && !MediaTypes.isManifest(mt)) {
      throw JsonFields.bad(what, "has media type '" + JsonFields.clean(mt)
          + "', which is not an OCI or Docker v2 manifest or index");
    }
    return mt;
  }

  private ImageReader() {}
}
