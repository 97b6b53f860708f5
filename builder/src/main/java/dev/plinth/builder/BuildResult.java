package dev.plinth.builder;

import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.Sizes;
import java.util.ArrayList;
import java.util.List;

/**
 * What a build wrote.
 *
 * @param top what the target's reference points at: the index, or the lone manifest
 * @param sboms the SPDX documents written next to the target, one per platform with packages
 * @param notes what the build decided that a user may want to know (the packages resolved)
 */
public record BuildResult(ImageRef target, Descriptor top, List<PlatformImage> images,
    List<java.nio.file.Path> sboms, List<String> notes) {
  /**
   * One platform's image.
   *
   * @param fileBytes bytes of file content in its layers
   * @param tarBytes bytes of its uncompressed layer tars
   * @param compressedBytes bytes of its compressed layers, config and manifest (what a pull moves)
   * @param manifestSize the size of its manifest
   * @param sbom its SPDX document, or null when it has no packages to list
   * @param inputs the images it was built from (from:, copyFrom:) as written, with the digest of
   *     the manifest of this platform's image
   */
  public record PlatformImage(
      Platform platform, Digest manifest, int layers, long fileBytes, long tarBytes,
      long compressedBytes, long manifestSize, byte[] sbom, java.util.Map<String, Digest> inputs) {
    public PlatformImage {
      inputs = inputs == null ? java.util.Map.of() : java.util.Map.copyOf(inputs);
    }

    public PlatformImage(Platform platform, Digest manifest, int layers, long fileBytes,
        long tarBytes, long compressedBytes) {
      this(platform, manifest, layers, fileBytes, tarBytes, compressedBytes, 0, null, null);
    }

    /** Its manifest's descriptor (plinth writes OCI manifests). */
    public Descriptor descriptor() {
      return new Descriptor(MediaTypes.OCI_MANIFEST, manifest, manifestSize);
    }
  }

  /** This result with one more note. */
  public BuildResult withNote(String note) {
    List<String> n = new java.util.ArrayList<>(notes);
    n.add(note);
    return new BuildResult(target, top, images, sboms, n);
  }

  /** What the build wrote, in the lines {@code plinth build} prints and the Maven goal logs. */
  public List<String> lines() {
    List<String> out = new ArrayList<>(notes);
    out.add("wrote " + target + " (" + MediaTypes.kind(top.mediaType()) + " " + top.digest()
        + ")");
    for (PlatformImage i : images) {
      // concatenated: String.format's first call loads the locale machinery (some 5 ms)
      StringBuilder line = new StringBuilder("  ").append(i.platform());
      while (line.length() < 16) {
        line.append(' ');
      }
      out.add(line.append(' ').append(i.manifest()).append("  ").append(i.layers())
          .append(" layer").append(i.layers() == 1 ? "" : "s").append("  files ")
          .append(Sizes.decimal(i.fileBytes())).append("  compressed ")
          .append(Sizes.decimal(i.compressedBytes())).toString());
    }
    for (java.nio.file.Path f : sboms) {
      out.add("wrote SBOM " + f);
    }
    return out;
  }
}
