package dev.plinth.http;

import dev.plinth.oci.StreamOpener;
import java.io.IOException;
import java.io.InputStream;

/** {@link RequestBody#of(long, StreamOpener)}. */
record SizedBody(long length, StreamOpener opener) implements RequestBody {
  @Override
  public InputStream open() throws IOException {
    return opener.open();
  }
}
