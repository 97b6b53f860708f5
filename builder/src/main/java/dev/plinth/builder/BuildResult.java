package dev.plinth.builder;

import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
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
  /** A size in bytes as registries show it: B, decimal kB and MB. */
  public static String size(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    if (bytes < 1_000_000) {
      return String.format(java.util.Locale.ROOT, "%.1f kB", bytes / 1000.0);
    }
    return String.format(java.util.Locale.ROOT, "%.2f MB", bytes / 1_000_000.0);
  }

  /**
   * One platform's image.
   *
   * @param fileBytes bytes of file content in its layers
   * @param tarBytes bytes of its uncompressed layer tars
   * @param compressedBytes bytes of its compressed layers, config and manifest (what a pull moves)
   */
  public record PlatformImage(
      Platform platform, Digest manifest, int layers, long fileBytes, long tarBytes,
      long compressedBytes) {}
}
