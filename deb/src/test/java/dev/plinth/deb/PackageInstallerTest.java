package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.deb.testing.TestDeb;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageInstallerTest {
  @TempDir Path dir;

  private LayerBuilder layer;
  private Path work;

  /** An entry of the built layer, by path without leading or trailing slash. */
  private record Item(TarEntry entry, byte[] content) {
    String text() {
      return new String(content, StandardCharsets.UTF_8);
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    layer = new LayerBuilder();
    work = Files.createDirectories(dir.resolve("work"));
  }

  private Path deb(TestDeb d) throws IOException {
    Map<String, String> f = d.fields();
    return d.write(dir.resolve(f.get("Package") + "_" + f.get("Version") + "_"
        + f.get("Architecture") + ".deb"));
  }

  private static String what(Path deb) {
    return "pool/main/" + deb.getFileName();
  }

  private PackageInstaller.Installed install(PackageInstaller installer, TestDeb d)
      throws Exception {
    Path deb = deb(d);
    return installer.install(deb, what(deb));
  }

  private Map<String, Item> built(LayerBuilder b) throws Exception {
    Layer l = b.build(dir.resolve("layers"), 0, 6);
    Map<String, Item> items = new LinkedHashMap<>();
    try (InputStream in = l.openUncompressed()) {
      TarReader r = new TarReader(in, "the built layer");
      for (TarEntry e = r.next(); e != null; e = r.next()) {
        String name = e.name().endsWith("/") ? e.name().substring(0, e.name().length() - 1)
            : e.name();
        items.put(name, new Item(e, r.content().readAllBytes()));
      }
    }
    return items;
  }

  private Map<String, Item> installAll(boolean tzdataRight, TestDeb... debs) throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, tzdataRight);
    for (TestDeb d : debs) {
      install(installer, d);
    }
    installer.finish();
    return built(layer);
  }

  private static TestDeb tini() {
    return TestDeb.of("tini", "0.19.0-1", "amd64")
        .dir("/usr", 0755)
        .dir("/usr/bin", 0755)
        .file("/usr/bin/tini", "tini binary", 0755)
        .symlink("/usr/bin/init", "tini")
        .hardlink("/usr/bin/tini-hard", "/usr/bin/tini", 0755)
        .dir("/var", 0755)
        .dir("/var/lib", 0755)
        .dir("/var/lib/tini", 0750, 101, 102)
        .file("/var/lib/tini/state", "s".getBytes(StandardCharsets.US_ASCII), 0600, 101, 102);
  }

  @Test
  void install_unpacksFilesDirsSymlinksAndHardlinks_withModesAndOwners() throws Exception {
    Map<String, Item> l = installAll(false, tini());

    Item bin = l.get("usr/bin/tini");
    assertEquals(TarEntry.Type.FILE, bin.entry().type());
    assertEquals(0755, bin.entry().mode());
    assertEquals("tini binary", bin.text());

    Item link = l.get("usr/bin/init");
    assertEquals(TarEntry.Type.SYMLINK, link.entry().type());
    assertEquals("tini", link.entry().linkTarget());

    Item hard = l.get("usr/bin/tini-hard");
    assertEquals(TarEntry.Type.FILE, hard.entry().type(), "a hardlink becomes a copy");
    assertEquals("tini binary", hard.text());

    Item state = l.get("var/lib/tini");
    assertEquals(TarEntry.Type.DIRECTORY, state.entry().type());
    assertEquals(0750, state.entry().mode());
    assertEquals(101, state.entry().uid());
    assertEquals(102, state.entry().gid());
    Item stateFile = l.get("var/lib/tini/state");
    assertEquals(0600, stateFile.entry().mode());
    assertEquals(101, stateFile.entry().uid());
    assertEquals("s", stateFile.text());
  }

  @Test
  void install_returnsWhatWasInstalled() throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    PackageInstaller.Installed i = install(installer,
        TestDeb.of("libc6", "2.36-9+deb12u4", "amd64").field("Source", "glibc (2.36-9)")
            .dir("/usr", 0755));
    assertEquals("libc6", i.name());
    assertEquals("2.36-9+deb12u4", i.version());
    assertEquals("amd64", i.architecture());
    assertEquals("glibc", i.source());
    assertEquals("2.36-9+deb12u4", i.control().get("version"));

    PackageInstaller.Installed t = install(installer, tini());
    assertEquals("tini", t.source(), "no Source field: the package is its own source");
    assertEquals(List.of("libc6", "tini"),
        installer.installed().stream().map(PackageInstaller.Installed::name).toList());
  }

  @Test
  void docsManInfoLintian_leftOut_butCopyrightKept() throws Exception {
    Map<String, Item> l = installAll(false, tini()
        .dir("/usr/share", 0755)
        .dir("/usr/share/doc", 0755)
        .dir("/usr/share/doc/tini", 0755)
        .file("/usr/share/doc/tini/copyright", "MIT", 0644)
        .file("/usr/share/doc/tini/changelog.Debian.gz", "changes", 0644)
        .file("/usr/share/doc/tini/README.md", "readme", 0644)
        .dir("/usr/share/doc/tini/examples", 0755)
        .file("/usr/share/doc/tini/examples/run.sh", "example", 0644)
        .symlink("/usr/share/doc/tini-static", "tini")
        .dir("/usr/share/man", 0755)
        .dir("/usr/share/man/man1", 0755)
        .file("/usr/share/man/man1/tini.1.gz", "man", 0644)
        .dir("/usr/share/info", 0755)
        .file("/usr/share/info/tini.info.gz", "info", 0644)
        .dir("/usr/share/lintian", 0755)
        .dir("/usr/share/lintian/overrides", 0755)
        .file("/usr/share/lintian/overrides/tini", "override", 0644)
        .file("/usr/share/manifest.txt", "kept: not under man/", 0644));

    assertEquals("MIT", l.get("usr/share/doc/tini/copyright").text());
    assertEquals(TarEntry.Type.SYMLINK, l.get("usr/share/doc/tini-static").entry().type());
    assertEquals("kept: not under man/", l.get("usr/share/manifest.txt").text());
    for (String gone : List.of("usr/share/doc/tini/changelog.Debian.gz",
        "usr/share/doc/tini/README.md", "usr/share/doc/tini/examples",
        "usr/share/doc/tini/examples/run.sh", "usr/share/man", "usr/share/man/man1/tini.1.gz",
        "usr/share/info", "usr/share/info/tini.info.gz", "usr/share/lintian",
        "usr/share/lintian/overrides/tini")) {
      assertFalse(l.containsKey(gone), gone + " should be left out");
    }
    assertEquals("tini binary", l.get("usr/bin/tini").text(), "later entries unaffected");
  }

  @Test
  void excludePaths_leaveFilesOut_statusStillListsThePackage_hardlinksKeepTheirContent()
      throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, false,
        PathGlobs.of(List.of("/usr/lib/*/gconv/**", "/usr/bin/tini")));
    install(installer, tini()
        .dir("/usr/lib", 0755)
        .dir("/usr/lib/x86_64-linux-gnu", 0755)
        .file("/usr/lib/x86_64-linux-gnu/libc.so.6", "libc", 0644)
        .dir("/usr/lib/x86_64-linux-gnu/gconv", 0755)
        .file("/usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "utf16", 0644)
        .symlink("/usr/lib/x86_64-linux-gnu/gconv/UTF16.so", "UTF-16.so"));
    installer.finish();
    Map<String, Item> l = built(layer);

    assertEquals("libc", l.get("usr/lib/x86_64-linux-gnu/libc.so.6").text());
    for (String gone : List.of("usr/lib/x86_64-linux-gnu/gconv",
        "usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", "usr/lib/x86_64-linux-gnu/gconv/UTF16.so",
        "usr/bin/tini")) {
      assertFalse(l.containsKey(gone), gone + " should be left out");
    }
    assertEquals("tini binary", l.get("usr/bin/tini-hard").text(),
        "a hardlink to a file left out keeps the content");
    assertTrue(l.get("var/lib/dpkg/status.d/tini").text().contains("Package: tini"),
        "scanners still see the package");
  }

  private static TestDeb tzdata() {
    return TestDeb.of("tzdata", "2024a-0+deb12u1", "all")
        .dir("/usr", 0755)
        .dir("/usr/share", 0755)
        .dir("/usr/share/zoneinfo", 0755)
        .file("/usr/share/zoneinfo/UTC", "TZif utc", 0644)
        .dir("/usr/share/zoneinfo/Europe", 0755)
        .file("/usr/share/zoneinfo/Europe/Paris", "TZif paris", 0644)
        .dir("/usr/share/zoneinfo/right", 0755)
        .file("/usr/share/zoneinfo/right/UTC", "TZif right utc", 0644)
        .dir("/usr/share/zoneinfo/right/Europe", 0755)
        .file("/usr/share/zoneinfo/right/Europe/Paris", "TZif right paris", 0644)
        .symlink("/usr/share/zoneinfo/rightish", "right");
  }

  @Test
  void tzdataRight_leftOutByDefault() throws Exception {
    Map<String, Item> l = installAll(false, tzdata());
    assertEquals("TZif paris", l.get("usr/share/zoneinfo/Europe/Paris").text());
    assertEquals("TZif utc", l.get("usr/share/zoneinfo/UTC").text());
    assertTrue(l.containsKey("usr/share/zoneinfo/rightish"), "only right/ itself goes");
    assertFalse(l.containsKey("usr/share/zoneinfo/right"));
    assertFalse(l.containsKey("usr/share/zoneinfo/right/UTC"));
    assertFalse(l.containsKey("usr/share/zoneinfo/right/Europe/Paris"));
  }

  @Test
  void realTzdata_fromAptCache_rightLeftOut() throws Exception {
    Path cache = Path.of("/var/cache/apt/archives");
    List<Path> debs = new ArrayList<>();
    if (Files.isDirectory(cache)) {
      try (var s = Files.newDirectoryStream(cache, "tzdata_*_all.deb")) {
        s.forEach(debs::add);
      }
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(!debs.isEmpty(), "no tzdata in the apt cache");
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    PackageInstaller.Installed i = installer.install(debs.get(0), debs.get(0).toString());
    installer.finish();
    assertEquals("tzdata", i.name());
    Map<String, Item> l = built(layer);
    assertTrue(l.get("usr/share/zoneinfo/Europe/Paris").text().startsWith("TZif"));
    assertTrue(l.keySet().stream().noneMatch(p -> p.startsWith("usr/share/zoneinfo/right")),
        "right/ left out");
    assertTrue(l.keySet().stream().noneMatch(p -> p.startsWith("usr/share/doc/tzdata/")
        && !p.endsWith("/copyright")), "docs left out");
    assertTrue(l.containsKey("var/lib/dpkg/status.d/tzdata"));
  }

  @Test
  void tzdataRight_keptWhenAsked() throws Exception {
    Map<String, Item> l = installAll(true, tzdata());
    assertEquals("TZif right paris", l.get("usr/share/zoneinfo/right/Europe/Paris").text());
    assertEquals("TZif right utc", l.get("usr/share/zoneinfo/right/UTC").text());
    assertEquals("TZif paris", l.get("usr/share/zoneinfo/Europe/Paris").text());
  }

  @Test
  void statusD_holdsTheControlFields_asAValidControlFile() throws Exception {
    TestDeb t = tini().field("Depends", "libc6 (>= 2.34)")
        .field("Description", "tiny init\nTini spawns a single child.\n\nAnd reaps zombies.");
    Map<String, Item> l = installAll(false, t);
    Item status = l.get("var/lib/dpkg/status.d/tini");
    assertEquals(TarEntry.Type.FILE, status.entry().type());
    assertEquals(0644, status.entry().mode());
    assertEquals(0, status.entry().uid());
    assertEquals(0, status.entry().gid());
    assertTrue(status.text().startsWith("Package: tini\nVersion: 0.19.0-1\nArchitecture: amd64\n"),
        status.text());

    // scanners (syft, trivy) parse it as a control file: it must give back the same fields
    List<Control.Paragraph> ps = Control.parse(
        new java.io.ByteArrayInputStream(status.content()), "status.d/tini");
    assertEquals(1, ps.size(), status.text());
    assertEquals(t.fields(), ps.get(0).fields());
  }

  @Test
  void statusD_onePerPackage() throws Exception {
    Map<String, Item> l = installAll(false, tini(), tzdata());
    assertTrue(l.get("var/lib/dpkg/status.d/tini").text().contains("Package: tini\n"));
    assertTrue(l.get("var/lib/dpkg/status.d/tzdata").text().contains("Version: 2024a-0+deb12u1\n"));
  }

  private static final String CA = "/usr/share/ca-certificates/";

  private static String pem(String name) {
    return "-----BEGIN CERTIFICATE-----\n" + name + "\n-----END CERTIFICATE-----\n";
  }

  @Test
  void caCertificates_bundleIsTheSortedConcatenationOfEveryCrt() throws Exception {
    TestDeb ca = TestDeb.of("ca-certificates", "20230311", "all")
        .dir("/usr", 0755)
        .dir("/usr/share", 0755)
        .dir("/usr/share/ca-certificates", 0755)
        .dir(CA + "mozilla", 0755)
        .file(CA + "mozilla/Zeta_Root.crt", pem("zeta"), 0644)
        .file(CA + "mozilla/Alpha_Root.crt", pem("alpha"), 0644)
        .file(CA + "mozilla/Mid_Root.crt", "-----BEGIN CERTIFICATE-----\nmid\n"
            + "-----END CERTIFICATE-----", 0644) // no final newline
        .file(CA + "mozilla/README", "not a certificate", 0644)
        .file(CA + "mozilla/Other.pem", pem("pem, not crt"), 0644)
        .dir("/etc", 0755)
        .dir("/etc/ssl", 0755)
        .dir("/etc/ssl/certs", 0755);
    TestDeb extra = TestDeb.of("corp-ca", "1", "all")
        .dir("/usr", 0755)
        .dir("/usr/share", 0755)
        .dir("/usr/share/ca-certificates", 0755)
        .dir(CA + "corp", 0755)
        .file(CA + "corp/Corp_Root.crt", pem("corp"), 0644);
    Map<String, Item> l = installAll(false, extra, ca);

    Item bundle = l.get(PackageInstaller.CA_BUNDLE.substring(1));
    assertEquals(TarEntry.Type.FILE, bundle.entry().type());
    assertEquals(0644, bundle.entry().mode());
    assertEquals(0, bundle.entry().uid());
    assertEquals(pem("corp") + pem("alpha")
        + "-----BEGIN CERTIFICATE-----\nmid\n-----END CERTIFICATE-----\n" + pem("zeta"),
        bundle.text());
    // as in distroless, the bundle carries the packaged certificates; other files stay
    assertFalse(l.containsKey(CA.substring(1) + "mozilla/Zeta_Root.crt"));
    // another package's certificate is in the bundle and stays a file too: only ca-certificates'
    // own files are folded
    assertEquals(pem("corp"), l.get(CA.substring(1) + "corp/Corp_Root.crt").text());
    assertEquals("not a certificate", l.get(CA.substring(1) + "mozilla/README").text());
  }

  @Test
  void caCertificateOfAnotherPackage_withoutCaCertificates_notLost() throws Exception {
    TestDeb notCa = TestDeb.of("corp-ca", "1", "all")
        .dir("/usr", 0755)
        .dir("/usr/share", 0755)
        .dir("/usr/share/ca-certificates", 0755)
        .dir(CA + "corp", 0755)
        .file(CA + "corp/Corp_Root.crt", pem("corp"), 0644);
    Map<String, Item> l = installAll(false, notCa);
    Item bundle = l.get(PackageInstaller.CA_BUNDLE.substring(1));
    Item cert = l.get(CA.substring(1) + "corp/Corp_Root.crt");
    // no update-ca-certificates without ca-certificates; but the packaged certificate must not
    // vanish: it is either kept as a file or carried by a bundle
    assertTrue(cert != null && cert.text().equals(pem("corp"))
        || bundle != null && bundle.text().contains(pem("corp")),
        "corp-ca's certificate is nowhere in the image: " + l.keySet());
  }

  @Test
  void twoPackagesShippingTheSameFile_badInput_namingPathAndBothPackages() throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    install(installer, tini());
    TestDeb clash = TestDeb.of("tini-static", "0.19.0-1", "amd64")
        .dir("/usr", 0755).dir("/usr/bin", 0755).file("/usr/bin/tini", "other tini", 0755);
    Path deb = deb(clash);
    PlinthException e = assertThrows(PlinthException.class,
        () -> installer.install(deb, what(deb)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    String m = e.getMessage();
    assertTrue(m.contains(what(deb)), m);
    assertTrue(m.contains("/usr/bin/tini"), m);
    assertTrue(m.contains("tini-static") && m.contains(" tini "), m);
  }

  @Test
  void twoPackagesShippingTheSameSymlink_badInput() throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    install(installer, tini());
    Path deb = deb(TestDeb.of("sysvinit-core", "3.06-4", "amd64")
        .dir("/usr", 0755).dir("/usr/bin", 0755).symlink("/usr/bin/init", "/lib/sysvinit/init"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> installer.install(deb, what(deb)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("/usr/bin/init"), e.getMessage());
  }

  @Test
  void twoPackagesSharingDirectories_fine() throws Exception {
    Map<String, Item> l = installAll(false, tini(),
        TestDeb.of("dumb-init", "1.2.5-2", "amd64")
            .dir("/usr", 0755).dir("/usr/bin", 0755).file("/usr/bin/dumb-init", "dumb", 0755));
    assertEquals("tini binary", l.get("usr/bin/tini").text());
    assertEquals("dumb", l.get("usr/bin/dumb-init").text());
  }

  @Test
  void symlinkFromOnePackage_fileThroughItFromAnother_badInput() throws Exception {
    // BAD-INPUTS 3 across packages: /opt/l -> /etc from one, /opt/l/evil from the next would
    // write into /etc
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    install(installer, TestDeb.of("linker", "1", "all").dir("/opt", 0755)
        .symlink("/opt/l", "/etc"));
    Path deb = deb(TestDeb.of("writer", "1", "all").dir("/opt", 0755).dir("/opt/l", 0755)
        .file("/opt/l/evil", "x", 0644));
    PlinthException e = assertThrows(PlinthException.class,
        () -> installer.install(deb, what(deb)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(what(deb)), e.getMessage());
    assertTrue(e.getMessage().contains("/opt/l"), e.getMessage());
  }

  @Test
  void hostileDeb_badInput_namingIt() throws Exception {
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    Path deb = deb(TestDeb.of("evil", "1", "all").entry(new TarEntry("./../../etc/passwd",
        TarEntry.Type.FILE, 0644, 0, 0, 1, null, 0), new byte[1]));
    PlinthException e = assertThrows(PlinthException.class,
        () -> installer.install(deb, what(deb)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(what(deb)), e.getMessage());
  }

  @Test
  void invalidPackageName_badInput() throws Exception {
    for (String name : List.of("Tini", "a", "../evil", "tini/x", "-tini")) {
      PackageInstaller installer = new PackageInstaller(new LayerBuilder(), work, false);
      TestDeb d = TestDeb.of("tini", "1", "all").field("Package", name);
      Path deb = dir.resolve("bad.deb");
      Files.write(deb, d.build());
      PlinthException e = assertThrows(PlinthException.class, () -> installer.install(deb,
          "bad.deb"), name);
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().contains("bad.deb"), e.getMessage());
    }
    PackageInstaller installer = new PackageInstaller(new LayerBuilder(), work, false);
    Path deb = dir.resolve("nopkg.deb");
    Files.write(deb, TestDeb.of("x", "1", "all").controlText("Version: 1\n").build());
    assertEquals(PlinthException.Kind.BAD_INPUT,
        assertThrows(PlinthException.class, () -> installer.install(deb, "nopkg.deb")).kind());
  }

  @Test
  void sameDebs_sameLayerBytes() throws Exception {
    List<String> digests = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      LayerBuilder b = new LayerBuilder();
      Path w = Files.createDirectories(dir.resolve("work" + run));
      PackageInstaller installer = new PackageInstaller(b, w, false);
      for (TestDeb d : List.of(tini(), tzdata())) {
        Path deb = deb(d);
        installer.install(deb, what(deb));
      }
      installer.finish();
      Layer l = b.build(dir.resolve("layers" + run), 315532800L, 6);
      digests.add(l.blob().descriptor().digest().toString());
    }
    assertEquals(digests.get(0), digests.get(1));
  }
}
