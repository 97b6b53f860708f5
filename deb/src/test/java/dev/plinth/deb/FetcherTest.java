package dev.plinth.deb;

import dev.plinth.http.Proxies;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.plinth.deb.testing.TestKeys;
import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

class FetcherTest {
  @TempDir Path tmp;

  private TestRepo repo;
  private Cache cache;
  private Keyring keyring;
  private byte[] deb;
  private String debPath;
  /** What the fetchers announced. */
  private final List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void repository() throws Exception {
    repo = new TestRepo(tmp.resolve("repo"));
    deb = new byte[50_000];
    new Random(1).nextBytes(deb);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("Package", "libhello1");
    fields.put("Version", "1:2.3-1");
    fields.put("Architecture", "amd64");
    fields.put("Depends", "libc6 (>= 2.36)");
    debPath = repo.addPackage("amd64", fields, deb);
    repo.start();
    cache = new Cache(tmp.resolve("cache"));
    keyring = Keyring.load(List.of(repo.keyring()));
  }

  @AfterEach
  void stop() {
    repo.close();
  }

  /** A fetcher with short timeouts and backoff, so failure tests take milliseconds. */
  private Fetcher fetcher() {
    return fetcher(repo.base());
  }

  private Fetcher fetcher(URI base) {
    return quick(base, cache, said::add);
  }

  /** A fetcher with short timeouts and backoff, telling {@code status} what it does. */
  static Fetcher quick(URI base, Cache cache, Fetcher.Status status) {
    return new Fetcher(base, cache, Duration.ofSeconds(2), Duration.ofMillis(500),
        Duration.ofSeconds(2), Duration.ofMillis(5), Duration.ofSeconds(2), Proxies.NONE,
        status);
  }

  private static PlinthException fails(Kind kind, Executable e, String... inMessage) {
    PlinthException x = assertThrows(PlinthException.class, e);
    assertEquals(kind, x.kind(), x.getMessage());
    for (String s : inMessage) {
      assertTrue(x.getMessage().contains(s), "'" + s + "' not in: " + x.getMessage());
    }
    return x;
  }

  private List<Path> cachedBlobs() throws IOException {
    Path blobs = cache.root().resolve("blobs");
    if (!Files.isDirectory(blobs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(blobs)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void signedRepository_endToEnd_releaseThenIndexThenDeb() throws Exception {
    Fetcher f = fetcher();
    Release r = f.release(repo.suite(), keyring);
    assertEquals("stable", r.suite());
    String index = TestRepo.packagesIndex("amd64", ".xz");
    Release.FileHash h = r.file(index);
    Path xz = f.blob("dists/" + repo.suite() + "/" + r.fetchPath(index), h.sha256(), h.size());
    String packages;
    try (InputStream in = new XZInputStream(Files.newInputStream(xz))) {
      packages = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertTrue(packages.contains("Package: libhello1\n"), packages);
    assertTrue(packages.contains("Filename: " + debPath + "\n"), packages);
    assertTrue(packages.contains("SHA256: " + Digest.of(deb).hex() + "\n"), packages);
    assertEquals("pool/main/libh/libhello1/libhello1_2.3-1_amd64.deb", debPath);
    said.clear();
    Path d = f.blob(debPath, Digest.of(deb), deb.length);
    assertArrayEquals(deb, Files.readAllBytes(d));
    // one line for the download, saying what and how big; none for the cache's copy after
    assertEquals(List.of("fetching " + repo.base() + debPath + " (50.0 kB)"), said);
    f.blob(debPath, Digest.of(deb), deb.length);
    assertEquals(1, said.size(), said.toString());
  }

  @Test
  void acquireByHash_isFetchedFromTheByHashPath() throws Exception {
    repo.acquireByHash(true).publish();
    Fetcher f = fetcher();
    Release r = f.release(repo.suite(), keyring);
    String index = TestRepo.packagesIndex("amd64", ".gz");
    Release.FileHash h = r.file(index);
    String path = "dists/" + repo.suite() + "/" + r.fetchPath(index);
    assertTrue(path.contains("/by-hash/SHA256/" + h.sha256().hex()), path);
    f.blob(path, h.sha256(), h.size(), "dists/" + repo.suite() + "/" + index);
    assertEquals(1, repo.requests(path));
    // the line names the index, not its hash
    assertEquals("fetching " + repo.base() + "dists/" + repo.suite() + "/" + index + " ("
        + dev.plinth.oci.Sizes.decimal(h.size()) + ")", said.get(said.size() - 1));
  }

  @Test
  void packagesIndex_hashMismatch_isRejectedNamingExpectedAndActual() throws Exception {
    Fetcher f = fetcher();
    Release r = f.release(repo.suite(), keyring);
    String index = TestRepo.packagesIndex("amd64", ".xz");
    Release.FileHash h = r.file(index);
    String path = repo.packagesPath("amd64", ".xz");
    repo.tamper(path);
    PlinthException e = fails(Kind.BAD_INPUT, () -> f.blob(path, h.sha256(), h.size()),
        repo.base() + path, "expected " + h.sha256(), "got sha256:");
    assertEquals(1, repo.requests(path), "an integrity failure is not retried: " + e.getMessage());
    assertEquals(List.of(), cachedBlobs());
  }

  @Test
  void deb_hashMismatch_isRejected() throws Exception {
    repo.tamper(debPath);
    fails(Kind.BAD_INPUT, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        debPath, "wrong sha256", "expected " + Digest.of(deb));
    assertEquals(List.of(), cachedBlobs());
  }

  @Test
  void deb_sizeMismatch_isRefusedBeforeReading() throws Exception {
    repo.serve(debPath, new byte[deb.length + 10]);
    fails(Kind.BAD_INPUT, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        debPath, "expected " + deb.length + " bytes", "Content-Length " + (deb.length + 10),
        "refused before reading");
    repo.serve(debPath, deb);
    repo.contentLength(debPath, deb.length - 1);
    fails(Kind.BAD_INPUT, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        "Content-Length " + (deb.length - 1));
    assertEquals(List.of(), cachedBlobs());
  }

  @Test
  void deb_truncatedBody_isRetried_thenFailsKeepingNothing() throws Exception {
    byte[] half = java.util.Arrays.copyOf(deb, deb.length / 2);
    repo.serve(debPath, half);
    repo.contentLength(debPath, deb.length);
    fails(Kind.NOT_FOUND, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        "cannot fetch", debPath, "4 attempts");
    assertEquals(4, repo.requests(debPath));
    assertEquals(List.of(), cachedBlobs());
  }

  @Test
  void stalledBody_timesOut_insteadOfHanging() throws Exception {
    repo.stall(debPath);
    fails(Kind.NOT_FOUND, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        "cannot fetch", "timed out (no data for 0.5 s)");
    assertEquals(List.of(), cachedBlobs());
  }

  @Test
  void inReleaseSentAByteAtATime_failsAtTheSmallFileDeadline() throws Exception {
    // each byte comes well within the 0.5 s read timeout; the whole cannot within 2 s
    repo.trickle(repo.inReleasePath());
    fails(Kind.NOT_FOUND, () -> fetcher().release(repo.suite(), keyring), "cannot fetch",
        "InRelease: no complete answer within the 2 s deadline for small files (1 attempt)");
  }

  @Test
  void inReleaseRetried_isCutShortByTheDeadline_namingTheLastFailure() throws Exception {
    // Retry-After 2 s, a 3 s deadline: a second wait would end past it, so no fourth try
    repo.fail(repo.inReleasePath(), 503, 10, "2");
    Fetcher f = new Fetcher(repo.base(), cache, Duration.ofSeconds(2), Duration.ofMillis(500),
        Duration.ofSeconds(5), Duration.ofMillis(5), Duration.ofSeconds(3), Proxies.NONE,
        line -> {});
    fails(Kind.NOT_FOUND, () -> f.release(repo.suite(), keyring),
        "no complete answer within the 3 s deadline for small files (", "; last: HTTP 503)");
    assertTrue(repo.requests(repo.inReleasePath()) <= 2, "tries cut short by the deadline");
  }

  @Test
  void cachedBlob_isNotFetchedAgain() throws Exception {
    Fetcher f = fetcher();
    f.blob(debPath, Digest.of(deb), deb.length);
    f.blob(debPath, Digest.of(deb), deb.length);
    assertEquals(1, repo.requests(debPath));
  }

  @Test
  void corruptedCacheEntry_isFetchedAgain() throws Exception {
    Fetcher f = fetcher();
    Path p = f.blob(debPath, Digest.of(deb), deb.length);
    byte[] bad = deb.clone();
    bad[7] ^= 1;
    Files.write(p, bad);
    Path again = f.blob(debPath, Digest.of(deb), deb.length);
    assertEquals(2, repo.requests(debPath));
    assertArrayEquals(deb, Files.readAllBytes(again));
  }

  @Test
  void retryAfter503_thenSucceeds() throws Exception {
    repo.fail(debPath, 503, 2, "0");
    Path p = fetcher().blob(debPath, Digest.of(deb), deb.length);
    assertArrayEquals(deb, Files.readAllBytes(p));
    assertEquals(3, repo.requests(debPath));
  }

  @Test
  void retryAfter429_asAnHttpDate_thenSucceeds() throws Exception {
    String soon = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        Instant.now().plusSeconds(1).atOffset(ZoneOffset.UTC));
    repo.fail(repo.inReleasePath(), 429, 1, soon);
    fetcher().release(repo.suite(), keyring);
    assertEquals(2, repo.requests(repo.inReleasePath()));
  }

  @Test
  void status408and5xx_withoutRetryAfter_areRetriedWithBackoff() throws Exception {
    repo.fail(debPath, 408, 1, null);
    fetcher().blob(debPath, Digest.of(deb), deb.length);
    repo.fail(repo.inReleasePath(), 522, 3, null);
    fetcher().release(repo.suite(), keyring);
    assertEquals(4, repo.requests(repo.inReleasePath()));
  }

  @Test
  void persistent500_givesUpAfterThreeRetries() throws Exception {
    repo.fail(debPath, 500, 100, null);
    fails(Kind.NOT_FOUND, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        "cannot fetch", "HTTP 500", Mirrors.ENV);
    assertEquals(1 + Fetcher.RETRIES, repo.requests(debPath));
  }

  @Test
  void retryAfter_longerThanTheCap_failsAtOnce() throws Exception {
    repo.fail(debPath, 503, 1, "3600");
    fails(Kind.NOT_FOUND, () -> fetcher().blob(debPath, Digest.of(deb), deb.length),
        "3600 s", "try again later");
    assertEquals(1, repo.requests(debPath));
  }

  @Test
  void notFound_isNotFoundNamingTheUrl_withoutRetries() throws Exception {
    String path = "pool/main/n/nope/nope_1_amd64.deb";
    fails(Kind.NOT_FOUND, () -> fetcher().blob(path, Digest.of(deb), 1), repo.base() + path,
        "404");
    assertEquals(1, repo.requests(path));
    fails(Kind.NOT_FOUND, () -> fetcher().release("nosuite", keyring), "dists/nosuite/InRelease");
  }

  @Test
  void forbidden_isNotRetried() throws Exception {
    repo.fail(debPath, 403, 5, null);
    fails(Kind.NOT_FOUND, () -> fetcher().blob(debPath, Digest.of(deb), deb.length), "HTTP 403");
    assertEquals(1, repo.requests(debPath));
  }

  @Test
  void unreachableMirror_isNotFound_afterRetries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Fetcher f = fetcher(URI.create("http://127.0.0.1:" + port + "/debian"));
    fails(Kind.NOT_FOUND, () -> f.small("dists/stable/InRelease", 1 << 20), "cannot fetch",
        "http://127.0.0.1:" + port + "/debian/dists/stable/InRelease");
  }

  @Test
  void aMirrorThatRedirects_isFollowed_andARedirectLoopFailsWithoutRetries() throws Exception {
    HttpServer front = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger loops = new AtomicInteger();
    front.createContext("/", ex -> {
      String p = ex.getRequestURI().getRawPath();
      if (p.startsWith("/loop/")) {
        loops.incrementAndGet();
      }
      ex.getResponseHeaders().add("Location", p.startsWith("/loop/") ? p
          : repo.base() + p.substring("/debian/".length()));
      ex.sendResponseHeaders(302, -1);
      ex.close();
    });
    front.start();
    try {
      String at = "http://127.0.0.1:" + front.getAddress().getPort();
      Path d = fetcher(URI.create(at + "/debian/")).blob(debPath, Digest.of(deb), deb.length);
      assertArrayEquals(deb, Files.readAllBytes(d));
      assertEquals(1, repo.requests(debPath));
      fails(Kind.NOT_FOUND, () -> fetcher(URI.create(at + "/loop/")).small(repo.inReleasePath(),
          1 << 20), "redirect loop", at + "/loop/" + repo.inReleasePath());
      assertEquals(1, loops.get(), "a loop is the same every time: not retried");
    } finally {
      front.stop(0);
    }
  }

  @Test
  void small_overItsLimit_isRefused() throws Exception {
    long size = Files.size(repo.dir().resolve(repo.inReleasePath()));
    fails(Kind.BAD_INPUT, () -> fetcher().small(repo.inReleasePath(), size - 1),
        "more than the " + (size - 1));
    repo.contentLength(repo.inReleasePath(), TestRepo.CHUNKED); // no Content-Length: counted
    fails(Kind.BAD_INPUT, () -> fetcher().small(repo.inReleasePath(), size - 1),
        "more than the " + (size - 1));
    assertEquals(size, fetcher().small(repo.inReleasePath(), size).length);
  }

  @Test
  void pathsThatLeaveTheArchive_areRefused() {
    for (String p : List.of("../etc/passwd", "/etc/passwd", "pool/../../x", "http://evil/x",
        "pool/a b", "pool/./x", "", "pool/x?y", "http:evil.example.invalid/x", "pool/%2e%2e/x",
        "pool//x", "pool/x#y")) {
      fails(Kind.BAD_INPUT, () -> fetcher().blob(p, Digest.of(deb), 1), "refusing");
    }
    assertEquals(0, repo.requests("etc/passwd"));
  }

  @Test
  void unsignedReleaseServedAsInRelease_isRejected() throws Exception {
    repo.serve(repo.inReleasePath(), repo.releaseText().getBytes(StandardCharsets.UTF_8));
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring), "is not signed",
        repo.base() + repo.inReleasePath());
  }

  @Test
  void inReleaseWithUnsignedTextAppended_isRejected() throws Exception {
    byte[] good = Files.readAllBytes(repo.dir().resolve(repo.inReleasePath()));
    repo.serve(repo.inReleasePath(), (new String(good, StandardCharsets.UTF_8)
        + "SHA256:\n " + Digest.of(deb).hex() + " 1 main/evil\n").getBytes(StandardCharsets.UTF_8));
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring),
        "unsigned text after its signature");
  }

  @Test
  void inReleaseSignedByAnotherKey_isRejected() throws Exception {
    repo.signedBy(TestKeys.stranger()).publish();
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring),
        TestKeys.stranger().keyIdHex(), "not in the keyring");
  }

  @Test
  void rollbackToAnOlderDate_acrossRuns_isRejected() throws Exception {
    Instant now = Instant.now();
    repo.date(now.minus(Duration.ofHours(1))).publish();
    fetcher().release(repo.suite(), keyring);
    repo.date(now.minus(Duration.ofDays(3))).publish();
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring), "rollback");
    repo.date(now.minus(Duration.ofMinutes(1))).publish();
    fetcher().release(repo.suite(), keyring);
  }

  @Test
  void signedReleaseOfAnotherSuite_servedForThisOne_isRejected() throws Exception {
    String other = repo.releaseText().replace("Suite: stable", "Suite: oldstable")
        .replace("Codename: plinth-test", "Codename: plinth-old");
    repo.serve(repo.inReleasePath(), repo.sign(other));
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring), "'oldstable'",
        "not of 'stable'");
  }

  @Test
  void releaseIsFoundByCodenameToo() throws Exception {
    String byCodename = "dists/plinth-test/InRelease";
    repo.serve(byCodename, Files.readAllBytes(repo.dir().resolve(repo.inReleasePath())));
    assertEquals("plinth-test", fetcher().release("plinth-test", keyring).codename());
  }

  @Test
  void expiredRepository_isRejected() throws Exception {
    repo.date(Instant.now().minus(Duration.ofDays(10)))
        .validUntil(Instant.now().minus(Duration.ofDays(3))).publish();
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring), "expired");
  }

  @Test
  void md5OnlyRepository_isRejected() throws Exception {
    repo.sums("MD5Sum", "SHA1").publish();
    fails(Kind.BAD_INPUT, () -> fetcher().release(repo.suite(), keyring), "no SHA256 field");
  }

  @Test
  void armoredKeyring_worksLikeTheBinaryOne() throws Exception {
    Keyring asc = Keyring.load(List.of(repo.armoredKeyring()));
    fetcher().release(repo.suite(), asc);
  }
}
