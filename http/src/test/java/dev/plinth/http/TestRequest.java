package dev.plinth.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 request as a test's scripted server reads it off a connection, byte for byte (the
 * servers of http's, registry's and daemon's tests).
 *
 * @param head the request line and fields, up to and with the empty line
 * @param body as many bytes as its Content-Length says
 */
public record TestRequest(String head, byte[] body) {
  private static final int MAX_HEAD = 65536;

  /** The next request on {@code in}; null when the connection ends before a whole head. */
  public static TestRequest read(InputStream in) throws IOException {
    String head = head(in);
    if (head == null) {
      return null;
    }
    int length = 0;
    for (String l : head.split("\r\n")) {
      if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(l.substring(15).trim());
      }
    }
    return new TestRequest(head, in.readNBytes(length));
  }

  /**
   * A head (a request's or an answer's) up to and with its empty line; null when the stream ends
   * first or the head grows over 64 KiB.
   */
  public static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int last4 = 0;
    for (int c; (c = in.read()) >= 0 && b.size() < MAX_HEAD; ) {
      b.write(c);
      last4 = last4 << 8 | c;
      if (last4 == 0x0d0a0d0a) {
        return b.toString(StandardCharsets.ISO_8859_1);
      }
    }
    return null;
  }

  /** What a test's server does with one request: answers it on {@code out}; false to hang up. */
  public interface Handler {
    boolean answer(TestRequest request, OutputStream out) throws IOException, InterruptedException;
  }

  /**
   * Hands the requests on one connection to {@code handler}, one after another, until the client
   * ends the connection or the handler hangs up.
   */
  public static void serve(InputStream in, OutputStream out, Handler handler)
      throws IOException, InterruptedException {
    for (TestRequest r; (r = read(in)) != null; ) {
      boolean more = handler.answer(r, out);
      out.flush();
      if (!more) {
        return;
      }
    }
  }

  /** The request line: method, target, version. */
  public String line() {
    return head.substring(0, head.indexOf("\r\n"));
  }
}
