package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Reads images from a registry, lazily: the manifests and configs are fetched (and verified) at
 * once, each layer only when it is opened.
 */
public final class RegistrySource {
  /** Reads every platform of what {@code ref} names. */
  public static ImageReader.Result read(RegistryRef ref, RegistryOptions options)
      throws IOException, PlinthException {
    return read(ref, options, p -> true);
  }

  /**
   * Reads the images of {@code ref} whose platform {@code want} accepts (from an index; a lone
   * manifest is read whatever its platform). When some of an index's images are left out, the
   * result's index document is computed afresh.
   */
  public static ImageReader.Result read(RegistryRef ref, RegistryOptions options,
      Predicate<Platform> want) throws IOException, PlinthException {
    RegistryClient client = RegistryClient.forPull(ref, options);
    String repo = ref.repository();
    RegistryClient.Manifest top = client.manifest(repo, ref.reference(), ref.digest());
    List<Image> images = new ArrayList<>();
    boolean all = true;
    if (MediaTypes.isIndex(top.mediaType())) {
      String what = ref + " index " + top.digest();
      JsonNode index = Json.read(top.bytes(), what);
      JsonNode list = index.get("manifests");
      if (list == null || !list.isArray()) {
        throw Documents.bad(what + " has no 'manifests' list");
      }
      for (JsonNode m : list) {
        Descriptor d = Documents.descriptor(m, what);
        if (!MediaTypes.isManifest(d.mediaType())) {
          all = false; // a nested index or an artifact: not an image plinth reads
          continue;
        }
        if (d.platform() != null && !want.test(d.platform())) {
          all = false;
          continue;
        }
        if (d.size() > ImageReader.MAX_DOCUMENT) {
          throw Documents.bad(what + ": manifest " + d.digest() + " is " + d.size()
              + " bytes, over the " + ImageReader.MAX_DOCUMENT + "-byte limit");
        }
        RegistryClient.Manifest child = client.manifest(repo, d.digest().toString(), d.digest());
        if (child.bytes().length != d.size()) {
          throw Documents.bad(ref + " manifest " + d.digest() + " is " + child.bytes().length
              + " bytes; the index says " + d.size());
        }
        Image image = readImage(client, ref, child, d.platform());
        if (d.platform() == null && !want.test(image.platform())) {
          all = false;
          continue;
        }
        images.add(image);
      }
      if (images.isEmpty()) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, ref + " lists no image"
            + (all ? "" : " for the platforms asked for") + " (platforms: " + platforms(list)
            + ")");
      }
    } else {
      images.add(readImage(client, ref, top, null));
    }
    ImageIndex index = MediaTypes.isIndex(top.mediaType()) && all
        ? new ImageIndex.Value(images, Blob.of(top.mediaType(), top.bytes()))
        : ImageIndex.of(images, Map.of());
    return new ImageReader.Result(index, top.mediaType(), top.digest());
  }

  private static String platforms(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode m : list) {
      JsonNode p = m.path("platform");
      if (p.isObject()) {
        out.add(p.path("os").asText("?") + "/" + p.path("architecture").asText("?")
            + (p.has("variant") ? "/" + p.path("variant").asText() : ""));
      }
    }
    return out.isEmpty() ? "none stated" : String.join(", ", out);
  }

  private static Image readImage(RegistryClient client, RegistryRef ref,
      RegistryClient.Manifest m, Platform fromIndex) throws IOException, PlinthException {
    String repo = ref.repository();
    String what = ref + " manifest " + m.digest();
    if (!MediaTypes.isManifest(m.mediaType())) {
      throw Documents.bad(what + " is an index inside an index, which plinth does not read");
    }
    JsonNode j = Json.read(m.bytes(), what);
    Descriptor configD = Documents.descriptor(j.get("config"), what + " config");
    JsonNode layersJson = j.get("layers");
    if (layersJson == null || !layersJson.isArray()) {
      throw Documents.bad(what + " has no 'layers' list");
    }
    byte[] configBytes = client.readSmallBlob(repo, configD);
    JsonNode config = Json.read(configBytes, ref + " config " + configD.digest());
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    if (!diffIds.isArray() || diffIds.size() != layersJson.size()) {
      throw Documents.bad(ref + " config " + configD.digest() + " lists " + diffIds.size()
          + " diff_ids for " + layersJson.size() + " layers");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layersJson.size(); i++) {
      Descriptor ld = Documents.descriptor(layersJson.get(i), what + " layer " + i);
      Digest diffId;
      try {
        diffId = Digest.parse(diffIds.get(i).asText());
      } catch (IllegalArgumentException e) {
        throw Documents.bad(ref + " config " + configD.digest() + ": diff_id " + i
            + " is not a sha256 digest");
      }
      layers.add(new Layer.Value(client.blob(repo, ld), diffId, OptionalLong.empty()));
    }
    Platform platform = fromIndex != null ? fromIndex
        : new Platform(config.path("os").asText("unknown"),
            config.path("architecture").asText("unknown"), config.path("variant").asText(null));
    return new Image.Value(platform, client.blob(repo, configD, configBytes), layers,
        Blob.of(m.mediaType(), m.bytes()));
  }

  private RegistrySource() {}
}
