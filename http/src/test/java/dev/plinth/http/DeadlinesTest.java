package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * Deadlines, not only read timeouts, against a server on 127.0.0.1 that trickles its answer a
 * byte at a time (each byte well within the read timeout), holds a short body open, never reads
 * the request, or trickles a TLS handshake. Each test asserts the outcome, an error naming the
 * deadline, never a duration.
 */
class DeadlinesTest extends LocalServerTest<ServerSocket> {
  /**
   * A server that, on each of up to 10 connections, writes {@code prefix} at once, then {@code
   * trickle} one byte every 50 ms (at most 2,000 bytes), then holds the connection open until the
   * test is over. It reads nothing.
   */
  URI serve(String prefix, String trickle) throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    accepting("deadlines-test-server", () -> {
      for (int c = 0; c < 10 && !server.isClosed(); c++) {
        try {
          Socket s = server.accept();
          accepted.add(s);
          Thread t = new Thread(() -> answer(s, prefix, trickle), "deadlines-test-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          // the test ended the server
        }
      }
    });
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/");
  }

  private void answer(Socket s, String prefix, String trickle) {
    try (s) {
      OutputStream out = s.getOutputStream();
      out.write(prefix.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      byte[] t = trickle.getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < Math.min(t.length, 2000); i++) {
        if (testOver.await(50, TimeUnit.MILLISECONDS)) {
          break;
        }
        out.write(t[i]);
        out.flush();
      }
      testOver.await(60, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // the test ended the server, or the client went away
    }
  }

  static Http1 client() throws Exception {
    return new Http1(SSLContext.getDefault(), Duration.ofSeconds(5));
  }

  /** Read timeouts of 5 s that each trickled byte resets, and a deadline of 300 ms. */
  static Limits documents() {
    return new Limits(Duration.ofSeconds(5), null,
        Deadline.after(Duration.ofMillis(300), "for documents"));
  }

  @Test
  void aHeadSentAByteAtATime_failsAtTheDeadline() throws Exception {
    URI u = serve("", "HTTP/1.1 200 OK\r\nX-Slow: " + "a".repeat(1000) + "\r\n\r\n");
    DeadlineException e = assertThrows(DeadlineException.class,
        () -> client().sendWithin("GET", u, Map.of(), null, documents()));
    assertEquals("no complete answer within the 300 ms deadline for documents", e.getMessage());
  }

  @Test
  void aHeadSentAByteAtATime_failsAtTheHeadLimit() throws Exception {
    URI u = serve("", "HTTP/1.1 200 OK\r\nX-Slow: " + "a".repeat(1000) + "\r\n\r\n");
    DeadlineException e = assertThrows(DeadlineException.class, () -> client().sendWithin("GET", u,
        Map.of(), null, new Limits(Duration.ofSeconds(5), Duration.ofMillis(300), null)));
    assertTrue(e.getMessage().contains("300 ms deadline for an answer's head"), e.getMessage());
  }

  @Test
  void aBodySentAByteAtATime_failsAtTheDeadline() throws Exception {
    URI u = serve("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", "b".repeat(1000));
    Response r = client().sendWithin("GET", u, Map.of(), null, documents());
    assertEquals(200, r.status());
    try (InputStream in = r.body()) {
      DeadlineException e = assertThrows(DeadlineException.class, in::readAllBytes);
      assertTrue(e.getMessage().contains("deadline for documents"), e.getMessage());
    }
  }

  @Test
  void aShortBodyHeldOpen_failsAtTheDeadline_alsoWhenPrefetched() throws Exception {
    URI u = serve("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "");
    Http1 h = client();
    Response r = h.sendWithin("GET", u, Map.of(), null, documents());
    assertThrows(DeadlineException.class, () -> r.prefetch(4096));
    Response r2 = h.sendWithin("GET", u, Map.of(), null, Limits.idle(Duration.ofSeconds(5)));
    r2.within(Deadline.after(Duration.ofMillis(200), "for an error's body"));
    DeadlineException e = assertThrows(DeadlineException.class, () -> r2.body().readAllBytes());
    assertTrue(e.getMessage().contains("200 ms deadline for an error's body"), e.getMessage());
  }

  @Test
  void aBodyWithinItsDeadline_isPrefetchedWhole_andTheConnectionKept() throws Exception {
    URI u = serve("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
        + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nagain!", "");
    Http1 h = client();
    Response r = h.sendWithin("GET", u, Map.of(), null, documents()).prefetch(4096);
    assertEquals("hello", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    Response again = h.sendWithin("GET", u, Map.of(), null, documents()).prefetch(3);
    assertEquals("again!", new String(again.body().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(1, accepted.size(), "the second request went on the kept connection");
  }

  @Test
  void aServerThatTakesNoneOfTheRequestBody_failsAfterTheIdleTime() throws Exception {
    URI u = serve("", "");
    long length = 1L << 30; // far more than the socket buffers hold
    RequestBody zeros = RequestBody.of(length, () -> new InputStream() {
      long left = length;

      @Override
      public int read() {
        return left-- > 0 ? 0 : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 0);
        left -= n;
        return n;
      }
    });
    SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> client().sendWithin(
        "PUT", u, Map.of(), zeros, Limits.idle(Duration.ofMillis(300))));
    assertEquals("the server took none of the request for 300 ms", e.getMessage());
  }

  @Test
  void aTlsHandshakeSentAByteAtATime_failsAtTheConnectDeadline() throws Exception {
    // a TLS record header announcing 16 KiB of handshake, then its bytes one at a time
    URI u = serve("\u0016\u0003\u0003\u0040\u0000", "\u0002".repeat(2000));
    Http1 h = new Http1(SSLContext.getDefault(), Duration.ofMillis(300));
    URI https = URI.create("https://127.0.0.1:" + u.getPort() + "/v2/");
    DeadlineException e = assertThrows(DeadlineException.class,
        () -> h.send("GET", https, Map.of(), null, Duration.ofSeconds(5)));
    assertEquals("not connected within the 300 ms deadline for connecting", e.getMessage());
  }

  @Test
  void deadlines_nameThemselves() {
    assertEquals("the 30 s deadline for documents",
        Deadline.after(Duration.ofSeconds(30), "for documents").toString());
    assertEquals("5 min", Deadline.format(Duration.ofMinutes(5)));
    assertEquals("1.5 s", Deadline.format(Duration.ofMillis(1500)));
    Deadline soon = Deadline.after(Duration.ofMillis(1), "a");
    Deadline late = Deadline.after(Duration.ofHours(1), "b");
    assertEquals(soon, Deadline.earlier(late, soon));
    assertEquals(late, Deadline.earlier(null, late));
  }
}
