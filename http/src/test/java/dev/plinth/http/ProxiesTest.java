package dev.plinth.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which requests go through which proxy, as container tools and the JDK decide it. */
class ProxiesTest {
  private static Proxies env(String... kv) throws PlinthException {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return Proxies.fromEnvironment(m, Map.of());
  }

  private static String via(Proxies p, String url) {
    Proxies.Proxy x = p.forUri(URI.create(url));
    return x == null ? "direct" : x.toString();
  }

  @Test
  void httpsAndHttpHaveTheirOwnVariable_eitherCase() throws Exception {
    Proxies p = env("HTTPS_PROXY", "http://proxy.corp:3128", "http_proxy", "cache.corp:8080");
    assertEquals("http://proxy.corp:3128", via(p, "https://registry.example/v2/"));
    assertEquals("http://cache.corp:8080", via(p, "http://deb.example/debian/"));
    Proxies lower = env("https_proxy", "http://p:1");
    assertEquals("http://p:1", via(lower, "https://r.example/"));
    assertEquals("direct", via(lower, "http://r.example/"), "HTTPS_PROXY is for https only");
    assertSame(Proxies.NONE, env());
  }

  @Test
  void upperCaseWins_asInGo() throws Exception {
    Proxies p = env("HTTPS_PROXY", "http://upper:1", "https_proxy", "http://lower:2");
    assertEquals("http://upper:1", via(p, "https://r.example/"));
  }

  @Test
  void noProxy_domainsPortsAddressesBlocksAndStar() throws Exception {
    Proxies p = env("HTTPS_PROXY", "http://p:1", "NO_PROXY",
        "corp, .internal ,registry.example:5000,10.0.0.0/8,192.168.1.7,[::2]");
    assertEquals("direct", via(p, "https://corp/"));
    assertEquals("direct", via(p, "https://registry.corp/"), "a domain covers its subdomains");
    assertEquals("http://p:1", via(p, "https://notcorp/"), "suffix of a label is no match");
    assertEquals("http://p:1", via(p, "https://internal/"), ".internal is for names under it");
    assertEquals("direct", via(p, "https://a.b.internal/"));
    assertEquals("direct", via(p, "https://registry.example:5000/"));
    assertEquals("http://p:1", via(p, "https://registry.example/"), "the port must match");
    assertEquals("direct", via(p, "https://10.1.2.3/"));
    assertEquals("http://p:1", via(p, "https://11.1.2.3/"));
    assertEquals("direct", via(p, "https://192.168.1.7:8443/"));
    assertEquals("direct", via(p, "https://[::2]/"));
    assertEquals("direct", via(env("HTTPS_PROXY", "p:1", "no_proxy", "*"), "https://any/"));
  }

  @Test
  void loopbackIsNeverProxied() throws Exception {
    Proxies p = env("HTTPS_PROXY", "http://p:1", "HTTP_PROXY", "http://p:1");
    for (String u : new String[] {"http://localhost:5000/", "https://127.0.0.1/",
        "http://127.9.9.9/", "https://[::1]:443/", "http://a.localhost/"}) {
      assertEquals("direct", via(p, u), u);
    }
    assertEquals("http://p:1", via(p, "http://128.0.0.1/"));
  }

  @Test
  void credentialsBecomeBasicProxyAuthorization_andStayOutOfNames() throws Exception {
    Proxies.Proxy x = env("HTTPS_PROXY", "http://al%40ice:p%3Ass@proxy:3128")
        .forUri(URI.create("https://r.example/"));
    assertNotNull(x);
    assertEquals("Basic " + Base64.getEncoder().encodeToString(
        "al@ice:p:ss".getBytes(StandardCharsets.UTF_8)), x.authorization());
    assertEquals("http://proxy:3128", x.toString());
    assertNull(env("HTTPS_PROXY", "proxy:3128").forUri(URI.create("https://r.example/"))
        .authorization());
    assertEquals(80, env("HTTPS_PROXY", "http://proxy").forUri(URI.create("https://r/")).port());
  }

  @Test
  void unusableProxies_areRefusedNamingTheVariable_withoutTheSecret() {
    for (String[] c : new String[][] {{"socks5://p:1080", "socks5"}, {"https://p:443", "https"},
        {"http://:8080", "no host"}, {"http://p:1/path", "no path"}}) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> env("HTTPS_PROXY", c[0]), c[0]);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().startsWith("HTTPS_PROXY='"), e.getMessage());
      assertTrue(e.getMessage().contains(c[1]), e.getMessage());
    }
    PlinthException e = assertThrows(PlinthException.class,
        () -> env("HTTP_PROXY", "socks5://bob:secret@p:1"));
    assertTrue(!e.getMessage().contains("secret") && e.getMessage().contains("***@"),
        e.getMessage());
  }

  @Test
  void jdkProperties_whenTheEnvironmentSaysNothing() throws Exception {
    Map<String, String> props = Map.of("https.proxyHost", "jp", "https.proxyPort", "8443",
        "http.proxyHost", "hp", "http.nonProxyHosts", "*.corp|deb.example");
    Proxies p = Proxies.fromEnvironment(Map.of(), props);
    assertEquals("http://jp:8443", via(p, "https://r.example/"));
    assertEquals("http://hp:80", via(p, "http://r.example/"));
    assertEquals("direct", via(p, "https://registry.corp/"));
    assertEquals("direct", via(p, "http://deb.example/"));
    assertEquals("http://hp:80", via(p, "http://deb.example.org/"));
    Proxies envFirst = Proxies.fromEnvironment(Map.of("HTTPS_PROXY", "http://e:1"), props);
    assertEquals("http://e:1", via(envFirst, "https://r.example/"));
    assertEquals(PlinthException.Kind.USAGE, assertThrows(PlinthException.class,
        () -> Proxies.fromEnvironment(Map.of(), Map.of("https.proxyHost", "h",
            "https.proxyPort", "eighty"))).kind());
  }
}
