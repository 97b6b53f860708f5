package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a reference names: an index of images (one per platform) and of artifacts about them
 * (signatures, SBOMs, attestations), or one image alone. Sinks write the index document when
 * {@link #isIndex()}, else the lone image's manifest.
 */
public interface ImageIndex {
  /** The images, in the order the index lists them. */
  List<Image> images();

  /** The artifacts, in the order the index lists them: copied, never run or audited. */
  default List<Artifact> artifacts() {
    return List.of();
  }

  /** The index document, listing every image (with its platform) and artifact. */
  Blob index() throws IOException;

  /** Whether a reference to this names the index document; false: its lone image (or artifact). */
  default boolean isIndex() {
    return images().size() + artifacts().size() != 1;
  }

  /** Every manifest the index lists, images and artifacts, as it lists them. */
  default List<Descriptor> manifests() throws IOException, PlinthException {
    return Index.parse(index().readAllBytes(), "index " + index().descriptor().digest())
        .manifests();
  }

  /** The image that {@code child} (one of {@link #manifests()}) names; empty for an artifact. */
  default Optional<Image> image(Descriptor child) throws IOException {
    for (Image i : images()) {
      if (i.manifest().descriptor().digest().equals(child.digest())) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** The artifact that {@code child} (one of {@link #manifests()}) names; empty for an image. */
  default Optional<Artifact> artifact(Descriptor child) throws IOException {
    for (Artifact a : artifacts()) {
      if (a.manifest().descriptor().digest().equals(child.digest())) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /**
   * An index of these images, its document computed (its digest then depends only on them); the
   * reference names the lone image's manifest when there is one image.
   */
  static ImageIndex of(List<Image> images, Map<String, String> annotations) throws IOException {
    return of(images, List.of(), annotations, false);
  }

  /**
   * An index of these images and artifacts, its document computed: the images with their
   * platforms, then the artifacts with their artifact types.
   *
   * @param asIndex the reference names the index even when it lists one manifest
   */
  static ImageIndex of(List<Image> images, List<Artifact> artifacts,
      Map<String, String> annotations, boolean asIndex) throws IOException {
    if (images.isEmpty() && artifacts.isEmpty()) {
      throw new IllegalArgumentException("an index needs at least one image");
    }
    List<Descriptor> manifests = new ArrayList<>();
    for (Image image : images) {
      manifests.add(image.manifest().descriptor().withPlatform(image.platform()));
    }
    for (Artifact a : artifacts) {
      String type = a.document().artifactType();
      manifests.add(type == null ? a.manifest().descriptor()
          : a.manifest().descriptor().withArtifactType(type));
    }
    Blob doc = Index.of(MediaTypes.OCI_INDEX, manifests, annotations).blob();
    return new Value(images, artifacts, doc, asIndex || manifests.size() != 1);
  }

  /** An index whose images, artifacts and document are known. */
  record Value(List<Image> images, List<Artifact> artifacts, Blob index, boolean isIndex)
      implements ImageIndex {
    public Value {
      images = List.copyOf(images);
      artifacts = List.copyOf(artifacts);
    }
  }

  /** What the reference names: the index document, or the lone manifest (with its platform). */
  default Descriptor top() throws IOException {
    if (isIndex()) {
      return index().descriptor();
    }
    if (images().isEmpty()) {
      Artifact a = artifacts().get(0);
      String type = a.document().artifactType();
      return type == null ? a.manifest().descriptor()
          : a.manifest().descriptor().withArtifactType(type);
    }
    return images().get(0).manifest().descriptor().withPlatform(images().get(0).platform());
  }

  /** A manifest the index names (an image's or an artifact's) and the blobs it names. */
  record Child(Blob manifest, List<Blob> blobs) {}

  /** Each manifest with its blobs: the images, then the artifacts. */
  default List<Child> children() throws IOException {
    List<Child> out = new ArrayList<>();
    for (Image image : images()) {
      List<Blob> blobs = new ArrayList<>();
      for (Layer layer : image.layers()) {
        blobs.add(layer.blob());
      }
      blobs.add(image.config());
      out.add(new Child(image.manifest(), blobs));
    }
    for (Artifact a : artifacts()) {
      out.add(new Child(a.manifest(), a.blobs()));
    }
    return out;
  }

  /** Every blob, each once, children before the documents that name them. */
  default List<Blob> blobs() throws IOException {
    Map<Digest, Blob> all = new LinkedHashMap<>();
    for (Child c : children()) {
      for (Blob b : c.blobs()) {
        all.putIfAbsent(b.descriptor().digest(), b);
      }
      all.putIfAbsent(c.manifest().descriptor().digest(), c.manifest());
    }
    if (isIndex()) {
      all.putIfAbsent(index().descriptor().digest(), index());
    }
    return new ArrayList<>(all.values());
  }
}
