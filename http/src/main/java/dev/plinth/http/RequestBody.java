package dev.plinth.http;

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

  /** These bytes. */
  static RequestBody of(byte[] bytes) {
    return new RequestBody() {
      @Override
      public long length() {
        return bytes.length;
      }

      @Override
      public InputStream open() {
        return new ByteArrayInputStream(bytes);
      }
    };
  }

  /** A file, whose length is taken now. */
  static RequestBody of(Path file) throws IOException {
    long length = Files.size(file);
    return new RequestBody() {
      @Override
      public long length() {
        return length;
      }

      @Override
      public InputStream open() throws IOException {
        return Files.newInputStream(file);
      }
    };
  }
}
