package dev.plinth.oci;

import java.util.Locale;

/**
 * How a built layer is compressed: gzip at a level ({@code tar+gzip}, what every runtime reads)
 * or zstd ({@code tar+zstd}: smaller, and faster to decompress; podman, containerd, CRI-O and
 * skopeo read it, Docker's classic image store and docker-archive do not).
 *
 * @param name "gzip" or "zstd"
 * @param level gzip's level, 0-9; zstd's, 1-19
 */
public record Compression(String name, int level) {
  /**
   * zstd's level when none is given: 6. For the example's Java runtime (its module image
   * uncompressed, cut in 4 MiB frames) it makes a layer 7 % smaller than zstd's own default
   * (3), in less CPU time than gzip at 6 takes for the same runtime linked for gzip layers
   * (0.7 against 1.5 s, Debian's zstd and gzip tools, one thread).
   */
  public static final int ZSTD_LEVEL = 6;

  /** zstd at {@link #ZSTD_LEVEL}. */
  public static final Compression ZSTD = new Compression("zstd", ZSTD_LEVEL);

  public Compression {
    if (!name.equals("gzip") && !name.equals("zstd")) {
      throw new IllegalArgumentException("compression " + name);
    }
    if (level < (name.equals("zstd") ? 1 : 0) || level > (name.equals("zstd") ? 19 : 9)) {
      throw new IllegalArgumentException(name + " level " + level);
    }
  }

  public static Compression gzip(int level) {
    return new Compression("gzip", level);
  }

  /**
   * "gzip" (at {@code gzipLevel}), "zstd" (at {@link #ZSTD_LEVEL}) or "zstd:LEVEL" (1-19), as
   * written (lower case); null for anything else.
   */
  public static Compression named(String name, int gzipLevel) {
    if (name.equals("gzip")) {
      return gzip(gzipLevel);
    } else if (name.equals("zstd")) {
      return ZSTD;
    } else if (name.matches("zstd:([1-9]|1[0-9])")) {
      return new Compression("zstd", Integer.parseInt(name.substring(5)));
    }
    return null;
  }

  /**
   * {@link #named}, in any case; {@code where} names the setting in the usage error for anything
   * else. zstd is written by libzstd through JNI: a host where its library cannot be loaded is
   * told so here ({@link #available}).
   */
  public static Compression parse(String s, int gzipLevel, String where) throws PlinthException {
    Compression c = named(s == null ? "" : s.strip().toLowerCase(Locale.ROOT), gzipLevel);
    if (c == null) {
      throw new PlinthException(PlinthException.Kind.USAGE, where + ": '" + s
          + "' is not a layer compression; use gzip, zstd or zstd:LEVEL (1-19)");
    }
    return c.available(where);
  }

  /** This compression, when this host can write it; else a usage error naming {@code where}. */
  public Compression available(String where) throws PlinthException {
    String missing = isZstd() ? ParallelZstdOutputStream.unavailable() : null;
    if (missing != null) {
      throw new PlinthException(PlinthException.Kind.USAGE, where + ": zstd layers need"
          + " zstd-jni's native library, which this host cannot load (" + missing + "); use"
          + " gzip, or set JAVA_TOOL_OPTIONS=-DZstdTempFolder=DIR, a directory that allows"
          + " executing files");
    }
    return this;
  }

  public boolean isZstd() {
    return name.equals("zstd");
  }

  /** The layer media type: tar+gzip or tar+zstd. */
  public String mediaType() {
    return isZstd() ? MediaTypes.OCI_LAYER_ZSTD : MediaTypes.OCI_LAYER_GZIP;
  }

  /** What a layer cache key holds of it: gzip's level alone (as before zstd), "zstd-6". */
  public String key() {
    return isZstd() ? "zstd-" + level : Integer.toString(level);
  }
}
