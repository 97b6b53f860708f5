package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache's report and prune on a cache laid out as builds lay it out. */
class CacheDirectoryTest {
  private static final long DAY = 86_400_000L;
  private static final long NOW = 1_800_000_000_000L;

  @TempDir Path tmp;
  Path root;
  /** Entries in the order of their last use, oldest first. */
  final List<Path> byAge = new ArrayList<>();

  @BeforeEach
  void layOut() throws Exception {
    root = tmp.resolve("plinth");
    Path deb = file("blobs/sha256/" + "a".repeat(64), 3000);
    Path index = file("blobs/sha256/" + "b".repeat(64), 5000);
    Path layer = file("layers/blobs/sha256/" + "c".repeat(64), 7000);
    Path key = root.resolve("layers/keys/files-1");
    Files.createDirectories(key.getParent());
    Files.writeString(key, "sha256:" + "c".repeat(64) + " 7000 sha256:" + "d".repeat(64)
        + " 9000 application/vnd.oci.image.layer.v1.tar+gzip\n");
    Path runtime = root.resolve("runtimes/runtime-1");
    file("runtimes/runtime-1/entry.json", 100);
    file("runtimes/runtime-1/files/0", 11000);
    Path jmods = root.resolve("jmods/" + "e".repeat(64));
    file("jmods/" + "e".repeat(64) + "/java.base.jmod", 13000);
    // the same file twice (a hard link) counts once, as du counts it
    Files.createLink(root.resolve("jmods/" + "e".repeat(64) + "/link.jmod"),
        jmods.resolve("java.base.jmod"));
    file("release-dates/" + "f".repeat(64), 50);
    file("runtimes/.runtime-123/half", 400); // a killed build's temp
    // last used: the deb 40 days ago, the runtime 20, the jmods 10, the layer (its key) 5, the
    // index 1; the release date and the temp long ago
    age(root, NOW - 400 * DAY);
    age(deb, NOW - 40 * DAY);
    age(runtime, NOW - 20 * DAY);
    age(jmods, NOW - 10 * DAY);
    age(key, NOW - 5 * DAY);
    age(index, NOW - DAY);
    byAge.addAll(List.of(deb, runtime, jmods, layer, index));
  }

  private Path file(String rel, int size) throws Exception {
    Path p = root.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.write(p, new byte[size]);
    return p;
  }

  /** Sets the access and modification times of everything under {@code p}. */
  private static void age(Path p, long millis) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.toList()) {
        Files.getFileAttributeView(f, BasicFileAttributeView.class)
            .setTimes(FileTime.fromMillis(millis), FileTime.fromMillis(millis), null);
      }
    }
  }

  private CacheDirectory.Usage kind(CacheDirectory.Report r, String kind) {
    return r.kinds().stream().filter(u -> u.kind().equals(kind)).findFirst().orElseThrow();
  }

  @Test
  void show_sizesAndEntriesPerKind_eachFileOnce() throws Exception {
    CacheDirectory.Report r = CacheDirectory.show(root);
    assertEquals(root, r.root());
    long key = Files.size(root.resolve("layers/keys/files-1"));
    assertEquals(3000 + 5000 + 7000 + key + 100 + 11000 + 13000 + 50 + 400, r.bytes());
    assertEquals(List.of(8000L, 2L), List.of(kind(r, "downloads").bytes(),
        (long) kind(r, "downloads").entries()));
    assertEquals(List.of(7000L + key, 1L), List.of(kind(r, "layers").bytes(),
        (long) kind(r, "layers").entries()));
    assertEquals(List.of(11100L + 400, 1L), List.of(kind(r, "runtimes").bytes(),
        (long) kind(r, "runtimes").entries()), "the temp counts, as no entry");
    assertEquals(13000L, kind(r, "jmods").bytes(), "the hard link counts once");
    Map<String, Object> json = r.toJson();
    assertEquals(root.toString(), json.get("path"));
    assertEquals(r.bytes(), json.get("bytes"));
  }

  @Test
  void pruneToASize_removesTheLeastRecentlyUsedFirst_wholeEntries() throws Exception {
    long total = CacheDirectory.show(root).bytes();
    // room for all but the deb and the runtime: those two go, nothing else
    CacheDirectory.Pruned p = CacheDirectory.prune(root,
        CacheDirectory.Bound.max(total - 3000 - 11100), false, NOW);
    assertEquals(2, p.entries());
    assertEquals(3000 + 11100, p.bytes());
    assertFalse(Files.exists(byAge.get(0)));
    assertFalse(Files.exists(byAge.get(1)), "the runtime's directory, whole");
    for (Path kept : byAge.subList(2, byAge.size())) {
      assertTrue(Files.exists(kept), kept + " was used more recently");
    }
    assertFalse(Files.exists(root.resolve("runtimes/.runtime-123")), "a stale temp goes too");
    assertEquals(p.after().bytes(), CacheDirectory.show(root).bytes());
    try (Stream<Path> s = Files.list(root)) {
      assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith(".trash")),
          "nothing half-removed is left");
    }
  }

  @Test
  void pruneOlderThan_removesWhatWasNotUsedSince() throws Exception {
    CacheDirectory.Pruned p = CacheDirectory.prune(root,
        new CacheDirectory.Bound(-1, Duration.ofDays(7), false), false, NOW);
    assertEquals(3, p.entries());
    assertTrue(Files.exists(byAge.get(3)), "the layer: its key was read 5 days ago");
    assertTrue(Files.exists(byAge.get(4)));
  }

  @Test
  void pruneAll_keepsTheReleaseDates_andDropsKeysOfRemovedLayers() throws Exception {
    CacheDirectory.Pruned p = CacheDirectory.prune(root,
        new CacheDirectory.Bound(-1, null, true), false, NOW);
    assertEquals(5, p.entries());
    assertTrue(Files.exists(root.resolve("release-dates/" + "f".repeat(64))),
        "rollback protection stays");
    assertFalse(Files.exists(root.resolve("layers/keys/files-1")));
    assertEquals(50, p.after().bytes());
  }

  @Test
  void pruneWhileABuildHoldsTheLock_waitsForIt_orRemovesNothing() throws Exception {
    CacheDirectory.Bound all = new CacheDirectory.Bound(-1, null, true);
    CompletableFuture<CacheDirectory.Pruned> waiting;
    try (CacheLock build = CacheLock.shared(root)) {
      CacheDirectory.Pruned busy = CacheDirectory.prune(root, all, false, NOW);
      assertTrue(busy.busy());
      assertEquals(0, busy.entries());
      assertNull(CacheDirectory.bound(root, 0, NOW), "a build's own bound leaves it too");
      for (Path p : byAge) {
        assertTrue(Files.exists(p), p + " is in use");
      }
      waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return CacheDirectory.prune(root, all, true, NOW);
        } catch (PlinthException e) {
          throw new IllegalStateException(e);
        }
      });
      // a second build of this JVM is let in while the prune waits: its lock is shared
      try (CacheLock second = CacheLock.shared(root)) {
        assertTrue(Files.exists(byAge.get(0)));
      }
      assertFalse(waiting.isDone(), "the prune waits while the build runs");
    }
    assertEquals(5, waiting.get(60, TimeUnit.SECONDS).entries());
  }

  @Test
  void pruneWhileAnotherProcessHoldsTheLock_removesNothing() throws Exception {
    Path holder = tmp.resolve("Holder.java");
    Files.writeString(holder, """
        import java.nio.channels.FileChannel;
        import java.nio.file.*;
        public class Holder {
          public static void main(String[] a) throws Exception {
            try (FileChannel ch = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE); var l = ch.lock(0, Long.MAX_VALUE, true)) {
              System.out.println("held");
              System.in.read(); // until the test closes stdin
            }
          }
        }
        """);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), holder.toString(),
        root.resolve(".lock").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8));
      assertEquals("held", out.readLine());
      CacheDirectory.Pruned busy = CacheDirectory.prune(root,
          new CacheDirectory.Bound(-1, null, true), false, NOW);
      assertTrue(busy.busy());
      assertTrue(Files.exists(byAge.get(0)));
    } finally {
      p.getOutputStream().close();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    }
    assertEquals(5, CacheDirectory.prune(root, new CacheDirectory.Bound(-1, null, true), false,
        NOW).entries(), "once it ends");
  }

  @Test
  void aBuild_boundsTheCache_bySizeWalkedBesideIt() throws Exception {
    // the laid-out cache holds about 39.7 kB
    Plinth.Options o = Plinth.Options.of(root).withCacheMax(30_000);
    BuildResult built = new BuildResult(null, null, List.of(), List.of(), List.of());
    java.util.concurrent.CompletableFuture<Long> measured = CacheDirectory.measure(o);
    assertTrue(measured.get(60, TimeUnit.SECONDS) > 30_000);
    List<String> notes = CacheDirectory.bounded(built, o, measured).notes();
    assertEquals(1, notes.size(), notes.toString());
    assertTrue(notes.get(0).contains("the cache was over PLINTH_CACHE_MAX"), notes.get(0));
    assertFalse(Files.exists(byAge.get(0)), "the least recently used entry went");
    long left = CacheDirectory.measure(o).get(60, TimeUnit.SECONDS);
    assertTrue(left <= 30_000, left + " bytes left");

    // under the bound as the walk beside the build found it, over with what the build added
    // after: this build leaves it, the next one's walk sees it and prunes
    Plinth.Options roomy = o.withCacheMax(left + 1000);
    java.util.concurrent.CompletableFuture<Long> before = CacheDirectory.measure(roomy);
    before.get(60, TimeUnit.SECONDS);
    file("blobs/sha256/" + "9".repeat(64), 5000);
    assertEquals(List.of(), CacheDirectory.bounded(built, roomy, before).notes());
    assertEquals(1, CacheDirectory.bounded(built, roomy, CacheDirectory.measure(roomy))
        .notes().size());
    assertTrue(CacheDirectory.measure(roomy).get(60, TimeUnit.SECONDS) <= left + 1000);

    // nothing is walked for an unbounded cache, nor for one that is not there yet (a first
    // build's bound walks it when the build is done)
    assertNull(CacheDirectory.measure(o.withCacheMax(-1)));
    Plinth.Options none = Plinth.Options.of(tmp.resolve("none")).withCacheMax(1);
    assertNull(CacheDirectory.measure(none));
    file("../none/blobs/sha256/" + "8".repeat(64), 100);
    assertEquals(1, CacheDirectory.bounded(built, none, null).notes().size());
  }

  @Test
  void sizesAndDurations_parseAsDocumented() throws Exception {
    assertEquals(10L << 30, CacheDirectory.parseSize("10G", "x"));
    assertEquals(10L << 30, CacheDirectory.parseSize("10GiB", "x"));
    assertEquals(5_000_000_000L, CacheDirectory.parseSize("5GB", "x"));
    assertEquals(512L << 20, CacheDirectory.parseSize("0.5g", "x"));
    assertEquals(1234, CacheDirectory.parseSize("1234", "x"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> CacheDirectory.parseSize("lots", "--max-size"));
    assertTrue(e.getMessage().startsWith("--max-size 'lots' is not a size"), e.getMessage());
    assertEquals(Duration.ofDays(30), CacheDirectory.parseDuration("30d", "x"));
    assertEquals(Duration.ofDays(14), CacheDirectory.parseDuration("2w", "x"));
    assertEquals(Duration.ofHours(12), CacheDirectory.parseDuration("P0DT12H", "x"));
    assertThrows(PlinthException.class, () -> CacheDirectory.parseDuration("soon", "x"));
    assertEquals(CacheDirectory.DEFAULT_MAX, CacheDirectory.maxFromEnvironment(Map.of()));
    assertEquals(-1, CacheDirectory.maxFromEnvironment(Map.of("PLINTH_CACHE_MAX", "off")));
    assertEquals(1L << 30, CacheDirectory.maxFromEnvironment(Map.of("PLINTH_CACHE_MAX", "1G")));
  }
}
