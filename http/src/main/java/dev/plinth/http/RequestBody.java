package dev.plinth.http;

import dev.plinth.oci.StreamOpener;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A request body of a known length that can be opened again: a request that went unanswered on
 * a kept connection is sent once more, and callers retry. It is sent with its Content-Length; a
 * body that ends early or goes on past its length fails the request.
 */
public interface RequestBody {
  long length();

  InputStream open() throws IOException;

  /** {@code length} bytes, as {@code opener} gives them each time. */
  static RequestBody of(long length, StreamOpener opener) {
    return new SizedBody(length, opener);
  }

  /** These bytes. */
  static RequestBody of(byte[] bytes) {
    return of(bytes.length, () -> new ByteArrayInputStream(bytes));
  }

  /** A file, whose length is taken now. */
  static RequestBody of(Path file) throws IOException {
    return of(Files.size(file), () -> Files.newInputStream(file));
  }
}
