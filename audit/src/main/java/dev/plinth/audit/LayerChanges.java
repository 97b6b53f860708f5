package dev.plinth.audit;

import dev.plinth.oci.LayerDiff;
import java.util.List;

/**
 * One layer read once for the audit: what it changes (its entries with the {@link FileFacts} kept
 * of their contents, its whiteouts and opaque directories) and the findings about the layer
 * itself. An index's platforms share the layers they have in common.
 */
record LayerChanges(LayerDiff<FileFacts> diff, List<Note> notes) {
  /** The size of the layer's tar. */
  long uncompressedBytes() {
    return diff.uncompressedBytes();
  }

  /** A finding about an entry of the layer (a duplicate path, an absolute name, a device). */
  record Note(Rule rule, String path, String message) {
    static Note of(LayerDiff.Note n) {
      Rule rule = n.kind() == LayerDiff.NoteKind.DUPLICATE ? Rule.PL053 : Rule.PL054;
      return new Note(rule, n.path(), n.message());
    }
  }
}
