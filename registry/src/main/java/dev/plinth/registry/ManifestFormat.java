package dev.plinth.registry;

import dev.plinth.oci.Artifact;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Index;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The two manifest formats a registry takes: OCI (plinth's own) and Docker's v2 schema 2 (a
 * manifest list for several platforms), for registries or tools that want the latter. Converting
 * keeps every layer's bytes (and digest); the manifests, config descriptor and index are
 * rewritten, without annotations in the Docker format, which has none.
 */
public enum ManifestFormat {
  OCI,
  V2S2;

  /** Parses {@code oci} or {@code v2s2} (also {@code docker}). */
  public static ManifestFormat parse(String s) throws PlinthException {
    return switch (s.toLowerCase(Locale.ROOT)) {
      case "oci" -> OCI;
      case "v2s2", "docker" -> V2S2;
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "--manifest-format must be oci or v2s2, not '" + s + "'");
    };
  }

  private String manifestType() {
    return this == OCI ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_MANIFEST;
  }

  private String indexType() {
    return this == OCI ? MediaTypes.OCI_INDEX : MediaTypes.DOCKER_MANIFEST_LIST;
  }

  private String configType() {
    return this == OCI ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG;
  }

  private String layerType(String mt, Descriptor d) throws PlinthException {
    boolean gzip = mt.equals(MediaTypes.OCI_LAYER_GZIP) || mt.equals(MediaTypes.DOCKER_LAYER_GZIP);
    if (gzip) {
      return this == OCI ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP;
    }
    if (this == OCI) {
      return mt;
    }
    throw new PlinthException(PlinthException.Kind.USAGE, "layer " + d.digest() + " is " + mt
        + ", which a Docker v2 schema 2 manifest cannot hold; push it as --manifest-format oci");
  }

  /** Whether every document of {@code index} is of this format already. */
  public boolean holds(ImageIndex index) throws IOException {
    for (Image i : index.images()) {
      if (!i.manifest().descriptor().mediaType().equals(manifestType())) {
        return false;
      }
    }
    if (this == V2S2 && !index.artifacts().isEmpty()) {
      return false;
    }
    return !index.isIndex() || index.index().descriptor().mediaType().equals(indexType());
  }

  /**
   * {@code index} in this format: itself when it is already, else rewritten. Artifacts stay as
   * they are in OCI's; Docker's manifest list cannot list them.
   */
  public ImageIndex convert(ImageIndex index) throws IOException, PlinthException {
    if (holds(index)) {
      return index;
    }
    if (this == V2S2 && !index.artifacts().isEmpty()) {
      throw new PlinthException(PlinthException.Kind.USAGE, "the index lists "
          + index.artifacts().size() + " artifacts (signatures, SBOMs, attestations), which a"
          + " Docker manifest list cannot list; push it as --manifest-format oci");
    }
    List<Image> images = new ArrayList<>();
    List<Descriptor> manifests = new ArrayList<>();
    for (Image i : index.images()) {
      Blob config = retype(i.config(), configType());
      List<Layer> layers = new ArrayList<>();
      List<Descriptor> layerDescriptors = new ArrayList<>();
      for (Layer l : i.layers()) {
        Descriptor d = l.blob().descriptor();
        Blob b = retype(l.blob(), layerType(d.mediaType(), d));
        layers.add(new Layer.Value(b, l.diffId(), l.uncompressedSize()));
        layerDescriptors.add(plain(b.descriptor()));
      }
      Blob manifest = Manifest.of(manifestType(), plain(config.descriptor()), layerDescriptors,
          Map.of()).blob();
      images.add(new Image.Value(i.platform(), config, layers, manifest));
      Descriptor md = manifest.descriptor();
      manifests.add(new Descriptor(md.mediaType(), md.digest(), md.size(), i.platform(), Map.of()));
    }
    for (Artifact a : index.artifacts()) {
      Descriptor md = a.manifest().descriptor();
      manifests.add(a.document().artifactType() == null ? md
          : md.withArtifactType(a.document().artifactType()));
    }
    Blob doc = Index.of(indexType(), manifests, Map.of()).blob();
    return new ImageIndex.Value(images, index.artifacts(), doc, index.isIndex());
  }

  /** The descriptor as a manifest of this format holds it: Docker's has no annotations. */
  private Descriptor plain(Descriptor d) {
    return new Descriptor(d.mediaType(), d.digest(), d.size(), null,
        this == OCI ? d.annotations() : Map.of());
  }

  /** The same bytes under another media type. */
  static Blob retype(Blob b, String mediaType) throws IOException {
    Descriptor d = b.descriptor();
    if (d.mediaType().equals(mediaType)) {
      return b;
    }
    if (b instanceof RegistryClient.RemoteBlob rb) {
      return rb.withMediaType(mediaType);
    }
    return Blob.of(d.withMediaType(mediaType), b::open);
  }
}
