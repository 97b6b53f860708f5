package dev.plinth.registry;

import dev.plinth.http.Uris;
import dev.plinth.oci.PlinthException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where a registry may send plinth: a token realm, a redirect, an upload Location is checked
 * before anything is sent there. Never the cloud metadata address, the unspecified address,
 * link-local or multicast addresses, nor loopback from a registry that is not itself on loopback;
 * plain HTTP only to loopback or a host named insecure.
 */
final class Destinations {
  private final String host;
  private final RegistryOptions options;

  /** @param host the registry (host or host:port) */
  Destinations(String host, RegistryOptions options) {
    this.host = host;
    this.options = options;
  }

  /** Refuses a token realm (or a token server's redirect) that points where it must not. */
  void checkRealm(URI u) throws PlinthException {
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    String h = u.getHost();
    if (!(scheme.equals("https") || scheme.equals("http")) || h == null || h.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          host + ": the token realm is not an http(s) URL with a host");
    }
    checkAddress(h, "token realm");
    if (scheme.equals("http") && !(options.plainHttpAllowed(authority(u))
        && (RegistryRef.isLoopback(authority(u)) == RegistryRef.isLoopback(host)
            || options.isInsecure(authority(u))))) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          host + ": the token realm " + u.getHost() + " is plain HTTP; plinth gets tokens over"
              + " HTTPS (or from a loopback or --insecure host)");
    }
  }

  /** Refuses a destination that is link-local, unspecified, or loopback from a remote registry. */
  void checkAddress(String h, String what) throws PlinthException {
    String bare = Uris.unbracket(h);
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(bare);
    } catch (UnknownHostException e) {
      return; // the request itself will fail, naming the host
    }
    for (InetAddress a : addresses) {
      boolean loopback = a.isLoopbackAddress();
      if (a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isMulticastAddress()
          || (loopback && !RegistryRef.isLoopback(host))) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, host + ": the " + what + " "
            + h + " points at " + a.getHostAddress() + (loopback ? " (loopback, from a registry"
                + " that is not)" : " (a link-local, unspecified or metadata address)")
            + "; plinth does not send requests there");
      }
    }
  }

  /** Refuses a redirect that is not http(s), plain HTTP where HTTPS is due, or unsafe. */
  void checkRedirect(URI next, String what) throws PlinthException {
    String s = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!(s.equals("https") || s.equals("http")) || next.getHost() == null) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + ": redirected to something that is not an http(s) URL");
    }
    if (s.equals("http") && !options.plainHttpAllowed(authority(next))) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": redirected to plain"
          + " HTTP at " + next.getHost() + "; plinth uses HTTPS there");
    }
    checkAddress(next.getHost(), "redirect");
  }

  static URI resolve(URI base, String location, String what) throws PlinthException {
    try {
      return base.resolve(new URI(location.trim()));
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + ": the registry sent a Location that is not a URL");
    }
  }

  static boolean sameAuthority(URI a, URI b) {
    return a.getScheme() != null && a.getScheme().equalsIgnoreCase(b.getScheme())
        && authority(a).equalsIgnoreCase(authority(b));
  }

  /** host:port, the port filled in from the scheme. */
  static String authority(URI u) {
    int port = u.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
    String h = u.getHost() == null ? "" : u.getHost();
    return h + ":" + port;
  }
}
