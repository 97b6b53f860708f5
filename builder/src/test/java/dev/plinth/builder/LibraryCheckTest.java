package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.audit.TestElf;
import dev.plinth.deb.testing.TestDeb;
import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ELF closure checked at build time: a program whose library (or interpreter) the image
 * lacks fails the build naming the file, the library and the Debian package from the signed
 * Contents index of a repository served on 127.0.0.1; with the package, or allowed, it builds.
 */
class LibraryCheckTest {
  private static final String LIBDIR = "/usr/lib/x86_64-linux-gnu/";
  private static final String LD = "/lib64/ld-linux-x86-64.so.2";

  @TempDir Path tmp;
  TestRepo repo;

  @BeforeEach
  void repository() throws Exception {
    repo = new TestRepo(tmp.resolve("repo")).suite("bookworm").codename("bookworm");
    TestDeb libc = TestDeb.of("libc6", "2.36-9", "amd64")
        .file(LD, TestElf.library().build(), 0755, 0, 0)
        .file(LIBDIR + "libc.so.6", TestElf.library().build(), 0755, 0, 0);
    TestDeb zlib = TestDeb.of("zlib1g", "1:1.2.13", "amd64").field("Depends", "libc6")
        .file(LIBDIR + "libz.so.1", TestElf.library("libc.so.6").build(), 0644, 0, 0);
    for (TestDeb d : List.of(libc, zlib)) {
      repo.addPackage("amd64", d.fields(), d.build());
    }
    repo.contents("amd64", """
        lib64/ld-linux-x86-64.so.2                     libs/libc6
        usr/lib/x86_64-linux-gnu/libc.so.6             libs/libc6
        usr/lib/x86_64-linux-gnu/libz.so.1             libs/zlib1g
        usr/share/doc/zlib1g/copyright                 libs/zlib1g
        """);
    Files.write(tmp.resolve("x"), TestElf.program("libz.so.1", "libc.so.6").build());
    Files.write(tmp.resolve("static"), TestElf.program().interpreter(null).build());
  }

  @AfterEach
  void close() {
    repo.close();
  }

  /** The build file a user writes, {@code extra} appended. */
  private BuildSpec spec(String program, List<String> packages, String extra) throws Exception {
    String base = repo.start().toString();
    Path yaml = tmp.resolve("plinth.yaml");
    Files.writeString(yaml, "platforms: [linux/amd64]\n"
        + "packages: [" + String.join(", ", packages) + "]\n"
        + "debian: {suite: bookworm, mirror: \"" + base + "\", keyring: [\""
        + tmp.relativize(repo.keyring()) + "\"]}\n"
        + "files:\n  - {src: " + program + ", dest: /app/x, mode: \"0755\"}\n"
        + "entrypoint: [/app/x]\n" + extra);
    return PlinthYaml.load(yaml);
  }

  private BuildSpec spec(String program, List<String> packages) throws Exception {
    return spec(program, packages, "");
  }

  private BuildResult build(BuildSpec spec, String name) throws Exception {
    return Plinth.build(spec, ImageRef.parse("oci-archive:" + tmp.resolve(name)),
        Plinth.Options.of(tmp.resolve("cache")));
  }

  @Test
  void programWithoutItsLibrary_failsNamingTheFileTheLibraryAndThePackage() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> build(spec("x", List.of("libc6")), "x.tar"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("libz.so.1, needed by /app/x (linux/amd64), is in"
        + " Debian's zlib1g"), e.getMessage());
    assertTrue(e.getMessage().contains("allowMissingLibraries"), e.getMessage());
    assertFalse(Files.exists(tmp.resolve("x.tar")), "nothing written");
    // The image is written while the check runs: a failing check leaves an earlier archive at
    // the target as it was, and no temporary file beside it.
    Path out = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(out.resolve("x.tar"), "an earlier build's archive");
    assertThrows(PlinthException.class, () -> build(spec("x", List.of("libc6")), "out/x.tar"));
    assertEquals("an earlier build's archive", Files.readString(out.resolve("x.tar")));
    try (var files = Files.list(out)) {
      assertEquals(List.of(out.resolve("x.tar")), files.toList());
    }
  }

  @Test
  void noCLibraryAtAll_namesTheInterpreterAndLibc6() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> build(spec("x", List.of()), "x.tar"));
    assertTrue(e.getMessage().contains("the program interpreter " + LD
        + ", needed by /app/x (linux/amd64), is in Debian's libc6"), e.getMessage());
    assertTrue(e.getMessage().contains("libc.so.6, needed by /app/x (linux/amd64), is in"
        + " Debian's libc6"), e.getMessage());
  }

  @Test
  void withThePackage_itBuilds() throws Exception {
    BuildResult r = build(spec("x", List.of("libc6", "zlib1g")), "x.tar");
    assertEquals(1, r.images().size());
  }

  @Test
  void allowed_itBuilds_andTheNotesSayWhatIsMissing() throws Exception {
    BuildResult r = build(spec("x", List.of("libc6"), "allowMissingLibraries: true\n"),
        "x.tar");
    assertTrue(Files.exists(tmp.resolve("x.tar")));
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("allowMissingLibraries:")
        && n.contains("libz.so.1, needed by /app/x (linux/amd64), is missing")),
        r.notes().toString());
  }

  @Test
  void staticProgram_needsNothing() throws Exception {
    build(spec("static", List.of()), "static.tar");
    assertTrue(Files.exists(tmp.resolve("static.tar")));
  }

  @Test
  void noContentsIndex_stillNamesTheFileAndLibrary() throws Exception {
    repo.contents("amd64", "");
    PlinthException e = assertThrows(PlinthException.class,
        () -> build(spec("x", List.of("libc6")), "x.tar"));
    assertTrue(e.getMessage().contains("libz.so.1, needed by /app/x (linux/amd64), is in no"
        + " package of Debian bookworm main"), e.getMessage());
  }

  /**
   * The layers' facts are kept in the cache: two builds sharing every layer but zlib1g's, one
   * cache, each get their own answer, and a third build of the first reads its facts from the
   * cache (the damaged entry it finds is read from the layer again).
   */
  @Test
  void sharedCache_eachBuildGetsItsOwnAnswer() throws Exception {
    build(spec("x", List.of("libc6", "zlib1g")), "with.tar");
    Path facts = tmp.resolve("cache").resolve(LibraryCheck.DIR);
    long kept;
    try (var files = Files.list(facts)) {
      kept = files.filter(f -> !f.getFileName().toString().startsWith(".")).count();
    }
    assertTrue(kept >= 2, "the layers' facts are kept: " + kept);
    PlinthException e = assertThrows(PlinthException.class,
        () -> build(spec("x", List.of("libc6")), "without.tar"));
    assertTrue(e.getMessage().contains("libz.so.1, needed by /app/x (linux/amd64)"),
        e.getMessage());
    try (var files = Files.list(facts)) {
      for (Path f : files.toList()) {
        Files.write(f, new byte[] {1, 2, 3}); // damaged: read from the layer again
      }
    }
    BuildResult again = build(spec("x", List.of("libc6", "zlib1g")), "again.tar");
    assertEquals(1, again.images().size());
  }
}
