package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One platform's image: a config and its layers, bottom first. */
public interface Image {
  Platform platform();

  Blob config();

  List<Layer> layers();

  /** The image manifest. */
  Blob manifest() throws IOException;

  /**
   * An image whose OCI manifest is computed (once) from its parts.
   *
   * @param annotations manifest annotations
   */
  static Image of(Platform platform, Blob config, List<Layer> layers, Map<String, String> annotations)
      throws IOException {
    List<Descriptor> ls = new ArrayList<>();
    for (Layer layer : layers) {
      ls.add(layer.blob().descriptor());
    }
    Manifest m = Manifest.of(MediaTypes.OCI_MANIFEST, config.descriptor(), ls, annotations);
    return new Value(platform, config, layers, m.blob());
  }

  /** An image whose parts, manifest included, are all known. */
  record Value(Platform platform, Blob config, List<Layer> layers, Blob manifest) implements Image {
    public Value {
      layers = List.copyOf(layers);
    }
  }
}
