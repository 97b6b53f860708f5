package dev.plinth.oci;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a blob is, its digest and size; in an index, the platform of an
 * image or the artifact type of an artifact.
 *
 * @param platform null when not stated
 * @param artifactType null when not stated (OCI 1.1: what kind of artifact the manifest is)
 * @param urls where else the blob may be fetched from (foreign layers); empty when none
 * @param data the blob's bytes embedded, base64; null when not
 */
public record Descriptor(String mediaType, Digest digest, long size, Platform platform,
    Map<String, String> annotations, String artifactType, List<String> urls, String data) {
  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("negative size " + size);
    }
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  public Descriptor(String mediaType, Digest digest, long size, Platform platform,
      Map<String, String> annotations) {
    this(mediaType, digest, size, platform, annotations, null, List.of(), null);
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, null, Map.of());
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, p, annotations, artifactType, urls, data);
  }

  public Descriptor withAnnotations(Map<String, String> a) {
    return new Descriptor(mediaType, digest, size, platform, a, artifactType, urls, data);
  }

  public Descriptor withArtifactType(String type) {
    return new Descriptor(mediaType, digest, size, platform, annotations, type, urls, data);
  }

  /** The same blob under another media type (Docker's and OCI's names for the same bytes). */
  public Descriptor withMediaType(String type) {
    return new Descriptor(type, digest, size, platform, annotations, artifactType, urls, data);
  }

  /** As OCI JSON writes it: fields that are not set left out, annotations sorted by key. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mediaType", mediaType);
    if (artifactType != null) {
      m.put("artifactType", artifactType);
    }
    m.put("digest", digest.toString());
    m.put("size", size);
    if (!urls.isEmpty()) {
      m.put("urls", urls);
    }
    if (data != null) {
      m.put("data", data);
    }
    if (platform != null) {
      m.put("platform", platform.toJson());
    }
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return m;
  }

  /** Reads a descriptor of a document, strictly (a sha256 digest, a whole size). */
  static Descriptor parse(JsonFields f) throws PlinthException {
    String mt = f.optString("mediaType");
    if (mt == null || mt.isEmpty()) {
      throw JsonFields.bad(f.where(), "a descriptor has no mediaType");
    }
    String text = f.optString("digest");
    Digest digest;
    try {
      digest = Digest.parse(text);
    } catch (IllegalArgumentException e) {
      throw JsonFields.bad(f.where(), "'" + JsonFields.clean(String.valueOf(text))
          + "' is not a sha256 digest");
    }
    long size;
    try {
      size = f.size("size");
    } catch (PlinthException e) {
      throw JsonFields.bad(f.where(), "descriptor " + digest + " has no valid size");
    }
    Platform platform = null;
    JsonFields p = f.optObject("platform");
    if (p != null) {
      platform = new Platform(p.string("os"), p.string("architecture"), p.optString("variant"));
    }
    String data = f.optString("data");
    return new Descriptor(mt, digest, size, platform, f.stringMap("annotations"),
        f.optString("artifactType"), f.strings("urls"), data);
  }

  /** The descriptor at {@code key} of a document. */
  static Descriptor parse(JsonFields f, String key) throws PlinthException {
    return parse(f.object(key));
  }

  static List<Descriptor> parseList(JsonFields f, String key) throws PlinthException {
    List<Descriptor> out = new java.util.ArrayList<>();
    for (JsonFields d : f.objects(key, true)) {
      out.add(parse(d));
    }
    return out;
  }
}
