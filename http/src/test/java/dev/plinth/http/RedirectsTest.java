package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redirects between two servers on 127.0.0.1 (two ports: two origins). Each answers a path
 * {@code /to/N/REST} with a 302 to port N's {@code /REST}, {@code /303/REST} with a 303 to its
 * own {@code /REST}, {@code /ping} with a 307 to the other's {@code /ping}, and anything else
 * with 200 and its path.
 */
class RedirectsTest {
  HttpServer a;
  HttpServer b;
  final List<String> seen = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    a = server();
    b = server();
  }

  @AfterEach
  void stop() {
    a.stop(0);
    b.stop(0);
  }

  private HttpServer server() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/", this::answer);
    s.start();
    return s;
  }

  private void answer(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    seen.add(ex.getRequestMethod() + " " + ex.getLocalAddress().getPort() + path
        + (auth == null ? "" : " auth=" + auth) + (body.length == 0 ? "" : " body=" + body.length));
    String[] parts = path.split("/", 4);
    if (parts.length >= 3 && parts[1].equals("to")) {
      ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + parts[2] + "/"
          + (parts.length > 3 ? parts[3] : ""));
      ex.sendResponseHeaders(302, -1);
    } else if (parts.length >= 2 && parts[1].equals("303")) {
      ex.getResponseHeaders().add("Location", "/" + (parts.length > 2 ? path.substring(5) : ""));
      ex.sendResponseHeaders(303, -1);
    } else if (path.equals("/ping")) {
      HttpServer other = ex.getLocalAddress().getPort() == port(a) ? b : a;
      ex.getResponseHeaders().add("Location", at(other, "/ping").toString());
      ex.sendResponseHeaders(307, -1);
    } else {
      byte[] b = ("done " + path).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  private URI at(HttpServer s, String path) {
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort() + path);
  }

  private int port(HttpServer s) {
    return s.getAddress().getPort();
  }

  private static Redirects redirects() throws Exception {
    return new Redirects(new Http1(SSLContext.getDefault(), Duration.ofSeconds(5)));
  }

  private static String read(Response r) throws IOException {
    try (InputStream in = r.body()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void aChainOfRedirects_isFollowed_toTheAnswer() throws Exception {
    URI start = at(a, "/to/" + port(b) + "/to/" + port(a) + "/file");
    Response r = redirects().send("GET", start, Map.of(), null, Duration.ofSeconds(5));
    assertEquals(200, r.status());
    assertEquals("done /file", read(r));
    assertEquals(at(a, "/file"), r.uri(), "the URI that answered");
    assertEquals(3, seen.size(), seen.toString());
  }

  @Test
  void authorization_staysOnItsServer_andIsNotSentAgainAfterLeavingIt() throws Exception {
    URI start = at(a, "/to/" + port(a) + "/to/" + port(b) + "/to/" + port(a) + "/file");
    Response r = redirects().send("GET", start, Map.of("Authorization", "Bearer secret",
        "Accept", "*/*"), null, Duration.ofSeconds(5));
    assertEquals("done /file", read(r));
    assertEquals(List.of(
        "GET " + port(a) + "/to/" + port(a) + "/to/" + port(b) + "/to/" + port(a) + "/file"
            + " auth=Bearer secret",
        "GET " + port(a) + "/to/" + port(b) + "/to/" + port(a) + "/file auth=Bearer secret",
        "GET " + port(b) + "/to/" + port(a) + "/file",
        "GET " + port(a) + "/file"), seen);
  }

  @Test
  void aLoop_isARedirectException_namingIt() throws Exception {
    RedirectException e = assertThrows(RedirectException.class,
        () -> redirects().send("GET", at(a, "/ping"), Map.of(), null, null));
    assertEquals("redirect loop: " + at(a, "/ping") + " -> " + at(b, "/ping") + " -> "
        + at(a, "/ping"), e.getMessage());
    assertEquals(2, seen.size(), "it stops when a URI comes round again: " + seen);
  }

  @Test
  void moreThanTheHops_isARedirectException() throws Exception {
    String path = "/x";
    for (int i = 0; i < 6; i++) {
      path = "/to/" + port(i % 2 == 0 ? a : b) + path;
    }
    URI start = at(a, path);
    RedirectException e = assertThrows(RedirectException.class,
        () -> redirects().send("GET", start, Map.of(), null, null));
    assertTrue(e.getMessage().startsWith("more than 5 redirects"), e.getMessage());
    Response r = new Redirects(new Http1(SSLContext.getDefault(), Duration.ofSeconds(5)), 6)
        .send("GET", start, Map.of(), null, null);
    assertEquals("done /x", read(r));
  }

  @Test
  void a303_afterAPost_goesOnAsAGetWithoutTheBody() throws Exception {
    Response r = redirects().send("POST", at(a, "/303/result"), Map.of(),
        RequestBody.of(new byte[10]), null);
    assertEquals("done /result", read(r));
    assertEquals(List.of("POST " + port(a) + "/303/result body=10", "GET " + port(a) + "/result"),
        seen);
  }

  @Test
  void targets_thatAreNotHttp_orDowngradeHttps_areRefused() throws Exception {
    URI https = URI.create("https://mirror.example/debian/x");
    assertThrows(RedirectException.class, () -> Redirects.target(https, "http://mirror.example/x"));
    assertThrows(RedirectException.class, () -> Redirects.target(https, "ftp://mirror.example/x"));
    assertThrows(RedirectException.class, () -> Redirects.target(https, "file:///etc/passwd"));
    assertThrows(RedirectException.class, () -> Redirects.target(https, "http://[bad"));
    assertEquals(URI.create("https://mirror.example/other"), Redirects.target(https, "/other"));
    assertEquals(URI.create("http://b.example/x"),
        Redirects.target(URI.create("http://a.example/"), "http://b.example/x"));
  }
}
