package dev.plinth.oci;

/**
 * {@code oci-archive:FILE[:TAG]}: a tar of an OCI image layout, read in place (indexed, never
 * extracted) and written whole, atomically, its entries dated {@code mtime}.
 *
 * @param mtime the time (seconds since 1970) of the entries written
 */
public record OciArchiveTransport(long mtime) implements Transport {
  @Override
  public ImageSource source(ImageRef ref) {
    return want -> OciLayoutTransport.read(FileStore.Tar.open(ref.path(), ref.toString()), ref,
        want);
  }

  @Override
  public ImageSink sink(ImageRef ref) throws PlinthException {
    return sink(ref, java.util.List.of());
  }

  /** One archive, an index.json entry for its tag and each of {@code tags}. */
  @Override
  public ImageSink sink(ImageRef ref, java.util.List<String> tags) throws PlinthException {
    java.util.List<String> names = ref.namesWith(tags);
    return new ImageSink() {
      @Override
      public Descriptor write(ImageIndex index, java.util.function.Consumer<String> notes)
          throws java.io.IOException, PlinthException {
        ArchiveWriter.writeOciArchiveTags(ref.path(), names, index, mtime);
        return index.top();
      }

      /** The archive written whole under a temporary name, renamed over the file on commit. */
      @Override
      public Staged stage(ImageIndex index, java.util.function.Consumer<String> notes)
          throws java.io.IOException, PlinthException {
        AtomicFile file = ArchiveWriter.stageOciArchiveTags(ref.path(), names, index, mtime);
        return new Staged() {
          @Override
          public Descriptor commit() throws java.io.IOException {
            file.commitUnsynced();
            return index.top();
          }

          @Override
          public void close() throws java.io.IOException {
            file.close();
          }
        };
      }
    };
  }
}
