package dev.plinth.registry;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;

/** Random images for registry tests: layers of random bytes (registries never look inside). */
public final class TestImages {
  /** An image whose layers are {@code sizes} random bytes each, from {@code seed}. */
  public static Image image(Platform p, long seed, int... sizes) throws IOException {
    Random r = new Random(seed);
    List<Layer> layers = new ArrayList<>();
    List<String> diffIds = new ArrayList<>();
    for (int size : sizes) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      Digest diff = Digest.of(("diff" + seed + size + layers.size()).getBytes());
      layers.add(new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_GZIP, b), diff, OptionalLong.empty()));
      diffIds.add(diff.toString());
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", p.architecture());
    config.put("os", p.os());
    config.put("config", Map.of("Env", List.of("PATH=/bin")));
    config.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
    return Image.of(p, Blob.of(MediaTypes.OCI_CONFIG, Json.write(config)), layers, Map.of());
  }

  public static ImageIndex single(long seed, int... sizes) throws IOException {
    return ImageIndex.of(List.of(image(Platform.LINUX_AMD64, seed, sizes)), Map.of());
  }

  public static ImageIndex two(long seed, int... sizes) throws IOException {
    return ImageIndex.of(List.of(image(Platform.LINUX_AMD64, seed, sizes),
        image(Platform.LINUX_ARM64, seed + 1, sizes)), Map.of());
  }

  private TestImages() {}
}
