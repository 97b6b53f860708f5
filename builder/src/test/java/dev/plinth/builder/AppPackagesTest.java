package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The app's jars as Maven packages, and the cache of them: a jar that did not change is not
 * opened again (what is kept for it is what the SBOM gets), a jar that changed is read afresh,
 * and kept bytes that do not read back are made again.
 */
class AppPackagesTest {
  @TempDir Path tmp;

  private static void jar(Path file, String version, long mtime) throws Exception {
    try (OutputStream out = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("META-INF/maven/org.example/lib/pom.properties"));
      zip.write(("groupId=org.example\nartifactId=lib\nversion=" + version + "\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      zip.closeEntry();
    }
    Files.setLastModifiedTime(file, FileTime.fromMillis(mtime));
  }

  private static String purls(List<Sbom.Item> items) {
    return String.join(" ", items.stream().map(Sbom.Item::purl).toList());
  }

  @Test
  void keptPackages_servedUntilTheJarChanges() throws Exception {
    Path lib = tmp.resolve("lib.jar");
    Path kept = tmp.resolve("kept");
    jar(lib, "1.0", 1_000_000);
    List<Sbom.Item> first = AppPackages.of(List.of(lib), kept);
    assertEquals("pkg:maven/org.example/lib@1.0", purls(first));
    assertEquals(Digest.of(lib), first.get(0).sha256());
    assertEquals(first.toString(), AppPackages.of(List.of(lib)).toString(), "as without a cache");

    // What is kept is what a build whose jar did not change gets: the jar is not read again.
    Path entry;
    try (var files = Files.list(kept)) {
      entry = files.filter(f -> !f.getFileName().toString().startsWith(".")).findFirst()
          .orElseThrow();
    }
    Files.writeString(entry, "plinth jar packages 1\norg.other\tkept\t9\t\n");
    assertEquals("pkg:maven/org.other/kept@9", purls(AppPackages.of(List.of(lib), kept)));

    // A changed jar (another version, another time and size) is read afresh.
    jar(lib, "2.0.1", 2_000_000);
    List<Sbom.Item> changed = AppPackages.of(List.of(lib), kept);
    assertEquals("pkg:maven/org.example/lib@2.0.1", purls(changed));
    assertNotNull(changed.get(0).sha256());
  }

  /**
   * A jar rewritten in place, the same size, its old modification time put back (as `cp -p` or
   * an unpacker does): its change time tells, as for layers. And an entry served is marked as
   * used, so that the cache's prune (least recently used first) keeps it.
   */
  @Test
  void aJarRewrittenWithItsOldTime_isReadAfresh_andAServedEntryIsMarkedUsed() throws Exception {
    Path lib = tmp.resolve("lib.jar");
    Path kept = tmp.resolve("kept");
    jar(lib, "1.0", 1_000_000);
    assertEquals("pkg:maven/org.example/lib@1.0", purls(AppPackages.of(List.of(lib), kept)));
    Path entry;
    try (var files = Files.list(kept)) {
      entry = files.filter(f -> !f.getFileName().toString().startsWith(".")).findFirst()
          .orElseThrow();
    }
    Files.setLastModifiedTime(entry, FileTime.fromMillis(1_000));
    AppPackages.of(List.of(lib), kept);
    assertTrue(Files.getLastModifiedTime(entry).toMillis() > 1_000_000_000_000L,
        "served, so marked as used now: " + Files.getLastModifiedTime(entry));

    long size = Files.size(lib);
    Thread.sleep(20); // a later change time than the first write's, on any file system clock
    jar(lib, "1.1", 1_000_000);
    assertEquals(size, Files.size(lib), "the same size");
    assertEquals(1_000_000, Files.getLastModifiedTime(lib).toMillis(), "the same time");
    assertEquals("pkg:maven/org.example/lib@1.1", purls(AppPackages.of(List.of(lib), kept)));
  }

  @Test
  void keptBytesThatDoNotReadBack_areMadeAgain() throws Exception {
    Path lib = tmp.resolve("lib.jar");
    Path kept = tmp.resolve("kept");
    jar(lib, "1.0", 1_000_000);
    AppPackages.of(List.of(lib), kept);
    try (var files = Files.list(kept)) {
      for (Path f : files.toList()) {
        Files.writeString(f, "plinth jar packages 1\nonly\ttwo\n");
      }
    }
    assertEquals("pkg:maven/org.example/lib@1.0", purls(AppPackages.of(List.of(lib), kept)));
    try (var files = Files.list(kept)) {
      for (Path f : files.toList()) {
        Files.writeString(f, "plinth jar packages 1\na\tb\tc\tnot-a-digest\n");
      }
    }
    assertEquals("pkg:maven/org.example/lib@1.0", purls(AppPackages.of(List.of(lib), kept)));
  }

  @Test
  void aJarWithoutPomProperties_isNotListed() throws Exception {
    Path other = tmp.resolve("other.jar");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(other))) {
      zip.putNextEntry(new ZipEntry("a/B.class"));
      zip.closeEntry();
    }
    assertEquals(List.of(), AppPackages.of(List.of(other), tmp.resolve("kept")));
  }
}
