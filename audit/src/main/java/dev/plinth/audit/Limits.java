package dev.plinth.audit;

import dev.plinth.oci.Filesystem;

/**
 * What an audit accepts before it calls an image hostile (a decompression bomb, a tar of a million
 * empty names) and how much of a file it reads: caps on memory and time, not on what real images
 * hold. docs/audit.md lists the defaults.
 *
 * @param maxEntries tar entries in all the layers of one image
 * @param maxMetadataBytes names, link targets and kept file contents of one image, in bytes
 * @param maxLayerBytes the uncompressed size of one layer
 * @param headBytes how much of every file is looked at (ELF header, #! line, PEM header)
 * @param elfWholeBytes ELF files up to this size are read whole; larger ones only in the parts a
 *     loader reads
 * @param keepBytes the largest small file (/etc/passwd, a credentials file) kept whole
 */
public record Limits(long maxEntries, long maxMetadataBytes, long maxLayerBytes, int headBytes,
    int elfWholeBytes, int keepBytes) {
  public static final Limits DEFAULT =
      new Limits(1 << 21, 256L << 20, 64L << 30, 64 << 10, 1 << 20, 1 << 20);

  /**
   * Every limit, for cache keys: spelled out, since a record's own toString costs a build some
   * 15 ms the first time it is called (its bootstrap).
   */
  public String key() {
    return new StringBuilder("limits ").append(maxEntries).append(' ').append(maxMetadataBytes)
        .append(' ').append(maxLayerBytes).append(' ').append(headBytes).append(' ')
        .append(elfWholeBytes).append(' ').append(keepBytes).toString();
  }

  public Limits {
    if (maxEntries < 1 || maxMetadataBytes < 1 || maxLayerBytes < 1 || headBytes < 64
        || elfWholeBytes < headBytes || keepBytes < 1) {
      throw new IllegalArgumentException("limits out of range");
    }
  }

  /** The limits on the flattened filesystem: these, and the longest path Linux takes. */
  Filesystem.Limits fs() {
    return new Filesystem.Limits(maxEntries, maxMetadataBytes, maxLayerBytes,
        Filesystem.Limits.DEFAULT.maxPathLength());
  }
}
