package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

/** A filesystem changeset: a tar archive, stored compressed (gzip or zstd) or not. */
public interface Layer {
  /** The compressed blob, as it goes into a layout or a registry. */
  Blob blob();

  /** The sha256 of the uncompressed tar, as the image config's rootfs lists it. */
  Digest diffId() throws IOException;

  /** The size of the uncompressed tar when known without reading it. */
  OptionalLong uncompressedSize();

  /** Streams the uncompressed tar, decompressing as the blob's media type says. */
  default InputStream openUncompressed() throws IOException {
    String mt = blob().descriptor().mediaType();
    if (mt.endsWith(".tar")) {
      return blob().open();
    }
    boolean zstd = mt.endsWith("+zstd") || mt.endsWith(".zstd");
    if (!zstd && !mt.endsWith("+gzip") && !mt.endsWith(".gzip")) {
      throw new IOException("layer " + blob().descriptor().digest() + " has media type " + mt
          + ", which plinth cannot decompress");
    }
    InputStream compressed = blob().open();
    try {
      return zstd ? new io.airlift.compress.zstd.ZstdInputStream(compressed)
          : new GZIPInputStream(compressed, 65536);
    } catch (IOException e) {
      compressed.close();
      throw e;
    }
  }

  /** A layer whose blob and diff id are known. */
  record Value(Blob blob, Digest diffId, OptionalLong uncompressedSize) implements Layer {}
}
