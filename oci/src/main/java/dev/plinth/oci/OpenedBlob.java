package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;

/** {@link Blob#of(Descriptor, StreamOpener)}: the bytes an opener gives, taken on trust. */
record OpenedBlob(Descriptor descriptor, StreamOpener opener) implements Blob {
  @Override
  public InputStream open() throws IOException {
    return opener.open();
  }
}
