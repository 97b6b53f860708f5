package dev.plinth.oci;

import java.util.List;
import java.util.Map;

/**
 * An image index (OCI) or manifest list (Docker v2 schema 2; its media type says which): the
 * manifests of an image's platforms and of artifacts about them. A layout's index.json is one too.
 *
 * @param mediaType null when the document does not state it (a layout's index.json may not)
 * @param artifactType null unless stated
 * @param subject null unless the index refers to another manifest
 */
public record Index(String mediaType, String artifactType, List<Descriptor> manifests,
    Descriptor subject, Map<String, String> annotations) implements TypedDocument {

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
    String mt = TypedDocument.mediaType(f, MediaTypes::isIndex,
        "an OCI image index or a Docker manifest list");
    return new Index(mt, f.optString("artifactType"), Descriptor.parseList(f, "manifests"),
        TypedDocument.subject(f), f.stringMap("annotations"));
  }

  /** As plinth writes it: schemaVersion, mediaType, manifests; annotations sorted. */
  /**
   * The tags of a layout's index.json: the {@code org.opencontainers.image.ref.name} of each
   * manifest that has one, in order.
   */
  public List<String> refNames() {
    List<String> out = new java.util.ArrayList<>();
    for (Descriptor d : manifests) {
      String name = d.annotations().get(OciLayoutWriter.REF_NAME);
      if (name != null) {
        out.add(name);
      }
    }
    return out;
  }

  @Override
  public Map<String, Object> toJson() {
    Map<String, Object> m = TypedDocument.head(mediaType, artifactType);
    m.put("manifests", TypedDocument.list(manifests));
    return TypedDocument.tail(m, subject, annotations);
  }
}
