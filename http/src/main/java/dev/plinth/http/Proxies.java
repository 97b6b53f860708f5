package dev.plinth.http;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which HTTP proxy, if any, a request goes through: the settings container tools read
 * (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, either case, as Go's net/http reads them for podman and
 * skopeo), else the JDK's proxy properties (https.proxyHost, http.proxyHost, http.nonProxyHosts),
 * or what a front end builds from its own settings (Maven's settings.xml).
 *
 * <ul>
 *   <li>https goes through {@code CONNECT host:port} (TLS with the origin over the tunnel); plain
 *       http is sent to the proxy in absolute form.
 *   <li>Loopback hosts (localhost, 127.0.0.0/8, ::1) are never proxied, as in Go and the JDK.
 *   <li>A NO_PROXY entry is {@code *} (nothing is proxied), a domain ({@code corp} matches corp
 *       and every name under it; {@code .corp} only the names under it), optionally with
 *       {@code :port}, an IP address, or a CIDR block ({@code 10.0.0.0/8}).
 *   <li>A proxy is {@code http://[user:password@]host[:port]} or {@code host:port}; its user and
 *       password go in a Proxy-Authorization (Basic) header. Other schemes (https, socks5) are
 *       refused by name.
 * </ul>
 */
public final class Proxies {
  /** A proxy: where it is, its Proxy-Authorization value or null, and a name without secrets. */
  public record Proxy(String host, int port, String authorization) {
    @Override
    public String toString() {
      return "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** No proxy for anything. */
  public static final Proxies NONE = new Proxies(null, null, List.of());

  private final Proxy http;
  private final Proxy https;
  private final List<Rule> bypass;

  private Proxies(Proxy http, Proxy https, List<Rule> bypass) {
    this.http = http;
    this.https = https;
    this.bypass = List.copyOf(bypass);
  }

  /**
   * From the environment, else from JDK properties: HTTPS_PROXY/https_proxy for https,
   * HTTP_PROXY/http_proxy for http, NO_PROXY/no_proxy; https.proxyHost/https.proxyPort,
   * http.proxyHost/http.proxyPort and http.nonProxyHosts for a scheme the environment leaves
   * unset.
   *
   * @param env the environment the front end read
   * @param properties the JDK system properties the front end read (may be empty)
   */
  public static Proxies fromEnvironment(Map<String, String> env, Map<String, String> properties)
      throws PlinthException {
    String[] httpsVar = any(env, "HTTPS_PROXY", "https_proxy");
    String[] httpVar = any(env, "HTTP_PROXY", "http_proxy");
    Proxy https = httpsVar == null ? null : parse(httpsVar[0], httpsVar[1]);
    Proxy http = httpVar == null ? null : parse(httpVar[0], httpVar[1]);
    List<Rule> rules = new ArrayList<>();
    String[] no = any(env, "NO_PROXY", "no_proxy");
    if (no != null) {
      rules.addAll(noProxy(no[1]));
    }
    boolean fromProperties = false;
    if (https == null) {
      https = property(properties, "https", 443);
      fromProperties |= https != null;
    }
    if (http == null) {
      http = property(properties, "http", 80);
      fromProperties |= http != null;
    }
    if (fromProperties) {
      rules.addAll(globs(properties.get("http.nonProxyHosts")));
    }
    return of(http, https, rules);
  }

  /**
   * A front end's own settings (Maven's settings.xml proxies).
   *
   * @param nonProxyHosts JDK style: {@code |}-separated host names with {@code *} wildcards
   */
  public static Proxies of(Proxy http, Proxy https, String nonProxyHosts) {
    return of(http, https, globs(nonProxyHosts));
  }

  private static Proxies of(Proxy http, Proxy https, List<Rule> bypass) {
    return http == null && https == null ? NONE : new Proxies(http, https, bypass);
  }

  /** JDK-style nonProxyHosts: {@code |}-separated names with {@code *} wildcards; null: none. */
  private static List<Rule> globs(String nonProxyHosts) {
    List<Rule> rules = new ArrayList<>();
    if (nonProxyHosts != null) {
      for (String g : nonProxyHosts.split("\\|")) {
        if (!g.isBlank()) {
          rules.add(Rule.glob(g.strip()));
        }
      }
    }
    return rules;
  }

  /** A proxy at host:port, with Basic credentials when user is not null. */
  public static Proxy proxy(String host, int port, String user, String password) {
    String auth = user == null || user.isEmpty() ? null : "Basic " + Base64.getEncoder()
        .encodeToString((user + ":" + (password == null ? "" : password))
            .getBytes(StandardCharsets.UTF_8));
    return new Proxy(host, port, auth);
  }

  /** Whether no request goes through a proxy. */
  public boolean isEmpty() {
    return http == null && https == null;
  }

  /** The proxy for a request to {@code uri}, or null to connect directly. */
  public Proxy forUri(URI uri) {
    Proxy p = Uris.isHttps(uri) ? https : "http".equalsIgnoreCase(uri.getScheme()) ? http : null;
    if (p == null || uri.getHost() == null) {
      return null;
    }
    String host = Uris.unbracket(uri.getHost().toLowerCase(Locale.ROOT));
    if (isLoopback(host)) {
      return null;
    }
    int port = Uris.port(uri);
    for (Rule r : bypass) {
      if (r.matches(host, port)) {
        return null;
      }
    }
    return p;
  }

  @Override
  public String toString() {
    return "http " + (http == null ? "direct" : http) + ", https "
        + (https == null ? "direct" : https) + ", " + bypass.size() + " no-proxy rules";
  }

  private static String[] any(Map<String, String> env, String upper, String lower) {
    for (String k : List.of(upper, lower)) {
      String v = env.get(k);
      if (v != null && !v.isBlank()) {
        return new String[] {k, v.strip()};
      }
    }
    return null;
  }

  private static Proxy property(Map<String, String> props, String scheme, int defaultPort)
      throws PlinthException {
    String host = props.get(scheme + ".proxyHost");
    if (host == null || host.isBlank()) {
      return null;
    }
    String port = props.get(scheme + ".proxyPort");
    int p = defaultPort;
    if (port != null && !port.isBlank()) {
      try {
        p = Integer.parseInt(port.strip());
      } catch (NumberFormatException e) {
        p = -1;
      }
      if (p < 1 || p > 65535) {
        throw new PlinthException(Kind.USAGE, scheme + ".proxyPort: '" + port
            + "' is not a port number (1 to 65535)");
      }
    }
    return new Proxy(host.strip(), p, null);
  }

  /** A proxy URL from the variable {@code name}. */
  static Proxy parse(String name, String value) throws PlinthException {
    String v = value.contains("://") ? value : "http://" + value;
    URI u;
    try {
      u = new URI(v);
    } catch (URISyntaxException e) {
      throw bad(name, value, "it is not a URL");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      throw bad(name, value, "plinth speaks to HTTP proxies (http://host:port), not " + scheme
          + "://");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw bad(name, value, "it names no host");
    }
    String path = u.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || u.getRawQuery() != null) {
      throw bad(name, value, "a proxy URL has no path or query");
    }
    String host = Uris.unbracket(u.getHost());
    int port = u.getPort() < 0 ? 80 : u.getPort();
    String info = u.getRawUserInfo();
    if (info == null) {
      return new Proxy(host, port, null);
    }
    int colon = info.indexOf(':');
    String user = URLDecoder.decode(colon < 0 ? info : info.substring(0, colon),
        StandardCharsets.UTF_8);
    String password = colon < 0 ? "" : URLDecoder.decode(info.substring(colon + 1),
        StandardCharsets.UTF_8);
    return proxy(host, port, user, password);
  }

  private static PlinthException bad(String name, String value, String why) {
    String shown = value.replaceAll("//[^/@]*@", "//***@");
    return new PlinthException(Kind.USAGE, name + "='" + shown + "' is not a usable proxy: " + why);
  }

  private static List<Rule> noProxy(String value) {
    List<Rule> rules = new ArrayList<>();
    for (String raw : value.split("[,\\s]+")) {
      String e = raw.strip().toLowerCase(Locale.ROOT);
      if (!e.isEmpty()) {
        rules.add(Rule.noProxy(e));
      }
    }
    return rules;
  }

  static boolean isLoopback(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    byte[] ip = Rule.literal(host);
    return ip != null && (ip.length == 4 ? (ip[0] & 0xff) == 127 : isV6Loopback(ip));
  }

  private static boolean isV6Loopback(byte[] ip) {
    for (int i = 0; i < 15; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[15] == 1;
  }

  /** One NO_PROXY entry or one JDK nonProxyHosts pattern. */
  private record Rule(String domain, boolean subdomainsOnly, int port, byte[] net, int bits,
      Pattern glob) {
    static Rule noProxy(String e) {
      if (e.equals("*")) {
        return new Rule(null, false, -1, null, 0, Pattern.compile(".*"));
      }
      int slash = e.indexOf('/');
      if (slash > 0) {
        byte[] net = literal(e.substring(0, slash));
        try {
          int bits = Integer.parseInt(e.substring(slash + 1));
          if (net != null && bits >= 0 && bits <= net.length * 8) {
            return new Rule(null, false, -1, net, bits, null);
          }
        } catch (NumberFormatException ignored) {
          // not a CIDR block: taken as a name below, which matches nothing
        }
      }
      byte[] ip = literal(Uris.unbracket(e));
      if (ip != null) {
        return new Rule(null, false, -1, ip, ip.length * 8, null);
      }
      int port = -1;
      String name = e;
      int colon = e.lastIndexOf(':');
      if (colon > 0 && e.indexOf(':') == colon) {
        try {
          port = Integer.parseInt(e.substring(colon + 1));
          name = e.substring(0, colon);
        } catch (NumberFormatException ignored) {
          // not a port: the whole entry is the name
        }
      }
      if (name.startsWith("*.")) {
        name = name.substring(1);
      }
      boolean sub = name.startsWith(".");
      return new Rule(sub ? name.substring(1) : name, sub, port, null, 0, null);
    }

    static Rule glob(String g) {
      String[] parts = g.toLowerCase(Locale.ROOT).split("\\*", -1);
      StringBuilder re = new StringBuilder();
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          re.append(".*");
        }
        if (!parts[i].isEmpty()) {
          re.append(Pattern.quote(parts[i]));
        }
      }
      return new Rule(null, false, -1, null, 0, Pattern.compile(re.toString()));
    }

    boolean matches(String host, int p) {
      if (glob != null) {
        return glob.matcher(host).matches();
      }
      if (net != null) {
        byte[] ip = literal(host);
        return ip != null && ip.length == net.length && prefix(ip, net, bits);
      }
      if (port >= 0 && port != p) {
        return false;
      }
      boolean under = host.endsWith("." + domain);
      return subdomainsOnly ? under : host.equals(domain) || under;
    }

    private static boolean prefix(byte[] a, byte[] b, int bits) {
      for (int i = 0; i < bits; i++) {
        int mask = 0x80 >>> (i % 8);
        if ((a[i / 8] & mask) != (b[i / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    /** The bytes of an IPv4 or IPv6 literal, or null for a name (never a DNS lookup). */
    static byte[] literal(String s) {
      boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
      boolean v6 = s.indexOf(':') >= 0 && s.matches("[0-9a-fA-F:.]+");
      if (!v4 && !v6) {
        return null;
      }
      try {
        return InetAddress.getByName(s).getAddress();   // a literal: parsed, not looked up
      } catch (java.net.UnknownHostException e) {
        return null;
      }
    }
  }
}
