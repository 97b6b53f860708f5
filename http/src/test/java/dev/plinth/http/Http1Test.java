package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 client against a server on 127.0.0.1 that answers from a script, byte for
 * byte: connection reuse, chunked bodies, a kept connection the server closed, and hostile
 * answers, each of which must fail closed with an IOException.
 */
class Http1Test extends LocalServerTest<ServerSocket> {
  /** What the server answers to the n-th request (0-based) it reads on any connection. */
  interface Script {
    /** The bytes to send; null to close the connection without answering. */
    byte[] answer(int n, String head, byte[] body) throws IOException;
  }

  final List<String> heads = Collections.synchronizedList(new ArrayList<>());
  final List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger connections = new AtomicInteger();

  /** Serves one connection at a time; closes a connection after an answer when asked to. */
  URI serve(Script script, boolean closeAfterEach) throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    AtomicInteger requests = new AtomicInteger();
    accepting("http1-test-server", () -> {
      for (int c = 0; c < 20 && !server.isClosed(); c++) {
        try (Socket s = server.accept()) {
          accepted.add(s);
          connections.incrementAndGet();
          s.setSoTimeout(5000);
          TestRequest.serve(s.getInputStream(), s.getOutputStream(), (req, out) -> {
            heads.add(req.head());
            bodies.add(req.body());
            byte[] a = script.answer(requests.getAndIncrement(), req.head(), req.body());
            if (a != null) {
              out.write(a);
            }
            return a != null && !closeAfterEach;
          });
        } catch (IOException | InterruptedException e) {
          // the test ended the server, or the client went away
        }
      }
    });
    return URI.create("http://127.0.0.1:" + server.getLocalPort());
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] ok(String body) {
    return ascii("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
  }

  static Http1 client() throws Exception {
    return new Http1(SSLContext.getDefault(), Duration.ofSeconds(5));
  }

  static String get(Http1 h, URI u) throws IOException {
    Response r = h.send("GET", u, Map.of(), null, Duration.ofSeconds(5));
    try (InputStream in = r.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Two GETs of {@code u} on one client answer these, over this many connections. */
  void assertTwoGets(URI u, String first, String second, int connectionsUsed) throws Exception {
    Http1 h = client();
    assertEquals(first, get(h, u));
    assertEquals(second, get(h, u));
    assertEquals(connectionsUsed, connections.get());
  }

  @Test
  void keepsTheConnection_forRequestsAfterOneAnother() throws Exception {
    URI u = serve((n, head, body) -> head.startsWith("HEAD ")
        ? ascii("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n") // the length a GET would have
        : ok("answer " + n), false);
    Http1 h = client();
    assertEquals("answer 0", get(h, u.resolve("/v2/")));
    assertEquals("answer 1", get(h, u.resolve("/v2/a")));
    Response r = h.send("HEAD", u.resolve("/v2/b"), Map.of(), null, null);
    assertEquals(200, r.status());
    assertEquals("answer 3", get(h, u.resolve("/v2/c")));
    assertEquals(1, connections.get(), "one connection for all four requests");
    assertTrue(heads.get(0).startsWith("GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:" + u.getPort()),
        heads.get(0));
  }

  @Test
  void sendsTheBodyWithItsLength_andTheQuery() throws Exception {
    URI u = serve((n, head, body) -> ascii("HTTP/1.1 201 Created\r\nLocation: /x\r\n"
        + "Docker-Content-Digest: sha256:1\r\nContent-Length: 0\r\n\r\n"), false);
    byte[] data = new byte[300_000];
    new java.util.Random(1).nextBytes(data);
    Response r = client().send("PUT", URI.create(u + "/v2/r/blobs/uploads/1?digest=sha256:ab"),
        Map.of("Content-Type", "application/octet-stream"), RequestBody.of(data), null);
    assertEquals(201, r.status());
    assertEquals("/x", r.headers().firstValue("location").orElseThrow(), "names ignore case");
    assertTrue(heads.get(0).startsWith("PUT /v2/r/blobs/uploads/1?digest=sha256:ab HTTP/1.1\r\n"));
    assertTrue(heads.get(0).contains("\r\nContent-Length: 300000\r\n"), heads.get(0));
    assertArrayEquals(data, bodies.get(0));
  }

  @Test
  void readsChunkedBodies_thenReusesTheConnection() throws Exception {
    URI u = serve((n, head, body) -> n == 0
        ? ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n")
        : ok("second"), false);
    assertTwoGets(u, "hello, world", "second", 1);
  }

  @Test
  void skipsAnInterimAnswer() throws Exception {
    URI u = serve((n, head, body) -> ascii("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
        + "Content-Length: 2\r\n\r\nok"), false);
    assertEquals("ok", get(client(), u));
  }

  @Test
  void sendsAgainOnANewConnection_whenTheServerClosedAKeptOne() throws Exception {
    // the server closes every connection after its answer without saying so
    URI u = serve((n, head, body) -> ok("answer " + n), true);
    Http1 h = client();
    assertEquals("answer 0", get(h, u));
    Thread.sleep(100); // the server has closed it by now
    assertEquals("answer 1", get(h, u));
    byte[] data = ascii("a body that is sent again");
    Thread.sleep(100);
    Response r = h.send("PATCH", u, Map.of(), RequestBody.of(data), null);
    assertEquals(200, r.status());
    assertArrayEquals(data, bodies.get(bodies.size() - 1));
    assertEquals(3, connections.get());
  }

  @Test
  void connectionClose_isHonoured() throws Exception {
    URI u = serve((n, head, body) -> ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n"
        + "Content-Length: 1\r\n\r\nx"), true);
    assertTwoGets(u, "x", "x", 2);
  }

  @Test
  void aBodyToTheConnectionsEnd_isReadWhole() throws Exception {
    URI u = serve((n, head, body) -> ascii("HTTP/1.1 200 OK\r\n\r\nuntil the end"), true);
    assertEquals("until the end", get(client(), u));
  }

  @Test
  void hostileAnswers_failWithAnIOException() throws Exception {
    String[] answers = {
        "NOT HTTP\r\n\r\n",
        "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 20x OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nX: " + "a".repeat(70_000) + "\r\n\r\n",
        "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(300) + "\r\n",
        "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhello",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "HTTP/1.1 200 OK\r\nContent-Le",
    };
    URI u = serve((n, head, body) -> ascii(answers[n]), true);
    Http1 h = client();
    for (String a : answers) {
      IOException e = assertThrows(IOException.class, () -> get(h, u),
          a.substring(0, Math.min(a.length(), 60)));
      assertTrue(e.getMessage() != null && e.getMessage().length() < 300, e.getMessage());
    }
  }

  @Test
  void aServerThatNeverAnswers_timesOut() throws Exception {
    // the server answers nothing until the test is over, however slow the machine
    URI u = serve((n, head, body) -> {
      try {
        testOver.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }, true);
    // the outcome, never a duration: a loaded machine makes any bound on the time flaky
    assertThrows(SocketTimeoutException.class,
        () -> client().send("GET", u, Map.of(), null, Duration.ofMillis(200)));
  }

  @Test
  void headerValuesWithLineBreaks_areRefused() throws Exception {
    URI u = serve((n, head, body) -> ok("x"), false);
    assertThrows(IllegalArgumentException.class, () -> client().send("GET", u,
        Map.of("X-Injected", "a\r\nAuthorization: Basic eA=="), null, null));
    assertThrows(IllegalArgumentException.class, () -> client().send("GET", u,
        Map.of("Bad Name", "a"), null, null));
    assertEquals(0, heads.size(), "nothing was sent");
  }

  @Test
  void aBodyShorterThanItsLength_failsTheRequest() throws Exception {
    URI u = serve((n, head, body) -> ok("x"), false);
    RequestBody lying = RequestBody.of(100, () -> new ByteArrayInputStream(new byte[10]));
    assertThrows(IOException.class, () -> client().send("PUT", u, Map.of(), lying, null));
  }
}
