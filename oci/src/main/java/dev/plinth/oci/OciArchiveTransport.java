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
  public ImageSink sink(ImageRef ref) {
    return (index, notes) -> {
      ArchiveWriter.writeOciArchive(ref.path(), ref.name(), index, mtime);
      return index.top();
    };
  }
}
