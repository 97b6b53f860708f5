package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Images for several platforms. With one image, sinks write that image's manifest alone; with
 * several, an OCI image index that lists them.
 */
public interface ImageIndex {
  List<Image> images();

  /** The index document listing every image with its platform. */
  Blob index() throws IOException;

  static ImageIndex of(List<Image> images, Map<String, String> annotations) throws IOException {
    if (images.isEmpty()) {
      throw new IllegalArgumentException("an index needs at least one image");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_INDEX);
    List<Object> manifests = new ArrayList<>();
    for (Image image : images) {
      manifests.add(image.manifest().descriptor().withPlatform(image.platform()).toJson());
    }
    m.put("manifests", manifests);
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return new Value(images, Blob.of(MediaTypes.OCI_INDEX, Json.write(m)));
  }

  /** An index whose images and document are known. */
  record Value(List<Image> images, Blob index) implements ImageIndex {
    public Value {
      images = List.copyOf(images);
    }
  }

  /** What a layout's index.json points at: the lone manifest, or the index of several. */
  default Descriptor top() throws IOException {
    List<Image> images = images();
    if (images.size() == 1) {
      return images.get(0).manifest().descriptor().withPlatform(images.get(0).platform());
    }
    return index().descriptor();
  }

  /** Every blob, each once, children before the documents that name them. */
  default List<Blob> blobs() throws IOException {
    Map<Digest, Blob> all = new LinkedHashMap<>();
    for (Image image : images()) {
      for (Layer layer : image.layers()) {
        all.putIfAbsent(layer.blob().descriptor().digest(), layer.blob());
      }
      all.putIfAbsent(image.config().descriptor().digest(), image.config());
      all.putIfAbsent(image.manifest().descriptor().digest(), image.manifest());
    }
    if (images().size() > 1) {
      all.putIfAbsent(index().descriptor().digest(), index());
    }
    return new ArrayList<>(all.values());
  }
}
