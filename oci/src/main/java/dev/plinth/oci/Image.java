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
    Blob manifest = Blob.of(MediaTypes.OCI_MANIFEST, Json.write(m));
    List<Layer> layersCopy = List.copyOf(layers);
    return new Image() {
      @Override
      public Platform platform() {
        return platform;
      }

      @Override
      public Blob config() {
        return config;
      }

      @Override
      public List<Layer> layers() {
        return layersCopy;
      }

      @Override
      public Blob manifest() {
        return manifest;
      }
    };
  }
}
