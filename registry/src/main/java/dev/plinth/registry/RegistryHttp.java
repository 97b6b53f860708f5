package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.http.Headers;
import dev.plinth.http.Http1;
import dev.plinth.http.Redirects;
import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.http.Tls;
import dev.plinth.http.Trust;
import dev.plinth.oci.StreamFailure;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * HTTP to one registry: the scheme (HTTPS; plain HTTP only for loopback or an insecure host),
 * authentication (basic, or bearer tokens from the challenge's realm), retries with backoff on
 * 408/429/5xx and dropped connections (honouring Retry-After, capped), and redirects followed by
 * hand so that credentials never leave the registry's host (not through {@link Redirects}: each
 * destination is checked against the registry's rules, and authentication happens per hop).
 *
 * <p>Credentials and tokens appear in no message: errors name the host, the path (without its
 * query) and the status.
 */
final class RegistryHttp {
  static final int MAX_REDIRECTS = 5;
  static final int MAX_TOKEN_FETCHES = 8;
  static final int MAX_ERROR_BODY = 4096;
  static final int MAX_TOKEN_BODY = 1 << 20;

  /**
   * One request.
   *
   * @param scopes token scopes it needs, e.g. {@code repository:team/app:pull,push}
   * @param retryable whether it may be sent again on a dropped connection or a 408/429/5xx
   * @param what names it in messages and progress, e.g. "blob sha256:ab.. of team/app"
   */
  record Req(String method, URI uri, Map<String, String> headers, RequestBody body, List<String> scopes,
      boolean retryable, String what, Duration timeout) {}

  final String host;
  final String refHost;
  final RegistryOptions options;
  final boolean push;
  private final Http1 client;
  private final Credentials creds;
  private volatile String scheme;
  private volatile Challenge challenge;
  private volatile boolean pinged;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  private final AtomicInteger tokenFetches = new AtomicInteger();

  /**
   * @param refHost the registry as references name it (docker.io), for credentials
   * @param host where to connect (registry-1.docker.io)
   * @param push whether this is a destination: access failures are then output failures
   */
  RegistryHttp(String refHost, String host, RegistryOptions options, boolean push)
      throws PlinthException {
    this.refHost = refHost;
    this.host = host;
    this.options = options;
    this.push = push;
    this.creds = options.credentials() == null ? null
        : options.credentials().lookup(refHost).orElse(null);
    // TLS is set up on the first https connection: a plain-HTTP registry loads none of it.
    this.client = new Http1(Tls.lazy(trust(options, options.isInsecure(host))),
        Duration.ofSeconds(30));
  }

  /** Closes the connections kept for later requests (a push is done with them). */
  void closeIdle() {
    client.closeIdle();
  }

  /** Whether credentials were found for this registry (their source is in the messages). */
  boolean hasCredentials() {
    return creds != null;
  }

  /** NOT_FOUND when reading, OUTPUT when writing. */
  PlinthException.Kind access() {
    return push ? PlinthException.Kind.OUTPUT : PlinthException.Kind.NOT_FOUND;
  }

  /** A URI on the registry (pinged first, which settles the scheme). */
  URI uri(String pathAndQuery) throws IOException, PlinthException {
    ping();
    return raw(pathAndQuery);
  }

  private URI raw(String pathAndQuery) {
    return URI.create(scheme + "://" + host + pathAndQuery);
  }

  /** GET /v2/: picks the scheme and learns how the registry authenticates. */
  void ping() throws IOException, PlinthException {
    if (pinged) {
      return;
    }
    synchronized (this) {
      if (pinged) {
        return;
      }
      // loopback or insecure: plain HTTP first (a TLS server answers it 400, then HTTPS is
      // used); elsewhere HTTPS only
      boolean loopback = options.plainHttpAllowed(host);
      scheme = loopback ? "http" : "https";
      Req ping = new Req("GET", raw("/v2/"), Map.of(), null, List.of(), true, host,
          Duration.ofSeconds(30));
      Response r = null;
      if (loopback) {
        try {
          r = exchange(ping, false);
          if (r.status() != 200 && r.status() != 401) {
            discard(r);
            r = null;
          }
        } catch (PlinthException e) {
          r = null;
        }
        if (r == null) {
          scheme = "https";
          ping = new Req("GET", raw("/v2/"), Map.of(), null, List.of(), true, host,
              Duration.ofSeconds(30));
        }
      }
      if (r == null) {
        try {
          r = exchange(ping, false);
        } catch (PlinthException e) {
          if (!loopback && options.isInsecure(host) && e.getCause() instanceof SSLException s
              && !isCertificateProblem(s)) {
            scheme = "http"; // the insecure registry speaks plain HTTP
            r = exchange(new Req("GET", raw("/v2/"), Map.of(), null, List.of(), true, host,
                Duration.ofSeconds(30)), false);
          } else {
            throw e;
          }
        }
      }
      try (InputStream ignored = r.body()) {
        int s = r.status();
        if (s == 401) {
          challenge = Challenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
          if (challenge == null || !(challenge.isBasic() || challenge.isBearer())) {
            throw new PlinthException(access(), host + " asks for authentication plinth does not"
                + " know (WWW-Authenticate: " + (challenge == null ? "none" : challenge.scheme())
                + "); it speaks Basic and Bearer");
          }
        } else if (s / 100 != 2) {
          throw new PlinthException(access(), host + " does not answer as an OCI registry: GET /v2/"
              + " gave HTTP " + s);
        }
      }
      pinged = true;
    }
  }

  /** Sends a request: authenticated, retried, redirects followed. */
  Response send(Req r) throws IOException, PlinthException {
    ping();
    return exchange(r, true);
  }

  private Response exchange(Req r, boolean auth)
      throws IOException, PlinthException {
    URI uri = r.uri();
    String method = r.method();
    int attempt = 1;
    int authTries = 0;
    int hops = 0;
    boolean trusted = isRegistry(uri);
    while (true) {
      Map<String, String> headers = new LinkedHashMap<>(r.headers());
      if (auth && trusted) {
        authorize(headers, r.scopes(), false);
      }
      Response resp;
      try {
        RequestBody body = r.body() == null || (r.body().length() == 0
            && (method.equals("GET") || method.equals("HEAD"))) ? null : r.body();
        resp = client.send(method, uri, headers, body, r.timeout());
      } catch (UncheckedIOException e) {
        throw unwrap(e.getCause(), r);
      } catch (StreamFailure e) {
        throw e; // the body's own failure (its bytes do not match): not the connection's
      } catch (IOException e) {
        if (e instanceof SSLException s && (s instanceof SSLHandshakeException
            || isCertificateProblem(s) || !options.plainHttpAllowed(host))) {
          throw tls(s, uri);
        }
        if (e instanceof SSLException s) {
          throw new PlinthException(access(), host + ": TLS failed: " + s.getMessage(), s);
        }
        if (!r.retryable()) {
          throw e; // the caller resumes or starts again
        }
        if (attempt >= options.attempts()) {
          throw unreachable(e, uri, r, attempt);
        }
        Duration wait = backoff(attempt);
        options.progress().retrying(r.what(), attempt, wait, describe(e));
        sleep(wait);
        attempt++;
        continue;
      }
      int s = resp.status();
      Optional<String> location = resp.headers().firstValue("Location");
      if (Redirects.isRedirect(s) && location.isPresent()) {
        discard(resp);
        if (++hops > MAX_REDIRECTS) {
          throw new PlinthException(access(), r.what() + ": more than " + MAX_REDIRECTS
              + " redirects");
        }
        URI next = resolve(uri, location.get(), r.what());
        checkDestination(next, r.what());
        trusted = trusted && sameAuthority(next, uri);
        uri = next;
        if (s == 303 || ((s == 301 || s == 302) && !method.equals("HEAD"))) {
          method = "GET";
        }
        continue;
      }
      if (auth && (s == 401 || s == 403)) {
        Challenge c = Challenge.parse(resp.headers().firstValue("WWW-Authenticate").orElse(null));
        if (s == 401 && !trusted) {
          discard(resp);
          throw new PlinthException(access(), r.what() + ": the registry redirected to "
              + uri.getHost() + ", which asks for credentials; plinth sends credentials only to "
              + host);
        }
        boolean insufficient = c != null && c.insufficientScope();
        if (c != null && (s == 401 || insufficient) && c.isBearer()
            && (authTries == 0 || (authTries == 1 && insufficient))) {
          authTries++;
          discard(resp);
          if (challenge == null || !challenge.isBearer()) {
            challenge = c;
          }
          refreshToken(c, r.scopes());
          continue;
        }
        if (c != null && s == 401 && c.isBasic() && authTries == 0 && challenge == null) {
          authTries++;
          discard(resp);
          challenge = c;
          continue;
        }
        return resp;
      }
      if (retryableStatus(s) && r.retryable() && attempt < options.attempts()) {
        Duration wait = retryAfter(resp.headers()).orElse(backoff(attempt));
        discard(resp);
        options.progress().retrying(r.what(), attempt, wait, "HTTP " + s);
        sleep(wait);
        attempt++;
        continue;
      }
      return resp;
    }
  }

  private IOException unwrap(Throwable cause, Req r) {
    if (cause instanceof IOException io) {
      return io;
    }
    return new IOException(r.what() + ": " + cause, cause);
  }

  // ---- authentication ----

  private void authorize(Map<String, String> b, List<String> scopes, boolean fresh)
      throws IOException, PlinthException {
    Challenge c = challenge;
    if (c == null) {
      return;
    }
    if (c.isBasic()) {
      if (creds != null && credentialsAllowedTo(scheme, host)) {
        b.put("Authorization", creds.basicHeader());
      }
      return;
    }
    String key = String.join(" ", scopes);
    String token = tokens.get(key);
    if (token == null) {
      token = fetchToken(c, scopes);
      tokens.put(key, token);
    }
    if (!token.isEmpty()) {
      b.put("Authorization", "Bearer " + token);
    }
  }

  private void refreshToken(Challenge c, List<String> scopes) throws IOException, PlinthException {
    List<String> all = new ArrayList<>(scopes);
    String asked = c.param("scope");
    if (asked != null) {
      for (String s : asked.split(" ")) {
        if (!s.isBlank() && !all.contains(s)) {
          all.add(s);
        }
      }
    }
    tokens.put(String.join(" ", scopes), fetchToken(c, all));
  }

  /** Gets a bearer token from the challenge's realm; "" for an anonymous token refused. */
  private String fetchToken(Challenge c, List<String> scopes) throws IOException, PlinthException {
    if (tokenFetches.incrementAndGet() > MAX_TOKEN_FETCHES) {
      throw new PlinthException(access(), host + " asked for a new token more than "
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
    checkRealm(realmUri);
    StringBuilder q = new StringBuilder();
    String service = c.param("service");
    if (service != null) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    for (String s : scopes) {
      q.append(q.length() == 0 ? "" : "&").append("scope=")
          .append(URLEncoder.encode(s, StandardCharsets.UTF_8));
    }
    String base = realmUri.toString();
    URI uri = URI.create(base + (q.length() == 0 ? "" : (base.contains("?") ? "&" : "?") + q));
    boolean sendCreds = creds != null && sameSite(realmUri)
        && credentialsAllowedTo(realmUri.getScheme(), authority(realmUri));
    for (int hop = 0; ; hop++) {
      Map<String, String> b = new LinkedHashMap<>();
      if (sendCreds && sameAuthority(uri, realmUri)) {
        b.put("Authorization", creds.basicHeader());
      }
      Response resp = sendWithRetries(uri, b, "token from " + realmUri.getHost());
      int s = resp.status();
      Optional<String> loc = resp.headers().firstValue("Location");
      if (s / 100 == 3 && loc.isPresent()) {
        discard(resp);
        if (hop >= 3) {
          throw new PlinthException(access(), host + ": the token server redirects too often");
        }
        URI next = resolve(uri, loc.get(), "token");
        checkRealm(next);
        uri = next;
        continue;
      }
      byte[] body;
      try (InputStream in = resp.body()) {
        body = in.readNBytes(MAX_TOKEN_BODY);
      }
      if (s == 401 || s == 403) {
        throw new PlinthException(access(), host + ": the token server " + realmUri.getHost()
            + " refused " + (creds == null
                ? "an anonymous token (HTTP " + s + "); " + loginHint()
                : "the credentials from " + creds.where() + " (HTTP " + s + ")"));
      }
      if (s != 200) {
        throw new PlinthException(access(), host + ": the token server " + realmUri.getHost()
            + " answered HTTP " + s);
      }
      JsonNode j;
      try {
        j = Json.readAny(body, "the token server's answer");
      } catch (PlinthException e) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            host + ": the token server's answer is not JSON");
      }
      String token = j == null ? null : j.path("token").asText(j.path("access_token").asText(null));
      if (token == null || token.isEmpty() || token.length() > 65536
          || token.chars().anyMatch(ch -> ch <= ' ' || ch > '~')) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            host + ": the token server's answer holds no usable token");
      }
      return token;
    }
  }

  private Response sendWithRetries(URI uri, Map<String, String> headers, String what)
      throws IOException, PlinthException {
    for (int attempt = 1; ; attempt++) {
      try {
        Response resp = client.send("GET", uri, headers, null, Duration.ofSeconds(60));
        if (retryableStatus(resp.status()) && attempt < options.attempts()) {
          Duration wait = retryAfter(resp.headers()).orElse(backoff(attempt));
          discard(resp);
          options.progress().retrying(what, attempt, wait, "HTTP " + resp.status());
          sleep(wait);
          continue;
        }
        return resp;
      } catch (SSLHandshakeException e) {
        throw tls(e, uri);
      } catch (IOException e) {
        if (attempt >= options.attempts()) {
          throw new PlinthException(access(), host + ": cannot get a " + what + ": "
              + describe(e), e);
        }
        sleep(backoff(attempt));
      }
    }
  }

  /**
   * Refuses a token realm (or a token server's redirect) that points where credentials or
   * requests must never go: the cloud metadata address, the unspecified address, link-local
   * addresses, loopback from a registry that is not itself on loopback; and plain HTTP to anything
   * but loopback or an insecure host.
   */
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
    String bare = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
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

  private void checkDestination(URI next, String what) throws PlinthException {
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

  /** The realm is the registry's own host or a host of the same site (auth.docker.io). */
  private boolean sameSite(URI realm) {
    String r = realm.getHost().toLowerCase(Locale.ROOT);
    String h = RegistryRef.hostName(host);
    if (r.equals(h)) {
      return true;
    }
    if (RegistryRef.isLoopback(host) && RegistryRef.isLoopback(authority(realm))) {
      return true;
    }
    String[] a = r.split("\\.");
    String[] b = h.split("\\.");
    if (a.length < 2 || b.length < 2 || r.matches("[0-9.]+") || h.matches("[0-9.]+")) {
      return false;
    }
    return a[a.length - 1].equals(b[b.length - 1]) && a[a.length - 2].equals(b[b.length - 2]);
  }

  private boolean credentialsAllowedTo(String scheme, String authority) {
    return "https".equalsIgnoreCase(scheme) || options.plainHttpAllowed(authority);
  }

  String loginHint() {
    return "log in with docker login " + refHost + ", or give --creds USER:PASSWORD or"
        + " PLINTH_REGISTRY_USER and PLINTH_REGISTRY_PASSWORD";
  }

  // ---- failures ----

  /** The failure for an unexpected answer, by status, naming {@code what}. */
  PlinthException fail(Response resp, String what) {
    int s = resp.status();
    String detail = errorDetail(resp);
    String base = what + ": HTTP " + s + (detail.isEmpty() ? "" : " (" + detail + ")");
    return switch (s) {
      case 401 -> new PlinthException(access(), base + ": authentication failed; "
          + (creds == null ? "no credentials were found for " + refHost + "; " + loginHint()
              : "the credentials from " + creds.where() + " were refused"));
      case 403 -> new PlinthException(access(), base + ": access denied"
          + (creds == null ? "; " + loginHint() : " to " + creds.username()
              + "; check the account's permissions on the repository"));
      case 404 -> new PlinthException(access(), base + ": not found");
      case 413 -> new PlinthException(PlinthException.Kind.OUTPUT, base
          + ": the registry refused it as too large");
      default -> new PlinthException(access(), base + (retryableStatus(s)
          ? ": the registry is unavailable; still failing after " + options.attempts() + " tries"
          : ""));
    };
  }

  /** The OCI error code and message of an error answer, cleaned for a one-line message. */
  static String errorDetail(Response resp) {
    byte[] body;
    try (InputStream in = resp.body()) {
      body = in.readNBytes(MAX_ERROR_BODY);
    } catch (IOException e) {
      return "";
    }
    try {
      JsonNode e = Json.readAny(body, "the error").path("errors").path(0);
      if (!e.isMissingNode()) {
        String m = e.path("code").asText("") + " " + e.path("message").asText("");
        return clean(m.trim());
      }
    } catch (PlinthException | RuntimeException ignored) {
      // not JSON: say nothing of it
    }
    return "";
  }

  static String clean(String s) {
    String c = s.replaceAll("[^\\x20-\\x7e]", "?");
    return c.length() > 200 ? c.substring(0, 200) + "..." : c;
  }

  private PlinthException tls(SSLException e, URI uri) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, uri.getHost()
        + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + ": the TLS connection failed: "
        + clean(String.valueOf(rootMessage(e))) + ". If the registry uses a private CA, give its"
        + " certificate in PLINTH_REGISTRY_CA=FILE.pem; for a test registry only, --insecure "
        + host, e);
  }

  private PlinthException unreachable(IOException e, URI uri, Req r, int attempt) {
    String where = r.what() + " (" + uri.getScheme() + "://" + uri.getAuthority()
        + uri.getPath() + ")";
    return new PlinthException(access(), where + ": " + describe(e)
        + (attempt > 1 ? " (after " + attempt + " tries)" : ""), e);
  }

  static String describe(IOException e) {
    if (e instanceof ConnectException) {
      return "cannot connect (connection refused or unreachable)";
    }
    if (e instanceof SocketTimeoutException) {
      return "timed out";
    }
    if (e instanceof UnknownHostException) {
      return "unknown host";
    }
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : clean(m);
  }

  private static String rootMessage(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  private static boolean isCertificateProblem(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CertificateException
          || c instanceof java.security.GeneralSecurityException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  // ---- retries ----

  static boolean retryableStatus(int s) {
    return s == 408 || s == 429 || s == 499 || (s >= 500 && s != 501 && s != 505 && s != 511);
  }

  /** Retry-After in seconds or as an HTTP date, capped at the options' longest wait. */
  Optional<Duration> retryAfter(Headers h) {
    Optional<String> v = h.firstValue("Retry-After");
    if (v.isEmpty()) {
      return Optional.empty();
    }
    return parseRetryAfter(v.get().trim(), options.maxWait());
  }

  static Optional<Duration> parseRetryAfter(String v, Duration max) {
    Duration d;
    if (v.matches("[0-9]{1,10}")) {
      d = Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        ZonedDateTime t = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        d = Duration.between(ZonedDateTime.now(t.getZone()), t);
        if (d.isNegative()) {
          d = Duration.ZERO;
        }
      } catch (java.time.format.DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.of(d.compareTo(max) > 0 ? max : d);
  }

  Duration backoff(int attempt) {
    long base = options.backoff().toMillis() << Math.min(attempt - 1, 16);
    long capped = Math.min(base, options.maxWait().toMillis());
    long jitter = capped <= 0 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
    return Duration.ofMillis(Math.min(capped + jitter, options.maxWait().toMillis()));
  }

  static void sleep(Duration d) throws java.io.InterruptedIOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting to retry");
    }
  }

  static void discard(Response r) {
    try (InputStream in = r.body()) {
      in.skipNBytes(0);
      byte[] buf = new byte[8192];
      long n = 0;
      int k;
      while (n < (1 << 16) && (k = in.read(buf)) >= 0) {
        n += k;
      }
    } catch (IOException | RuntimeException ignored) {
      // the connection is dropped instead of reused
    }
  }

  // ---- URIs ----

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

  static String authority(URI u) {
    int port = u.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }
    String h = u.getHost() == null ? "" : u.getHost();
    return h + ":" + port;
  }

  /** The registry's own URI for comparing authorities. */
  boolean isRegistry(URI u) {
    return sameAuthority(u, raw("/"));
  }

  // ---- TLS ----

  /** What the registry's certificate is checked against; the CA file is read now. */
  private static TrustManager trust(RegistryOptions o, boolean insecure) throws PlinthException {
    if (insecure) {
      return Trust.all();
    }
    if (o.caFile() == null) {
      return Trust.system();
    }
    try {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      try (FileInputStream in = new FileInputStream(o.caFile().toFile())) {
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca" + i++, c);
        }
      }
      if (i == 0) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "PLINTH_REGISTRY_CA=" + o.caFile() + " holds no PEM certificate");
      }
      TrustManagerFactory extra =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      extra.init(ks);
      // the JDK's CA store is loaded on the first TLS handshake, not for plain-HTTP registries
      return Trust.systemOr((X509ExtendedTrustManager) extra.getTrustManagers()[0]);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          "PLINTH_REGISTRY_CA=" + o.caFile() + " cannot be read: " + e.getMessage());
    } catch (java.security.GeneralSecurityException e) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "PLINTH_REGISTRY_CA=" + o.caFile() + " is not a PEM certificate file: " + e.getMessage());
    }
  }
}
