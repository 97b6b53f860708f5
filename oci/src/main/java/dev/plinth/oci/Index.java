package dev.plinth.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image index (OCI) or manifest list (Docker v2 schema 2; its media type says which): the
 * manifests of an image's platforms and of artifacts about them. A layout's index.json is one too.
 *
 * @param mediaType null when the document does not state it (a layout's index.json may not)
 * @param artifactType null unless stated
 * @param subject null unless the index refers to another manifest
 */
public record Index(String mediaType, String artifactType, List<Descriptor> manifests,
    Descriptor subject, Map<String, String> annotations) {

  public Index {
    manifests = List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  public static Index of(String mediaType, List<Descriptor> manifests,
      Map<String, String> annotations) {
    return new Index(mediaType, null, manifests, null, annotations);
  }

  /**
   * Parses an index, strictly: schemaVersion 2 and a manifests list of descriptors, at most
   * {@link ImageReader#MAX_DOCUMENT} bytes.
   *
   * @param where names the document in errors, e.g. "oci:out index.json"
   */
  public static Index parse(byte[] bytes, String where) throws PlinthException {
    JsonFields f = JsonFields.parse(bytes, where, ImageReader.MAX_DOCUMENT);
    f.schemaVersion2();
    String mt = f.optString("mediaType");
    if (mt != null && !MediaTypes.isIndex(mt)) {
      throw JsonFields.bad(where, "has media type '" + JsonFields.clean(mt)
          + "', which is not an OCI image index or a Docker manifest list");
    }
    JsonFields subject = f.optObject("subject");
    return new Index(mt, f.optString("artifactType"), Descriptor.parseList(f, "manifests"),
        subject == null ? null : Descriptor.parse(subject), f.stringMap("annotations"));
  }

  /** As plinth writes it: schemaVersion, mediaType, manifests; annotations sorted. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    if (mediaType != null) {
      m.put("mediaType", mediaType);
    }
    if (artifactType != null) {
      m.put("artifactType", artifactType);
    }
    List<Object> list = new ArrayList<>();
    for (Descriptor d : manifests) {
      list.add(d.toJson());
    }
    m.put("manifests", list);
    if (subject != null) {
      m.put("subject", subject.toJson());
    }
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return m;
  }

  /** The compact JSON: what the index's digest is of. */
  public byte[] bytes() {
    return Json.write(toJson());
  }

  /** The document as a blob, of its own media type (OCI's when it states none). */
  public Blob blob() {
    return Blob.of(mediaType == null ? MediaTypes.OCI_INDEX : mediaType, bytes());
  }
}
