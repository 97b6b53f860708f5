package dev.plinth.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes images into an OCI image layout directory ({@code oci:DIR[:TAG]}). Blobs already present
 * are skipped; each new blob and index.json are written atomically, index.json last, so an
 * interrupted write leaves the previous layout readable. Other tags in index.json are kept.
 */
public final class OciLayoutWriter {
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  static final byte[] OCI_LAYOUT = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes();

  /** Writes the index (or its lone image) under {@code tag} (null: untagged). */
  public static void write(Path dir, String tag, ImageIndex index)
      throws IOException, PlinthException {
    Path blobs = dir.resolve("blobs").resolve("sha256");
    byte[] oldIndex = null;
    Path indexJson = dir.resolve("index.json");
    if (Files.exists(indexJson)) {
      oldIndex = Files.readAllBytes(indexJson);
    } else if (Files.isDirectory(dir)) {
      try (var list = Files.list(dir)) {
        if (list.anyMatch(p -> true)) {
          throw new PlinthException(
              PlinthException.Kind.OUTPUT,
              dir
                  + " exists and is not an OCI layout (it has no index.json): name an empty"
                  + " or new directory");
        }
      }
    }
    byte[] newIndex = indexJson(oldIndex, dir + "/index.json", tag, index.top());
    Files.createDirectories(blobs);
    for (Blob blob : index.blobs()) {
      Path target = blobs.resolve(blob.descriptor().digest().hex());
      if (Files.isRegularFile(target) && Files.size(target) == blob.descriptor().size()) {
        continue;
      }
      try (AtomicFile f = new AtomicFile(target)) {
        try (OutputStream out = f.open()) {
          Blobs.copyVerified(blob, out);
        }
        f.commit();
      }
    }
    if (!Files.exists(dir.resolve("oci-layout"))) {
      AtomicFile.write(dir.resolve("oci-layout"), OCI_LAYOUT);
    }
    AtomicFile.write(indexJson, newIndex);
  }

  /**
   * The index.json that lists {@code top} under {@code tag}, keeping the other entries of {@code
   * old} (null for a new layout) except the one that had the same tag.
   */
  static byte[] indexJson(byte[] old, String what, String tag, Descriptor top)
      throws PlinthException {
    List<Descriptor> manifests = new ArrayList<>();
    if (old != null) {
      for (Descriptor d : Index.parse(old, what).manifests()) {
        if (!Objects.equals(d.annotations().get(REF_NAME), tag)) {
          manifests.add(d);
        }
      }
    }
    Map<String, String> annotations = new LinkedHashMap<>(top.annotations());
    if (tag != null) {
      annotations.put(REF_NAME, tag);
    }
    manifests.add(top.withAnnotations(annotations));
    return Index.of(MediaTypes.OCI_INDEX, manifests, Map.of()).bytes();
  }

  /**
   * The index.json of a fresh layout holding only this index, under each of {@code tags} (none:
   * one untagged entry).
   */
  static byte[] freshIndexJson(List<String> tags, ImageIndex index) throws IOException {
    try {
      if (tags.isEmpty()) {
        return indexJson(null, "index.json", null, index.top());
      }
      byte[] json = null;
      for (String tag : tags) {
        json = indexJson(json, "index.json", tag, index.top());
      }
      return json;
    } catch (PlinthException e) {
      throw new UncheckedIOException(new IOException(e));
    }
  }

  private OciLayoutWriter() {}
}
