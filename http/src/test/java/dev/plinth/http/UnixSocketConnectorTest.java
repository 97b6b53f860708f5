package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client over a unix-domain socket in a temp directory, served by a script: requests and
 * bodies both ways, kept connections, a read that times out, nothing listening.
 */
class UnixSocketConnectorTest extends LocalServerTest<ServerSocketChannel> {
  @TempDir Path tmp;
  final List<String> heads = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger connections = new AtomicInteger();

  /** Answers the n-th request with the script's bytes (null: wait until the test is over). */
  Path serve(IntFunction<String> script) throws IOException {
    Path socket = tmp.resolve("test.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    AtomicInteger requests = new AtomicInteger();
    accepting("unix-test-server", () -> {
      while (server.isOpen()) {
        try (SocketChannel ch = server.accept()) {
          accepted.add(ch);
          connections.incrementAndGet();
          TestRequest.serve(Channels.newInputStream(ch), Channels.newOutputStream(ch),
              (req, out) -> {
                heads.add(req.head());
                String a = script.apply(requests.getAndIncrement());
                if (a == null) {
                  testOver.await(60, TimeUnit.SECONDS);
                  return false;
                }
                out.write(a.getBytes(StandardCharsets.ISO_8859_1));
                return true;
              });
        } catch (IOException | InterruptedException e) {
          // the test ended the server, or the client went away
        }
      }
    });
    return socket;
  }

  static String get(Http1 h, String path) throws IOException {
    try (Response r = h.send("GET", URI.create("http://docker" + path), Map.of(), null,
        Duration.ofSeconds(10))) {
      return r.status() + " " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void requestsGoOverTheSocket_onOneKeptConnection() throws Exception {
    Path socket = serve(n -> "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nanswer " + n);
    Http1 h = new Http1(Connector.unix(socket), Duration.ofSeconds(5));
    assertEquals("200 answer 0", get(h, "/v1.41/version"));
    Response r = h.send("POST", URI.create("http://docker/v1.41/images/load?quiet=1"),
        Map.of("Content-Type", "application/x-tar"),
        RequestBody.of(new byte[200_000]), Duration.ofSeconds(10));
    assertEquals(200, r.status());
    assertEquals("answer 1", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(1, connections.get());
    assertTrue(heads.get(0).startsWith("GET /v1.41/version HTTP/1.1\r\nHost: docker\r\n"),
        heads.get(0));
    assertTrue(heads.get(1).contains("\r\nContent-Length: 200000\r\n"), heads.get(1));
  }

  @Test
  void connectionClose_inTheRequest_isNotKept() throws Exception {
    Path socket = serve(n -> "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    Http1 h = new Http1(Connector.unix(socket), Duration.ofSeconds(5));
    for (int i = 0; i < 2; i++) {
      try (Response r = h.send("GET", URI.create("http://docker/_ping"),
          Map.of("Connection", "close"), null, null)) {
        assertEquals("ok", new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertEquals(2, connections.get());
  }

  @Test
  void aDaemonThatNeverAnswers_timesOut() throws Exception {
    Path socket = serve(n -> null);
    Http1 h = new Http1(Connector.unix(socket), Duration.ofSeconds(5));
    assertThrows(SocketTimeoutException.class, () -> h.send("GET",
        URI.create("http://docker/_ping"), Map.of(), null, Duration.ofMillis(100)));
  }

  @Test
  void aMalformedContentLength_isAnIOException() throws Exception {
    Path socket = serve(n -> "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello");
    Http1 h = new Http1(Connector.unix(socket), Duration.ofSeconds(5));
    IOException e = assertThrows(IOException.class, () -> get(h, "/_ping"));
    assertEquals("a malformed Content-Length", e.getMessage());
  }

  @Test
  void nothingListening_isAConnectException() throws Exception {
    Path stale = Files.createFile(tmp.resolve("stale.sock"));
    Http1 h = new Http1(Connector.unix(stale), Duration.ofSeconds(5));
    assertThrows(ConnectException.class, () -> get(h, "/_ping"));
    Http1 none = new Http1(Connector.unix(tmp.resolve("none.sock")), Duration.ofSeconds(5));
    assertThrows(ConnectException.class, () -> get(none, "/_ping"));
  }
}
