package dev.plinth.http;

import dev.plinth.oci.BulkInputStream;
import java.io.IOException;

/**
 * A response body framed on a connection ({@link FixedLengthBody}, {@link ChunkedBody}): read to
 * its end, it gives a kept connection back; a read that fails drops the connection.
 */
abstract class ConnBody extends BulkInputStream {
  final Conn c;
  final boolean keep;
  /** Done with the connection: given back or dropped. */
  boolean closed;

  ConnBody(Conn c, boolean keep) {
    this.c = c;
    this.keep = keep;
  }

  /** Reading it to its end must also be done by {@code d}; nothing once it is done or closed. */
  final void within(Deadline d) {
    if (!closed) {
      c.tighten(d);
    }
  }

  /** An IOException when the body is closed. */
  final void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("the response body is closed");
    }
  }

  /** Drops the connection, unless already done with it. */
  final void drop() {
    if (!closed) {
      closed = true;
      c.close();
    }
  }

  @Override
  public final void close() {
    if (!closed) {
      finish();
    }
  }

  /**
   * Closes it before it is done with the connection: drains what is left if that is little and
   * gives the connection back, else drops it.
   */
  abstract void finish();
}
