package dev.plinth.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What an {@link Index} and a {@link Manifest} share: schemaVersion 2, an optional media type of
 * their kind, an artifact type, a subject and annotations, read and written the same way; their
 * bytes are their compact JSON.
 */
sealed interface TypedDocument permits Index, Manifest {
  /** The media type the document states; null when it states none. */
  String mediaType();

  /** As plinth writes it. */
  Map<String, Object> toJson();

  /** The compact JSON: what the document's digest is of. */
  default byte[] bytes() {
    return Json.write(toJson());
  }

  /** The document as a blob, of its own media type (OCI's when it states none). */
  default Blob blob() {
    String ociType = this instanceof Index ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
    return Blob.of(mediaType() == null ? ociType : mediaType(), bytes());
  }

  /**
   * Checks schemaVersion 2 and returns the stated media type (null when none), which must pass
   * {@code ofKind}; {@code kind} says in the error what it should have been.
   */
  static String mediaType(JsonFields f, Predicate<String> ofKind, String kind)
      throws PlinthException {
    f.schemaVersion2();
    String mt = f.optString("mediaType");
    if (mt != null && !ofKind.test(mt)) {
      throw JsonFields.bad(f.where(), "has media type '" + JsonFields.clean(mt)
          + "', which is not " + kind);
    }
    return mt;
  }

  /** The optional subject descriptor; null when absent. */
  static Descriptor subject(JsonFields f) throws PlinthException {
    JsonFields subject = f.optObject("subject");
    return subject == null ? null : Descriptor.parse(subject);
  }

  /** The head of the JSON: schemaVersion, then mediaType and artifactType when set. */
  static Map<String, Object> head(String mediaType, String artifactType) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 2);
    if (mediaType != null) {
      m.put("mediaType", mediaType);
    }
    if (artifactType != null) {
      m.put("artifactType", artifactType);
    }
    return m;
  }

  /** Descriptors as a JSON list. */
  static List<Object> list(List<Descriptor> descriptors) {
    List<Object> list = new ArrayList<>();
    for (Descriptor d : descriptors) {
      list.add(d.toJson());
    }
    return list;
  }

  /** Ends the JSON {@code m}: the subject when set, annotations sorted when any; returns m. */
  static Map<String, Object> tail(Map<String, Object> m, Descriptor subject,
      Map<String, String> annotations) {
    if (subject != null) {
      m.put("subject", subject.toJson());
    }
    if (!annotations.isEmpty()) {
      m.put("annotations", new TreeMap<>(annotations));
    }
    return m;
  }
}
