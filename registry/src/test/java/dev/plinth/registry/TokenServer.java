package dev.plinth.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Docker token server for tests: GET /token?service=..&scope=.. with basic auth for one user
 * gives a JWT (RS256, its signing certificate in the x5c header, which the registry's
 * rootcertbundle trusts) granting the actions asked for; anonymous requests get a token granting
 * nothing.
 */
public final class TokenServer implements AutoCloseable {
  public static final String SERVICE = "plinth-test-registry";
  public static final String ISSUER = "plinth-test-token-issuer";

  private final HttpServer server;
  private final Path cert;
  private final PrivateKey key;
  private final String x5c;
  private final String user;
  private final String password;
  public final AtomicInteger issued = new AtomicInteger();
  public final AtomicInteger refused = new AtomicInteger();
  /** Access tokens given for the identity token (OAuth2 refresh-token grants). */
  public final AtomicInteger oauthGrants = new AtomicInteger();
  /** The OAuth2 identity (refresh) token this server accepts, as docker login would store it. */
  public static final String IDENTITY_TOKEN = "plinth-test-identity-token.refresh";

  private TokenServer(Path dir, String user, String password) throws IOException {
    this.user = user;
    this.password = password;
    TestRegistry.exec(dir, TestRegistry.which("openssl"), "req", "-x509", "-newkey", "rsa:2048",
        "-nodes", "-keyout", "token.key", "-out", "token.crt", "-days", "2", "-subj",
        "/CN=plinth test token signer");
    this.cert = dir.resolve("token.crt");
    try {
      String pem = Files.readString(dir.resolve("token.key"));
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
      key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(Files.newInputStream(cert));
      x5c = Base64.getEncoder().encodeToString(c.getEncoded());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  static TokenServer start(Path dir, String user, String password) throws IOException {
    return new TokenServer(dir, user, password);
  }

  public String realm() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
  }

  public Path certificate() {
    return cert;
  }

  private void token(HttpExchange ex) throws IOException {
    try (ex) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      boolean known = false;
      boolean oauth = ex.getRequestMethod().equals("POST");
      String raw = ex.getRequestURI().getRawQuery();
      if (oauth) {
        // OAuth2 refresh-token grant: the form carries service, scope and the refresh token
        raw = new String(ex.getRequestBody().readNBytes(1 << 16), StandardCharsets.US_ASCII);
        Map<String, String> form = new LinkedHashMap<>();
        for (String kv : raw.split("&")) {
          String[] p = kv.split("=", 2);
          form.put(p[0], java.net.URLDecoder.decode(p.length > 1 ? p[1] : "",
              StandardCharsets.UTF_8));
        }
        if (!"refresh_token".equals(form.get("grant_type"))
            || !IDENTITY_TOKEN.equals(form.get("refresh_token")) || auth != null
            || !"application/x-www-form-urlencoded".equals(
                ex.getRequestHeaders().getFirst("Content-Type"))) {
          refused.incrementAndGet();
          ex.sendResponseHeaders(401, -1);
          return;
        }
        oauthGrants.incrementAndGet();
        known = true;
      } else if (auth != null) {
        String want = "Basic " + Base64.getEncoder().encodeToString(
            (user + ":" + password).getBytes(StandardCharsets.UTF_8));
        if (!auth.equals(want)) {
          refused.incrementAndGet();
          ex.sendResponseHeaders(401, -1);
          return;
        }
        known = true;
      }
      List<Object> access = new ArrayList<>();
      Map<String, String> q = new LinkedHashMap<>();
      List<String> scopes = new ArrayList<>();
      if (raw != null) {
        for (String kv : raw.split("&")) {
          String[] p = kv.split("=", 2);
          String v = java.net.URLDecoder.decode(p.length > 1 ? p[1] : "", StandardCharsets.UTF_8);
          if (p[0].equals("refresh_token")) {
            continue;
          }
          if (p[0].equals("scope")) {
            scopes.addAll(List.of(v.split(" ")));
          } else {
            q.put(p[0], v);
          }
        }
      }
      for (String s : scopes) {
        String[] parts = s.split(":");
        if (parts.length == 3 && known) {
          access.add(Map.of("type", parts[0], "name", parts[1],
              "actions", List.of(parts[2].split(","))));
        }
      }
      long now = System.currentTimeMillis() / 1000;
      Map<String, Object> header = new LinkedHashMap<>();
      header.put("alg", "RS256");
      header.put("typ", "JWT");
      header.put("x5c", List.of(x5c));
      Map<String, Object> claims = new LinkedHashMap<>();
      claims.put("iss", ISSUER);
      claims.put("sub", known ? user : "");
      claims.put("aud", q.getOrDefault("service", SERVICE));
      claims.put("exp", now + 600);
      claims.put("nbf", now - 60);
      claims.put("iat", now);
      claims.put("jti", "t" + issued.incrementAndGet());
      claims.put("access", access);
      Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
      String signingInput = url.encodeToString(dev.plinth.oci.Json.write(header)) + "."
          + url.encodeToString(dev.plinth.oci.Json.write(claims));
      Signature sig = Signature.getInstance("SHA256withRSA");
      sig.initSign(key);
      sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      String jwt = signingInput + "." + url.encodeToString(sig.sign());
      byte[] body = dev.plinth.oci.Json.write(oauth
          ? Map.of("access_token", jwt, "expires_in", 600, "token_type", "Bearer")
          : Map.of("token", jwt, "expires_in", 600));
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    } catch (java.security.GeneralSecurityException e) {
      ex.sendResponseHeaders(500, -1);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
