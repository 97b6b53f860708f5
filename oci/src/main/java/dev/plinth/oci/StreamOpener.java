package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;

/** Opens the same bytes afresh each time it is called: a blob's, a request body's. */
@FunctionalInterface
public interface StreamOpener {
  InputStream open() throws IOException;
}
