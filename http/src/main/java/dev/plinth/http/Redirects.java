package dev.plinth.http;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Follows redirects (301, 302, 303, 307, 308 with a Location) over a client, as browsers and
 * the JDK's client do: at most {@code maxHops} of them; 303, and 301 or 302 after a POST, go on
 * as GET without a body; never from HTTPS to plain HTTP. A URI visited twice with the same
 * method is a {@link RedirectException} naming the "redirect loop".
 *
 * <p>Credentials never go to another server: Authorization, Proxy-Authorization and Cookie are
 * dropped at the first hop to another scheme, host or port, and are not sent again further on,
 * not even back on the first server. (The registry's client has its own hand-made redirects: it
 * checks each destination against its own rules and re-authenticates per host.)
 */
public final class Redirects {
  /** Hops followed by default: the JDK client's limit. */
  public static final int MAX_HOPS = 5;
  private static final List<String> CREDENTIALS =
      List.of("authorization", "proxy-authorization", "cookie");

  private final Http1 client;
  private final int maxHops;

  public Redirects(Http1 client) {
    this(client, MAX_HOPS);
  }

  public Redirects(Http1 client, int maxHops) {
    this.client = client;
    this.maxHops = maxHops;
  }

  /** Whether a status is a redirect (when it comes with a Location). */
  public static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /**
   * Sends the request as {@link Http1#send} does and follows the redirects it gets; the answer
   * that is not a redirect is returned, its {@link Response#uri()} the URI that gave it.
   *
   * @throws RedirectException for a loop, more than {@code maxHops} redirects, a Location that is
   *     not an http(s) URL, or a redirect from HTTPS to plain HTTP
   */
  public Response send(String method, URI uri, Map<String, String> headers, RequestBody body,
      Duration timeout) throws IOException {
    return sendWithin(method, uri, headers, body, Limits.idle(timeout));
  }

  /**
   * As {@link #send(String, URI, Map, RequestBody, Duration)}, within {@code limits}: its deadline
   * holds for all the hops together, its head limit for each.
   */
  public Response sendWithin(String method, URI uri, Map<String, String> headers,
      RequestBody body, Limits limits) throws IOException {
    Trail trail = new Trail(method, uri, maxHops);
    Map<String, String> h = headers;
    while (true) {
      Response r = client.sendWithin(method, uri, h, body, limits);
      Optional<String> location = r.headers().firstValue("Location");
      if (!isRedirect(r.status()) || location.isEmpty()) {
        return r;
      }
      r.close(); // a redirect's own body is small, read to its end: the connection is kept
      URI next = target(uri, location.get());
      if (r.status() == 303 && !method.equals("HEAD")
          || (r.status() == 301 || r.status() == 302) && method.equals("POST")) {
        method = "GET";
        body = null;
      }
      trail.hop(method, next);
      if (!Uris.origin(next).equals(Uris.origin(uri))) {
        h = withoutCredentials(h);
      }
      uri = next;
    }
  }

  /**
   * The hops of one request, for any client that follows redirects (the registry's follows them
   * by hand, to check each destination): a URI that comes round again with the same method is a
   * "redirect loop: A -> B -> A", and more than {@code maxHops} hops is an error too.
   */
  public static final class Trail {
    private final List<String> visited = new ArrayList<>();
    private final int maxHops;

    public Trail(String method, URI first, int maxHops) {
      this.maxHops = maxHops;
      visited.add(method + " " + first);
    }

    /** The next hop; a RedirectException when it closes a loop or is one too many. */
    public void hop(String method, URI next) throws RedirectException {
      String step = method + " " + next;
      if (visited.contains(step)) {
        throw new RedirectException("redirect loop: " + chain(visited, step));
      }
      visited.add(step);
      if (visited.size() - 1 > maxHops) {
        throw new RedirectException("more than " + maxHops + " redirects: "
            + chain(visited, null));
      }
    }
  }

  /** Where a Location leads from {@code from}: an http(s) URL with a host, not a downgrade. */
  static URI target(URI from, String location) throws RedirectException {
    URI next;
    try {
      next = from.resolve(new URI(location.trim()));
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new RedirectException(Uris.where(from) + " redirects to a Location that is not a URL");
    }
    String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
      throw new RedirectException(Uris.where(from)
          + " redirects to something that is not an http(s) URL");
    }
    if (Uris.isHttps(from) && scheme.equals("http")) {
      throw new RedirectException(Uris.where(from) + " redirects from HTTPS to plain HTTP ("
          + Uris.where(next) + "); refused");
    }
    return next;
  }

  private static Map<String, String> withoutCredentials(Map<String, String> headers) {
    Map<String, String> kept = new LinkedHashMap<>();
    headers.forEach((k, v) -> {
      if (!CREDENTIALS.contains(k.toLowerCase(Locale.ROOT))) {
        kept.put(k, v);
      }
    });
    return kept;
  }

  /** The URIs visited, for a message: no queries (they may carry signatures). */
  private static String chain(List<String> visited, String again) {
    StringBuilder b = new StringBuilder();
    List<String> all = new ArrayList<>(visited);
    if (again != null) {
      all.add(again);
    }
    for (String step : all) {
      URI u = URI.create(step.substring(step.indexOf(' ') + 1));
      b.append(b.length() == 0 ? "" : " -> ").append(Uris.where(u));
    }
    return b.toString();
  }
}
