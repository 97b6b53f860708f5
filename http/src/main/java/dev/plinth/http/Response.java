package dev.plinth.http;

import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
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
  /** The body as framed on the connection (not the prefetched bytes before it), or null. */
  private final InputStream framed;

  Response(int status, Headers headers, URI uri, InputStream body, InputStream framed) {
    this.status = status;
    this.headers = headers;
    this.uri = uri;
    this.body = body;
    this.framed = framed;
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

  /**
   * From now on, the body must be read to its end by {@code d} as well: an error answer to a
   * blob request, say, is a small document, which a server must not trickle for the idle time.
   */
  public Response within(Deadline d) {
    if (framed instanceof ConnBody b) {
      b.within(d);
    }
    return this;
  }

  /**
   * Reads up to {@code max} bytes of the body now, so that a body that breaks off or does not come
   * within the deadline fails here, where the request can still be sent again. The response
   * returned gives those bytes, then whatever follows them; a body of fewer bytes is read to its
   * end and its connection is free.
   */
  public Response prefetch(int max) throws IOException {
    byte[] first;
    try {
      first = body.readNBytes(max);
    } catch (IOException e) {
      close();
      throw e;
    }
    if (first.length < max) {
      close();
      return new Response(status, headers, uri, new ByteArrayInputStream(first), null);
    }
    return new Response(status, headers, uri,
        new SequenceInputStream(new ByteArrayInputStream(first), body), framed);
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
