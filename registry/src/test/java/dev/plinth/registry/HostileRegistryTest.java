package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.ContentMismatchException;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * shared/BAD-INPUTS.md cases 31-42 (35-37 and 50, what goes to other hosts, are {@link OtherHostsTest}'s) against a
 * small registry on 127.0.0.1 that misbehaves.
 */
class HostileRegistryTest extends TwoRegistriesTest {
  static RegistryOptions opts(Credentials c) {
    return new RegistryOptions(new CredentialStore(c, Map.of(), null), Set.of(), null, 2, 1 << 20, 4,
        Duration.ofMillis(10), Duration.ofSeconds(3), Progress.NONE, null);
  }

  static RegistryOptions opts() {
    return opts(null);
  }

  static byte[] readAll(Blob b) throws IOException {
    try (InputStream in = b.open()) {
      return in.readAllBytes();
    }
  }

  // ---- 31: 429/408/5xx/499/522, Retry-After in seconds, as a date, absent ----

  @Test
  void retry_429WithRetryAfterSeconds_waitsAndSucceeds() throws Exception {
    pushed("a/b:1", TestImages.single(1, 100));
    AtomicInteger n = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (s.path().contains("/manifests/") && n.getAndIncrement() == 0) {
        ex.getResponseHeaders().set("Retry-After", "1");
        FakeRegistry.send(ex, 429, "{}");
        return true;
      }
      return false;
    };
    long t0 = System.nanoTime();
    ImageIndex r = RegistrySource.read(ref("a/b:1"), opts());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(1, r.images().size());
    assertTrue(ms >= 900, "waited " + ms + " ms, Retry-After said 1 s");
    assertEquals(2, reg.count("GET", "/manifests/1"));
  }

  @Test
  void retry_408_499_522_5xx_andRetryAfterAsDate_allRetried() throws Exception {
    pushed("a/b:1", TestImages.single(1, 100));
    int[] statuses = {408, 499, 522, 503, 500, 502};
    AtomicInteger n = new AtomicInteger();
    reg.hook = (ex, s) -> {
      int i = n.get();
      if (s.path().endsWith("/manifests/1") && i < statuses.length) {
        n.incrementAndGet();
        if (statuses[i] == 503) {
          ex.getResponseHeaders().set("Retry-After", DateTimeFormatter.RFC_1123_DATE_TIME.format(
              ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(1)));
        }
        FakeRegistry.send(ex, statuses[i], "{}");
        return true;
      }
      return false;
    };
    RegistryOptions o = opts().withRetries(10, Duration.ofMillis(5), Duration.ofSeconds(3));
    ImageIndex r = RegistrySource.read(ref("a/b:1"), o);
    assertEquals(1, r.images().size());
    assertEquals(statuses.length + 1, reg.count("GET", "/manifests/1"));
  }

  @Test
  void retry_exhausted_failsNotFoundOnPull_andOutputOnPush() throws Exception {
    pushed("a/b:1", TestImages.single(1, 100));
    reg.hook = (ex, s) -> {
      if (!s.path().equals("/v2/")) {
        FakeRegistry.send(ex, 503, "{}");
        return true;
      }
      return false;
    };
    PlinthException pull = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.NOT_FOUND, pull.kind());
    assertTrue(pull.getMessage().contains("503") && pull.getMessage().contains("4 tries"),
        pull.getMessage());
    assertEquals(4, reg.count("GET", "/manifests/1"));
    PlinthException push = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(2, 10), ref("a/c:1"), opts()));
    assertEquals(PlinthException.Kind.OUTPUT, push.kind());
  }

  // ---- 32: a manifest over 4 MiB; 413 on push ----

  @Test
  void manifestOver4MiB_isBadInput() throws Exception {
    StringBuilder big = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST + "\",\"annotations\":{\"x\":\"");
    big.append("a".repeat(ImageReader.MAX_DOCUMENT));
    big.append("\"}}");
    reg.putManifest("a/b", "big", MediaTypes.OCI_MANIFEST, big.toString().getBytes());
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("a/b:big"), opts()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("4194304-byte limit"), e.getMessage());
  }

  @Test
  void manifest413OnPush_isOutput() throws Exception {
    reg.hook = (ex, s) -> {
      if (s.method().equals("PUT") && s.path().contains("/manifests/")) {
        FakeRegistry.drain(ex);
        FakeRegistry.send(ex, 413, "{\"errors\":[{\"code\":\"SIZE_INVALID\",\"message\":\"too big\"}]}");
        return true;
      }
      return false;
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(3, 10), ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().contains("413") && e.getMessage().contains("too large"), e.getMessage());
  }

  // ---- 33: a manifest by digest that hashes differently; a Docker-Content-Digest that lies ----

  @Test
  void manifestByDigest_hashingDifferently_isBadInput() throws Exception {
    ImageIndex idx = pushed("a/b:1", TestImages.single(4, 10));
    Digest d = idx.images().get(0).manifest().descriptor().digest();
    byte[] evil = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
        + "\",\"config\":{},\"layers\":[]}").getBytes();
    reg.manifests.put("a/b:" + d, new Object[] {MediaTypes.OCI_MANIFEST, evil});
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("a/b@" + d), opts()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("hashes to"), e.getMessage());
  }

  @Test
  void pushedManifest_answeredWithAnotherDigest_isOutput() throws Exception {
    reg.hook = (ex, s) -> {
      if (s.method().equals("PUT") && s.path().contains("/manifests/")) {
        FakeRegistry.drain(ex);
        ex.getResponseHeaders().set("Docker-Content-Digest", "sha256:" + "0".repeat(64));
        ex.sendResponseHeaders(201, -1);
        return true;
      }
      return false;
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(5, 10), ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().contains("stored sha256:000"), e.getMessage());
  }

  @Test
  void pushedBlob_answeredWithAnotherDigest_isOutput() throws Exception {
    reg.hook = (ex, s) -> {
      if (s.method().equals("PUT") && s.path().contains("/blobs/uploads/")) {
        FakeRegistry.drain(ex);
        ex.getResponseHeaders().set("Docker-Content-Digest", "sha256:" + "1".repeat(64));
        ex.sendResponseHeaders(201, -1);
        return true;
      }
      return false;
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySink.push(TestImages.single(6, 10), ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
  }

  // ---- 34: a blob whose Content-Length differs from its descriptor; a digest mismatch ----

  @Test
  void blobContentLengthDiffersFromDescriptor_isContentMismatch() throws Exception {
    ImageIndex idx = pushed("a/b:1", TestImages.single(7, 1000));
    Digest layer = idx.images().get(0).layers().get(0).blob().descriptor().digest();
    reg.blobs.put(layer.toString(), new byte[999]);
    Image img = RegistrySource.read(ref("a/b:1"), opts()).images().get(0);
    ContentMismatchException e = assertThrows(ContentMismatchException.class,
        () -> readAll(img.layers().get(0).blob()));
    assertTrue(e.getMessage().contains("999 bytes"), e.getMessage());
  }

  @Test
  void blobWithOtherBytesOfTheSameLength_isContentMismatch() throws Exception {
    ImageIndex idx = pushed("a/b:1", TestImages.single(8, 1000));
    Digest layer = idx.images().get(0).layers().get(0).blob().descriptor().digest();
    byte[] b = reg.blobs.get(layer.toString()).clone();
    b[500] ^= 1;
    reg.blobs.put(layer.toString(), b);
    Image img = RegistrySource.read(ref("a/b:1"), opts()).images().get(0);
    ContentMismatchException e = assertThrows(ContentMismatchException.class,
        () -> readAll(img.layers().get(0).blob()));
    assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
  }

  @Test
  void configThatDoesNotMatchItsDigest_isBadInputAtRead() throws Exception {
    ImageIndex idx = pushed("a/b:1", TestImages.single(9, 10));
    Digest config = idx.images().get(0).config().descriptor().digest();
    byte[] b = reg.blobs.get(config.toString()).clone();
    b[b.length - 2] = ' ';
    reg.blobs.put(config.toString(), b);
    ContentMismatchException e = assertThrows(ContentMismatchException.class,
        () -> RegistrySource.read(ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
  }

  // ---- 38: a cross-repository mount answered 202 ----

  @Test
  void mountAnswered202_fallsBackToUpload() throws Exception {
    ImageIndex idx = pushed("src/app:1", TestImages.single(12, 100));
    ImageIndex remote = RegistrySource.read(ref("src/app:1"), opts());
    reg.hook = (ex, s) -> {
      if (s.method().equals("POST") && s.query() != null && s.query().contains("mount=")) {
        ex.getResponseHeaders().set("Location", "/v2/dst/app/blobs/uploads/from-mount");
        FakeRegistry.drain(ex);
        ex.sendResponseHeaders(202, -1);
        return true;
      }
      if (s.method().equals("PUT") && s.path().endsWith("/from-mount")) {
        byte[] b = ex.getRequestBody().readAllBytes();
        String digest = FakeRegistry.query(s.query()).get("digest");
        assertEquals(Digest.of(b).toString(), digest);
        ex.getResponseHeaders().set("Docker-Content-Digest", digest);
        ex.sendResponseHeaders(201, -1);
        return true;
      }
      return false;
    };
    List<Progress.Outcome> outcomes = new ArrayList<>();
    RegistryOptions o = opts().withProgress(new Progress() {
      @Override
      public synchronized void finished(Digest d, long size, Outcome outcome) {
        outcomes.add(outcome);
      }
    });
    // make the blobs unknown to dst/app but known in the registry (src/app): the mount is tried
    RegistrySink.push(remote, ref("dst/app:1"), o);
    assertEquals(2, reg.log.stream().filter(s -> s.query() != null && s.query().contains("mount=")
        && s.query().contains("from=src/app")).count(), reg.lines().toString());
    assertEquals(2, reg.count("PUT", "/from-mount"));
    assertTrue(outcomes.contains(Progress.Outcome.PUSHED));
    assertFalse(idx.images().isEmpty());
  }

  @Test
  void mountAnswered201_movesNoBytes() throws Exception {
    pushed("src/app:1", TestImages.single(13, 100));
    ImageIndex remote = RegistrySource.read(ref("src/app:1"), opts());
    reg.log.clear();
    RegistrySink.push(remote, ref("dst/app:1"), opts());
    assertEquals(0, reg.count("PUT", "/blobs/uploads/"), reg.lines().toString());
    assertEquals(0, reg.count("PATCH", "/blobs/uploads/"));
    assertEquals(2, reg.count("POST", "/blobs/uploads/"));
  }

  // ---- 39: a chunk answered 416 ----

  @Test
  void chunkAnswered416_readsTheRangeAndResumes() throws Exception {
    AtomicInteger patches = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (s.method().equals("PATCH") && patches.incrementAndGet() == 2) {
        FakeRegistry.drain(ex);
        ex.sendResponseHeaders(416, -1);
        return true;
      }
      return false;
    };
    ImageIndex idx = TestImages.single(14, 5000);
    RegistrySink.push(idx, ref("a/b:1"), opts().withChunkSize(1024));
    Layer l = idx.images().get(0).layers().get(0);
    assertArrayEquals(readAll(l.blob()), reg.blobs.get(l.blob().descriptor().digest().toString()));
    assertTrue(reg.count("GET", "/blobs/uploads/") >= 1, "the upload's status was read");
    assertTrue(patches.get() >= 6, "5 chunks of 1 KiB, one of them twice: " + patches.get());
  }

  // ---- 40: insufficient_scope: re-authenticate once; token refreshes capped ----

  @Test
  void insufficientScope_reauthenticatesOnce_withTheScopeAsked() throws Exception {
    pushed("a/b:1", TestImages.single(15, 100));
    AtomicInteger tokens = new AtomicInteger();
    List<String> scopes = new ArrayList<>();
    other.hook = (ex, s) -> {
      int n = tokens.incrementAndGet();
      scopes.add(String.valueOf(FakeRegistry.query(s.query())));
      FakeRegistry.send(ex, 200, "{\"token\":\"t" + n + "\"}");
      return true;
    };
    reg.challenge = "Bearer realm=\"" + other.url() + "/token\",service=\"fake\"";
    reg.hook = (ex, s) -> {
      String a = s.authorization();
      if (s.path().equals("/v2/")) {
        ex.getResponseHeaders().set("WWW-Authenticate", reg.challenge);
        FakeRegistry.send(ex, 401, "{}");
        return true;
      }
      if ("Bearer t1".equals(a)) {
        ex.getResponseHeaders().set("WWW-Authenticate", reg.challenge
            + ",scope=\"repository:a/b:pull\",error=\"insufficient_scope\"");
        FakeRegistry.send(ex, 401, "{}");
        return true;
      }
      return !"Bearer t2".equals(a) && deny(ex);
    };
    ImageIndex r = RegistrySource.read(ref("a/b:1"), opts());
    assertEquals(1, r.images().size());
    assertEquals(2, tokens.get(), scopes.toString());
  }

  @Test
  void insufficientScopeForever_givesUpAfterOneRetry_andTokenFetchesAreCapped() throws Exception {
    AtomicInteger tokens = new AtomicInteger();
    other.hook = (ex, s) -> {
      FakeRegistry.send(ex, 200, "{\"token\":\"t" + tokens.incrementAndGet() + "\"}");
      return true;
    };
    String ch = "Bearer realm=\"" + other.url() + "/token\",service=\"fake\"";
    reg.hook = (ex, s) -> {
      ex.getResponseHeaders().set("WWW-Authenticate", s.path().equals("/v2/") ? ch
          : ch + ",scope=\"repository:a/b:pull\",error=\"insufficient_scope\"");
      FakeRegistry.send(ex, 401, "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"no\"}]}");
      return true;
    };
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("a/b:1"), opts()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("401"), e.getMessage());
    assertTrue(tokens.get() <= 3, "tokens fetched: " + tokens.get());
    assertTrue(reg.count("GET", "/manifests/") <= 3, reg.lines().toString());
  }

  private static boolean deny(com.sun.net.httpserver.HttpExchange ex) throws IOException {
    FakeRegistry.send(ex, 401, "{}");
    return true;
  }

  // ---- 41: a connection reset mid-blob ----

  @Test
  void connectionDroppedMidBlob_resumesWithRange() throws Exception {
    ImageIndex idx = pushed("a/b:1", TestImages.single(16, 200_000));
    Digest layer = idx.images().get(0).layers().get(0).blob().descriptor().digest();
    AtomicInteger gets = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (s.method().equals("GET") && s.path().endsWith(layer.toString())
          && gets.getAndIncrement() == 0) {
        byte[] b = reg.blobs.get(layer.toString());
        ex.sendResponseHeaders(200, b.length);
        OutputStream out = ex.getResponseBody();
        out.write(b, 0, 70_000);
        out.flush();
        throw new IOException("drop"); // the exchange is closed with bytes missing
      }
      return false;
    };
    Image img = RegistrySource.read(ref("a/b:1"), opts()).images().get(0);
    byte[] got = readAll(img.layers().get(0).blob());
    assertArrayEquals(reg.blobs.get(layer.toString()), got);
    assertTrue(reg.log.stream().anyMatch(s -> s.headers().containsKey("Range")),
        reg.lines().toString());
  }

  @Test
  void connectionDroppedMidUpload_startsTheUploadAgain() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (s.method().equals("PUT") && s.path().contains("/blobs/uploads/")
          && puts.getAndIncrement() == 0) {
        ex.getRequestBody().readNBytes(1000);
        throw new IOException("drop"); // no answer: the connection closes mid-upload
      }
      return false;
    };
    ImageIndex idx = TestImages.single(17, 50_000);
    RegistrySink.push(idx, ref("a/b:1"), opts());
    Layer l = idx.images().get(0).layers().get(0);
    assertArrayEquals(readAll(l.blob()), reg.blobs.get(l.blob().descriptor().digest().toString()));
    assertTrue(reg.count("POST", "/blobs/uploads/") >= 2);
  }

  // ---- 42: no mediaType; a Docker manifest list; a bad schemaVersion ----

  @Test
  void manifestAndIndexWithoutMediaType_areRead() throws Exception {
    ImageIndex idx = pushed("a/b:x", TestImages.two(18, 100));
    Image amd = idx.images().get(0);
    String m = new String(amd.manifest().readAllBytes(), StandardCharsets.UTF_8)
        .replace("\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",", "");
    reg.putManifest("a/b", "bare", "application/octet-stream", m.getBytes());
    ImageIndex r = RegistrySource.read(ref("a/b:bare"), opts());
    assertEquals(MediaTypes.OCI_MANIFEST, r.top().mediaType());
    String index = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
        + "\",\"digest\":\"" + amd.manifest().descriptor().digest() + "\",\"size\":"
        + amd.manifest().descriptor().size() + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}";
    reg.putManifest("a/b", "bareindex", MediaTypes.OCI_INDEX, index.getBytes());
    ImageIndex ri = RegistrySource.read(ref("a/b:bareindex"), opts());
    assertEquals(MediaTypes.OCI_INDEX, ri.top().mediaType());
    assertEquals(1, ri.images().size());
  }

  @Test
  void dockerManifestList_isReadWithItsPlatforms() throws Exception {
    ImageIndex docker = ManifestFormat.V2S2.convert(TestImages.two(19, 100));
    RegistrySink.push(docker, ref("a/b:list"), opts());
    ImageIndex r = RegistrySource.read(ref("a/b:list"), opts());
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, r.top().mediaType());
    assertEquals(2, r.images().size());
    assertEquals("arm64", r.images().get(1).platform().architecture());
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP,
        r.images().get(0).layers().get(0).blob().descriptor().mediaType());
  }

  @Test
  void indexWithAnAttestation_isPushedAndPulled_withItsDigest() throws Exception {
    ImageIndex two = TestImages.two(22, 100);
    Image subject = two.images().get(0);
    dev.plinth.oci.Blob empty = dev.plinth.oci.Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes());
    dev.plinth.oci.Blob statement = dev.plinth.oci.Blob.of("application/vnd.in-toto+json",
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes());
    dev.plinth.oci.Manifest m = new dev.plinth.oci.Manifest(MediaTypes.OCI_MANIFEST,
        "application/vnd.in-toto+json", empty.descriptor(), List.of(statement.descriptor()),
        subject.manifest().descriptor(), Map.of());
    ImageIndex index = ImageIndex.of(two.images(), List.of(new dev.plinth.oci.Artifact.Value(
        m.blob(), m, List.of(empty, statement))), Map.of(), true);
    Digest top = RegistrySink.push(index, ref("a/b:att"), opts()).digest();
    assertEquals(index.index().descriptor().digest(), top);
    ImageIndex r = RegistrySource.read(ref("a/b:att"), opts());
    assertEquals(top, r.top().digest());
    assertEquals(2, r.images().size());
    assertEquals(1, r.artifacts().size());
    assertArrayEquals(readAll(statement), readAll(r.artifacts().get(0).blobs().get(1)));
    // registry to registry: the same index, the artifact's blobs mounted or sent
    assertEquals(top, RegistrySink.push(r, ref("a/c:att"), opts()).digest());
    assertTrue(reg.blobs.containsKey(statement.descriptor().digest().toString()));
    // a platform asked for: the index of that platform alone, without the attestation
    ImageIndex amd = RegistrySource.read(ref("a/b:att"), opts(),
        p -> p.architecture().equals("amd64"));
    assertEquals(1, amd.images().size());
    assertEquals(0, amd.artifacts().size());
    assertTrue(amd.isIndex());
  }

  @Test
  void badSchemaVersion_isBadInput() throws Exception {
    List<String> versions = List.of("1", "3", "\"2\"");
    for (int i = 0; i < versions.size(); i++) {
      String tag = "s" + i;
      reg.putManifest("a/b", tag, MediaTypes.OCI_MANIFEST,
          ("{\"schemaVersion\":" + versions.get(i) + ",\"config\":{},\"layers\":[]}").getBytes());
      PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
          ref("a/b:" + tag), opts()));
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().contains("schemaVersion"), e.getMessage());
    }
  }

  // ---- the clean failures: wrong password, unknown repository ----

  @Test
  void wrongPassword_failsNamingTheSource_withoutTheSecret() throws Exception {
    reg.requiredAuth = new Credentials("alice", "right", "x").basicHeader();
    reg.challenge = "Basic realm=\"test\"";
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        ref("a/b:1"), opts(new Credentials("alice", "wr0ngpass", "--creds"))));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("--creds") && e.getMessage().contains("refused"),
        e.getMessage());
    assertFalse(e.getMessage().contains("wr0ngpass"));
    PlinthException push = assertThrows(PlinthException.class, () -> RegistrySink.push(
        TestImages.single(20, 10), ref("a/b:1"), opts(new Credentials("alice", "wr0ngpass",
            "--creds"))));
    assertEquals(PlinthException.Kind.OUTPUT, push.kind());
    assertFalse(push.getMessage().contains("wr0ngpass"));
  }

  @Test
  void unknownRepository_isNotFound() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref("no/such:1"), opts()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("404") && e.getMessage().contains("MANIFEST_UNKNOWN"),
        e.getMessage());
  }

  @Test
  void basicCredentials_areSentAsBasic() throws Exception {
    Credentials c = new Credentials("alice", "right", "x");
    reg.requiredAuth = c.basicHeader();
    reg.challenge = "Basic realm=\"test\"";
    RegistrySink.push(TestImages.single(21, 10), ref("a/b:1"), opts(c));
    assertEquals("Basic " + Base64.getEncoder().encodeToString("alice:right".getBytes()),
        reg.log.get(reg.log.size() - 1).authorization());
  }
}
