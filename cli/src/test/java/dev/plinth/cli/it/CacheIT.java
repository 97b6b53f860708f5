package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.cli.it.RegistryCliIT.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plinth cache} on a cache that real builds filled: two Debian-package images (tini;
 * tzdata) from the mirror in this machine's apt configuration, into a cache of the test's own
 * (each build prints one line per .deb it fetches).
 * What it shows is what is on disk; a prune removes the least recently used first, and the
 * builds after it fetch what it removed (saying so, one line per download) and give the same
 * digests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CacheIT {
  @TempDir static Path tmp;
  static Map<String, String> env;
  static Path cache;
  static Path a;
  static Path b;
  static String digestA;
  static String digestB;

  static Run plinth(String... args) {
    return RegistryCliIT.plinth(env, args);
  }

  /** A build of {@code yaml} to a layout of its own. */
  static Run build(Path yaml) {
    return plinth("build", "-f", yaml.toString(), "--locked", "--to",
        "oci:" + yaml.resolveSibling("layout") + ":1").ok();
  }

  @BeforeAll
  static void buildTwo() throws Exception {
    Path xdg = tmp.resolve("xdg");
    env = Map.of("XDG_CACHE_HOME", xdg.toString(), "PLINTH_CACHE_MAX", "off");
    cache = xdg.resolve("plinth");
    // the package indexes of the tests' shared cache, copied (its .debs are not: the builds
    // here fetch theirs), so that the indexes, some 50 MB, are not fetched again
    Path shared = Path.of(Peers.env(Map.of()).get("XDG_CACHE_HOME"), "plinth", "blobs", "sha256");
    Path blobs = Files.createDirectories(cache.resolve("blobs").resolve("sha256"));
    if (Files.isDirectory(shared)) {
      try (Stream<Path> s = Files.list(shared)) {
        for (Path f : s.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
          byte[] magic = new byte[7];
          try (var in = Files.newInputStream(f)) {
            in.readNBytes(magic, 0, 7);
          }
          if (!new String(magic, java.nio.charset.StandardCharsets.ISO_8859_1).equals("!<arch>")) {
            Files.copy(f, blobs.resolve(f.getFileName()));
          }
        }
      }
    }
    a = project("a", "[tini]", "[/usr/bin/tini, --version]");
    b = project("b", "[tzdata]", "[/bin/true]");
    digestA = RegistryCliIT.digest(build(a).out());
    digestB = RegistryCliIT.digest(build(b).out());
  }

  private static Path project(String name, String packages, String entrypoint) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Path yaml = dir.resolve("plinth.yaml");
    Files.writeString(yaml, "name: cache-" + name + "\nplatforms: [linux/amd64]\npackages: "
        + packages + "\ninit: none\nentrypoint: " + entrypoint + "\n");
    plinth("lock", "-f", yaml.toString()).ok();
    return yaml;
  }

  /** The .deb of {@code name} in a project's lock, in the cache (whether or not it is there). */
  private static Path deb(Path yaml, String name) throws Exception {
    JsonNode lock = new ObjectMapper().readTree(yaml.resolveSibling("plinth.lock").toFile());
    for (JsonNode e : lock.path("platforms").path("linux/amd64")) {
      if (e.path("name").asText().equals(name)) {
        return cache.resolve("blobs/sha256/" + e.path("sha256").asText());
      }
    }
    throw new AssertionError(name + " is not in " + lock);
  }

  /** The bytes of the files under the cache, each inode once, as {@code du} counts them. */
  private static long onDisk(Path dir) throws Exception {
    long n = 0;
    Set<Object> seen = new HashSet<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        BasicFileAttributes at = Files.readAttributes(p, BasicFileAttributes.class);
        if (at.isRegularFile() && seen.add(at.fileKey())) {
          n += at.size();
        }
      }
    }
    return n;
  }

  private static JsonNode show() throws Exception {
    return new ObjectMapper().readTree(plinth("cache", "--json").ok().out());
  }

  private static JsonNode kind(JsonNode report, String kind) {
    for (JsonNode k : report.path("kinds")) {
      if (k.path("kind").asText().equals(kind)) {
        return k;
      }
    }
    throw new AssertionError(kind + " not in " + report);
  }

  /** Sets when everything under {@code p} was last used. */
  private static void lastUsed(Path p, long millis) throws Exception {
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.toList()) {
        Files.getFileAttributeView(f, BasicFileAttributeView.class)
            .setTimes(FileTime.fromMillis(millis), FileTime.fromMillis(millis), null);
      }
    }
  }

  @Test
  @Order(1)
  void show_sizesAreWhatIsOnDisk_perKind() throws Exception {
    JsonNode r = show();
    assertEquals(cache.toString(), r.path("path").asText());
    assertEquals(onDisk(cache), r.path("bytes").asLong());
    JsonNode downloads = kind(r, "downloads");
    try (Stream<Path> s = Files.list(cache.resolve("blobs/sha256"))) {
      assertEquals(s.count(), downloads.path("entries").asLong());
    }
    assertEquals(onDisk(cache.resolve("blobs")), downloads.path("bytes").asLong());
    assertTrue(Files.isRegularFile(deb(a, "tini")) && Files.isRegularFile(deb(b, "tzdata")));
    assertTrue(kind(r, "release-dates").path("entries").asInt() >= 1, r.toString());

    String text = plinth("cache").ok().out();
    assertTrue(text.startsWith(cache + ": "), text);
    assertTrue(text.lines().anyMatch(l -> l.trim().startsWith("downloads ")
        && l.contains(" " + downloads.path("entries").asLong() + " entr")), text);
    assertTrue(text.lines().allMatch(l -> l.length() <= 80 || l.startsWith(cache.toString())),
        text);
    assertEquals(text, plinth("cache", "show").ok().out());
  }

  @Test
  @Order(2)
  void pruneOlderThan_removesWhatNoBuildUsedSince_andTheNextBuildFetchesIt() throws Exception {
    lastUsed(cache, System.currentTimeMillis() - 30L * 86_400_000L);
    build(b); // uses tzdata's .deb (and marks it used): not tini's
    Run p = plinth("cache", "prune", "--older-than", "7d").ok();
    assertTrue(p.out().startsWith("removed "), p.out());
    assertFalse(Files.exists(deb(a, "tini")), "tini's .deb was not used for 30 days");
    assertTrue(Files.exists(deb(b, "tzdata")), "tzdata's was used just now");

    List<String> missing = new ArrayList<>(); // A's .debs the prune removed: tini's, its deps'
    JsonNode lock = new ObjectMapper().readTree(a.resolveSibling("plinth.lock").toFile());
    for (JsonNode e : lock.path("platforms").path("linux/amd64")) {
      if (!Files.exists(cache.resolve("blobs/sha256/" + e.path("sha256").asText()))) {
        missing.add(e.path("filename").asText());
      }
    }
    Run again = build(a);
    assertEquals(digestA, RegistryCliIT.digest(again.out()), "the same image");
    // not a terminal here: one line per download, naming the file and its size
    List<String> fetched = again.err().lines().filter(l -> l.startsWith("plinth: fetching "))
        .toList();
    assertEquals(missing.size(), fetched.size(), again.err());
    for (int i = 0; i < missing.size(); i++) {
      assertTrue(fetched.get(i).matches("plinth: fetching \\S+/" + java.util.regex.Pattern.quote(
          missing.get(i)) + " \\([0-9.]+ [kM]?B\\)"), fetched + " for " + missing);
    }
    assertTrue(missing.stream().anyMatch(f -> f.contains("/tini_")), missing.toString());
    assertTrue(Files.isRegularFile(deb(a, "tini")));
  }

  @Test
  @Order(3)
  void pruneToASize_removesTheLeastRecentlyUsedFirst_andBuildsGiveTheSameDigests()
      throws Exception {
    List<Path> downloads = new ArrayList<>();
    try (Stream<Path> s = Files.list(cache.resolve("blobs/sha256"))) {
      downloads.addAll(s.sorted().toList());
    }
    // every entry (downloads, and the kinds builds keep beside them: elf-facts, pyc, ...) last
    // used a minute ago; the tini .deb an hour before that, the tzdata .deb a minute after it
    long now = System.currentTimeMillis();
    lastUsed(cache, now - 60_000L);
    Path tini = deb(a, "tini");
    Path tzdata = deb(b, "tzdata");
    lastUsed(tini, now - 3_600_000L - 120_000L);
    lastUsed(tzdata, now - 3_600_000L - 60_000L);
    long total = show().path("bytes").asLong();
    long bound = total - Files.size(tini) - Files.size(tzdata);
    Run p = plinth("cache", "prune", "--max-size", Long.toString(bound), "--json").ok();
    JsonNode pruned = new ObjectMapper().readTree(p.out());
    assertEquals(2, pruned.path("removedEntries").asInt(), p.out());
    assertFalse(Files.exists(tini));
    assertFalse(Files.exists(tzdata));
    for (Path d : downloads) {
      assertTrue(d.equals(tini) || d.equals(tzdata) || Files.exists(d), d + " was kept");
    }
    assertEquals(bound, pruned.path("cache").path("bytes").asLong());

    assertEquals(digestA, RegistryCliIT.digest(build(a).out()));
    assertEquals(digestB, RegistryCliIT.digest(build(b).out()));
  }

  @Test
  @Order(4)
  void pruneAll_leavesOnlyTheReleaseDates_andBadArgumentsAreUsageErrors() throws Exception {
    assertEquals(2, plinth("cache", "prune").code(), "a prune says what to remove");
    Run bad = plinth("cache", "prune", "--max-size", "lots");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("--max-size 'lots' is not a size"), bad.err());
    Run typo = plinth("cache", "prnue");
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("prune"), typo.err());

    plinth("cache", "prune", "--all").ok();
    JsonNode r = show();
    assertEquals(kind(r, "release-dates").path("bytes").asLong(), r.path("bytes").asLong());
    assertEquals(digestA, RegistryCliIT.digest(build(a).out()), "built from nothing again");
  }

  @Test
  @Order(5)
  void aBuildOverTheBound_prunesTheCacheAfter_andSaysSo() throws Exception {
    Map<String, String> bounded = new java.util.HashMap<>(env);
    bounded.put("PLINTH_CACHE_MAX", "1");
    Run r = RegistryCliIT.plinth(bounded, "build", "-f", b.toString(), "--locked", "--to",
        "oci:" + b.resolveSibling("layout") + ":1").ok();
    assertEquals(digestB, RegistryCliIT.digest(r.out()));
    assertTrue(r.out().contains("the cache was over PLINTH_CACHE_MAX (1 B): removed "), r.out());
    JsonNode after = show();
    assertEquals(kind(after, "release-dates").path("bytes").asLong(),
        after.path("bytes").asLong(), "only what is never pruned is left");
    assertEquals(digestB, RegistryCliIT.digest(build(b).out()), "and the next build works");

    Run bad = RegistryCliIT.plinth(Map.of("XDG_CACHE_HOME", cache.getParent().toString(),
        "PLINTH_CACHE_MAX", "a lot"), "cache");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("PLINTH_CACHE_MAX 'a lot' is not a size"), bad.err());
  }
}
