package dev.plinth.http;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/** What the client needs of a URI: its host and port, its origin, and how to name it. */
public final class Uris {
  private Uris() {}

  static boolean isHttps(URI uri) {
    return "https".equalsIgnoreCase(uri.getScheme());
  }

  static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : isHttps(uri) ? 443 : 80;
  }

  /** The host without an IPv6 literal's brackets; IOException for a URI without one. */
  static String bareHost(URI uri) throws IOException {
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("no host in " + uri.getScheme() + " URL");
    }
    return unbracket(host);
  }

  /** A host name or address as written in a URL or authority, an IPv6 literal without its []. */
  public static String unbracket(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1)
        : host;
  }

  /** scheme://host:port, the port filled in from the scheme, in lower case. */
  static String origin(URI uri) {
    String s = uri.getScheme() == null ? "" : uri.getScheme();
    String h = uri.getHost() == null ? "" : uri.getHost();
    return (s + "://" + h + ":" + port(uri)).toLowerCase(Locale.ROOT);
  }

  /** The URI for a message: no user information, no query (it may carry a signature). */
  static String where(URI uri) {
    return uri.getScheme() + "://" + (uri.getHost() == null ? "" : uri.getHost())
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "")
        + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** Printable ASCII only, at most 200 characters: a server's text in a one-line message. */
  static String clean(String s) {
    String c = s.replaceAll("[^\\x20-\\x7e]", "?");
    return c.length() > 200 ? c.substring(0, 200) + "..." : c;
  }

  static int millis(Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }
}
