package dev.plinth.oci;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An image manifest, OCI or Docker v2 schema 2 (its media type says which): a config and layers.
 * An OCI 1.1 artifact (a signature, an SBOM, an attestation) is a manifest too, with an {@code
 * artifactType} or a config that is not an image config, and often a {@code subject}: the
 * manifest it is about.
 *
 * @param mediaType null when the document does not state it (OCI allows that)
 * @param artifactType null unless an artifact states it
 * @param subject null unless the manifest refers to another one
 */
public record Manifest(String mediaType, String artifactType, Descriptor config,
    List<Descriptor> layers, Descriptor subject, Map<String, String> annotations)
    implements TypedDocument {

  public Manifest {
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /** An image manifest of {@code mediaType} (OCI or Docker) without artifact fields. */
  public static Manifest of(String mediaType, Descriptor config, List<Descriptor> layers,
      Map<String, String> annotations) {
    return new Manifest(mediaType, null, config, layers, null, annotations);
  }

  /**
   * Parses a manifest, strictly: schemaVersion 2, a config and a layers list of descriptors, at
   * most {@link ImageReader#MAX_DOCUMENT} bytes.
   *
   * @param where names the document in errors, e.g. "oci:out manifest sha256:..."
   */
  public static Manifest parse(byte[] bytes, String where) throws PlinthException {
    JsonFields f = JsonFields.parse(bytes, where, ImageReader.MAX_DOCUMENT);
    String mt = TypedDocument.mediaType(f, MediaTypes::isManifest,
        "an OCI or Docker v2 image manifest");
    return new Manifest(mt, f.optString("artifactType"), Descriptor.parse(f, "config"),
        Descriptor.parseList(f, "layers"), TypedDocument.subject(f), f.stringMap("annotations"));
  }

  /** As plinth writes it: schemaVersion, mediaType, config, layers; annotations sorted. */
  @Override
  public Map<String, Object> toJson() {
    Map<String, Object> m = TypedDocument.head(mediaType, artifactType);
    m.put("config", config.toJson());
    m.put("layers", TypedDocument.list(layers));
    return TypedDocument.tail(m, subject, annotations);
  }

  /**
   * Whether this is a runnable image: an image config, no artifact type, and layers that are
   * filesystem changesets. Anything else is an artifact, copied but not run or audited.
   */
  public boolean isImage() {
    if (artifactType != null || !MediaTypes.isConfig(config.mediaType())) {
      return false;
    }
    for (Descriptor l : layers) {
      if (!MediaTypes.isLayer(l.mediaType())) {
        return false;
      }
    }
    return true;
  }

  /** What an artifact is: its artifactType, else its config's media type (as OCI 1.1 says). */
  public String kind() {
    return artifactType != null ? artifactType : config.mediaType();
  }
}
