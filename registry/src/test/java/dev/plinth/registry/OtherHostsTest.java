package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.PlinthException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * shared/BAD-INPUTS.md cases 35-37 and 50: what goes to hosts other than the registry. Where a
 * token realm or a redirect may send plinth; which realms get the registry's credentials (its own
 * host and port, well-known pairs, hosts named with --creds-realm; never a "site" guessed from the
 * last labels, nor any loopback port); a blob store or an upload Location on another host gets
 * none.
 */
class OtherHostsTest extends TwoRegistriesTest {
  static RegistryOptions opts(Credentials c) {
    return HostileNetworkTest.opts(c);
  }

  static RegistryOptions opts() {
    return opts(null);
  }

  // ---- 35: a bearer realm at the metadata address, loopback, 0.0.0.0 or [::]; a redirect there ----

  @Test
  void bearerRealm_unsafeAddresses_areRefused_andNothingIsSentThere() throws Exception {
    for (String realm : List.of("http://169.254.169.254/latest/meta-data", "https://0.0.0.0/token",
        "https://[::]/token")) {
      reg.requiredAuth = "Bearer never";
      reg.challenge = "Bearer realm=\"" + realm + "\",service=\"test\"";
      PlinthException e = assertThrows(PlinthException.class,
          () -> RegistrySource.read(ref("a/b:1"), opts(new Credentials("u", "p", "test"))),
          realm);
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("does not send requests there"), e.getMessage());
      assertFalse(e.getMessage().contains("p\""), e.getMessage());
    }
  }

  @Test
  void bearerRealm_onLoopback_fromARegistryThatIsNot_isRefused() throws Exception {
    reg.requiredAuth = "Bearer never";
    reg.challenge = "Bearer realm=\"" + other.url() + "/token\",service=\"test\"";
    RegistryOptions o = opts(new Credentials("u", "secret", "test"))
        .withInsecure(Set.of("registry.test"));
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse("registry.test:" + reg.port() + "/a/b:1"), o));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    assertTrue(other.log.isEmpty(), "the loopback realm got " + other.lines());
  }

  @Test
  void tokenServer_redirectingToTheMetadataAddress_isRefused() throws Exception {
    reg.requiredAuth = "Bearer t1";
    reg.challenge = "Bearer realm=\"" + other.url() + "/token\",service=\"test\"";
    other.hook = (ex, s) -> {
      ex.getResponseHeaders().set("Location", "http://169.254.169.254/latest/meta-data/iam");
      ex.sendResponseHeaders(302, -1);
      return true;
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("a/b:1"), opts(new Credentials("u", "p", "test"))));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("169.254.169.254"), e.getMessage());
  }

  // ---- 36: a redirect to another host that then asks for credentials ----

  @Test
  void redirectToAnotherHost_askingForCredentials_getsNone() throws Exception {
    Credentials c = new Credentials("alice", "s3cret", "test");
    ImageIndex idx = pushed("a/b:1", TestImages.single(10, 100));
    String layer = idx.images().get(0).layers().get(0).blob().descriptor().digest().toString();
    reg.requiredAuth = c.basicHeader();
    reg.challenge = "Basic realm=\"test\"";
    reg.hook = (ex, s) -> {
      if (s.method().equals("GET") && s.path().endsWith(layer)) {
        ex.getResponseHeaders().set("Location", "http://localhost:" + other.port() + "/storage/x");
        ex.sendResponseHeaders(307, -1);
        return true;
      }
      return false;
    };
    other.requiredAuth = "Basic anything";
    other.challenge = "Basic realm=\"other\"";
    Image img = RegistrySource.read(ref("a/b:1"), opts(c)).images().get(0);
    RegistryFailure p = assertThrows(RegistryFailure.class,
        () -> HostileRegistryTest.readAll(img.layers().get(0).blob()));
    assertTrue(p.getMessage().contains("plinth sends credentials only to"), String.valueOf(p));
    assertFalse(other.log.isEmpty());
    for (FakeRegistry.Seen s : other.log) {
      assertNull(s.authorization(), "credentials went to another host: " + s.line());
    }
    assertFalse(p.getMessage().contains("s3cret"));
  }

  // ---- 37: an upload Location on another host ----

  @Test
  void uploadLocationOnAnotherHost_isUsedWithoutCredentials() throws Exception {
    Credentials c = new Credentials("alice", "s3cret", "test");
    reg.requiredAuth = c.basicHeader();
    reg.challenge = "Basic realm=\"test\"";
    reg.hook = (ex, s) -> {
      if (s.method().equals("POST") && s.path().endsWith("/blobs/uploads/")) {
        FakeRegistry.drain(ex);
        ex.getResponseHeaders().set("Location",
            "http://localhost:" + other.port() + "/v2/a/b/blobs/uploads/elsewhere");
        ex.sendResponseHeaders(202, -1);
        return true;
      }
      return false;
    };
    AtomicInteger puts = new AtomicInteger();
    other.hook = (ex, s) -> {
      if (s.method().equals("PUT")) {
        puts.incrementAndGet();
        byte[] b = ex.getRequestBody().readAllBytes();
        String digest = FakeRegistry.query(s.query()).get("digest");
        reg.blobs.put(digest, b); // the storage the registry shares
        reg.links.add("a/b@" + digest);
        ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        ex.sendResponseHeaders(201, -1);
        return true;
      }
      return false;
    };
    RegistrySink.push(TestImages.single(11, 100), ref("a/b:1"), opts(c));
    assertEquals(2, puts.get()); // layer and config
    for (FakeRegistry.Seen s : other.log) {
      assertNull(s.authorization(), "credentials went to the other host: " + s.line());
    }
  }

  // ---- 50: credentials only where they belong ----

  @Test
  void tokenRealmOnAnotherLoopbackPort_getsNoCredentials_unlessNamed() throws Exception {
    Credentials c = new Credentials("alice", "s3cret", "test");
    reg.putManifest("a/b", "1", "application/vnd.oci.image.manifest.v1+json", new byte[0]);
    reg.requiredAuth = "Bearer t";
    reg.challenge = "Bearer realm=\"" + other.url() + "/token\",service=\"x\"";
    other.hook = (ex, s) -> {
      FakeRegistry.send(ex, 200, "{\"token\":\"t\"}");
      return true;
    };
    RegistryRef ref = RegistryRef.parse(reg.host() + "/a/b:1");
    RegistryClient.forPull(ref, opts(c)).manifestDigest("a/b", "1");
    assertFalse(other.log.isEmpty());
    assertNull(other.log.get(0).authorization(), "credentials went to another port");
    for (String named : List.of("127.0.0.1", "127.0.0.1:" + other.port())) {
      other.log.clear();
      RegistryClient.forPull(ref, opts(c).withCredsRealms(Set.of(named)))
          .manifestDigest("a/b", "1");
      assertEquals(c.basicHeader(), other.log.get(0).authorization(), named);
    }
    other.log.clear();
    RegistryClient.forPull(ref, opts(c).withCredsRealms(Set.of("127.0.0.1:1")))
        .manifestDigest("a/b", "1");
    assertNull(other.log.get(0).authorization(), "another port was named");
  }

  @Test
  void tokenRealmOnTheRegistrysOwnHostAndPort_getsCredentials() throws Exception {
    Credentials c = new Credentials("alice", "s3cret", "test");
    List<String> seen = new ArrayList<>();
    reg.challenge = "Bearer realm=\"" + reg.url() + "/token\",service=\"x\"";
    reg.hook = (ex, s) -> {
      if (s.path().equals("/token")) {
        seen.add(String.valueOf(s.authorization()));
        FakeRegistry.send(ex, 200, "{\"token\":\"t\"}");
        return true;
      }
      if (!"Bearer t".equals(s.authorization())) {
        ex.getResponseHeaders().set("WWW-Authenticate", reg.challenge);
        FakeRegistry.send(ex, 401, "{}");
        return true;
      }
      return false;
    };
    RegistryClient.forPull(RegistryRef.parse(reg.host() + "/a/b:1"), opts(c))
        .manifestDigest("a/b", "1");
    assertEquals(List.of(c.basicHeader()), seen);
  }

  @Test
  void anonymousTokenRefused_whenCredentialsWereWithheld_saysHowToNameTheRealm() throws Exception {
    reg.requiredAuth = "Bearer t";
    reg.challenge = "Bearer realm=\"" + other.url() + "/token\",service=\"x\"";
    other.hook = (ex, s) -> {
      FakeRegistry.send(ex, s.authorization() == null ? 401 : 200, "{\"token\":\"t\"}");
      return true;
    };
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse(reg.host() + "/a/b:1"), opts(new Credentials("u", "pw", "--creds"))));
    assertTrue(e.getMessage().contains("refused an anonymous token (HTTP 401); the credentials"
        + " were not sent to the token server 127.0.0.1:" + other.port()) && e.getMessage()
            .endsWith("--creds-realm 127.0.0.1:" + other.port()), e.getMessage());
    assertFalse(e.getMessage().contains("pw"), e.getMessage());
  }

  @Test
  void realmRule_sameHostAndPort_wellKnownPairs_namedHosts_noSiteGuessing() {
    Set<String> none = Set.of();
    assertTrue(go("https://a.azurecr.io", "https://a.azurecr.io/oauth2/token", none));
    assertFalse(go("https://a.azurecr.io", "https://evil.azurecr.io/oauth2/token", none));
    assertFalse(go("https://a.co.uk", "https://b.co.uk/token", none));
    assertFalse(go("https://a.example", "https://a.example:8443/token", none));
    assertFalse(go("http://127.0.0.1:5000", "http://127.0.0.1:5001/token", none));
    assertFalse(go("http://127.0.0.1:5000", "http://localhost:5000/token", none));
    assertTrue(go("https://registry-1.docker.io", "https://auth.docker.io/token", none));
    assertFalse(go("https://registry-1.docker.io", "https://auth.docker.io:444/token", none));
    assertFalse(go("https://ghcr.io", "https://auth.docker.io/token", none));
    assertTrue(go("https://registry.gitlab.com", "https://gitlab.com/jwt/auth", none));
    assertTrue(go("https://r.example", "https://auth.example/token", Set.of("auth.example")));
    assertTrue(go("https://r.example", "https://auth.example/t", Set.of("AUTH.example:443")));
    assertFalse(go("https://r.example", "https://auth.example/t", Set.of("auth.example:8443")));
    assertFalse(go("https://r.example", "https://evil.auth.example/t", Set.of("auth.example")));
    assertTrue(go("http://[::1]:5000", "http://[::1]:5001/t", Set.of("[::1]:5001")));
  }

  private static boolean go(String registry, String realm, Set<String> named) {
    return TokenClient.credentialsGo(URI.create(registry), URI.create(realm), named);
  }

}
