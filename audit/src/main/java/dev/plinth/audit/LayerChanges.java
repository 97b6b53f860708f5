package dev.plinth.audit;

import java.util.List;

/**
 * One layer read once, in memory: its entries (names checked and normalized, contents reduced to
 * {@link FileFacts}), whiteouts and opaque directories, and the findings about the layer itself.
 * Applying it to a tree is {@link Flattener}'s job; an index's platforms share the layers they
 * have in common.
 *
 * @param uncompressedBytes the size of the layer's tar
 * @param metadataBytes what its names and kept contents weigh in memory, for the caps
 */
record LayerChanges(List<Entry> entries, List<String> whiteouts, List<String> opaqueDirs,
    List<Note> notes, long uncompressedBytes, long metadataBytes) {

  /**
   * One tar entry.
   *
   * @param path where it goes, relative to the root ("" for the root directory itself)
   * @param hardlinkTo for a hardlink, the path it links to (normalized like {@code path}); else
   *     null
   * @param link a symlink's target as written; else null
   */
  record Entry(int ordinal, String path, FsTree.Kind kind, String hardlinkTo, int mode, long uid,
      long gid, long size, String link, FileFacts facts) {
    Entry withFacts(FileFacts f) {
      return new Entry(ordinal, path, kind, hardlinkTo, mode, uid, gid, size, link, f);
    }
  }

  /** A finding about an entry of the layer (a duplicate path, an absolute name, a device). */
  record Note(Rule rule, String path, String message) {}
}
