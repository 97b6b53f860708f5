package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HostTree lists a tree through GNU find (this project's machines have it) or the JDK: the same
 * files either way, and find's stamps are those the JDK reads; anything find prints that is not
 * in the expected form means the JDK walks instead.
 */
class HostTreeTest {
  @TempDir Path tmp;

  /** Whether this JVM names files by their UTF-8 bytes (LANG=C.UTF-8 and the like). */
  static final boolean UTF8_NAMES =
      "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));

  private Path tree() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("tree"));
    List<String> names = new java.util.ArrayList<>(List.of("a.class", "p/b.class", "p/q/c.txt",
        "with space.txt", "new\nline.txt", "back\\slash.txt", "deep/1/2/3/4/d.class"));
    if (UTF8_NAMES) {
      names.add("é.properties");
    }
    for (String name : names) {
      Path f = d.resolve(name);
      Files.createDirectories(f.getParent());
      Files.writeString(f, name);
    }
    Files.createDirectories(d.resolve("empty"));
    Files.createSymbolicLink(d.resolve("link.class"), d.resolve("a.class"));
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("x.class"), "x");
    Files.createSymbolicLink(d.resolve("linked-dir"), outside);
    Files.createSymbolicLink(d.resolve("dangling.class"), d.resolve("gone"));
    new ProcessBuilder("mkfifo", d.resolve("fifo").toString()).start().waitFor();
    return d;
  }

  private static Map<String, HostTree.File> byName(List<HostTree.File> files) {
    Map<String, HostTree.File> m = new TreeMap<>();
    for (HostTree.File f : files) {
      assertNull(m.put(f.relative(), f), "listed twice: " + f.relative());
    }
    return m;
  }

  @Test
  void findAndJdk_listTheSameFiles_findsStampsAreTheJdks() throws Exception {
    Path d = tree();
    List<HostTree.File> found = HostTree.viaFind(d.toAbsolutePath(), "find");
    assertNotNull(found, "GNU find lists the tree on this machine");
    Map<String, HostTree.File> viaFind = byName(found);
    Map<String, HostTree.File> viaJdk = byName(HostTree.viaJdk(d, Integer.MAX_VALUE));
    List<String> expected = new java.util.ArrayList<>(List.of("a.class", "back/slash.txt",
        "deep/1/2/3/4/d.class", "link.class", "new\nline.txt", "p/b.class", "p/q/c.txt",
        "with space.txt"));
    if (UTF8_NAMES) {
      expected.add("é.properties");
    }
    assertEquals(expected, List.copyOf(viaFind.keySet()), "regular files and the symlink to"
        + " one; not the directory behind a symlink, a dangling one or a FIFO; a backslash in a"
        + " name as '/', as the JDK's walk gives it");
    assertEquals(viaFind.keySet(), viaJdk.keySet());
    for (HostTree.File f : viaFind.values()) {
      assertEquals(viaJdk.get(f.relative()).path(), f.path(), f.relative());
      assertEquals(f.relative(), d.relativize(f.path()).toString().replace('\\', '/'));
      if (f.relative().equals("link.class")) {
        assertNull(f.stamp(), "a symlink's stamp is its target's, read later");
      } else {
        assertEquals(LayerBuilder.Stamp.of(f.path()), f.stamp(), f.relative());
      }
    }
    try (HostTree.Listing l = HostTree.list(d)) {
      assertEquals(viaFind.keySet(), byName(l.files()).keySet());
    }
  }

  @Test
  void aSmallTree_isListedByTheJdk_aBiggerOneByFind() throws Exception {
    for (int n : List.of(HostTree.SMALL, HostTree.SMALL + 1)) {
      Path d = Files.createDirectories(tmp.resolve("n" + n));
      for (int i = 0; i < n; i++) {
        Path f = d.resolve("p" + i % 7 + "/C" + i + ".class");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "" + i);
      }
      List<HostTree.File> files;
      try (HostTree.Listing l = HostTree.list(d)) {
        files = l.files();
      }
      assertEquals(n, files.size());
      boolean stamped = n > HostTree.SMALL;
      for (HostTree.File f : files) {
        assertEquals(stamped, f.stamp() != null, n + " files: " + f);
      }
    }
  }

  @Test
  void noFind_orAnotherProgram_theJdkWalks() throws Exception {
    Path d = tree();
    assertNull(HostTree.viaFind(d.toAbsolutePath(), tmp.resolve("no-such-find").toString()));
    // echo prints its arguments and a newline: not find's records
    assertNull(HostTree.viaFind(d.toAbsolutePath(), "echo"));
    // a program that fails
    assertNull(HostTree.viaFind(d.toAbsolutePath(), "false"));
    assertNull(HostTree.viaFind(tmp.resolve("missing").toAbsolutePath(), "find"),
        "find fails on a missing directory");
  }

  @Test
  void aCacheKey_isTheSameWithFindsStampsAsWithoutThem() throws Exception {
    Path d = tree();
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    LayerBuilder withStamps = new LayerBuilder();
    LayerBuilder without = new LayerBuilder();
    for (HostTree.File f : HostTree.viaFind(d.toAbsolutePath(), "find")) {
      String at = "/app/" + f.relative();
      withStamps.file(at, f.path(), f.stamp(), 0644, 0, 0);
      without.file(at, f.path(), 0644, 0, 0);
    }
    Layer a = withStamps.build(tmp.resolve("w1"), 0, 6, cache);
    Layer b = without.build(tmp.resolve("w2"), 0, 6, cache);
    assertEquals(a.blob().descriptor(), b.blob().descriptor());
    try (var keys = Files.list(tmp.resolve("cache/keys"))) {
      assertEquals(1, keys.filter(k -> !k.getFileName().toString().startsWith(".")).count(),
          "one key: the second build was served the first one's entry");
    }
  }

  private static List<HostTree.File> parse(String records) throws Exception {
    HostTree.Parsed p = HostTree.parse(
        new ByteArrayInputStream(records.getBytes(StandardCharsets.UTF_8)), Path.of("/t"));
    return p == null ? null : p.files();
  }

  @Test
  void records_inTheExpectedFormOnly() throws Exception {
    List<HostTree.File> ok = parse("f 12 1796585151.5203347720 1796585152.0000000000 2049 77 a b"
        + "\0d 4096 1.0000000000 1.0000000000 2049 78 dir\0");
    assertEquals(1, ok.size());
    assertEquals("a b", ok.get(0).relative());
    assertEquals(Path.of("/t/a b"), ok.get(0).path());
    assertEquals(LayerBuilder.Stamp.unix(12, 1796585151_520334772L, 1796585152_000000000L, 2049,
        77), ok.get(0).stamp());
    for (String bad : List.of(
        "f 12 1796585151.52 1796585152.0000000000 2049 77 a\0", // coarser than nanoseconds
        "f 12 -1.5000000000 1.0000000000 2049 77 a\0", // before 1970
        "f 12 1.0000000000 1.0000000000 2049 a\0", // a field missing
        "f x 1.0000000000 1.0000000000 2049 77 a\0", // not a number
        "f 12 1.0000000000 1.0000000000 2049 77 \0", // no name
        "? 12 1.0000000000 1.0000000000 2049 77 a\0", // an unknown type
        "f 12 1.0000000000 1.0000000000 2049 77 a", // cut short
        "f 123456789012345678901 1.0000000000 1.0000000000 2049 77 a\0")) { // too long
      assertNull(parse(bad), bad);
    }
    byte[] notUtf8 = "f 1 1.0000000000 1.0000000000 1 1 x\u00ff\0"
        .getBytes(StandardCharsets.ISO_8859_1);
    assertNull(HostTree.parse(new ByteArrayInputStream(notUtf8), Path.of("/t")));
    assertTrue(parse("").isEmpty());
  }
  /** A tree of more than SMALL files (find lists it), one of them a resource. */
  private Path big(String name) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name));
    for (int i = 0; i <= HostTree.SMALL; i++) {
      Path f = d.resolve("p" + i % 5 + "/C" + i + ".class");
      Files.createDirectories(f.getParent());
      Files.writeString(f, "" + i);
    }
    return d;
  }

  private static Digest identity(Path d) throws Exception {
    try (HostTree.Listing l = HostTree.list(d)) {
      return l.identity();
    }
  }

  @Test
  void aListingsIdentity_changesWithAnyFile_andStaysWithNone() throws Exception {
    Path d = big("a");
    Digest first = identity(d);
    assertNotNull(first, "find lists it");
    assertEquals(first, identity(d), "nothing changed");
    try (HostTree.Listing l = HostTree.list(d)) {
      assertEquals(first, l.identity());
      assertEquals(HostTree.SMALL + 1, l.files().size(), "its files after its identity");
      assertTrue(l.plain(), "no symlink in it");
    }
    // the same bytes written again: the change time moves, so the identity does
    Thread.sleep(20); // past the file system's clock tick
    Path c7 = d.resolve("p2/C7.class");
    Files.writeString(c7, "7");
    Digest rewritten = identity(d);
    assertTrue(!first.equals(rewritten), "a file written again");
    Thread.sleep(20); // past the file system's clock tick
    Files.writeString(d.resolve("p0/new.txt"), "");
    Digest added = identity(d);
    assertTrue(!added.equals(rewritten), "a file added");
    Thread.sleep(20); // past the file system's clock tick
    Files.delete(d.resolve("p0/new.txt"));
    assertTrue(!identity(d).equals(added), "a file removed");
    // the same names and sizes elsewhere
    Path other = big("b");
    assertTrue(!identity(other).equals(identity(d)), "another directory");
    // a symlink: listed, but its target's stamp is not in find's output
    Files.createSymbolicLink(other.resolve("link.class"), other.resolve("p0/C0.class"));
    try (HostTree.Listing l = HostTree.list(other)) {
      assertNotNull(l.identity());
      l.files();
      assertTrue(!l.plain(), "a symlink in it");
    }
    // a small tree is listed by the JDK: no identity
    Path small = Files.createDirectories(tmp.resolve("small"));
    Files.writeString(small.resolve("A.class"), "a");
    try (HostTree.Listing l = HostTree.list(small)) {
      assertNull(l.identity());
      assertEquals(1, l.files().size());
      assertTrue(!l.plain());
    }
  }

  @Test
  void aListingLongerThanIsKeptWhole_isReadAsItComes_withoutAnIdentity() throws Exception {
    Path d = big("long");
    Map<String, HostTree.File> whole;
    try (HostTree.Listing l = HostTree.list(d)) {
      whole = byName(l.files());
    }
    for (int max : new int[] {1, 4096}) { // find prints some 60 bytes a file here: 257 files
      try (HostTree.Listing l = HostTree.list(d, max)) {
        assertNull(l.identity(), max + ": not kept whole, no identity");
        Map<String, HostTree.File> read = byName(l.files());
        assertEquals(whole.keySet(), read.keySet(), max + ": the same files");
        for (HostTree.File f : read.values()) {
          assertEquals(whole.get(f.relative()).stamp(), f.stamp(), f.relative());
          assertNotNull(f.stamp(), "find's stamps: " + f.relative());
        }
        assertTrue(!l.plain(), "not plain: nothing may be remembered by it");
      }
    }
  }
}
