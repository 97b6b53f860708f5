package dev.plinth.registry;

import dev.plinth.http.Connector;
import dev.plinth.http.Deadline;
import dev.plinth.http.Http1;
import dev.plinth.http.ProxyRefusedException;
import dev.plinth.http.RedirectException;
import dev.plinth.http.Redirects;
import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * HTTP to one registry: the scheme (HTTPS; plain HTTP only for loopback or an insecure host),
 * authentication (basic, or bearer tokens from the challenge's realm: {@link TokenClient}),
 * retries bounded in number and time ({@link Attempts}), and redirects followed by hand so that
 * credentials never leave the registry's host (not through {@link Redirects}: each destination is
 * checked against the registry's rules, {@link Destinations}, and authentication happens per hop;
 * loops are found as Redirects finds them, {@link Redirects.Trail}).
 *
 * <p>Every wait has a deadline ({@link RegistryOptions.Deadlines}): a document's request (the
 * ping, a manifest, a config, an upload session) is read whole, its body included, by the
 * document deadline, all tries together; a blob's answer head comes by the head deadline, and its
 * body may not stay silent for longer than the idle time. Credentials and tokens appear in no
 * message ({@link Failures}).
 */
final class RegistryHttp {
  static final int MAX_REDIRECTS = 5;
  /** The most of a document's body read ahead, within its deadline: one byte over the cap. */
  static final int DOCUMENT_PREFETCH = ImageReader.MAX_DOCUMENT + 1;

  /** What a request moves: a small document, read whole by a deadline, or a blob. */
  enum Payload { DOCUMENT, BLOB }

  /**
   * One request.
   *
   * @param scopes token scopes it needs, e.g. {@code repository:team/app:pull,push}
   * @param retryable whether it may be sent again on a dropped connection or a 408/429/5xx
   * @param what names it in messages and progress, e.g. "blob sha256:ab.. of team/app"
   * @param payload a document's request (its answer is read whole, by the document deadline) or
   *     a blob's
   */
  record Req(String method, URI uri, Map<String, String> headers, RequestBody body,
      List<String> scopes, boolean retryable, String what, Payload payload) {}

  final String host;
  final String refHost;
  final RegistryOptions options;
  final boolean push;
  final Http1 client;
  final Destinations destinations;
  final Failures failures;
  private final Credentials creds;
  private final TokenClient tokens;
  private volatile String scheme;
  private volatile Challenge challenge;
  private volatile boolean pinged;

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
    this.destinations = new Destinations(host, options);
    this.tokens = new TokenClient(this);
    this.failures = new Failures(this, tokens::realmHint);
    // TLS is set up on the first https connection: a plain-HTTP registry loads none of it.
    this.client = new Http1(Connector.tcp(RegistryTrust.of(options, host,
        options.isInsecure(host)), options.proxies()), options.deadlines().connect());
  }

  /** Closes the connections kept for later requests (a push is done with them). */
  void closeIdle() {
    client.closeIdle();
  }

  /** Whether credentials were found for this registry (their source is in the messages). */
  boolean hasCredentials() {
    return creds != null;
  }

  Credentials credentials() {
    return creds;
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

  /** The registry's own URI, in the scheme it speaks. */
  URI registryUri() {
    return raw("/");
  }

  /**
   * GET /v2/: picks the scheme and learns how the registry authenticates. A loopback or insecure
   * registry is asked over plain HTTP first, then over HTTPS. When both fail, both failures are
   * reported, the one with an HTTP answer first (but a 400 is what a TLS server answers to plain
   * HTTP); a certificate that does not verify, alone. A redirect loop is reported as one.
   */
  void ping() throws IOException, PlinthException {
    if (pinged) {
      return;
    }
    synchronized (this) {
      if (pinged) {
        return;
      }
      Response r;
      if (options.plainHttpAllowed(host)) {
        r = pingPlainThenTls();
      } else {
        scheme = "https";
        r = exchange(pingRequest(), false);
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
          throw new PlinthException(access(), host + " does not answer as an OCI registry: GET"
              + " /v2/ gave HTTP " + s);
        }
      }
      pinged = true;
    }
  }

  private Req pingRequest() {
    return new Req("GET", raw("/v2/"), Map.of(), null, List.of(), true, host, Payload.DOCUMENT);
  }

  private Response pingPlainThenTls() throws IOException, PlinthException {
    scheme = "http";
    PlinthException plain;
    boolean answered;
    try {
      Response r = exchange(pingRequest(), false);
      if (r.status() == 200 || r.status() == 401) {
        return r;
      }
      discard(r);
      plain = new PlinthException(access(), "GET " + raw("/v2/") + " gave HTTP " + r.status());
      answered = r.status() != 400; // 400: what a TLS server says to plain HTTP
    } catch (PlinthException e) {
      if (e.getCause() instanceof RedirectException) {
        throw e; // an HTTP server that redirects in circles: HTTPS would not help
      }
      plain = e;
      answered = false;
    }
    scheme = "https"; // a TLS server answers plain HTTP with an error, or not at all
    try {
      return exchange(pingRequest(), false);
    } catch (PlinthException tls) {
      if (Failures.isCertificateProblem(tls)) {
        throw tls; // a TLS server is there: its certificate is the problem
      }
      PlinthException first = answered ? plain : tls;
      PlinthException second = answered ? tls : plain;
      throw new PlinthException(first.kind(), host + " answers GET /v2/ neither over plain HTTP"
          + " nor over HTTPS. " + (answered ? "Plain HTTP: " : "HTTPS: ") + first.getMessage()
          + ". " + (answered ? "HTTPS: " : "Plain HTTP: ") + second.getMessage()
          + clientCertificateHint(tls), first);
    }
  }

  /**
   * A hint for a TLS connection the server closed after the handshake: with TLS 1.3 that is how
   * a registry that requires a client certificate refuses a client without one.
   */
  private String clientCertificateHint(PlinthException tls) {
    String m = String.valueOf(tls.getMessage());
    if (m.contains("Broken pipe") || m.contains("Connection reset")
        || m.contains("certificate_required") || m.contains("bad_certificate")) {
      return ". The HTTPS connection was closed after the handshake, as a registry that requires"
          + " a client certificate closes it: put client.cert and client.key in"
          + " /etc/containers/certs.d/" + host + "/ (docs/registry.md)";
    }
    return "";
  }

  /** Sends a request: authenticated, retried, redirects followed. */
  Response send(Req r) throws IOException, PlinthException {
    ping();
    return exchange(r, true);
  }

  private Response exchange(Req r, boolean auth) throws IOException, PlinthException {
    URI uri = r.uri();
    String method = r.method();
    boolean document = r.payload() == Payload.DOCUMENT;
    Attempts a = document ? Attempts.document(options) : Attempts.blob(options);
    Redirects.Trail trail = new Redirects.Trail(method, uri, MAX_REDIRECTS);
    int authTries = 0;
    boolean trusted = isRegistry(uri);
    while (true) {
      Map<String, String> headers = new LinkedHashMap<>(r.headers());
      if (auth && trusted) {
        authorize(headers, r.scopes());
      }
      Response resp;
      try {
        RequestBody body = r.body() == null || (r.body().length() == 0
            && (method.equals("GET") || method.equals("HEAD"))) ? null : r.body();
        resp = client.sendWithin(method, uri, headers, body, a.limits());
        if (!document && resp.status() >= 300) {
          // an error or a redirect: its body is a small document
          resp.within(Deadline.after(options.deadlines().document(), "for documents"));
        }
        if (document && final_(resp, auth)) {
          long declared = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
          if (declared < DOCUMENT_PREFETCH) {
            resp = resp.prefetch(DOCUMENT_PREFETCH); // read whole here, where it can be retried
          }
        }
      } catch (UncheckedIOException e) {
        throw unwrap(e.getCause(), r);
      } catch (StreamFailure e) {
        throw e; // the body's own failure (its bytes do not match): not the connection's
      } catch (IOException e) {
        if (e instanceof SSLException s && (s instanceof SSLHandshakeException
            || Failures.isCertificateProblem(s) || !options.plainHttpAllowed(host))) {
          throw failures.tls(s, uri);
        }
        if (e instanceof SSLException s) {
          throw new PlinthException(access(), host + ": TLS failed: " + s.getMessage(), s);
        }
        if (e instanceof ProxyRefusedException p && !p.isTransient()) {
          throw new PlinthException(access(), r.what() + ": " + p.getMessage(), p);
        }
        if (!r.retryable()) {
          throw e; // the caller resumes or starts again
        }
        if (!a.again(a.backoff(), r.what(), Failures.describe(e))) {
          throw failures.unreachable(e, method, uri, r.what(), a);
        }
        continue;
      }
      int s = resp.status();
      Optional<String> location = resp.headers().firstValue("Location");
      if (Redirects.isRedirect(s) && location.isPresent()) {
        discard(resp);
        URI next = Destinations.resolve(uri, location.get(), r.what());
        destinations.checkRedirect(next, r.what());
        trusted = trusted && Destinations.sameAuthority(next, uri);
        if (s == 303 || ((s == 301 || s == 302) && !method.equals("HEAD"))) {
          method = "GET";
        }
        try {
          trail.hop(method, next);
        } catch (RedirectException e) {
          throw new PlinthException(access(), r.what() + ": " + e.getMessage(), e);
        }
        uri = next;
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
          tokens.refresh(c, r.scopes());
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
      if (Attempts.retryableStatus(s) && r.retryable()) {
        if (a.number() >= options.attempts()) {
          return resp; // the caller's failure says "still failing after N tries"
        }
        java.time.Duration wait = a.wait(resp.headers());
        discard(resp);
        if (!a.again(wait, r.what(), "HTTP " + s)) {
          throw new PlinthException(access(), method + " " + Failures.clean(where(uri)) + " ("
              + r.what() + "): " + a.outcome("HTTP " + s));
        }
        continue;
      }
      return resp;
    }
  }

  /** Whether an answer is the one a request ends with (not a redirect, a retry or a refusal). */
  private static boolean final_(Response resp, boolean auth) {
    int s = resp.status();
    return !(Redirects.isRedirect(s) && resp.headers().firstValue("Location").isPresent())
        && !(auth && (s == 401 || s == 403)) && !Attempts.retryableStatus(s);
  }

  private static String where(URI u) {
    return u.getScheme() + "://" + u.getAuthority() + u.getPath();
  }

  private IOException unwrap(Throwable cause, Req r) {
    if (cause instanceof IOException io) {
      return io;
    }
    return new IOException(r.what() + ": " + cause, cause);
  }

  // ---- authentication ----

  private void authorize(Map<String, String> b, List<String> scopes)
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
    String header = tokens.header(c, scopes);
    if (header != null) {
      b.put("Authorization", header);
    }
  }

  boolean credentialsAllowedTo(String scheme, String authority) {
    return "https".equalsIgnoreCase(scheme) || options.plainHttpAllowed(authority);
  }

  String loginHint() {
    return failures.loginHint();
  }

  /** Whether {@code u} is on the registry itself (scheme, host and port). */
  boolean isRegistry(URI u) {
    return Destinations.sameAuthority(u, raw("/"));
  }

  // ---- for the client: failures, bodies, destinations ----

  /** The failure for an unexpected answer, by status, naming {@code what}. */
  PlinthException fail(Response resp, String what) {
    return failures.fail(resp, what);
  }

  void checkAddress(String h, String what) throws PlinthException {
    destinations.checkAddress(h, what);
  }

  static String clean(String s) {
    return Failures.clean(s);
  }

  static String describe(IOException e) {
    return Failures.describe(e);
  }

  static URI resolve(URI base, String location, String what) throws PlinthException {
    return Destinations.resolve(base, location, what);
  }

  static String authority(URI u) {
    return Destinations.authority(u);
  }

  /** Reads what is left of a small answer's body (at most 64 KiB), so its connection is kept. */
  static void discard(Response r) {
    try (InputStream in = r.body()) {
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
}
