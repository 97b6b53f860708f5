package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.http.RedirectException;
import dev.plinth.http.Redirects;
import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.http.Uris;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;

/**
 * Bearer tokens from the realm a registry's challenge names, kept per set of scopes. A token
 * request is a document's: all of it, its tries and redirects included, by the document deadline.
 *
 * <p>The registry's credentials go to a realm only where {@link #credentialsGo} says. Docker sends
 * them to whatever realm a registry names; plinth sends them to the registry's own host and port,
 * to the realms of two well-known registries on other hosts (Docker Hub's {@code auth.docker.io},
 * GitLab.com's {@code gitlab.com}), and to realm hosts the user names ({@code --creds-realm});
 * anywhere else it asks for an anonymous token. No "same site" guess: {@code a.azurecr.io} and
 * {@code evil.azurecr.io}, or two loopback ports, are different hosts.
 */
final class TokenClient {
  static final int MAX_TOKEN_FETCHES = 8;
  static final int MAX_TOKEN_BODY = 1 << 20;
  static final int MAX_HOPS = 3;
  /** Registries (host:port) whose token service is on another host, and that host:port. */
  static final Map<String, Set<String>> WELL_KNOWN = Map.of(
      "registry-1.docker.io:443", Set.of("auth.docker.io:443"),
      "index.docker.io:443", Set.of("auth.docker.io:443"),
      "registry.gitlab.com:443", Set.of("gitlab.com:443"));

  private final RegistryHttp http;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile String withheld;

  TokenClient(RegistryHttp http) {
    this.http = http;
  }

  /**
   * Whether the credentials of the registry at {@code registry} go to the token realm {@code
   * realm}: the same host and port; a well-known pair; or a realm host the user named, as {@code
   * host} (any port) or {@code host:port}.
   */
  static boolean credentialsGo(URI registry, URI realm, Set<String> named) {
    String r = Destinations.authority(realm).toLowerCase(Locale.ROOT);
    String g = Destinations.authority(registry).toLowerCase(Locale.ROOT);
    if (r.equals(g) || WELL_KNOWN.getOrDefault(g, Set.of()).contains(r)) {
      return true;
    }
    String realmHost = Uris.unbracket(realm.getHost().toLowerCase(Locale.ROOT));
    for (String n : named) {
      String h = n.toLowerCase(Locale.ROOT);
      boolean hasPort = h.startsWith("[") ? h.contains("]:") : h.contains(":");
      if (hasPort ? Uris.unbracket(RegistryRef.hostName(h)).equals(realmHost)
          && h.substring(h.lastIndexOf(':')).equals(r.substring(r.lastIndexOf(':')))
          : Uris.unbracket(h).equals(realmHost)) {
        return true;
      }
    }
    return false;
  }

  /** The Authorization header for a request with these scopes, or null when the token is "". */
  String header(Challenge c, List<String> scopes) throws IOException, PlinthException {
    String key = String.join(" ", scopes);
    String token = tokens.get(key);
    if (token == null) {
      token = fetch(c, scopes);
      tokens.put(key, token);
    }
    return token.isEmpty() ? null : "Bearer " + token;
  }

  /** Gets a new token after a refusal, with the scopes the challenge asks for too. */
  void refresh(Challenge c, List<String> scopes) throws IOException, PlinthException {
    List<String> all = new ArrayList<>(scopes);
    String asked = c.param("scope");
    if (asked != null) {
      for (String s : asked.split(" ")) {
        if (!s.isBlank() && !all.contains(s)) {
          all.add(s);
        }
      }
    }
    tokens.put(String.join(" ", scopes), fetch(c, all));
  }

  /** Why credentials may not have reached the token server, for a refusal's message; or "". */
  String realmHint() {
    String w = withheld;
    return w == null ? "" : "; the credentials were not sent to the token server " + w
        + ", which is not the registry's own host and port: if it is the registry's token"
        + " service, name it with --creds-realm " + w;
  }

  /** Gets a bearer token from the challenge's realm. */
  private String fetch(Challenge c, List<String> scopes) throws IOException, PlinthException {
    String host = http.host;
    if (fetches.incrementAndGet() > MAX_TOKEN_FETCHES) {
      throw new PlinthException(http.access(), host + " asked for a new token more than "
          + MAX_TOKEN_FETCHES + " times; giving up (the token server's tokens are not accepted)");
    }
    String realm = c.param("realm");
    if (realm == null || realm.isBlank()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          host + " asks for a bearer token but names no realm to get it from");
    }
    URI realmUri;
    try {
      realmUri = new URI(realm);
    } catch (java.net.URISyntaxException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          host + ": the token realm is not a URL");
    }
    http.destinations.checkRealm(realmUri);
    URI uri = withQuery(realmUri, c.param("service"), scopes);
    Credentials creds = http.credentials();
    boolean go = creds != null && credentialsGo(http.registryUri(), realmUri,
        http.options.credsRealms());
    if (creds != null && !go) {
      withheld = realmUri.getHost() + (realmUri.getPort() >= 0 ? ":" + realmUri.getPort() : "");
    }
    boolean sendCreds = go && http.credentialsAllowedTo(realmUri.getScheme(),
        Destinations.authority(realmUri));
    String what = "token from " + realmUri.getHost();
    Attempts a = Attempts.document(http.options);
    Redirects.Trail trail = new Redirects.Trail("GET", uri, MAX_HOPS);
    boolean oauth = sendCreds && creds.isIdentityToken();
    if (oauth) {
      // OAuth2, as docker does with an identity token: POST the refresh token to the realm
      uri = realmUri;
      trail = new Redirects.Trail("POST", uri, MAX_HOPS);
    }
    RequestBody form = oauth
        ? RequestBody.of(refreshForm(c.param("service"), scopes, creds.secret())) : null;
    while (true) {
      Map<String, String> h = new LinkedHashMap<>();
      if (oauth) {
        h.put("Content-Type", "application/x-www-form-urlencoded");
      } else if (sendCreds && Destinations.sameAuthority(uri, realmUri)) {
        h.put("Authorization", creds.basicHeader());
      }
      Response resp = request(oauth ? "POST" : "GET", uri, h, form, a, what);
      int s = resp.status();
      Optional<String> loc = resp.headers().firstValue("Location");
      if (s / 100 == 3 && loc.isPresent()) {
        RegistryHttp.discard(resp);
        if (oauth) {
          // a redirected POST would lose its form (or resend the token elsewhere): refused
          throw new PlinthException(http.access(), host + ": the token server "
              + realmUri.getHost() + " redirected the identity-token exchange (HTTP " + s
              + "); plinth does not follow it with the token");
        }
        URI next = Destinations.resolve(uri, loc.get(), "token");
        http.destinations.checkRealm(next);
        try {
          trail.hop("GET", next);
        } catch (RedirectException e) {
          throw new PlinthException(http.access(), host + ": the token server: "
              + e.getMessage(), e);
        }
        uri = next;
        continue;
      }
      byte[] body;
      try (InputStream in = resp.body()) {
        body = in.readNBytes(MAX_TOKEN_BODY);
      }
      if (s == 401 || s == 403) {
        throw new PlinthException(http.access(), host + ": the token server "
            + realmUri.getHost() + " refused " + (sendCreds
                ? "the credentials from " + creds.where() + " (HTTP " + s + ")"
                : "an anonymous token (HTTP " + s + ")" + (creds == null
                    ? "; " + http.failures.loginHint() : realmHint())));
      }
      if (s != 200) {
        throw new PlinthException(http.access(), host + ": the token server "
            + realmUri.getHost() + " answered HTTP " + s);
      }
      return token(body);
    }
  }

  private String token(byte[] body) throws PlinthException {
    JsonNode j;
    try {
      j = Json.readAny(body, "the token server's answer");
    } catch (PlinthException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          http.host + ": the token server's answer is not JSON");
    }
    String token = j == null ? null : j.path("token").asText(j.path("access_token").asText(null));
    if (token == null || token.isEmpty() || token.length() > 65536
        || token.chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          http.host + ": the token server's answer holds no usable token");
    }
    return token;
  }

  private static URI withQuery(URI realm, String service, List<String> scopes) {
    StringBuilder q = new StringBuilder();
    if (service != null) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    for (String s : scopes) {
      q.append(q.length() == 0 ? "" : "&").append("scope=")
          .append(URLEncoder.encode(s, StandardCharsets.UTF_8));
    }
    String base = realm.toString();
    return URI.create(base + (q.length() == 0 ? "" : (base.contains("?") ? "&" : "?") + q));
  }

  /** The OAuth2 refresh-token grant's form, with the service and the scopes asked for. */
  static byte[] refreshForm(String service, List<String> scopes, String refreshToken) {
    StringBuilder f = new StringBuilder("grant_type=refresh_token&client_id=plinth");
    if (service != null) {
      f.append("&service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    if (!scopes.isEmpty()) {
      f.append("&scope=").append(URLEncoder.encode(String.join(" ", scopes),
          StandardCharsets.UTF_8));
    }
    f.append("&refresh_token=").append(URLEncoder.encode(refreshToken, StandardCharsets.UTF_8));
    return f.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** One request to the token server, tried again on 408/429/5xx and failed connections. */
  private Response request(String method, URI uri, Map<String, String> headers, RequestBody body,
      Attempts a, String what) throws IOException, PlinthException {
    while (true) {
      try {
        Response resp = http.client.sendWithin(method, uri, headers, body, a.limits());
        int s = resp.status();
        if (Attempts.retryableStatus(s)) {
          RegistryHttp.discard(resp);
          if (a.again(a.wait(resp.headers()), what, "HTTP " + s)) {
            continue;
          }
          throw new PlinthException(http.access(), http.host + ": cannot get a " + what + ": "
              + a.outcome("HTTP " + s));
        }
        return resp.prefetch(MAX_TOKEN_BODY);
      } catch (SSLHandshakeException e) {
        throw http.failures.tls(e, uri);
      } catch (IOException e) {
        if (!a.again(a.backoff(), what, Failures.describe(e))) {
          throw new PlinthException(http.access(), http.host + ": cannot get a " + what + ": "
              + a.outcome(e), e);
        }
      }
    }
  }
}
