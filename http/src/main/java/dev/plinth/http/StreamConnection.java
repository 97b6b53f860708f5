package dev.plinth.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/** {@link Connection#of(InputStream, OutputStream, Connection.ReadTimeout, Closeable, Closeable)}. */
record StreamConnection(InputStream input, OutputStream output, Connection.ReadTimeout timeout,
    Closeable closer, Closeable aborter) implements Connection {
  @Override
  public void readTimeout(Duration t) throws IOException {
    timeout.set(t);
  }

  @Override
  public void close() {
    quietly(closer);
  }

  @Override
  public void abort() {
    quietly(aborter);
  }

  /** Closes {@code c}; a failure to close is nothing to act on. */
  static void quietly(Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to save
    }
  }
}
