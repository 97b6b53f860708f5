package dev.plinth.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an answer's head defensively and frames its body. A status line that is not HTTP/1.x, a
 * head over {@link Http1#MAX_HEAD} bytes or {@link Http1#MAX_HEADERS} fields, a field without a
 * colon, a malformed or contradictory Content-Length each fail with an IOException, never a
 * runtime exception; the caller drops the connection.
 */
final class ResponseParser {
  private ResponseParser() {}

  /** The request went unanswered on a kept connection: the server had closed it. */
  static final class StaleConnection extends IOException {
    private static final long serialVersionUID = 1L;

    StaleConnection() {
      super("the kept connection was closed by the server");
    }
  }

  /**
   * Reads the head of the answer to {@code method} (interim 1xx answers skipped).
   *
   * @param keepAllowed false when the request asked for the connection to be closed
   */
  static Response read(Conn c, String method, URI uri, boolean keepAllowed) throws IOException {
    while (true) {
      c.headBytes = 0;
      String status = c.line(true);
      if (status == null) {
        throw c.used ? new StaleConnection() : new EOFException("the server closed the"
            + " connection without an answer");
      }
      c.used = true;
      c.answered = true;
      int code = status(status);
      Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      int n = 0;
      for (String l; !(l = c.line(false)).isEmpty(); ) {
        if (++n > Http1.MAX_HEADERS) {
          throw new IOException("more than " + Http1.MAX_HEADERS + " header fields");
        }
        int colon = l.indexOf(':');
        if (colon <= 0) {
          throw new IOException("a malformed header field");
        }
        fields.computeIfAbsent(l.substring(0, colon).trim(), k -> new ArrayList<>(1))
            .add(l.substring(colon + 1).trim());
      }
      if (code < 200) {
        continue; // an interim answer (100 Continue): the real one follows
      }
      c.headRead();
      Headers h = new Headers(fields);
      boolean keep = keepAllowed && status.startsWith("HTTP/1.1") && !closes(h);
      InputStream body;
      if (method.equals("HEAD") || code == 204 || code == 304) {
        body = new FixedLengthBody(c, 0, keep);
      } else if (h.allValues("Transfer-Encoding").stream()
          .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
        body = new ChunkedBody(c, keep);
      } else if (h.firstValue("Content-Length").isPresent()) {
        body = new FixedLengthBody(c, contentLength(h.allValues("Content-Length")), keep);
      } else {
        body = new FixedLengthBody(c, -1, false); // to the end of the connection
      }
      if (body instanceof FixedLengthBody b && b.atEnd()) {
        b.close(); // nothing to read: the connection is free (or closed) now
      }
      return new Response(code, h, uri, body, body);
    }
  }

  /** The code of an HTTP/1.x status line. */
  private static int status(String status) throws IOException {
    if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
        || (status.length() > 12 && status.charAt(12) != ' ')) {
      throw new IOException("not an HTTP/1.x answer: " + Uris.clean(
          status.length() > 40 ? status.substring(0, 40) : status));
    }
    int code;
    try {
      code = Integer.parseInt(status.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("a malformed HTTP status line");
    }
    if (code < 100 || code > 599) {
      throw new IOException("HTTP status " + code + " is out of range");
    }
    return code;
  }

  /** Whether a Connection field says close. */
  static boolean closes(Headers h) {
    return h.allValues("Connection").stream()
        .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
  }

  /** One length, the same in every Content-Length field, a non-negative decimal number. */
  static long contentLength(List<String> all) throws IOException {
    String first = all.get(0);
    if (first.isEmpty() || first.length() > 18
        || !first.chars().allMatch(ch -> ch >= '0' && ch <= '9')
        || all.stream().anyMatch(v -> !v.equals(first))) {
      throw new IOException("a malformed Content-Length");
    }
    return Long.parseLong(first);
  }
}
