package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.ContentMismatchException;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Against Debian's docker-registry (distribution 2.8) on 127.0.0.1: plain, TLS + basic, tokens. */
class RegistryIT {
  static RegistryOptions opts(Credentials c) {
    return new RegistryOptions(new CredentialStore(c, Map.of(), null), Set.of(), null, 4, 32L << 20, 5,
        Duration.ofMillis(20), Duration.ofSeconds(5), Progress.NONE, null);
  }

  static final Credentials RIGHT = new Credentials(TestRegistry.USER, TestRegistry.PASSWORD, "test");
  static final Credentials WRONG = new Credentials(TestRegistry.USER, "wrong password", "--creds");

  static byte[] readAll(Blob b) throws IOException {
    try (InputStream in = b.open()) {
      return in.readAllBytes();
    }
  }

  /** Pulls what {@code ref} names and checks every blob against what was pushed. */
  static void assertHolds(RegistryRef ref, ImageIndex pushed, RegistryOptions o) throws Exception {
    ImageIndex r = RegistrySource.read(ref, o);
    assertEquals(pushed.images().size(), r.images().size());
    for (int i = 0; i < pushed.images().size(); i++) {
      Image want = pushed.images().get(i);
      Image got = r.images().get(i);
      assertEquals(want.manifest().descriptor().digest(), got.manifest().descriptor().digest());
      for (int j = 0; j < want.layers().size(); j++) {
        assertArrayEquals(readAll(want.layers().get(j).blob()), readAll(got.layers().get(j).blob()));
      }
    }
  }

  @Test
  void plain_pushTwoPlatforms_pullVerifies_chunkedAndMonolithic() throws Exception {
    try (TestRegistry reg = TestRegistry.plain()) {
      ImageIndex idx = TestImages.two(1, 3_000_000, 100_000, 10);
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      RegistryOptions o = opts(null).withChunkSize(1 << 20);
      Descriptor top = RegistrySink.push(idx, ref, o);
      assertEquals(idx.index().descriptor().digest(), top.digest());
      assertHolds(ref, idx, o);
      assertHolds(RegistryRef.parse(reg.host() + "/team/app@" + top.digest()), idx, o);
    }
  }

  @Test
  void plain_crossRepositoryMount_movesNoLayerBytes() throws Exception {
    try (TestRegistry reg = TestRegistry.plain();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      ImageIndex idx = TestImages.single(2, 500_000);
      RegistrySink.push(idx, RegistryRef.parse(reg.host() + "/src/app:1"), opts(null));
      ImageIndex remote = RegistrySource.read(RegistryRef.parse(proxy.host() + "/src/app:1"),
          opts(null));
      proxy.log.clear();
      RegistrySink.push(remote, RegistryRef.parse(proxy.host() + "/dst/app:1"), opts(null));
      assertEquals(2, proxy.count("POST", "mount="), proxy.log.toString());
      assertEquals(0, proxy.count("PUT", "/blobs/uploads/"), proxy.log.toString());
      assertEquals(0, proxy.count("PATCH", "/blobs/uploads/"), proxy.log.toString());
      assertHolds(RegistryRef.parse(reg.host() + "/dst/app:1"), idx, opts(null));
    }
  }

  @Test
  void rePush_nothingChanged_isOneExistenceCheckPerBlob_andNoUpload() throws Exception {
    try (TestRegistry reg = TestRegistry.plain();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      ImageIndex idx = TestImages.two(3, 200_000, 1000);
      RegistryRef ref = RegistryRef.parse(proxy.host() + "/team/app:1");
      RegistrySink.push(idx, ref, opts(null));
      // cold: a HEAD per layer and config, none for the documents that refer to blobs just sent
      long docs = idx.images().size() + 1;
      long layersAndConfigs = idx.blobs().size() - docs;
      assertEquals(layersAndConfigs, proxy.count("HEAD", "/blobs/"), proxy.log.toString());
      assertEquals(0, proxy.count("HEAD", "/manifests/"), proxy.log.toString());
      assertEquals(docs, proxy.count("PUT", "/manifests/"), proxy.log.toString());
      proxy.log.clear();
      RegistrySink.push(idx, ref, opts(null));
      long blobs = idx.blobs().size(); // layers, configs, manifests and the index
      assertEquals(blobs, proxy.log.stream().filter(l -> l.startsWith("HEAD ")).count(),
          proxy.log.toString());
      assertEquals(1, proxy.count("GET", "/v2/"), proxy.log.toString());
      assertEquals(blobs + 1, proxy.log.size(), "only the ping and one HEAD per blob: " + proxy.log);
    }
  }

  @Test
  void faults_droppedUploads_429And503WithRetryAfter_pushStillCompletes() throws Exception {
    try (TestRegistry reg = TestRegistry.plain();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      AtomicInteger puts = new AtomicInteger();
      AtomicInteger patches = new AtomicInteger();
      AtomicInteger manifests = new AtomicInteger();
      proxy.rule = (r, n) -> {
        if (r.method().equals("PUT") && r.path().contains("/blobs/uploads/")
            && puts.getAndIncrement() == 0) {
          return new FaultProxy.DropAfter(20_000);
        }
        if (r.method().equals("PATCH") && patches.getAndIncrement() == 1) {
          return new FaultProxy.DropAfter(100_000);
        }
        if (r.method().equals("HEAD") && n % 5 == 1) {
          return new FaultProxy.Respond(429, Map.of("Retry-After", "1"), "");
        }
        if (r.method().equals("PUT") && r.path().contains("/manifests/")
            && manifests.getAndIncrement() < 2) {
          return new FaultProxy.Respond(503, Map.of("Retry-After", "0"), "{}");
        }
        return new FaultProxy.Pass();
      };
      ImageIndex idx = TestImages.two(4, 600_000, 50_000);
      RegistryRef ref = RegistryRef.parse(proxy.host() + "/team/app:1");
      RegistrySink.push(idx, ref, opts(null).withChunkSize(256 * 1024).withParallel(2));
      proxy.rule = (r, n) -> new FaultProxy.Pass();
      assertHolds(RegistryRef.parse(reg.host() + "/team/app:1"), idx, opts(null));
      List<String> stored = reg.storedBlobs();
      for (Blob b : idx.blobs()) {
        assertTrue(stored.contains(b.descriptor().digest().hex()), b.descriptor().digest()
            + " is not in the registry's storage");
      }
      assertTrue(patches.get() > 2 && puts.get() > 1, "faults were injected");
    }
  }

  @Test
  void corruptedBlobFromTheProxy_failsAsContentMismatch() throws Exception {
    try (TestRegistry reg = TestRegistry.plain();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      ImageIndex idx = TestImages.single(5, 100_000);
      RegistrySink.push(idx, RegistryRef.parse(reg.host() + "/team/app:1"), opts(null));
      String layer = idx.images().get(0).layers().get(0).blob().descriptor().digest().toString();
      proxy.rule = (r, n) -> r.method().equals("GET") && r.path().endsWith(layer)
          ? new FaultProxy.Corrupt() : new FaultProxy.Pass();
      Image img = RegistrySource.read(RegistryRef.parse(proxy.host() + "/team/app:1"), opts(null))
          .images().get(0);
      assertThrows(ContentMismatchException.class, () -> readAll(img.layers().get(0).blob()));
    }
  }

  @Test
  void unknownRepository_isNotFound() throws Exception {
    try (TestRegistry reg = TestRegistry.plain()) {
      PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
          RegistryRef.parse(reg.host() + "/no/such:1"), opts(null)));
      assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
      assertTrue(e.getMessage().contains("404"), e.getMessage());
    }
  }

  @Test
  void tlsBasic_rightCredentials_pushAndPull() throws Exception {
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      ImageIndex idx = TestImages.single(6, 100_000);
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      RegistryOptions o = opts(RIGHT).withCaFile(reg.caFile);
      RegistrySink.push(idx, ref, o);
      assertHolds(ref, idx, o);
    }
  }

  @Test
  void tlsBasic_wrongPassword_andNoCredentials_failCleanly() throws Exception {
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      PlinthException push = assertThrows(PlinthException.class, () -> RegistrySink.push(
          TestImages.single(7, 10), ref, opts(WRONG).withCaFile(reg.caFile)));
      assertEquals(PlinthException.Kind.OUTPUT, push.kind());
      assertTrue(push.getMessage().contains("401") && push.getMessage().contains("--creds"),
          push.getMessage());
      assertFalse(push.getMessage().contains("wrong password"));
      PlinthException pull = assertThrows(PlinthException.class,
          () -> RegistrySource.read(ref, opts(null).withCaFile(reg.caFile)));
      assertEquals(PlinthException.Kind.NOT_FOUND, pull.kind());
      assertTrue(pull.getMessage().contains("docker login"), pull.getMessage());
    }
  }

  @Test
  void tls_untrustedCertificate_isBadInput_andNeverFallsBackToPlainHttp() throws Exception {
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      PlinthException e = assertThrows(PlinthException.class,
          () -> RegistrySource.read(ref, opts(RIGHT)));
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
      assertTrue(e.getMessage().contains("PLINTH_REGISTRY_CA"), e.getMessage());
      // named insecure, the certificate is not checked
      RegistrySink.push(TestImages.single(8, 10), ref,
          opts(RIGHT).withInsecure(Set.of(reg.host())));
    }
  }

  @Test
  void token_pushAndPull_withBearerTokens() throws Exception {
    try (TestRegistry reg = TestRegistry.token()) {
      // the token server is on another port: it gets the credentials only when named
      RegistryOptions o = opts(RIGHT).withCredsRealms(Set.of(reg.tokenRealm()));
      ImageIndex idx = TestImages.two(9, 100_000);
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      RegistrySink.push(idx, ref, o);
      assertHolds(ref, idx, o);
      // another repository: a token for both scopes, the blobs mounted
      ImageIndex remote = RegistrySource.read(ref, o);
      RegistrySink.push(remote, RegistryRef.parse(reg.host() + "/team/copy:1"), o);
      assertHolds(RegistryRef.parse(reg.host() + "/team/copy:1"), idx, o);
    }
  }

  @Test
  void token_identityTokenFromConfigJson_isExchangedByOAuth2() throws Exception {
    try (TestRegistry reg = TestRegistry.token()) {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("plinth-docker-config-");
      try {
        java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"auths\": {\""
            + reg.host() + "\": {\"identitytoken\": \"" + TokenServer.IDENTITY_TOKEN + "\"}}}");
        RegistryOptions o = opts(null).withCredentials(new CredentialStore(null,
            java.util.Map.of("DOCKER_CONFIG", dir.toString()), null))
            .withCredsRealms(Set.of(reg.tokenRealm()));
        ImageIndex idx = TestImages.single(13, 1000);
        RegistryRef ref = RegistryRef.parse(reg.host() + "/team/oauth:1");
        RegistrySink.push(idx, ref, o);
        assertHolds(ref, idx, o);
        assertTrue(reg.tokenServer().oauthGrants.get() > 0, "no refresh-token grant was made");
        assertEquals(0, reg.tokenServer().refused.get());

        java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"auths\": {\""
            + reg.host() + "\": {\"identitytoken\": \"expired\"}}}");
        RegistryOptions stale = opts(null).withCredentials(new CredentialStore(null,
            java.util.Map.of("DOCKER_CONFIG", dir.toString()), null))
            .withCredsRealms(Set.of(reg.tokenRealm()));
        PlinthException e = assertThrows(PlinthException.class,
            () -> RegistrySink.push(TestImages.single(14, 10), ref, stale));
        assertEquals(PlinthException.Kind.OUTPUT, e.kind());
        assertTrue(e.getMessage().contains("(identitytoken)"), e.getMessage());
        assertTrue(!e.getMessage().contains("expired"), e.getMessage());
      } finally {
        java.nio.file.Files.deleteIfExists(dir.resolve("config.json"));
        java.nio.file.Files.deleteIfExists(dir);
      }
    }
  }

  @Test
  void token_realmOnAnotherPort_notNamed_getsNoCredentials() throws Exception {
    try (TestRegistry reg = TestRegistry.token()) {
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      PlinthException e = assertThrows(PlinthException.class,
          () -> RegistrySink.push(TestImages.single(12, 10), ref, opts(RIGHT)));
      assertEquals(PlinthException.Kind.OUTPUT, e.kind());
      assertTrue(e.getMessage().contains("--creds-realm " + reg.tokenRealm()), e.getMessage());
      assertEquals(0, reg.tokenServer().refused.get(), "no credentials went to the realm");
    }
  }

  @Test
  void token_wrongPassword_failsCleanly() throws Exception {
    try (TestRegistry reg = TestRegistry.token()) {
      RegistryRef ref = RegistryRef.parse(reg.host() + "/team/app:1");
      PlinthException e = assertThrows(PlinthException.class,
          () -> RegistrySink.push(TestImages.single(10, 10), ref,
              opts(WRONG).withCredsRealms(Set.of(reg.tokenRealm()))));
      assertEquals(PlinthException.Kind.OUTPUT, e.kind());
      assertTrue(e.getMessage().contains("refused the credentials from --creds"), e.getMessage());
      PlinthException anon = assertThrows(PlinthException.class,
          () -> RegistrySink.push(TestImages.single(10, 10), ref, opts(null)));
      assertEquals(PlinthException.Kind.OUTPUT, anon.kind());
    }
  }

  /** Layers pulled lazily are opened only when read: a read of the manifest moves no layer. */
  @Test
  void read_isLazy() throws Exception {
    try (TestRegistry reg = TestRegistry.plain();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      ImageIndex idx = TestImages.single(11, 300_000);
      RegistrySink.push(idx, RegistryRef.parse(reg.host() + "/team/app:1"), opts(null));
      ImageIndex r = RegistrySource.read(RegistryRef.parse(proxy.host() + "/team/app:1"),
          opts(null));
      Layer l = r.images().get(0).layers().get(0);
      assertEquals(0, proxy.count("GET", l.blob().descriptor().digest().toString()));
      readAll(l.blob());
      assertEquals(1, proxy.count("GET", l.blob().descriptor().digest().toString()));
    }
  }
}
