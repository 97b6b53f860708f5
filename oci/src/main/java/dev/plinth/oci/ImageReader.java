package dev.plinth.oci;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads images from {@code oci:}, {@code oci-archive:} and {@code docker-archive:} sources. The
 * input is untrusted: documents are size-capped and parsed strictly, every blob is checked against
 * its digest when read, archives are indexed (never extracted) and a name that appears twice is
 * an error.
 */
public final class ImageReader {
  /** The largest manifest, index or config accepted (as registries cap them). */
  public static final int MAX_DOCUMENT = 4 << 20;

  /** What was read: the images, and the media type of what the reference pointed at. */
  public record Result(ImageIndex index, String topMediaType, Digest topDigest) {}

  /** Reads the image (or every platform of an index) that {@code ref} names. */
  public static Result read(ImageRef ref) throws IOException, PlinthException {
    return switch (ref.transport()) {
      case OCI -> {
        if (!Files.isDirectory(ref.path())) {
          throw new PlinthException(
              PlinthException.Kind.NOT_FOUND, ref + ": no directory " + ref.path());
        }
        yield readLayout(new DirStore(ref.path()), ref);
      }
      case OCI_ARCHIVE -> readLayout(ArchiveStore.open(ref.path(), ref.toString()), ref);
      case DOCKER_ARCHIVE -> readDockerArchive(ArchiveStore.open(ref.path(), ref.toString()), ref);
      case REGISTRY -> throw new PlinthException(
          PlinthException.Kind.USAGE,
          ref + ": a registry reference is read through the registry module (Plinth.read),"
              + " not ImageReader");
      case DOCKER_DAEMON -> throw new PlinthException(
          PlinthException.Kind.USAGE,
          ref + ": a daemon's image is read through the daemon module (Plinth.read),"
              + " not ImageReader");
    };
  }

  /** Files of a layout or archive, looked up by exact name. */
  interface Store {
    boolean exists(String name);

    long size(String name) throws IOException;

    InputStream open(String name) throws IOException;

    String what();
  }

  // ---- OCI layouts ----

  private static Result readLayout(Store store, ImageRef ref) throws IOException, PlinthException {
    if (!store.exists("index.json")) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " is not an OCI layout: it has no index.json");
    }
    JsonNode index = Json.read(readDocument(store, "index.json"), ref + " index.json");
    JsonNode manifests = index.get("manifests");
    if (manifests == null || !manifests.isArray()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " index.json has no 'manifests' list");
    }
    List<JsonNode> matches = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    for (JsonNode m : manifests) {
      String name = m.path("annotations").path(OciLayoutWriter.REF_NAME).asText(null);
      if (name != null) {
        tags.add(name);
      }
      if (ref.name() == null || ref.name().equals(name)) {
        matches.add(m);
      }
    }
    if (matches.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.NOT_FOUND,
          ref + ": no image " + (ref.name() == null ? "" : "tagged '" + ref.name() + "' ")
              + "in the layout (tags: " + (tags.isEmpty() ? "none" : String.join(", ", tags)) + ")");
    }
    if (matches.size() > 1) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          ref + " holds " + matches.size() + " images; name one with :TAG (tags: "
              + String.join(", ", tags) + ")");
    }
    Descriptor top = descriptor(matches.get(0), ref + " index.json");
    List<Image> images = new ArrayList<>();
    if (MediaTypes.isIndex(top.mediaType())) {
      JsonNode inner = Json.read(readBlobDocument(store, top), ref + " index " + top.digest());
      JsonNode list = inner.get("manifests");
      if (list == null || !list.isArray()) {
        throw new PlinthException(
            PlinthException.Kind.BAD_INPUT, ref + " index " + top.digest() + " has no 'manifests'");
      }
      for (JsonNode m : list) {
        Descriptor d = descriptor(m, ref + " index " + top.digest());
        if (MediaTypes.isManifest(d.mediaType())) {
          images.add(readImage(store, d, ref));
        }
      }
      if (images.isEmpty()) {
        throw new PlinthException(
            PlinthException.Kind.BAD_INPUT, ref + " index " + top.digest() + " lists no image");
      }
    } else if (MediaTypes.isManifest(top.mediaType())) {
      images.add(readImage(store, top, ref));
    } else {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          ref + ": index.json points at unknown media type '" + top.mediaType() + "'");
    }
    return new Result(readIndex(images, store, top), top.mediaType(), top.digest());
  }

  private static Image readImage(Store store, Descriptor d, ImageRef ref)
      throws IOException, PlinthException {
    String what = ref + " manifest " + d.digest();
    byte[] manifestBytes = readBlobDocument(store, d);
    JsonNode m = Json.read(manifestBytes, what);
    if (m.path("schemaVersion").asInt(-1) != 2) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": schemaVersion is not 2");
    }
    Descriptor configD = descriptor(m.get("config"), what + " config");
    byte[] configBytes = readBlobDocument(store, configD);
    JsonNode config = Json.read(configBytes, ref + " config " + configD.digest());
    JsonNode layersJson = m.get("layers");
    if (layersJson == null || !layersJson.isArray()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has no 'layers' list");
    }
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    if (!diffIds.isArray() || diffIds.size() != layersJson.size()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          ref + " config " + configD.digest() + " lists " + diffIds.size() + " diff_ids for "
              + layersJson.size() + " layers");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layersJson.size(); i++) {
      Descriptor ld = descriptor(layersJson.get(i), what + " layer " + i);
      Digest diffId = parseDigest(diffIds.get(i).asText(), ref + " config diff_ids");
      layers.add(storedLayer(store, ld, diffId));
    }
    Platform platform =
        d.platform() != null
            ? d.platform()
            : new Platform(
                config.path("os").asText("unknown"),
                config.path("architecture").asText("unknown"),
                config.path("variant").asText(null));
    return new Image.Value(platform, Blob.of(configD.mediaType(), configBytes), layers,
        Blob.of(d.mediaType(), manifestBytes));
  }

  private static Layer storedLayer(Store store, Descriptor d, Digest diffId) {
    return new Layer.Value(
        storedBlob(store, "blobs/sha256/" + d.digest().hex(), d), diffId, OptionalLong.empty());
  }

  /** A blob in a store, checked against its descriptor as it is read. */
  private static Blob storedBlob(Store store, String name, Descriptor d) {
    return new Blob() {
      @Override
      public Descriptor descriptor() {
        return d;
      }

      @Override
      public InputStream open() throws IOException {
        return Blobs.verifying(d, store.open(name));
      }

      @Override
      public InputStream openAt(long offset) throws IOException {
        // not through the check, which would read and hash every byte before the offset (for
        // each part of a chunked upload); a file skips by seeking
        return Blob.skipped(store.open(name), offset);
      }
    };
  }

  /** The index as read: its own document when it had one, else a computed one. */
  private static ImageIndex readIndex(List<Image> images, Store store, Descriptor top)
      throws IOException, PlinthException {
    if (!MediaTypes.isIndex(top.mediaType())) {
      return ImageIndex.of(images, Map.of());
    }
    return new ImageIndex.Value(images, Blob.of(top.mediaType(), readBlobDocument(store, top)));
  }

  // ---- docker-archive ----

  private static Result readDockerArchive(Store store, ImageRef ref)
      throws IOException, PlinthException {
    if (!store.exists("manifest.json")) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " is not a docker-archive: it has no manifest.json");
    }
    byte[] bytes = readDocument(store, "manifest.json");
    JsonNode list = Json.readAny(bytes, ref + " manifest.json");
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
    String configName = archiveName(chosen.path("Config").asText(""), ref);
    byte[] configBytes = readDocument(store, configName);
    JsonNode config = Json.read(configBytes, ref + " " + configName);
    JsonNode layerNames = chosen.path("Layers");
    JsonNode diffIds = config.path("rootfs").path("diff_ids");
    if (!layerNames.isArray() || !diffIds.isArray() || diffIds.size() != layerNames.size()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          ref + ": manifest.json lists " + layerNames.size() + " layers but the config has "
              + diffIds.size() + " diff_ids");
    }
    List<Layer> layers = new ArrayList<>();
    for (int i = 0; i < layerNames.size(); i++) {
      String name = archiveName(layerNames.get(i).asText(""), ref);
      Digest diffId = parseDigest(diffIds.get(i).asText(), ref + " config diff_ids");
      layers.add(dockerLayer(store, name, diffId));
    }
    Platform platform =
        new Platform(
            config.path("os").asText("unknown"),
            config.path("architecture").asText("unknown"),
            config.path("variant").asText(null));
    Blob configBlob = Blob.of(MediaTypes.OCI_CONFIG, configBytes);
    Image image = Image.of(platform, configBlob, layers, Map.of());
    Descriptor top = image.manifest().descriptor();
    return new Result(ImageIndex.of(List.of(image), Map.of()), "docker-archive", top.digest());
  }

  private static Layer dockerLayer(Store store, String name, Digest diffId)
      throws IOException, PlinthException {
    long size = store.size(name);
    byte[] magic;
    try (InputStream in = store.open(name)) {
      magic = in.readNBytes(2);
    }
    boolean gzip = magic.length == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b;
    Descriptor d;
    if (gzip) {
      var sha = Digest.sha256();
      try (InputStream in = new java.security.DigestInputStream(store.open(name), sha)) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
      d = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.of(sha), size);
    } else {
      d = new Descriptor(MediaTypes.OCI_LAYER_TAR, diffId, size);
    }
    return new Layer.Value(storedBlob(store, name, d), diffId,
        gzip ? OptionalLong.empty() : OptionalLong.of(size));
  }

  private static String archiveName(String name, ImageRef ref) throws PlinthException {
    String n = name.startsWith("./") ? name.substring(2) : name;
    if (n.isEmpty() || n.startsWith("/") || n.contains("\\") || n.contains("\0")
        || List.of(n.split("/")).contains("..")) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + ": manifest.json names an unsafe path '" + name + "'");
    }
    return n;
  }

  // ---- shared ----

  private static Descriptor descriptor(JsonNode n, String what) throws PlinthException {
    if (n == null || !n.isObject()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": missing descriptor");
    }
    String mt = n.path("mediaType").asText(null);
    if (mt == null) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, what + ": a descriptor has no mediaType");
    }
    Digest digest = parseDigest(n.path("digest").asText(null), what);
    long size = n.path("size").asLong(-1);
    if (size < 0 || !n.path("size").isIntegralNumber()) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, what + ": descriptor " + digest + " has no valid size");
    }
    Platform platform = null;
    JsonNode p = n.get("platform");
    if (p != null && p.isObject()) {
      platform =
          new Platform(
              p.path("os").asText("unknown"),
              p.path("architecture").asText("unknown"),
              p.path("variant").asText(null));
    }
    Map<String, String> annotations = new LinkedHashMap<>();
    n.path("annotations").fields().forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
    return new Descriptor(mt, digest, size, platform, annotations);
  }

  private static Digest parseDigest(String text, String what) throws PlinthException {
    try {
      return Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, what + ": '" + text + "' is not a sha256 digest");
    }
  }

  private static byte[] readDocument(Store store, String name) throws IOException, PlinthException {
    if (!store.exists(name)) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, store.what() + " has no " + name);
    }
    if (store.size(name) > MAX_DOCUMENT) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          store.what() + ": " + name + " is " + store.size(name) + " bytes, over the "
              + MAX_DOCUMENT + "-byte limit for a document");
    }
    try (InputStream in = store.open(name)) {
      return in.readNBytes(MAX_DOCUMENT);
    }
  }

  private static byte[] readBlobDocument(Store store, Descriptor d)
      throws IOException, PlinthException {
    if (d.size() > MAX_DOCUMENT) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT,
          store.what() + ": " + d.digest() + " is " + d.size() + " bytes, over the "
              + MAX_DOCUMENT + "-byte limit for a manifest, index or config");
    }
    String name = "blobs/sha256/" + d.digest().hex();
    if (!store.exists(name)) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, store.what() + " lacks blob " + d.digest());
    }
    try (InputStream in = Blobs.verifying(d, store.open(name))) {
      byte[] b = in.readAllBytes();
      return b;
    } catch (IOException e) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, store.what() + ": " + e.getMessage(), e);
    }
  }

  private record DirStore(Path dir) implements Store {
    @Override
    public boolean exists(String name) {
      return Files.isRegularFile(dir.resolve(name));
    }

    @Override
    public long size(String name) throws IOException {
      return Files.size(dir.resolve(name));
    }

    @Override
    public InputStream open(String name) throws IOException {
      return Files.newInputStream(dir.resolve(name));
    }

    @Override
    public String what() {
      return "oci:" + dir;
    }
  }

  /** A tar archive indexed once: regular files by name, read in place by offset. */
  private static final class ArchiveStore implements Store, Closeable {
    private record Slot(long offset, long size) {}

    private final Path file;
    private final String what;
    private final Map<String, Slot> slots;

    private ArchiveStore(Path file, String what, Map<String, Slot> slots) {
      this.file = file;
      this.what = what;
      this.slots = slots;
    }

    static ArchiveStore open(Path file, String what) throws IOException, PlinthException {
      if (!Files.isRegularFile(file)) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": no file " + file);
      }
      Map<String, Slot> slots = new HashMap<>();
      try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 65536)) {
        TarReader tar = new TarReader(in, what);
        TarEntry e;
        while ((e = tar.next()) != null) {
          String name = e.name();
          while (name.startsWith("./")) {
            name = name.substring(2);
          }
          if (e.type() == TarEntry.Type.FILE
              && slots.put(name, new Slot(tar.dataOffset(), e.size())) != null) {
            throw new PlinthException(
                PlinthException.Kind.BAD_INPUT, what + " holds '" + name + "' twice");
          }
        }
      } catch (NoSuchFileException e) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": no file " + file);
      }
      long fileSize = Files.size(file);
      for (Slot s : slots.values()) {
        if (s.offset + s.size > fileSize) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is truncated");
        }
      }
      return new ArchiveStore(file, what, slots);
    }

    @Override
    public boolean exists(String name) {
      return slots.containsKey(name);
    }

    @Override
    public long size(String name) {
      return slots.get(name).size;
    }

    @Override
    public InputStream open(String name) throws IOException {
      Slot s = slots.get(name);
      if (s == null) {
        throw new NoSuchFileException(what + ": " + name);
      }
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      ch.position(s.offset);
      InputStream raw = Channels.newInputStream(ch);
      return LimitedInputStream.cut(raw, s.size);
    }

    @Override
    public String what() {
      return what;
    }

    @Override
    public void close() {}
  }

  private ImageReader() {}
}
