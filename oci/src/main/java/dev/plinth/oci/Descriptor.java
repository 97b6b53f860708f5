package dev.plinth.oci;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** An OCI content descriptor: what a blob is, its digest and size, optionally its platform. */
public record Descriptor(
    String mediaType, Digest digest, long size, Platform platform, Map<String, String> annotations) {

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, Map.of());
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, p, annotations);
  }

  public Descriptor withAnnotations(Map<String, String> a) {
    return new Descriptor(mediaType, digest, size, platform, a);
  }

  /** As OCI JSON writes it; annotations sorted by key. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mediaType", mediaType);
    m.put("digest", digest.toString());
    m.put("size", size);
    if (platform != null) {
      m.put("platform", platform.toJson());
    }
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return m;
  }
}
