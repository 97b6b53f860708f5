package dev.plinth.oci;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An index whose layers are compressed another way ({@code plinth copy --compression}). A layer
 * already compressed that way keeps its bytes and digest; any other is decompressed and compressed
 * again (gzip or zstd on every core, the same bytes on any machine), its uncompressed tar checked
 * against the diff id the config lists. The configs stay byte for byte (their diff ids do not
 * change); an image with a new layer gets a new OCI manifest (its annotations kept; Docker media
 * types become OCI's, as OCI is the format that holds zstd), and an image with none is kept as it
 * is. Artifacts about a manifest that changed (signatures, attestations) are left out: they name a
 * digest the copy no longer has.
 */
public final class Recompression {
  private Recompression() {}

  /**
   * {@code index} with every layer compressed as {@code to}: {@code index} itself when nothing
   * changes.
   *
   * @param dir where the recompressed layers are written (the caller deletes it after the copy)
   * @param notes told how many layers were recompressed and what was left out
   */
  public static ImageIndex apply(ImageIndex index, Compression to, Path dir,
      Consumer<String> notes) throws IOException, PlinthException {
    Map<Digest, Layer> done = new HashMap<>(); // a layer that platforms share is compressed once
    Set<Digest> kept = new HashSet<>();
    Set<Digest> changed = new HashSet<>();
    List<Image> images = new ArrayList<>();
    for (Image image : index.images()) {
      List<Layer> layers = new ArrayList<>();
      boolean any = false;
      for (Layer l : image.layers()) {
        Descriptor d = l.blob().descriptor();
        if (compressedAs(d.mediaType(), to)) {
          kept.add(d.digest());
          layers.add(d.mediaType().equals(to.mediaType()) ? l : relabeled(l, to.mediaType()));
        } else {
          Layer r = done.get(d.digest());
          if (r == null) {
            r = recompress(l, to, dir);
            done.put(d.digest(), r);
          }
          layers.add(r);
          any = true;
        }
      }
      if (!any) {
        images.add(image);
        continue;
      }
      Blob manifest = image.manifest();
      Map<String, String> annotations = Manifest.parse(manifest.readAllBytes(),
          "manifest " + manifest.descriptor().digest()).annotations();
      Blob config = image.config();
      if (!config.descriptor().mediaType().equals(MediaTypes.OCI_CONFIG)) {
        config = relabeled(config, MediaTypes.OCI_CONFIG);
      }
      Image r = Image.of(image.platform(), config, layers, annotations);
      changed.add(manifest.descriptor().digest());
      images.add(r);
    }
    List<Artifact> artifacts = new ArrayList<>();
    int dropped = 0;
    for (Artifact a : index.artifacts()) {
      Descriptor subject = a.document().subject();
      if (subject != null && changed.contains(subject.digest())) {
        dropped++;
      } else {
        artifacts.add(a);
      }
    }
    notes.accept("recompressed " + done.size() + " layer(s) as " + to.name() + ", kept "
        + kept.size() + " already " + to.name());
    if (dropped > 0) {
      notes.accept("left out " + dropped + " artifact(s) (signatures, SBOMs, attestations) about"
          + " manifests the recompression changed: they name digests the copy does not have;"
          + " sign the copy again (--sign-key)");
    }
    if (changed.isEmpty() && dropped == 0) {
      return index;
    }
    Map<String, String> annotations = index.isIndex() ? Index.parse(index.index().readAllBytes(),
        "index " + index.index().descriptor().digest()).annotations() : Map.of();
    return ImageIndex.of(images, artifacts, annotations, index.isIndex());
  }

  /** Whether a layer of {@code mediaType} is already compressed as {@code to} says. */
  static boolean compressedAs(String mediaType, Compression to) {
    boolean zstd = mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd");
    boolean gzip = mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip");
    return to.isZstd() ? zstd : gzip;
  }

  private static Layer relabeled(Layer l, String mediaType) throws IOException {
    return new Layer.Value(relabeled(l.blob(), mediaType), l.diffId(), l.uncompressedSize());
  }

  private static Blob relabeled(Blob b, String mediaType) throws IOException {
    return Blob.of(b.descriptor().withMediaType(mediaType), b::open);
  }

  /** The layer's tar compressed as {@code to} into a file in {@code dir}, in one pass. */
  static Layer recompress(Layer l, Compression to, Path dir) throws IOException, PlinthException {
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".layer-", ".tmp");
    try {
      MessageDigest compressedSha = Digest.sha256();
      MessageDigest tarSha = Digest.sha256();
      IoStreams.Counting count;
      long tarBytes;
      try (InputStream tar = new DigestInputStream(l.openUncompressed(), tarSha);
          OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 65536)) {
        count = new IoStreams.Counting(new DigestOutputStream(file, compressedSha));
        try (OutputStream z = to.isZstd()
            ? new ParallelZstdOutputStream(count, to.level(), LayerBuilder.GZIP_THREADS)
            : new ParallelGzipOutputStream(count, to.level(), LayerBuilder.GZIP_THREADS)) {
          tarBytes = tar.transferTo(z);
        }
      }
      Digest source = l.blob().descriptor().digest();
      Digest diffId = Digest.of(tarSha);
      if (!diffId.equals(l.diffId())) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, "layer " + source
            + ": its uncompressed tar has " + diffId + ", but the image config lists "
            + l.diffId() + "; the source image is damaged, copy it without --compression to"
            + " see where");
      }
      Digest digest = Digest.of(compressedSha);
      Path blobFile = dir.resolve(digest.hex());
      Files.move(tmp, blobFile, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      Descriptor d = l.blob().descriptor();
      return new Layer.Value(Blob.ofFile(new Descriptor(to.mediaType(), digest, count.count,
          null, d.annotations()), blobFile), diffId, OptionalLong.of(tarBytes));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
