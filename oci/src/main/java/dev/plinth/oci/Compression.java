package dev.plinth.oci;

import java.util.Locale;

/**
 * How a built layer is compressed: gzip at a level ({@code tar+gzip}, what every runtime reads)
 * or zstd ({@code tar+zstd}: smaller, and faster to decompress; podman, containerd, CRI-O and
 * skopeo read it, Docker's classic image store and docker-archive do not).
 *
 * @param name "gzip" or "zstd"
 * @param level gzip's level, 0-9; zstd's is fixed (3, aircompressor's)
 */
public record Compression(String name, int level) {
  /** zstd at level 3 (aircompressor's only level). */
  public static final Compression ZSTD = new Compression("zstd", 3);

  public Compression {
    if (!name.equals("gzip") && !name.equals("zstd")) {
      throw new IllegalArgumentException("compression " + name);
    }
  }

  public static Compression gzip(int level) {
    return new Compression("gzip", level);
  }

  /**
   * "gzip" (at {@code gzipLevel}) or "zstd", any case; {@code where} names the setting in the
   * usage error for anything else.
   */
  public static Compression parse(String s, int gzipLevel, String where) throws PlinthException {
    String n = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
    return switch (n) {
      case "gzip" -> gzip(gzipLevel);
      case "zstd" -> ZSTD;
      default -> throw new PlinthException(PlinthException.Kind.USAGE, where + ": '" + s
          + "' is not a layer compression; use gzip or zstd");
    };
  }

  public boolean isZstd() {
    return name.equals("zstd");
  }

  /** The layer media type: tar+gzip or tar+zstd. */
  public String mediaType() {
    return isZstd() ? MediaTypes.OCI_LAYER_ZSTD : MediaTypes.OCI_LAYER_GZIP;
  }

  /** What a layer cache key holds of it: gzip's level alone (as before zstd), "zstd-3". */
  public String key() {
    return isZstd() ? "zstd-" + level : Integer.toString(level);
  }
}
