package dev.plinth.http;

import java.io.Closeable;
import java.io.InputStream;
import java.net.URI;

/**
 * A response: its status and headers, read; its body, to read and close. Closing the body after
 * reading it to its end (or close to it) gives the connection back for the next request.
 */
public final class Response implements Closeable {
  private final int status;
  private final Headers headers;
  private final URI uri;
  private final InputStream body;

  Response(int status, Headers headers, URI uri, InputStream body) {
    this.status = status;
    this.headers = headers;
    this.uri = uri;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public Headers headers() {
    return headers;
  }

  /** The URI that answered (after redirects, when {@link Redirects} followed them). */
  public URI uri() {
    return uri;
  }

  /** The body, without its framing; an IOException if the connection breaks it off. */
  public InputStream body() {
    return body;
  }

  /** Closes the body, whether read or not. */
  @Override
  public void close() {
    try {
      body.close();
    } catch (java.io.IOException ignored) {
      // the bodies here drop their connection instead of failing to close
    }
  }
}
