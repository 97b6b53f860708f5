package dev.plinth.maven;

import dev.plinth.http.Proxies;
import dev.plinth.registry.Credentials;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.maven.settings.Proxy;
import org.apache.maven.settings.Server;

/**
 * What a Maven user's settings.xml says about the network, as plinth uses it: the active
 * {@code <proxies>} (for registries and Debian mirrors alike) and the {@code <servers>} whose id
 * is a registry's host (or host:port), as jib-maven-plugin reads them. Passwords arrive here
 * decrypted by Maven's SettingsDecrypter.
 */
final class MavenSettings {
  private MavenSettings() {}

  /**
   * The proxies of the active {@code <proxy>} entries: one with protocol https for https URLs
   * (else the http one, as Maven's resolver uses it), one with protocol http for http URLs;
   * {@code nonProxyHosts} ({@code |}-separated, {@code *} wildcards) from the entry used. null:
   * settings.xml names no active proxy, so the environment's settings stand.
   */
  static Proxies proxies(List<Proxy> proxies) {
    Proxy http = null;
    Proxy https = null;
    for (Proxy p : proxies) {
      if (!p.isActive() || p.getHost() == null || p.getHost().isBlank()) {
        continue;
      }
      String protocol = p.getProtocol() == null ? "http" : p.getProtocol().toLowerCase(Locale.ROOT);
      if (protocol.equals("https") && https == null) {
        https = p;
      } else if (protocol.equals("http") && http == null) {
        http = p;
      }
    }
    if (http == null && https == null) {
      return null;
    }
    Proxy forHttps = https != null ? https : http;
    String nonProxy = forHttps.getNonProxyHosts();
    if (http != null && http.getNonProxyHosts() != null) {
      nonProxy = nonProxy == null ? http.getNonProxyHosts()
          : nonProxy + "|" + http.getNonProxyHosts();
    }
    return Proxies.of(http == null ? null : proxy(http), proxy(forHttps), nonProxy);
  }

  private static Proxies.Proxy proxy(Proxy p) {
    return Proxies.proxy(p.getHost().strip(), p.getPort(), p.getUsername(), p.getPassword());
  }

  /**
   * Registry credentials from {@code <server>} entries: by id (a registry host, host:port, or
   * any id: the lookup matches the registry's host) to user and password.
   */
  static Map<String, Credentials> servers(List<Server> servers) {
    Map<String, Credentials> out = new LinkedHashMap<>();
    for (Server s : servers) {
      if (s.getId() == null || s.getUsername() == null || s.getUsername().isEmpty()) {
        continue;
      }
      out.put(s.getId().toLowerCase(Locale.ROOT), new Credentials(s.getUsername(),
          s.getPassword() == null ? "" : s.getPassword(),
          "settings.xml server " + s.getId()));
    }
    return out;
  }
}
