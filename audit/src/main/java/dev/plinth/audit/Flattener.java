package dev.plinth.audit;

import dev.plinth.oci.PlinthException;
import java.util.List;

/**
 * Applies layers to a {@link FsTree} as a runtime does: each layer's whiteouts and opaque
 * directories first, against the layers below it only (a whiteout never hides an entry of its own
 * layer, wherever the tar lists it), then its entries in order, a later one replacing an earlier
 * one, a non-directory replacing a whole directory tree and a directory merging into one.
 * Hardlinks copy what they link to at that moment; a link is never followed at the last component
 * of an entry, so writing "over" a symlink replaces the symlink.
 */
final class Flattener {
  private final FsTree tree = new FsTree();
  private long entries;
  private long metadata;
  private final Limits limits;
  private final String what;

  /** @param what names the image in messages, e.g. "oci-archive:app.tar (linux/amd64)" */
  Flattener(String what, Limits limits) {
    this.what = what;
    this.limits = limits;
  }

  FsTree tree() {
    return tree;
  }

  /**
   * Applies one layer; the notes of entries written through a symlink are added to {@code notes}.
   *
   * @param index the layer's position, bottom 0
   * @param layerWhat names the layer in messages
   */
  void apply(LayerChanges layer, int index, String layerWhat, List<LayerChanges.Note> notes)
      throws PlinthException {
    entries += layer.entries().size() + layer.whiteouts().size() + layer.opaqueDirs().size();
    metadata += layer.metadataBytes();
    if (entries > limits.maxEntries()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has more than "
          + limits.maxEntries() + " entries in its layers");
    }
    if (metadata > limits.maxMetadataBytes()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has more than "
          + limits.maxMetadataBytes() + " bytes of names and metadata in its layers");
    }
    try {
      for (String dir : layer.opaqueDirs()) {
        String real = tree.lookupForApply(dir);
        if (real != null) {
          FsTree.Node n = tree.get(real);
          if (n != null && n.isDirectory()) {
            tree.removeChildren(real);
          }
        }
      }
      for (String path : layer.whiteouts()) {
        String real = tree.lookupForApply(path);
        if (real != null) {
          tree.removeTree(real);
        }
      }
    } catch (FsTree.ApplyError e) {
      throw bad(layerWhat, "a whiteout", e);
    }
    for (LayerChanges.Entry e : layer.entries()) {
      String real;
      try {
        real = tree.place(e.path());
      } catch (FsTree.ApplyError err) {
        throw bad(layerWhat, "'" + e.path() + "'", err);
      }
      if (!real.equals(e.path())) {
        notes.add(new LayerChanges.Note(Rule.PL054, e.path(), "written through a symbolic link"
            + " (it lands at /" + real + "); tools that extract layers differ on this"));
      }
      FsTree.Node node;
      if (e.hardlinkTo() != null) {
        FsTree.Node target;
        try {
          String t = tree.placeExisting(e.hardlinkTo());
          target = tree.get(t);
        } catch (FsTree.ApplyError err) {
          throw bad(layerWhat, "the hardlink '" + e.path() + "'", err);
        }
        if (target == null) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the hardlink '"
              + e.path() + "' links to '" + e.hardlinkTo() + "', which does not exist");
        }
        if (target.isDirectory()) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": the hardlink '"
              + e.path() + "' links to the directory '" + e.hardlinkTo() + "'");
        }
        node = new FsTree.Node(target.kind(), target.mode(), target.uid(), target.gid(),
            target.size(), target.link(), target.facts(), index);
      } else {
        node = new FsTree.Node(e.kind(), e.mode(), e.uid(), e.gid(), e.size(), e.link(),
            e.facts(), index);
      }
      tree.put(real, node);
    }
  }

  private PlinthException bad(String layerWhat, String subject, FsTree.ApplyError e) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, layerWhat + ": " + subject
        + " cannot be applied: " + e.getMessage());
  }
}
