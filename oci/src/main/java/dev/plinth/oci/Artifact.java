package dev.plinth.oci;

import java.util.List;

/**
 * A manifest of an index that is not a runnable image: a signature, an SBOM, an in-toto
 * attestation (OCI 1.1: an {@code artifactType}, often an empty config and a {@code subject}).
 * Sources read it and sinks copy it byte for byte; nothing runs or audits it.
 */
public interface Artifact {
  /** The manifest, as read. */
  Blob manifest();

  /** The manifest's fields. */
  Manifest document();

  /** The blobs the manifest names, its config first, each fetched when opened. */
  List<Blob> blobs();

  /** An artifact whose parts are known. */
  record Value(Blob manifest, Manifest document, List<Blob> blobs) implements Artifact {
    public Value {
      blobs = List.copyOf(blobs);
    }
  }
}
