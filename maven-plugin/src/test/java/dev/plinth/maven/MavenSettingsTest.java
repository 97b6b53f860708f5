package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.plinth.http.Proxies;
import dev.plinth.registry.CredentialStore;
import dev.plinth.registry.Credentials;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;
import org.junit.jupiter.api.Test;

/** settings.xml's proxies and servers, as Maven users write them. */
class MavenSettingsTest {
  private static Proxy proxy(String protocol, String host, int port, String nonProxy,
      boolean active) {
    Proxy p = new Proxy();
    p.setProtocol(protocol);
    p.setHost(host);
    p.setPort(port);
    p.setNonProxyHosts(nonProxy);
    p.setActive(active);
    p.setUsername("u");
    p.setPassword("pw");
    return p;
  }

  private static String via(Proxies p, String url) {
    Proxies.Proxy x = p.forUri(URI.create(url));
    return x == null ? "direct" : x.toString();
  }

  @Test
  void anHttpProxy_servesHttpsToo_asMavensResolverDoes_andNonProxyHostsApply() {
    Proxies p = MavenSettings.proxies(List.of(proxy("http", "proxy.corp", 3128,
        "*.corp|localhost", true)));
    assertEquals("http://proxy.corp:3128", via(p, "https://registry.example/v2/"));
    assertEquals("http://proxy.corp:3128", via(p, "http://deb.example/debian/"));
    assertEquals("direct", via(p, "https://registry.corp/v2/"));
    assertEquals("Basic dTpwdw==", p.forUri(URI.create("https://r.example/")).authorization());
  }

  @Test
  void anHttpsProxy_isForHttps_inactiveOnesAreSkipped_noneLeavesTheEnvironment() {
    Proxies p = MavenSettings.proxies(List.of(proxy("https", "secure", 8443, null, true),
        proxy("http", "plain", 8080, null, true), proxy("http", "off", 1, null, false)));
    assertEquals("http://secure:8443", via(p, "https://r.example/"));
    assertEquals("http://plain:8080", via(p, "http://r.example/"));
    assertNull(MavenSettings.proxies(List.of(proxy("http", "off", 1, null, false))));
    assertNull(MavenSettings.proxies(List.of()));
  }

  @Test
  void servers_giveRegistryCredentials_byHostOrHostAndPort_afterTheEnvironment()
      throws Exception {
    Server a = new Server();
    a.setId("registry.corp");
    a.setUsername("ci");
    a.setPassword("s3cret");
    Server b = new Server();
    b.setId("other.corp:5000");
    b.setUsername("bot");
    b.setPassword("x");
    Map<String, Credentials> byHost = MavenSettings.servers(List.of(a, b));
    CredentialStore store = new CredentialStore(null, Map.of(), null).withServers(byHost);
    assertEquals("ci", store.lookup("registry.corp").orElseThrow().username());
    assertEquals("ci", store.lookup("registry.corp:443").orElseThrow().username());
    assertEquals("bot", store.lookup("other.corp:5000").orElseThrow().username());
    assertEquals("settings.xml server registry.corp",
        store.lookup("registry.corp").orElseThrow().where());
    CredentialStore env = new CredentialStore(null, Map.of("PLINTH_REGISTRY_USER", "e",
        "PLINTH_REGISTRY_PASSWORD", "p"), null).withServers(byHost);
    assertEquals("e", env.lookup("registry.corp").orElseThrow().username());
    assertEquals(java.util.Optional.empty(), new CredentialStore(null, Map.of(), null)
        .withServers(byHost).lookup("elsewhere.example"));
  }
}
