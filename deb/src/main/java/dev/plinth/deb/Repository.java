package dev.plinth.deb;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * One suite of a Debian archive, as apt sees it: its InRelease is verified against the keyring
 * before anything else is read, each Packages index is checked against the SHA256 the signed
 * Release lists, and each .deb against the SHA256 its index lists.
 */
public final class Repository {
  private final Fetcher fetcher;
  private final Keyring keyring;
  private final String suite;
  private final List<String> components;
  private final Map<String, java.util.concurrent.CompletableFuture<PackageIndex>> indexes =
      new HashMap<>();
  private Release release;

  public Repository(Fetcher fetcher, Keyring keyring, String suite, List<String> components) {
    this.fetcher = fetcher;
    this.keyring = keyring;
    this.suite = suite;
    this.components = List.copyOf(components);
  }

  /** The verified Release (fetched on first use). */
  public synchronized Release release() throws PlinthException {
    if (release == null) {
      release = fetcher.release(suite, keyring);
    }
    return release;
  }

  /** What the repository is, for messages: e.g. "bookworm main at http://…/debian/". */
  public String describe() {
    return suite + " " + String.join(" ", components) + " at " + fetcher.base();
  }

  /**
   * Every package of a Debian architecture (amd64, arm64) in the components, with the
   * 'Architecture: all' packages the index lists alongside.
   */
  public PackageIndex index(String arch) throws PlinthException {
    java.util.concurrent.CompletableFuture<PackageIndex> f;
    boolean mine = false;
    synchronized (this) {
      f = indexes.get(arch);
      if (f == null) {
        f = new java.util.concurrent.CompletableFuture<>();
        indexes.put(arch, f);
        mine = true;
      }
    }
    if (mine) {
      try {
        f.complete(load(arch));
      } catch (PlinthException | RuntimeException e) {
        f.completeExceptionally(e);
      }
    }
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof PlinthException p) {
        throw p;
      }
      throw e;
    }
  }

  /**
   * Lets go of an architecture's index (65,000 names, a few MB of heap) once a build has resolved
   * what it needs from it: the rest of the build (writing layers, compressing, checking) runs in
   * a smaller live heap (in a Maven JVM's first build this did not measurably change the peak
   * RSS, which follows G1's own sizing). An index asked for again is read again from the cache's
   * copy of its text; whoever holds it keeps it.
   */
  public synchronized void forget(String arch) {
    indexes.remove(arch);
  }

  /** Reads several architectures' indexes at once (each is a few seconds of xz and parsing). */
  public void prefetch(List<String> archs) throws PlinthException {
    release();
    List<Thread> threads = new java.util.ArrayList<>();
    for (String arch : archs.subList(Math.min(1, archs.size()), archs.size())) {
      Thread t = new Thread(() -> {
        try {
          index(arch);
        } catch (PlinthException e) {
          // reported when the index is asked for
        }
      }, "plinth-index-" + arch);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    try {
      if (!archs.isEmpty()) {
        index(archs.get(0));
      }
    } finally {
      // Never leave a thread writing into the cache after this returns, even on failure.
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private PackageIndex load(String arch) throws PlinthException {
    Release r = release();
    if (!r.architectures().contains(arch)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND, "suite " + suite + " at "
          + fetcher.base() + " has no architecture " + arch + " (it has "
          + String.join(" ", r.architectures()) + ")");
    }
    PackageIndex index = new PackageIndex();
    for (String component : components) {
      if (!r.components().contains(component)) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, "suite " + suite + " at "
            + fetcher.base() + " has no component " + component + " (it has "
            + String.join(" ", r.components()) + ")");
      }
      readPackages(r, component + "/binary-" + arch + "/Packages", index);
    }
    return index;
  }

  /** The .deb a record names, from the cache or the mirror, checked against its size and sha256. */
  public Path deb(String filename, Digest sha256, long size) throws PlinthException {
    return fetcher.blob(filename, sha256, size);
  }

  /**
   * For each of {@code names} (library file names, or absolute paths of program interpreters),
   * the packages of the suite that ship it for {@code arch}, from each component's Contents
   * index: checked against the sha256 the signed Release lists, kept in the cache by that hash
   * (fetched once per Release), and streamed, never read whole. A name no package ships is
   * absent from the map.
   */
  public Map<String, List<String>> shipping(String arch, java.util.Collection<String> names)
      throws PlinthException {
    Release r = release();
    Map<String, List<String>> out = new java.util.TreeMap<>();
    for (String component : components) {
      Map<String, List<String>> found = read(r, component + "/Contents-" + arch,
          (in, what) -> Contents.search(in, names));
      found.forEach(out::putIfAbsent);
    }
    return out;
  }

  /**
   * Reads a Packages index into {@code index}. When the Release lists the hash of its
   * uncompressed text (Debian's do), that text is kept in the cache, checked against the hash,
   * and the index keeps only where each paragraph is in it; a later build reads it without
   * decompressing. Otherwise the index keeps the paragraphs packed.
   */
  private void readPackages(Release r, String base, PackageIndex index) throws PlinthException {
    Map<String, List<PackageRecord.Relation>> seen = new HashMap<>();
    Release.FileHash plain = r.sha256().get(base);
    if (plain == null || plain.size() > MAX_TEXT) {
      read(r, base, (in, what) -> {
        Control.eachInPlace(in, what, PackageRecord.FIELDS,
            p -> index.add(p, what, seen)); // which copies what it keeps
        return null;
      });
      return;
    }
    String what = described(chosen(r, base));
    Path text = fetcher.derived(plain.sha256(), plain.size(), "the text of " + base,
        sink -> read(r, base, (in, w) -> sink.put(in)));
    try (InputStream in = new BufferedInputStream(Files.newInputStream(text), 65536)) {
      Control.eachInPlace(in, what, PackageRecord.FIELDS, p -> index.add(p, what, text, seen));
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, "cannot read " + text
          + " (the cache's copy of " + what + "): " + e.getMessage(), e);
    }
  }

  /** The largest uncompressed index kept in the cache (Debian's main is about 50 MB). */
  static final long MAX_TEXT = 1L << 30;

  /**
   * Which form of an index to fetch: .gz before .xz, 40% more bytes to fetch once, but it
   * decompresses ten times faster; NOT_FOUND naming what the Release lists when it has none.
   */
  private static String chosen(Release r, String base) throws PlinthException {
    for (String suffix : List.of(".gz", ".xz", "")) {
      if (r.sha256().containsKey(base + suffix)) {
        return base + suffix;
      }
    }
    r.file(base + ".xz"); // throws NOT_FOUND naming what the Release lists
    throw new IllegalStateException("unreachable");
  }

  /** An index file as messages name it: where it is fetched from. */
  private String described(String chosen) {
    return fetcher.base() + "dists/" + suite + "/" + chosen;
  }

  /** Reads an index's decompressed text. */
  private interface IndexReader<T> {
    T read(InputStream in, String what) throws IOException, PlinthException;
  }

  /** Fetches (or takes from the cache) the index {@code base} in the form the Release lists. */
  private <T> T read(Release r, String base, IndexReader<T> reader) throws PlinthException {
    String chosen = chosen(r, base);
    Release.FileHash hash = r.file(chosen);
    Path file = fetcher.blob("dists/" + suite + "/" + r.fetchPath(chosen), hash.sha256(),
        hash.size(), "dists/" + suite + "/" + chosen);
    String what = described(chosen);
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file));
        InputStream in = chosen.endsWith(".xz") ? Xz.open(raw, -1)
            : chosen.endsWith(".gz") ? new GZIPInputStream(raw, 65536) : raw) {
      return reader.read(in, what);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + " cannot be decompressed although its sha256 matched the Release: "
              + e.getMessage(), e);
    }
  }
}
