package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One platform's image: a config and its layers, bottom first. */
public interface Image {
  Platform platform();

  Blob config();

  List<Layer> layers();

  /** The image manifest. */
  Blob manifest() throws IOException;

  /**
   * An image whose manifest is computed (once) from its parts.
   *
   * @param annotations manifest annotations
   */
  static Image of(Platform platform, Blob config, List<Layer> layers, Map<String, String> annotations)
      throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    m.put("mediaType", MediaTypes.OCI_MANIFEST);
    m.put("config", config.descriptor().toJson());
    List<Object> ls = new ArrayList<>();
    for (Layer layer : layers) {
      ls.add(layer.blob().descriptor().toJson());
    }
    m.put("layers", ls);
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return new Value(platform, config, layers, Blob.of(MediaTypes.OCI_MANIFEST, Json.write(m)));
  }

  /** An image whose parts, manifest included, are all known. */
  record Value(Platform platform, Blob config, List<Layer> layers, Blob manifest) implements Image {
    public Value {
      layers = List.copyOf(layers);
    }
  }
}
