package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Requests through {@link TestProxy}, to a server whose name only the proxy knows: a request
 * that bypassed the proxy could not even resolve it.
 */
class ProxyConnectionTest {
  private HttpServer origin;
  private TestProxy proxy;
  private final List<String> seen = java.util.Collections.synchronizedList(
      new java.util.ArrayList<>());

  @BeforeEach
  void start() throws IOException {
    origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    origin.createContext("/", ex -> {
      seen.add(ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath()
          + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery())
          + " auth=" + ex.getRequestHeaders().getFirst("Proxy-Authorization"));
      byte[] body = ("hello " + ex.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    origin.start();
    proxy = new TestProxy().route("origin.proxy.test", 8080, origin.getAddress());
  }

  @AfterEach
  void stop() throws IOException {
    proxy.close();
    origin.stop(0);
  }

  private Http1 client(String proxyUrl, String noProxy) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of("HTTP_PROXY", proxyUrl));
    if (noProxy != null) {
      env.put("NO_PROXY", noProxy);
    }
    return new Http1(Connector.tcp(SSLContext.getDefault(), Proxies.fromEnvironment(env,
        Map.of())), Duration.ofSeconds(10));
  }

  private static String get(Http1 http, String url) throws IOException {
    Response r = http.send("GET", URI.create(url), Map.of(), null, Duration.ofSeconds(10));
    try (InputStream in = r.body()) {
      return r.status() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void plainHttp_goesToTheProxyInAbsoluteForm() throws Exception {
    Http1 http = client(proxy.url(), null);
    assertEquals("200 hello /a/b", get(http, "http://origin.proxy.test:8080/a/b?x=1"));
    assertEquals("200 hello /c", get(http, "http://origin.proxy.test:8080/c"));
    assertEquals(List.of("GET http://origin.proxy.test:8080/a/b?x=1",
        "GET http://origin.proxy.test:8080/c"), proxy.targets());
    assertEquals(List.of("GET /a/b?x=1 auth=null", "GET /c auth=null"), seen);
    assertEquals(0, proxy.refused());
  }

  @Test
  void proxyCredentials_areSentToTheProxyOnly() throws Exception {
    proxy.requireCredentials("bob", "s3cret:x");
    Http1 http = client("http://bob:s3cret%3Ax@127.0.0.1:" + proxy.port(), null);
    assertEquals("200 hello /p", get(http, "http://origin.proxy.test:8080/p"));
    assertEquals(List.of("GET /p auth=null"), seen, "the proxy's credentials reached the origin");
  }

  @Test
  void aProxyThatWantsCredentials_answers407() throws Exception {
    proxy.requireCredentials("bob", "pw");
    Http1 http = client(proxy.url(), null);
    assertTrue(get(http, "http://origin.proxy.test:8080/p").startsWith("407 "));
    assertEquals(1, proxy.refused());
  }

  @Test
  void aTunnelTheProxyRefuses_failsNamingProxyOriginAndStatus() throws Exception {
    proxy.requireCredentials("bob", "pw");
    Http1 http = new Http1(Connector.tcp(SSLContext.getDefault(), Proxies.fromEnvironment(
        Map.of("HTTPS_PROXY", proxy.url()), Map.of())), Duration.ofSeconds(10));
    IOException e = assertThrows(IOException.class,
        () -> get(http, "https://origin.proxy.test:8080/"));
    assertTrue(e.getMessage().contains("the proxy http://127.0.0.1:" + proxy.port()
        + " refused the tunnel to origin.proxy.test:8080: 407"), e.getMessage());
    assertTrue(e.getMessage().contains("http://user:password@host:port"), e.getMessage());
  }

  @Test
  void noProxy_bypassesIt() throws Exception {
    Http1 http = client(proxy.url(), ".proxy.test");
    IOException e = assertThrows(IOException.class,
        () -> get(http, "http://origin.proxy.test:8080/"));
    assertTrue(e instanceof java.net.UnknownHostException
        || e.getCause() instanceof java.net.UnknownHostException, e.toString());
    assertEquals(List.of(), proxy.targets());
  }
}
