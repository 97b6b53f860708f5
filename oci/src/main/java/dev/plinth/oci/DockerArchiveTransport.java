package dev.plinth.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * {@code docker-archive:FILE[:NAME:TAG]}: what {@code docker save} writes and {@code docker load}
 * reads. It holds one image of one platform, without an index or artifacts; the manifest is
 * computed when read, from the config and layers it holds.
 *
 * @param mtime the time (seconds since 1970) of the entries written
 */
public record DockerArchiveTransport(long mtime) implements Transport.AllNamesAtOnce {
  @Override
  public List<Platform> check(ImageRef target, List<Platform> platforms) throws PlinthException {
    return onePlatform(target, platforms);
  }

  private static List<Platform> onePlatform(ImageRef target, List<Platform> platforms)
      throws PlinthException {
    if (platforms.size() != 1) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          target + ": a docker-archive holds one platform, and " + platforms.size()
              + " were asked for; pick one with --platform (e.g. linux/amd64) or write"
              + " oci-archive:FILE, which holds them all");
    }
    return platforms;
  }

  @Override
  public ImageSource source(ImageRef ref) {
    return want -> read(FileStore.Tar.open(ref.path(), ref.toString()), ref);
  }

  /** One archive whose image has its name and each of {@code tags} in RepoTags. */
  @Override
  public ImageSink sink(ImageRef ref, List<String> tags) throws PlinthException {
    List<String> repoTags = ref.namesWith(tags);
    return (index, notes) -> {
      Image image = loneImage(ref, index, notes);
      ArchiveWriter.writeDockerArchiveTags(ref.path(), repoTags, image, mtime);
      return image.manifest().descriptor();
    };
  }

  /**
   * The one image of {@code index} a docker-archive (or a daemon) takes; its artifacts are left
   * out, with a note.
   */
  private static Image loneImage(ImageRef target, ImageIndex index, Consumer<String> notes)
      throws PlinthException {
    List<Platform> platforms = new ArrayList<>();
    index.images().forEach(i -> platforms.add(i.platform()));
    if (platforms.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.USAGE, target
          + ": the source holds no image, only artifacts, which a docker-archive cannot hold");
    }
    onePlatform(target, platforms);
    leftOut(target, index, notes);
    return index.images().get(0);
  }

  /** Notes the artifacts of {@code index} that {@code target}, which holds images only, leaves out. */
  public static void leftOut(ImageRef target, ImageIndex index, Consumer<String> notes) {
    int n = index.artifacts().size();
    if (n > 0) {
      notes.accept("left out " + n + " artifact" + (n == 1 ? "" : "s") + " (signatures, SBOMs,"
          + " attestations): " + target + " holds images only");
    }
  }

  private static ImageIndex read(FileStore store, ImageRef ref)
      throws IOException, PlinthException {
    if (!store.exists("manifest.json")) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " is not a docker-archive: it has no manifest.json");
    }
    JsonNode list = Json.readAny(store.document("manifest.json"), ref + " manifest.json");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " manifest.json is not a non-empty list");
    }
    JsonNode chosen = null;
    List<String> names = new ArrayList<>();
    for (JsonNode e : list) {
      for (JsonNode t : e.path("RepoTags")) {
        names.add(t.asText());
        if (t.asText().equals(ref.name())) {
          chosen = e;
        }
      }
    }
    if (ref.name() == null) {
      if (list.size() > 1) {
        throw new PlinthException(
            PlinthException.Kind.USAGE,
            ref + " holds " + list.size() + " images; name one with :NAME:TAG (" + names + ")");
      }
      chosen = list.get(0);
    }
    if (chosen == null) {
      throw new PlinthException(
          PlinthException.Kind.NOT_FOUND, ref + ": no image named " + ref.name() + " in " + names);
    }
    String what = ref + ": manifest.json";
    String configName = FileStore.safeName(chosen.path("Config").asText(""), what);
    byte[] configBytes = store.document(configName);
    ImageConfig config = ImageConfig.parse(configBytes, ref + " " + configName);
    JsonNode layerNames = chosen.path("Layers");
    List<Digest> diffIds = config.rootfs().diffIds();
    if (!layerNames.isArray() || diffIds.size() != layerNames.size()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          ref + ": manifest.json lists " + layerNames.size() + " layers but the config has "
              + diffIds.size() + " diff_ids");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layerNames.size(); i++) {
      String name = FileStore.safeName(layerNames.get(i).asText(""), what);
      layers.add(layer(store, name, diffIds.get(i)));
    }
    Blob configBlob = Blob.of(MediaTypes.OCI_CONFIG, configBytes);
    return ImageIndex.of(List.of(Image.of(config.platform(), configBlob, layers, Map.of())),
        Map.of());
  }

  /** A layer file: a gzip is hashed now for its digest; a plain tar's digest is its diff id. */
  private static Layer layer(FileStore store, String name, Digest diffId)
      throws IOException, PlinthException {
    if (!store.exists(name)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, store.what() + " has no " + name);
    }
    long size = store.size(name);
    byte[] magic;
    try (InputStream in = store.open(name)) {
      magic = in.readNBytes(2);
    }
    boolean gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    Descriptor d;
    if (gzip) {
      var sha = Digest.sha256();
      try (InputStream in = new DigestInputStream(store.open(name), sha)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      d = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.of(sha), size);
    } else {
      d = new Descriptor(MediaTypes.OCI_LAYER_TAR, diffId, size);
    }
    return new Layer.Value(store.blob(name, d), diffId,
        gzip ? OptionalLong.empty() : OptionalLong.of(size));
  }
}
