package dev.plinth.builder;

import dev.plinth.oci.Cleanup;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What plinth's cache holds, how big it is, and pruning it to a bound. The cache is a set of
 * entries of a few kinds, each removed whole (a downloaded .deb, a layer's blob, a linked
 * runtime's directory); anything removed is downloaded or made again by the next build that
 * needs it. A prune holds the cache's lock alone ({@link CacheLock}), so it never removes what a
 * running build uses; it removes the least recently used entries first (the newest access or
 * modification time of an entry's files; builds touch what they reuse).
 */
public final class CacheDirectory {
  /** Bound applied after each build when PLINTH_CACHE_MAX is unset: 10 GiB. */
  public static final long DEFAULT_MAX = 10L << 30;

  /** The environment variable of the bound: a size, or 0/off for none. */
  public static final String MAX_ENV = "PLINTH_CACHE_MAX";

  /** Temp files and directories left by a killed build are removed once this old. */
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  /** A kind of entry: its name, its directory in the cache, what it holds. */
  private record Layout(String kind, String dir, String holds, boolean prunable) {}

  /** The kinds, what they hold in at most 33 characters (a line of {@code plinth cache}). */
  private static final List<Layout> LAYOUTS = List.of(
      new Layout("downloads", "blobs", "Debian packages and indexes", true),
      new Layout("layers", "layers", "compressed layers of Java apps", true),
      new Layout("runtimes", "runtimes", "Java runtimes linked by jlink", true),
      new Layout("jmods", "jmods", "jmods of Debian's JDKs, for jlink", true),
      new Layout("jdks", "jdks", "Debian's JDKs that run jlink here", true),
      new Layout("jars", "jars", "fat jars, unpacked", true),
      new Layout("modules", "modules", "modules found for apps (jdeps)", true),
      new Layout("cds", "cds", "the launchers' class-data archives", true),
      new Layout("pyc", "pyc", "Python modules byte-compiled", true),
      new Layout("elf-facts", LibraryCheck.DIR, "layers' ELF files, for the check", true),
      new Layout("jar-packages", JavaBuild.PACKAGES, "app jars' Maven ids, for SBOMs", true),
      new Layout("class-dirs", dev.plinth.jvm.JavaApp.CLASS_DIR_KEYS,
          "class directories' layer keys", true),
      new Layout("release-dates", "release-dates", "newest Release seen (never pruned)",
          false));

  /**
   * One kind's share of the cache.
   *
   * @param kind downloads, layers, runtimes, ... (a directory this version does not know: its
   *     name)
   * @param dir its directory
   * @param holds what it holds
   * @param bytes the bytes of its files (each file once, however many links it has)
   * @param entries how many entries (each removed whole)
   */
  public record Usage(String kind, Path dir, String holds, long bytes, int entries) {}

  /** The cache: where it is, its size, and each kind's share. */
  public record Report(Path root, long bytes, List<Usage> kinds) {
    /** As {@code plinth cache --json} prints it. */
    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", root.toString());
      m.put("bytes", bytes);
      List<Object> ks = new ArrayList<>();
      for (Usage u : kinds) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("kind", u.kind());
        k.put("path", u.dir().toString());
        k.put("bytes", u.bytes());
        k.put("entries", u.entries());
        k.put("holds", u.holds());
        ks.add(k);
      }
      m.put("kinds", ks);
      return m;
    }
  }

  /**
   * What to prune: entries unused for longer than {@code olderThan} (null: no such limit), then
   * the least recently used until the cache is at most {@code maxBytes} (negative: no bound);
   * with {@code all}, every entry.
   */
  public record Bound(long maxBytes, Duration olderThan, boolean all) {
    public static Bound max(long bytes) {
      return new Bound(bytes, null, false);
    }
  }

  /**
   * What a prune did.
   *
   * @param busy the cache was in use by a build and nothing was pruned (only without waiting)
   */
  public record Pruned(int entries, long bytes, boolean busy, Report after) {}

  private record Entry(String kind, Path path, long bytes, long lastUsed) {}

  private CacheDirectory() {}

  /** The cache in {@code root}: its size and each kind's share. */
  public static Report show(Path root) throws PlinthException {
    try {
      return report(root, scan(root, new HashSet<>()));
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot read the cache " + root + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * Prunes the cache in {@code root} to {@code bound}, holding its lock alone: with {@code
   * wait}, after the builds using it end; without, not at all while one runs (busy).
   *
   * @param now the time entries' ages are measured from, milliseconds since 1970
   */
  public static Pruned prune(Path root, Bound bound, boolean wait, long now)
      throws PlinthException {
    if (!Files.isDirectory(root)) {
      return new Pruned(0, 0, false, new Report(root, 0, List.of()));
    }
    try (CacheLock alone = CacheLock.exclusive(root, wait)) {
      if (alone == null) {
        return new Pruned(0, 0, true, null);
      }
      Scan scan = scan(root, new HashSet<>());
      long total = scan.bytes;
      List<Entry> candidates = new ArrayList<>();
      for (Entry e : scan.entries) {
        if (LAYOUTS.stream().noneMatch(l -> l.kind().equals(e.kind()) && !l.prunable())) {
          candidates.add(e);
        }
      }
      candidates.sort(Comparator.comparingLong(Entry::lastUsed)
          .thenComparing(e -> e.path().toString()));
      int removed = 0;
      long freed = 0;
      long cutoff = bound.olderThan() == null ? Long.MIN_VALUE
          : now - bound.olderThan().toMillis();
      for (Entry e : candidates) {
        boolean old = e.lastUsed() < cutoff;
        boolean over = bound.maxBytes() >= 0 && total > bound.maxBytes();
        if (!(bound.all() || old || over)) {
          continue;
        }
        if (remove(root, e.path())) {
          removed++;
          freed += e.bytes();
          total -= e.bytes();
        }
      }
      for (Path t : scan.temps) {
        try {
          if (Files.getLastModifiedTime(t, LinkOption.NOFOLLOW_LINKS).toMillis()
              < now - STALE_TEMP.toMillis()) {
            remove(root, t);
          }
        } catch (NoSuchFileException e) {
          // gone already (the launcher's lists are not under the lock)
        }
      }
      dropDanglingKeys(root.resolve("layers"));
      return new Pruned(removed, freed, false, report(root, scan(root, new HashSet<>())));
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot prune the cache " + root + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * After a build: prunes to {@code max} bytes only when the cache is over it, and only when no
   * other build is using the cache (else the next build does it). Null when nothing was done.
   */
  public static Pruned bound(Path root, long max, long now) throws PlinthException {
    return bound(root, max, now, null);
  }

  /** As {@link #bound(Path, long, long)}, with the cache's size already walked, or null. */
  private static Pruned bound(Path root, long max, long now, Long size) throws PlinthException {
    if (!boundable(root, max)) {
      return null;
    }
    try {
      if ((size != null ? size : walk(root, new HashSet<>())[0]) <= max) { // the size alone
        return null;
      }
    } catch (IOException e) {
      return null; // the bound is a courtesy: a cache it cannot read is left alone
    }
    Pruned p = prune(root, Bound.max(max), false, now);
    return p.busy() ? null : p;
  }

  /**
   * The size of the cache of {@code o}, walked on a daemon thread of its own while a build runs,
   * for {@link #bounded}: a cache of 9,000 files after many builds takes 100 ms to walk, a fifth
   * of a build that changes nothing, which the build's own work then hides. Null when the cache
   * is unbounded or not there yet (a first build; {@link #bounded} walks it then).
   */
  static java.util.concurrent.CompletableFuture<Long> measure(Plinth.Options o) {
    Path root = o.cacheDir();
    if (!boundable(root, o.cacheMax())) {
      return null;
    }
    java.util.concurrent.CompletableFuture<Long> size =
        new java.util.concurrent.CompletableFuture<>();
    Thread t = new Thread(new Measure(root, size), "plinth-cache-size");
    t.setDaemon(true);
    t.start();
    return size;
  }

  /** Whether a cache at {@code root} has a bound ({@code max}) to keep, and is there. */
  private static boolean boundable(Path root, long max) {
    return root != null && max >= 0 && Files.isDirectory(root);
  }

  /** Walks a cache for {@link #measure}. */
  private record Measure(Path root, java.util.concurrent.CompletableFuture<Long> size)
      implements Runnable {
    @Override
    public void run() {
      try {
        size.complete(walk(root, new HashSet<>())[0]);
      } catch (IOException | RuntimeException e) {
        size.completeExceptionally(e);
      }
    }
  }

  /**
   * {@code r}, after the cache of {@code o} was bounded (a note says what was removed), by its
   * size as {@code measured} found it while the build ran (null: walked now). A walk beside the
   * build may or may not see what the build added; the next build's walk does.
   */
  static BuildResult bounded(BuildResult r, Plinth.Options o,
      java.util.concurrent.CompletableFuture<Long> measured) throws PlinthException {
    Long size = null;
    if (measured != null) {
      try {
        size = measured.join();
      } catch (java.util.concurrent.CompletionException e) {
        return r; // a cache it cannot read is left alone, as bound() leaves it
      }
    }
    Pruned p = bound(o.cacheDir(), o.cacheMax(), System.currentTimeMillis(), size);
    if (p == null || p.entries() == 0) {
      return r;
    }
    return r.withNote("the cache was over " + MAX_ENV + " (" + dev.plinth.oci.Sizes.decimal(
        o.cacheMax()) + "): removed " + p.entries() + " least recently used entries ("
        + dev.plinth.oci.Sizes.decimal(p.bytes()) + ")");
  }

  private static long counted(BasicFileAttributes a, Set<Object> seen) {
    if (!a.isRegularFile()) {
      return 0;
    }
    Object key = a.fileKey();
    return key == null || seen.add(key) ? a.size() : 0;
  }

  /** What a walk of the cache found. */
  private static final class Scan {
    final List<Entry> entries = new ArrayList<>();
    final List<Path> temps = new ArrayList<>();
    final Map<String, long[]> extra = new LinkedHashMap<>(); // kind -> bytes outside entries
    long bytes;
  }

  private static Scan scan(Path root, Set<Object> seen) throws IOException {
    Scan s = new Scan();
    if (!Files.isDirectory(root)) {
      return s;
    }
    Set<String> known = new HashSet<>();
    for (Layout l : LAYOUTS) {
      known.add(l.dir());
      Path dir = root.resolve(l.dir());
      switch (l.kind()) {
        case "downloads" -> entries(s, l.kind(), dir.resolve("sha256"), seen, Map.of());
        case "layers" -> {
          Map<String, Long> used = keyUses(dir.resolve("keys"));
          entries(s, l.kind(), dir.resolve("blobs").resolve("sha256"), seen, used);
          extra(s, l.kind(), dir.resolve("keys"), seen);
          for (Path p : list(dir)) { // tmp/ and what older versions left
            String name = p.getFileName().toString();
            if (!name.equals("blobs") && !name.equals("keys")) {
              if (name.equals("tmp")) {
                s.temps.addAll(list(p));
                extra(s, l.kind(), p, seen);
              } else {
                entry(s, l.kind(), p, seen, Map.of());
              }
            }
          }
        }
        default -> entries(s, l.kind(), dir, seen, Map.of());
      }
    }
    for (Path p : list(root)) { // directories of older versions: each child an entry
      String name = p.getFileName().toString();
      if (!known.contains(name) && !name.startsWith(".")) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          entries(s, name, p, seen, Map.of());
        } else {
          entry(s, name, p, seen, Map.of());
        }
      } else if (name.startsWith(".trash-")) {
        s.temps.add(p);
      }
    }
    return s;
  }

  /** Each child of {@code dir} an entry; dot-named ones are temp files of builds. */
  private static void entries(Scan s, String kind, Path dir, Set<Object> seen,
      Map<String, Long> used) throws IOException {
    for (Path p : list(dir)) {
      if (p.getFileName().toString().startsWith(".")) {
        s.temps.add(p);
        extra(s, kind, p, seen);
      } else {
        entry(s, kind, p, seen, used);
      }
    }
  }

  private static void entry(Scan s, String kind, Path p, Set<Object> seen,
      Map<String, Long> used) throws IOException {
    long[] bytesAndTime = walk(p, seen);
    long last = Math.max(bytesAndTime[1], used.getOrDefault(p.getFileName().toString(), 0L));
    s.entries.add(new Entry(kind, p, bytesAndTime[0], last));
    s.bytes += bytesAndTime[0];
  }

  /** Bytes of a kind that belong to no entry (layer keys, temp files). */
  private static void extra(Scan s, String kind, Path p, Set<Object> seen) throws IOException {
    long n = walk(p, seen)[0];
    s.extra.computeIfAbsent(kind, k -> new long[1])[0] += n;
    s.bytes += n;
  }

  /** The bytes under {@code p} not seen before, and the newest access or modification. */
  private static long[] walk(Path p, Set<Object> seen) throws IOException {
    long[] out = new long[2];
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    Files.walkFileTree(p, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
        out[0] += counted(a, seen);
        out[1] = Math.max(out[1], Math.max(a.lastModifiedTime().toMillis(),
            a.lastAccessTime().toMillis()));
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) {
        return FileVisitResult.CONTINUE; // a directory a build removed while it was walked
      }
    });
    return out;
  }

  /**
   * When each layer blob was last used, by the keys that name it (a hit reads and touches its
   * key, not always its blob): blob hex to time.
   */
  private static Map<String, Long> keyUses(Path keys) throws IOException {
    Map<String, Long> out = new java.util.HashMap<>();
    for (Path k : list(keys)) {
      String blob = blobOf(k);
      if (blob != null) {
        try {
          BasicFileAttributes a = Files.readAttributes(k, BasicFileAttributes.class,
              LinkOption.NOFOLLOW_LINKS);
          long t = Math.max(a.lastModifiedTime().toMillis(), a.lastAccessTime().toMillis());
          out.merge(blob, t, Math::max);
        } catch (NoSuchFileException e) {
          // replaced or removed while read (a show runs beside builds)
        }
      }
    }
    return out;
  }

  /** The hex digest of the blob a layer key names, or null. */
  private static String blobOf(Path key) {
    try {
      String text = new String(Files.readAllBytes(key), StandardCharsets.UTF_8);
      return text.startsWith("sha256:") && text.length() >= 71 ? text.substring(7, 71) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Removes layer keys whose blob is gone (a key that names a missing blob is a miss anyway). */
  private static void dropDanglingKeys(Path layers) throws IOException {
    for (Path k : list(layers.resolve("keys"))) {
      String blob = blobOf(k);
      if (blob != null && !Files.exists(layers.resolve("blobs").resolve("sha256").resolve(blob))) {
        Files.deleteIfExists(k);
      }
    }
  }

  /** The children of a directory, sorted; none when it is not there. */
  private static List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(out::add);
    } catch (NoSuchFileException e) {
      return out;
    }
    out.sort(null);
    return out;
  }

  /**
   * Removes an entry whole: renamed out of its place first (atomic: a build never finds half of
   * it under its name), then deleted.
   */
  private static boolean remove(Path root, Path p) throws IOException {
    Path trash = root.resolve(".trash-" + Long.toHexString(System.nanoTime())
        + Integer.toHexString(p.hashCode()));
    try {
      Files.move(p, trash, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return false;
    }
    Cleanup.deleteTree(trash);
    return true;
  }

  private static Report report(Path root, Scan s) {
    Map<String, Usage> kinds = new LinkedHashMap<>();
    for (Layout l : LAYOUTS) {
      kinds.put(l.kind(), new Usage(l.kind(), root.resolve(l.dir()), l.holds(), 0, 0));
    }
    for (Entry e : s.entries) {
      Usage u = kinds.computeIfAbsent(e.kind(), k -> new Usage(k, root.resolve(k),
          "left by another plinth version", 0, 0));
      kinds.put(e.kind(), new Usage(u.kind(), u.dir(), u.holds(), u.bytes() + e.bytes(),
          u.entries() + 1));
    }
    for (Map.Entry<String, long[]> x : s.extra.entrySet()) {
      Usage u = kinds.get(x.getKey());
      kinds.put(x.getKey(), new Usage(u.kind(), u.dir(), u.holds(), u.bytes() + x.getValue()[0],
          u.entries()));
    }
    return new Report(root, s.bytes, List.copyOf(kinds.values()));
  }

  /**
   * A size as {@code --max-size} and PLINTH_CACHE_MAX take it: bytes, or a number with K, M, G
   * or T (powers of 1024; KiB, MiB, GiB, TiB too), or KB, MB, GB, TB (powers of 1000).
   */
  public static long parseSize(String text, String what) throws PlinthException {
    String t = text.strip().toUpperCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("([0-9]+(?:\\.[0-9]+)?)\\s*(|B|K|KI?B|M|MI?B|G|GI?B|T|TI?B)").matcher(t);
    if (!m.matches()) {
      throw new PlinthException(Kind.USAGE, what + " '" + text + "' is not a size: give bytes"
          + " or a number with K, M, G or T (powers of 1024), e.g. 10G or 500M");
    }
    String u = m.group(2);
    double base = u.length() == 2 && u.endsWith("B") ? 1000 : 1024;
    int power = u.isEmpty() || u.equals("B") ? 0 : "KMGT".indexOf(u.charAt(0)) + 1;
    double bytes = Double.parseDouble(m.group(1)) * Math.pow(base, power);
    if (bytes > Long.MAX_VALUE / 2) {
      throw new PlinthException(Kind.USAGE, what + " '" + text + "' is too large");
    }
    return (long) bytes;
  }

  /**
   * A duration as {@code --older-than} takes it: a number with d (days), h (hours), m (minutes)
   * or w (weeks), e.g. 30d; or ISO-8601 (P30D).
   */
  public static Duration parseDuration(String text, String what) throws PlinthException {
    String t = text.strip().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,9})\\s*([wdhm])")
        .matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "w" -> Duration.ofDays(7 * n);
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofMinutes(n);
      };
    }
    try {
      return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
    } catch (java.time.format.DateTimeParseException e) {
      throw new PlinthException(Kind.USAGE, what + " '" + text + "' is not a duration: give a"
          + " number with d, h, m or w, e.g. 30d or 12h");
    }
  }

  /**
   * The bound after builds from PLINTH_CACHE_MAX: a size, 0 or off for none; unset or empty,
   * {@link #DEFAULT_MAX}. Negative: no bound.
   */
  public static long maxFromEnvironment(Map<String, String> env) throws PlinthException {
    String v = env.get(MAX_ENV);
    if (v == null || v.isBlank()) {
      return DEFAULT_MAX;
    }
    if (v.strip().equalsIgnoreCase("off") || v.strip().equals("0")) {
      return -1;
    }
    return parseSize(v, MAX_ENV);
  }
}
