package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository's package index: its uncompressed text is kept in the cache, checked against the
 * hash the signed Release lists for it, and the index reads paragraphs from it when asked.
 */
class RepositoryTest {
  @TempDir Path tmp;

  private TestRepo repo;
  private Cache cache;
  private Keyring keyring;
  private byte[] deb;
  private String debPath;

  @BeforeEach
  void repository() throws Exception {
    repo = new TestRepo(tmp.resolve("repo"));
    deb = new byte[5_000];
    new Random(1).nextBytes(deb);
    debPath = repo.addPackage("amd64", fields("libhello1", "1:2.3-1", "hello-virtual"), deb);
    repo.addPackage("amd64", fields("libother", "4.0-2", null), new byte[] {1, 2, 3});
    repo.start();
    cache = new Cache(tmp.resolve("cache"));
    keyring = Keyring.load(List.of(repo.keyring()));
  }

  @AfterEach
  void stop() {
    repo.close();
  }

  private static Map<String, String> fields(String name, String version, String provides) {
    Map<String, String> f = new LinkedHashMap<>();
    f.put("Package", name);
    f.put("Version", version);
    f.put("Architecture", "amd64");
    f.put("Depends", "libc6 (>= 2.36)");
    if (provides != null) {
      f.put("Provides", provides);
    }
    f.put("Description", "a package of the test\n with a second line");
    return f;
  }

  private Repository open() {
    return new Repository(FetcherTest.quick(repo.base(), cache, s -> {}), keyring, repo.suite(),
        List.of("main"));
  }

  private Path servedText() {
    return repo.dir().resolve(repo.packagesPath("amd64", ""));
  }

  private Release.FileHash listed(String ext) throws Exception {
    return open().release().file(TestRepo.packagesIndex("amd64", ext));
  }

  @Test
  void theIndexText_isKeptByItsSignedHash_andReadNextTimeWithoutTheCompressedIndex()
      throws Exception {
    PackageIndex index = open().index("amd64");
    PackageRecord hello = index.versions("libhello1").get(0);
    assertEquals("1:2.3-1", hello.version().toString());
    assertEquals(debPath, hello.filename());
    assertEquals(Digest.of(deb), hello.sha256());
    assertEquals(List.of("libhello1"),
        index.providers("hello-virtual").stream().map(PackageRecord::name).toList());
    assertEquals("4.0-2", index.versions("libother").get(0).version().toString());
    // the text is in the cache under the hash the Release lists for it, as the mirror has it
    Path text = cache.path(listed("").sha256());
    assertArrayEquals(Files.readAllBytes(servedText()), Files.readAllBytes(text));
    int gz = repo.requests(repo.packagesPath("amd64", ".gz"));
    assertEquals(1, gz);
    // the next build reads the text: it neither fetches nor needs the compressed index
    Files.delete(cache.path(listed(".gz").sha256()));
    repo.fail(repo.packagesPath("amd64", ".gz"), 500, 1000, null);
    PackageIndex again = open().index("amd64");
    assertEquals(hello, again.versions("libhello1").get(0));
    assertEquals(gz, repo.requests(repo.packagesPath("amd64", ".gz")));
  }

  @Test
  void aForgottenIndex_isReadAgainFromTheCacheWhenAskedFor() throws Exception {
    Repository r = open();
    PackageIndex first = r.index("amd64");
    assertSame(first, r.index("amd64"), "kept while the build needs it");
    int gz = repo.requests(repo.packagesPath("amd64", ".gz"));
    r.forget("amd64");
    r.forget("arm64");   // never read: nothing to let go of
    PackageIndex again = r.index("amd64");
    assertNotSame(first, again);
    assertEquals(first.versions("libhello1"), again.versions("libhello1"));
    assertEquals(first.providers("hello-virtual"), again.providers("hello-virtual"));
    assertEquals(gz, repo.requests(repo.packagesPath("amd64", ".gz")), "not fetched again");
    // the one let go of still answers whoever holds it
    assertEquals("4.0-2", first.versions("libother").get(0).version().toString());
  }

  @Test
  void twoIndexes_oneCache_eachReadsItsOwnPackages() throws Exception {
    PackageIndex first = open().index("amd64");
    assertEquals("1:2.3-1", first.versions("libhello1").get(0).version().toString());
    Digest firstText = listed("").sha256();
    // the mirror moves on: a new version and a new package, a new Release
    byte[] newer = new byte[4_000];
    new Random(2).nextBytes(newer);
    repo.addPackage("amd64", fields("libhello1", "1:2.4-1", "hello-virtual"), newer);
    repo.addPackage("amd64", fields("libnew", "1.0-1", null), new byte[] {4});
    repo.publish();
    PackageIndex second = open().index("amd64");
    assertEquals("1:2.4-1", second.versions("libhello1").get(0).version().toString());
    assertEquals(Digest.of(newer), second.versions("libhello1").get(0).sha256());
    assertEquals(1, second.versions("libnew").size());
    assertTrue(first.versions("libnew").isEmpty());
    assertFalse(firstText.equals(listed("").sha256()));
    // the first index still reads from its own text, which the second did not replace
    assertEquals(Digest.of(deb), first.versions("libhello1").get(0).sha256());
  }

  @Test
  void aDamagedTextInTheCache_isMadeAgainFromTheIndex() throws Exception {
    open().index("amd64");
    Path text = cache.path(listed("").sha256());
    byte[] b = Files.readAllBytes(text);
    byte[] damaged = new String(b, StandardCharsets.UTF_8).replace("libhello1", "libhellox")
        .getBytes(StandardCharsets.UTF_8);
    Files.write(text, damaged);
    PackageIndex index = open().index("amd64");
    assertEquals(1, index.versions("libhello1").size());
    assertTrue(index.versions("libhellox").isEmpty());
    assertArrayEquals(b, Files.readAllBytes(text));
  }

  @Test
  void aReleaseThatListsNoPlainText_keepsTheParagraphsInMemory() throws Exception {
    StringBuilder edited = new StringBuilder();
    for (String line : repo.releaseText().split("\n", -1)) {
      if (!line.endsWith(" " + TestRepo.packagesIndex("amd64", ""))) {
        edited.append(line).append('\n');
      }
    }
    String release = edited.substring(0, edited.length() - 1);
    repo.serve(repo.inReleasePath(), repo.sign(release));
    PackageIndex index = open().index("amd64");
    assertEquals(Digest.of(deb), index.versions("libhello1").get(0).sha256());
    assertEquals(List.of("libhello1"),
        index.providers("hello-virtual").stream().map(PackageRecord::name).toList());
    try (var s = Files.walk(cache.root())) {
      long texts = s.filter(Files::isRegularFile).filter(p -> {
        try {
          return Files.size(p) == Files.size(servedText());
        } catch (java.io.IOException e) {
          return false;
        }
      }).count();
      assertEquals(0, texts, "no plain text kept");
    }
  }

  @Test
  void aPlainTextThatIsNotWhatTheReleaseLists_isRefused_andNothingIsKept() throws Exception {
    // a Release whose hash for the plain text is wrong, while the .gz's is right
    String plain = TestRepo.packagesIndex("amd64", "");
    StringBuilder edited = new StringBuilder();
    for (String line : repo.releaseText().split("\n", -1)) {
      if (line.endsWith(" " + plain) && line.trim().split("\\s+")[0].length() == 64) {
        line = " " + "0".repeat(64) + line.substring(line.indexOf(' ', 1));
      }
      edited.append(line).append('\n');
    }
    repo.serve(repo.inReleasePath(), repo.sign(edited.substring(0, edited.length() - 1)));
    dev.plinth.oci.PlinthException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.plinth.oci.PlinthException.class, () -> open().index("amd64"));
    assertEquals(dev.plinth.oci.PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("the text of " + plain + " has the wrong sha256"),
        e.getMessage());
    assertFalse(Files.exists(cache.path(new Digest("0".repeat(64)))));
  }
}
