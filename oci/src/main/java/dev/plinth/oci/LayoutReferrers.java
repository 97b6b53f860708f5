package dev.plinth.oci;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Referrers (attestations, SBOMs) and cosign's {@code sha256-HEX.sig} manifests in an OCI image
 * layout, as the layout spec allows: their blobs in {@code blobs/sha256}, each manifest listed in
 * index.json, a referrer with its artifact type and annotations and no tag (found by its {@code
 * subject}), a signature manifest under its cosign tag. Copying the layout back to a registry
 * carries them again.
 */
public final class LayoutReferrers {
  /** The most index.json entries plinth looks through for referrers. */
  static final int MAX_ENTRIES = 1000;

  /**
   * Adds a manifest and its blobs to the layout {@code dir} (which exists), under its lock: the
   * entry {@code entry} in index.json, with {@code tag} as its ref.name when not null; nothing
   * new when index.json lists that digest under that tag already.
   */
  public static void add(Path dir, byte[] manifest, Descriptor entry, List<Blob> blobs,
      String tag) throws IOException, PlinthException {
    Path blobDir = dir.resolve("blobs").resolve("sha256");
    Path indexJson = dir.resolve("index.json");
    try (var lock = OciLayoutWriter.lock(dir)) {
      List<Blob> all = new ArrayList<>(blobs);
      all.add(Blob.of(entry.mediaType(), manifest));
      for (Blob b : all) {
        OciLayoutWriter.writeBlob(blobDir, b);
      }
      Index index = Index.parse(SmallFiles.read(indexJson, ImageReader.MAX_DOCUMENT,
          "the layout's index"), dir + "/index.json");
      List<Descriptor> entries = new ArrayList<>();
      for (Descriptor d : index.manifests()) {
        String name = d.annotations().get(OciLayoutWriter.REF_NAME);
        if (tag != null && tag.equals(name)) {
          continue; // the tag moves to this manifest
        }
        if (tag == null && name == null && d.digest().equals(entry.digest())) {
          return; // listed already
        }
        entries.add(d);
      }
      Map<String, String> a = new java.util.TreeMap<>(entry.annotations());
      if (tag != null) {
        a.put(OciLayoutWriter.REF_NAME, tag);
      }
      entries.add(entry.withAnnotations(a));
      AtomicFile.write(indexJson, Index.of(MediaTypes.OCI_INDEX, entries, index.annotations())
          .bytes());
    }
  }

  /** A manifest the layout lists: its entry and bytes. */
  public record Entry(Descriptor descriptor, byte[] bytes) {}

  /**
   * The untagged manifests of the layout {@code dir} whose subject is {@code subject}, as their
   * index.json entries (ref.name left out).
   */
  public static List<Entry> referrers(Path dir, Digest subject)
      throws IOException, PlinthException {
    List<Entry> out = new ArrayList<>();
    for (Descriptor d : entries(dir)) {
      if (d.artifactType() == null || d.annotations().containsKey(OciLayoutWriter.REF_NAME)
          || !MediaTypes.isManifest(d.mediaType())) {
        continue;
      }
      byte[] bytes = read(dir, d);
      Manifest m = Manifest.parse(bytes, dir + " manifest " + d.digest());
      if (m.subject() != null && m.subject().digest().equals(subject)) {
        out.add(new Entry(d, bytes));
      }
    }
    return out;
  }

  /** The manifest index.json lists under {@code tag}, if any. */
  public static Optional<Entry> tagged(Path dir, String tag) throws IOException, PlinthException {
    for (Descriptor d : entries(dir)) {
      if (Objects.equals(tag, d.annotations().get(OciLayoutWriter.REF_NAME))) {
        Map<String, String> a = new java.util.TreeMap<>(d.annotations());
        a.remove(OciLayoutWriter.REF_NAME);
        return Optional.of(new Entry(d.withAnnotations(a), read(dir, d)));
      }
    }
    return Optional.empty();
  }

  /**
   * Whether an index.json entry is attached to an image rather than one: a referrer (an
   * artifact type, no tag) or a manifest under a cosign tag {@code sha256-HEX.sig}.
   */
  static boolean attached(Descriptor d) {
    String name = d.annotations().get(OciLayoutWriter.REF_NAME);
    return name == null ? d.artifactType() != null
        : name.matches("sha256-[0-9a-f]{64}\\.sig");
  }

  /** A blob of the layout {@code dir}. */
  public static Blob blob(Path dir, Descriptor d) {
    return Blob.ofFile(d, dir.resolve("blobs").resolve("sha256").resolve(d.digest().hex()));
  }

  private static List<Descriptor> entries(Path dir) throws IOException, PlinthException {
    Index index = Index.parse(SmallFiles.read(dir.resolve("index.json"),
        ImageReader.MAX_DOCUMENT, "the layout's index"), dir + "/index.json");
    if (index.manifests().size() > MAX_ENTRIES) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, dir + "/index.json lists "
          + index.manifests().size() + " manifests, over plinth's bound of " + MAX_ENTRIES);
    }
    return index.manifests();
  }

  private static byte[] read(Path dir, Descriptor d) throws IOException, PlinthException {
    if (d.size() > ImageReader.MAX_DOCUMENT) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, dir + " manifest " + d.digest()
          + " is over the " + ImageReader.MAX_DOCUMENT + "-byte limit");
    }
    byte[] bytes = SmallFiles.read(dir.resolve("blobs").resolve("sha256")
        .resolve(d.digest().hex()), ImageReader.MAX_DOCUMENT, dir + " manifest " + d.digest());
    if (!Digest.of(bytes).equals(d.digest())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, dir + " manifest " + d.digest()
          + " hashes to " + Digest.of(bytes));
    }
    return bytes;
  }

  private LayoutReferrers() {}
}
