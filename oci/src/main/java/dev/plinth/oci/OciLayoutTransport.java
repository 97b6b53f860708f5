package dev.plinth.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/** {@code oci:DIR[:TAG]}: an OCI image layout directory, read and written in place. */
public final class OciLayoutTransport implements Transport {
  @Override
  public ImageSource source(ImageRef ref) {
    return want -> read(FileStore.Dir.open(ref.path(), ref.toString()), ref, want);
  }

  @Override
  public ImageSink sink(ImageRef ref) {
    return (index, notes) -> {
      OciLayoutWriter.write(ref.path(), ref.name(), index);
      return index.top();
    };
  }

  /**
   * Reads the layout in {@code files}: the entry of index.json tagged {@code ref.name()} (or the
   * only one), and what it names.
   */
  static ImageIndex read(FileStore files, ImageRef ref, Predicate<Platform> want)
      throws IOException, PlinthException {
    if (!files.exists("index.json")) {
      throw new PlinthException(
          PlinthException.Kind.BAD_INPUT, ref + " is not an OCI layout: it has no index.json");
    }
    Index index = Index.parse(files.document("index.json"), ref + " index.json");
    List<Descriptor> matches = new ArrayList<>();
    List<String> tags = index.refNames();
    for (Descriptor d : index.manifests()) {
      String name = d.annotations().get(OciLayoutWriter.REF_NAME);
      // one image under several tags is one match
      if ((ref.name() == null || Objects.equals(ref.name(), name))
          && matches.stream().noneMatch(m -> m.digest().equals(d.digest()))) {
        matches.add(d);
      }
    }
    if (matches.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.NOT_FOUND,
          ref + ": no image " + (ref.name() == null ? "" : "tagged '" + ref.name() + "' ")
              + "in the layout (tags: " + (tags.isEmpty() ? "none" : String.join(", ", tags)) + ")");
    }
    if (matches.size() > 1 && ref.name() == null) {
      // what is attached to an image (referrers, cosign's sha256-HEX.sig) is not one to pick
      matches.removeIf(LayoutReferrers::attached);
    }
    if (matches.size() > 1) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          ref + " holds " + matches.size() + " images; name one with :TAG (tags: "
              + String.join(", ", tags) + ")");
    }
    BlobStore store = files.blobs(d -> "blobs/sha256/" + d.hex(), d -> "blobs/sha256/" + d.hex());
    Descriptor top = matches.get(0);
    return ImageReader.read(store, top, store.manifest(top), want);
  }
}
