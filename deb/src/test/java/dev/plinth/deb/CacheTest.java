package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheTest {
  @TempDir Path root;

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void put_thenGet_returnsTheVerifiedEntry() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(300_000, 1);
    Digest d = Digest.of(b);
    assertTrue(cache.get(d, b.length).isEmpty());
    Path p = cache.put(d, b.length, new ByteArrayInputStream(b));
    assertEquals(root.resolve("blobs/sha256/" + d.hex()), p);
    assertArrayEquals(b, Files.readAllBytes(p));
    assertEquals(p, cache.get(d, b.length).orElseThrow());
    assertEquals(List.of(p), files());
  }

  @Test
  void put_hashMismatch_keepsNothing_andNamesExpectedAndActual() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(1000, 2);
    Digest want = Digest.of(bytes(1000, 3));
    PlinthException e = assertThrows(PlinthException.class,
        () -> cache.put(want, b.length, new ByteArrayInputStream(b), "pool/x.deb"));
    assertEquals(Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("pool/x.deb"), e.getMessage());
    assertTrue(e.getMessage().contains("expected " + want), e.getMessage());
    assertTrue(e.getMessage().contains("got " + Digest.of(b)), e.getMessage());
    assertEquals(List.of(), files());
  }

  @Test
  void put_sizeMismatch_keepsNothing_andNamesExpectedAndActual() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(1000, 4);
    Digest d = Digest.of(b);
    PlinthException shorter = assertThrows(PlinthException.class,
        () -> cache.put(d, 1001, new ByteArrayInputStream(b)));
    assertTrue(shorter.getMessage().contains("expected 1001 bytes, got 1000"), shorter.getMessage());
    PlinthException longer = assertThrows(PlinthException.class,
        () -> cache.put(d, 999, new ByteArrayInputStream(b)));
    assertTrue(longer.getMessage().contains("larger than expected: expected 999"),
        longer.getMessage());
    assertEquals(List.of(), files());
  }

  @Test
  void put_readsAtMostOneByteMoreThanExpected() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(10, 5);
    InputStream endless = new InputStream() {
      long served;

      @Override
      public int read() {
        served++;
        return 0;
      }

      @Override
      public int read(byte[] buf, int off, int len) {
        served += len;
        if (served > 1 << 20) {
          throw new AssertionError("kept reading an endless stream");
        }
        return len;
      }
    };
    assertThrows(PlinthException.class, () -> cache.put(Digest.of(b), 10, endless));
  }

  @Test
  void put_aFailingSource_isAnIOException_andKeepsNothing() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(1000, 6);
    InputStream failing = new InputStream() {
      int n;

      @Override
      public int read() throws IOException {
        if (n++ > 100) {
          throw new IOException("connection reset");
        }
        return 1;
      }
    };
    IOException e = assertThrows(IOException.class,
        () -> cache.put(Digest.of(b), b.length, failing));
    assertEquals("connection reset", e.getMessage());
    assertEquals(List.of(), files());
  }

  @Test
  void corruptedCacheEntry_isDeleted_andReportedAbsent() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(5000, 7);
    Digest d = Digest.of(b);
    Path p = cache.put(d, b.length, new ByteArrayInputStream(b));
    byte[] bad = b.clone();
    bad[100] ^= 1;
    Files.write(p, bad);
    assertTrue(cache.get(d, b.length).isEmpty());
    assertFalse(Files.exists(p));
    cache.put(d, b.length, new ByteArrayInputStream(b));
    Files.write(p, new byte[10]);
    assertTrue(cache.get(d, b.length).isEmpty(), "a truncated entry is damaged too");
    assertFalse(Files.exists(p));
  }

  @Test
  void sameBlob_putByManyThreadsAtOnce_isWholeForEveryone() throws Exception {
    Cache cache = new Cache(root);
    byte[] b = bytes(2_000_000, 8);
    Digest d = Digest.of(b);
    int n = 8;
    CyclicBarrier start = new CyclicBarrier(n);
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<Path> put = () -> {
          start.await();
          Path p = cache.put(d, b.length, new ByteArrayInputStream(b));
          assertTrue(cache.get(d, b.length).isPresent());
          return p;
        };
        results.add(pool.submit(put));
      }
      for (Future<Path> f : results) {
        assertEquals(cache.path(d), f.get(20, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertArrayEquals(b, Files.readAllBytes(cache.path(d)));
    assertEquals(List.of(cache.path(d)), files(), "no temp file left");
  }

  /** Puts a blob into the cache in another JVM: args root, size, seed. */
  public static final class PutInAnotherProcess {
    public static void main(String[] args) throws Exception {
      byte[] b = bytes(Integer.parseInt(args[1]), Long.parseLong(args[2]));
      for (int i = 0; i < 5; i++) {
        new Cache(Path.of(args[0])).put(Digest.of(b), b.length, new ByteArrayInputStream(b));
      }
    }
  }

  @Test
  void sameBlob_putByTwoProcessesAtOnce_isWhole() throws Exception {
    int size = 3_000_000;
    byte[] b = bytes(size, 9);
    Digest d = Digest.of(b);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<Process> ps = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ps.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          PutInAnotherProcess.class.getName(), root.toString(), "" + size, "9")
          .redirectErrorStream(true).start());
    }
    Cache cache = new Cache(root);
    for (int i = 0; i < 5; i++) {
      cache.put(d, b.length, new ByteArrayInputStream(b));
    }
    for (Process p : ps) {
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes());
      assertEquals(0, p.exitValue(), out);
    }
    assertArrayEquals(b, Files.readAllBytes(cache.get(d, size).orElseThrow()));
    assertEquals(List.of(cache.path(d)), files(), "no temp file left");
  }

  @Test
  void lastSeenDate_isRemembered_andOnlyEverMovesForward() throws Exception {
    Cache cache = new Cache(root);
    String repo = "http://mirror.example.invalid/debian/dists/stable";
    assertTrue(cache.lastSeenDate(repo).isEmpty());
    Instant t = Instant.parse("2026-07-11T10:16:37Z");
    cache.recordDate(repo, t);
    assertEquals(t, new Cache(root).lastSeenDate(repo).orElseThrow());
    cache.recordDate(repo, t.minusSeconds(60));
    assertEquals(t, cache.lastSeenDate(repo).orElseThrow());
    cache.recordDate(repo, t.plusSeconds(60));
    assertEquals(t.plusSeconds(60), cache.lastSeenDate(repo).orElseThrow());
    assertTrue(cache.lastSeenDate(repo + "-updates").isEmpty(), "per repository");
  }

  @Test
  void lastSeenDate_damagedRecord_isBadInput_notSilentlyForgotten() throws Exception {
    Cache cache = new Cache(root);
    String repo = "http://mirror.example.invalid/debian/dists/stable";
    cache.recordDate(repo, Instant.now());
    try (Stream<Path> s = Files.list(root.resolve("release-dates"))) {
      Files.writeString(s.findFirst().orElseThrow(), "garbage");
    }
    PlinthException e = assertThrows(PlinthException.class, () -> cache.lastSeenDate(repo));
    assertEquals(Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("delete it"), e.getMessage());
  }

  @Test
  void userRoot_followsXdgCacheHome_andIgnoresARelativeOne() {
    Path home = Path.of("/home/u");
    assertEquals(Path.of("/x/cache/plinth"),
        Cache.userRoot(Map.of("XDG_CACHE_HOME", "/x/cache"), home));
    assertEquals(Path.of("/home/u/.cache/plinth"),
        Cache.userRoot(Map.of("XDG_CACHE_HOME", "rel/cache"), home));
    assertEquals(Path.of("/home/u/.cache/plinth"), Cache.userRoot(Map.of(), home));
    assertEquals(Path.of("/x/cache/plinth"),
        Cache.userRoot(Map.of("XDG_CACHE_HOME", "/x/cache"), null));
    assertEquals(Path.of("/h/.cache/plinth"), Cache.userRoot(Map.of("HOME", "/h"), home));
    assertNull(Cache.userRoot(Map.of(), null));
  }
}
