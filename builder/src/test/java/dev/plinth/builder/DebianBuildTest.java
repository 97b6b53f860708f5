package dev.plinth.builder;

import static dev.plinth.builder.PlinthBuildTest.config;
import static dev.plinth.builder.PlinthBuildTest.files;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.packageurl.PackageURL;
import dev.plinth.deb.DebianCopyright;
import dev.plinth.jvm.JavaSpec;
import dev.plinth.oci.Digest;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.spdx.tools.SpdxToolsHelper;
import org.spdx.tools.Verify;
import static org.junit.jupiter.api.Assertions.assertNull;
import dev.plinth.builder.PlinthBuildTest.Content;
import dev.plinth.deb.testing.TestDeb;
import dev.plinth.deb.testing.TestKeys;
import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Transports;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Builds images with Debian packages from a signed repository the test generates and serves on
 * 127.0.0.1: what lands in the image, the lock, the SBOM, and hostile repositories failing closed
 * without output.
 */
class DebianBuildTest {
  static final String CERT_A = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
  static final String CERT_B = "-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----";
  /** A machine-readable copyright file (DEP-5), as Debian's ca-certificates has. */
  static final String CA_COPYRIGHT = """
      Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
      Source: https://salsa.debian.org/debian/ca-certificates

      Files: *
      Copyright: 2003 Fumitoshi UKAI
      License: GPL-2+

      Files: mozilla/*
      Copyright: Mozilla Foundation
      License: MPL-2.0

      License: GPL-2+
       This program is free software.
      """;

  @TempDir Path tmp;
  TestRepo repo;
  Path cache;
  Map<String, String> debs = new java.util.HashMap<>();

  @BeforeEach
  void repository() throws Exception {
    repo = new TestRepo(tmp.resolve("repo")).suite("bookworm").codename("bookworm");
    cache = tmp.resolve("cache");
    add("all", TestDeb.of("ca-certificates", "20230311", "all")
        .field("Depends", "openssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0")
        .dir("/usr/share/ca-certificates/mozilla", 0755)
        .file("/usr/share/ca-certificates/mozilla/B.crt", CERT_B, 0644)
        .file("/usr/share/ca-certificates/mozilla/A.crt", CERT_A, 0644)
        .dir("/etc/ssl/certs", 0755)
        .file("/usr/share/doc/ca-certificates/copyright", CA_COPYRIGHT, 0644)
        .file("/usr/share/doc/ca-certificates/changelog.gz", "changes", 0644)
        .file("/usr/share/man/man8/update-ca-certificates.8.gz", "man", 0644));
    add("all", TestDeb.of("tzdata", "2024a-0+deb12u1", "all")
        .field("Depends", "debconf (>= 0.5) | debconf-2.0")
        .controlFile("md5sums", "0123456789abcdef0123456789abcdef  usr/share/zoneinfo/Etc/UTC\n"
            + "1123456789abcdef0123456789abcdef  usr/share/zoneinfo/right/America/New_York\n"
            + "2123456789abcdef0123456789abcdef  usr/share/doc/tzdata/changelog.gz\n")
        .file("/usr/share/zoneinfo/Etc/UTC", "TZif-utc", 0644)
        .file("/usr/share/zoneinfo/America/New_York", "TZif-ny", 0644)
        .file("/usr/share/zoneinfo/right/America/New_York", "TZif-right", 0644)
        .symlink("/usr/share/zoneinfo/UTC", "Etc/UTC"));
    for (String arch : List.of("amd64", "arm64")) {
      add(arch, TestDeb.of("zlib1g", "1:1.2.13.dfsg-1", arch)
          .file("/usr/lib/" + arch + "/libz.so.1", "zlib-" + arch, 0644));
      add(arch, TestDeb.of("libc6", "2.36-9", arch)
          .file("/usr/lib/" + arch + "/libc.so.6", "libc-" + arch, 0755));
      add(arch, TestDeb.of("tini", "0.19.0-1", arch)
          .field("Depends", "libc6 (>= 2.34)")
          .file("/usr/bin/tini", "tini-dynamic-" + arch, 0755)
          .file("/usr/bin/tini-static", "tini-static-" + arch, 0755)
          .file("/usr/share/doc/tini/copyright", "MIT", 0644));
      add(arch, TestDeb.of("openssl", "3.0.11-1", arch).field("Depends", "libc6")
          .file("/usr/bin/openssl", "openssl", 0755));
      add(arch, TestDeb.of("debconf", "1.5.82", "all")
          .file("/usr/bin/debconf", "debconf", 0755));
    }
  }

  private void add(String arch, TestDeb deb) throws Exception {
    debs.put(deb.fields().get("Package") + "/" + arch, repo.addPackage(arch, deb.fields(), deb.build()));
  }

  @AfterEach
  void close() {
    repo.close();
  }

  BuildSpec spec(List<String> packages, Path lock) throws Exception {
    java.net.URI base = repo.start();
    return BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withPackages(new BuildSpec.Packages(
        packages, List.of(), "bookworm", List.of("main"), base.toString(),
        List.of(repo.keyring()), lock));
  }

  Plinth.Options options() {
    return Plinth.Options.of(cache);
  }

  static String text(Map<String, Content> f, String path) {
    assertTrue(f.containsKey(path), path + " is in the image");
    return new String(f.get(path).bytes(), StandardCharsets.UTF_8);
  }

  @Test
  void caCertificatesAndTzdata_asAUserSeesThem() throws Exception {
    Path out = tmp.resolve("full.tar");
    BuildResult result = Plinth.build(spec(List.of("ca-certificates", "tzdata"), null),
        ImageRef.parse("oci-archive:" + out), options());
    ImageIndex r = Transports.local().read(ImageRef.parse("oci-archive:" + out));
    assertEquals(2, r.images().size());
    for (Image image : r.images()) {
      Map<String, Content> f = files(image);
      // The bundle is every packaged certificate in path order, each ending in a newline.
      assertEquals(CERT_A + CERT_B + "\n", text(f, "/etc/ssl/certs/ca-certificates.crt"));
      assertFalse(f.containsKey("/usr/share/ca-certificates/mozilla/A.crt"),
          "the bundle carries the certificates; they are not copied twice");
      assertEquals("TZif-ny", text(f, "/usr/share/zoneinfo/America/New_York"));
      assertEquals("Etc/UTC", f.get("/usr/share/zoneinfo/UTC").entry().linkTarget());
      assertFalse(f.containsKey("/usr/share/zoneinfo/right/America/New_York"), "no right/ tree");
      assertEquals(CA_COPYRIGHT, text(f, "/usr/share/doc/ca-certificates/copyright"));
      assertFalse(f.containsKey("/usr/share/doc/ca-certificates/changelog.gz"));
      assertFalse(f.containsKey("/usr/share/man/man8/update-ca-certificates.8.gz"));
      // Only maintainer scripts use openssl and debconf: they stay out.
      assertFalse(f.containsKey("/usr/bin/openssl"));
      assertFalse(f.containsKey("/usr/bin/debconf"));
      String status = text(f, "/var/lib/dpkg/status.d/tzdata");
      assertTrue(status.startsWith("Package: tzdata\nVersion: 2024a-0+deb12u1\n"), status);
      assertTrue(f.containsKey("/var/lib/dpkg/status.d/ca-certificates"));
      String osRelease = text(f, "/etc/os-release");
      assertTrue(osRelease.contains("\nID=debian\n") && osRelease.contains("VERSION_ID=\"12\""),
          osRelease);
      // The base is still there, below the packages.
      assertTrue(f.containsKey("/sbin/plinth-init"));
      JsonNode env = config(image).path("config").path("Env");
      assertTrue(env.toString().contains("\"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt\""),
          env.toString());
    }
    assertTrue(result.notes().stream().anyMatch(n -> n.startsWith("linux/amd64: 2 packages:")
        && n.contains("ca-certificates=20230311") && n.contains("tzdata=2024a-0+deb12u1")
        && n.contains("openssl") && n.contains("only maintainer scripts use it")), result.notes().toString());
  }

  @Test
  void tzdataRight_keptWhenAsked() throws Exception {
    Path out = tmp.resolve("right.tar");
    BuildSpec.Packages p = spec(List.of("tzdata"), null).packages();
    BuildSpec spec = BuildSpec.base(List.of(Platform.LINUX_AMD64)).withPackages(
        new BuildSpec.Packages(p.names(), p.exclude(), p.suite(), p.components(), p.mirror(),
            p.keyring(), null, true));
    Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options());
    Map<String, Content> f = files(Transports.local().read(ImageRef.parse("oci-archive:" + out))
        .images().get(0));
    assertEquals("TZif-right", text(f, "/usr/share/zoneinfo/right/America/New_York"));
  }

  @Test
  void sbom_perPlatform_nextToTheOutput() throws Exception {
    Path out = tmp.resolve("img.tar");
    BuildResult result = Plinth.build(spec(List.of("tzdata"), null),
        ImageRef.parse("oci-archive:" + out), options());
    Path amd = tmp.resolve("img.tar.linux-amd64.spdx.json");
    Path arm = tmp.resolve("img.tar.linux-arm64.spdx.json");
    assertEquals(List.of(amd, arm), result.sboms());
    JsonNode doc = Json.read(Files.readAllBytes(amd), "sbom");
    assertEquals("SPDX-2.3", doc.path("spdxVersion").asText());
    List<String> names = new ArrayList<>();
    doc.path("packages").forEach(p -> names.add(p.path("name").asText()));
    assertEquals(List.of("tzdata", "plinth-init"), names.subList(1, names.size()),
        "after the image's own package");
    JsonNode tz = doc.path("packages").get(1);
    assertEquals("2024a-0+deb12u1", tz.path("versionInfo").asText());
    assertEquals("pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
        tz.path("externalRefs").get(0).path("referenceLocator").asText());
    byte[] deb = Files.readAllBytes(repo.dir().resolve(debs.get("tzdata/all")));
    assertEquals(dev.plinth.oci.Digest.of(deb).hex(),
        tz.path("checksums").get(0).path("checksumValue").asText());
    assertEquals(result.images().get(0).manifest().toString(),
        doc.path("documentNamespace").asText().replace("urn:plinth:spdx:", ""));
  }

  @Test
  void tiniInit_takesOnlyTiniStatic_ofEachArchitecture() throws Exception {
    Path out = tmp.resolve("tini.tar");
    Plinth.build(spec(List.of(), null).withInit(BuildSpec.Init.TINI),
        ImageRef.parse("oci-archive:" + out), options());
    for (Image image : Transports.local().read(ImageRef.parse("oci-archive:" + out)).images()) {
      Map<String, Content> f = files(image);
      assertEquals("tini-static-" + image.platform().architecture(), text(f, "/usr/bin/tini-static"));
      assertFalse(f.containsKey("/usr/bin/tini"), "only tini-static");
      assertFalse(f.keySet().stream().anyMatch(p -> p.contains("libc.so")), "no libc6: " + f.keySet());
      assertFalse(f.containsKey("/sbin/plinth-init"));
      assertTrue(f.containsKey("/var/lib/dpkg/status.d/tini"));
      assertEquals("[\"/usr/bin/tini-static\",\"--\"]",
          config(image).path("config").path("Entrypoint").toString());
    }
  }

  @Test
  void lock_thenLockedBuild_isByteIdentical_andWorksOfflineFromTheCache() throws Exception {
    Path lockFile = tmp.resolve("plinth.lock");
    BuildSpec spec = spec(List.of("ca-certificates", "tini"), lockFile);
    Plinth.LockResult lr = Plinth.lock(spec, null, options());
    assertEquals(lockFile, lr.file());
    LockFile lock = LockFile.read(lockFile);
    List<String> amd = lock.platforms().get("linux/amd64").stream()
        .map(e -> e.name() + " " + e.version() + " " + e.architecture()).toList();
    assertEquals(List.of("ca-certificates 20230311 all", "libc6 2.36-9 amd64", "tini 0.19.0-1 amd64"), amd);
    LockFile.Entry tini = lock.platforms().get("linux/arm64").get(2);
    assertEquals(debs.get("tini/arm64"), tini.filename());
    assertEquals(dev.plinth.oci.Digest.of(Files.readAllBytes(repo.dir().resolve(tini.filename()))),
        tini.sha256());

    Path one = tmp.resolve("one.tar");
    BuildResult first = Plinth.build(spec, ImageRef.parse("oci-archive:" + one), options().withLocked(true));
    assertTrue(first.notes().contains("packages: as locked in " + lockFile), first.notes().toString());
    repo.close(); // offline: every .deb is in the cache
    Path two = tmp.resolve("two.tar");
    Plinth.build(spec, ImageRef.parse("oci-archive:" + two), options().withLocked(true));
    assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
  }

  @Test
  void locked_withAStaleLock_failsNamingIt_andWritesNothing() throws Exception {
    Path lockFile = tmp.resolve("plinth.lock");
    Plinth.lock(spec(List.of("tzdata"), lockFile), null, options());
    Path out = tmp.resolve("out.tar");
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        spec(List.of("tzdata", "ca-certificates"), lockFile),
        ImageRef.parse("oci-archive:" + out), options().withLocked(true)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(lockFile.toString()) && e.getMessage().contains("plinth lock"),
        e.getMessage());
    assertFalse(Files.exists(out));
    // Without --locked the build resolves afresh and says so.
    BuildResult r = Plinth.build(spec(List.of("tzdata", "ca-certificates"), lockFile),
        ImageRef.parse("oci-archive:" + out), options());
    assertTrue(r.notes().get(0).contains("resolved afresh"), r.notes().toString());
    assertTrue(Files.exists(out));
  }

  @Test
  void lockedDeb_changedOnTheMirror_failsWithBothHashes_andWritesNothing() throws Exception {
    Path lockFile = tmp.resolve("plinth.lock");
    BuildSpec spec = spec(List.of("tzdata"), lockFile);
    Plinth.lock(spec, null, options());
    repo.tamper(debs.get("tzdata/all"));
    Path out = tmp.resolve("out.tar");
    PlinthException e = assertThrows(PlinthException.class,
        () -> Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    String hex = LockFile.read(lockFile).platforms().get("linux/amd64").get(0).sha256().hex();
    assertTrue(e.getMessage().contains(debs.get("tzdata/all")) && e.getMessage().contains(hex),
        e.getMessage());
    assertFalse(Files.exists(out));
    assertNoBlobNamed(hex);
  }

  @Test
  void signedByAStranger_failsClosed_andWritesNothing() throws Exception {
    Path trusted = Files.write(tmp.resolve("archive.gpg"), TestKeys.archive().keyring());
    repo.signedBy(TestKeys.stranger());
    repo.start();
    BuildSpec spec = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withPackages(
        new BuildSpec.Packages(List.of("tzdata"), List.of(), "bookworm", List.of("main"),
            repo.base().toString(), List.of(trusted), null));
    Path out = tmp.resolve("out.tar");
    PlinthException e = assertThrows(PlinthException.class,
        () -> Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("InRelease"), e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void hostileDataTar_failsClosed_namingThePackage() throws Exception {
    TestDeb evil = TestDeb.of("evil", "1.0", "all").dataTar(TestDeb.tar(
        TestDeb.tarHeader("./etc/", '5', 0755, 0, null),
        TestDeb.tarHeader("./etc/link", '2', 0777, 0, "../../../../tmp")));
    add("all", evil);
    Path out = tmp.resolve("out.tar");
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        spec(List.of("evil"), null), ImageRef.parse("oci-archive:" + out), options()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(debs.get("evil/all")) && e.getMessage().contains("/etc/link"),
        e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void unknownPackage_isNotFound_namingItAndThePlatform() throws Exception {
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        spec(List.of("no-such-package"), null),
        ImageRef.parse("oci-archive:" + tmp.resolve("o.tar")), options()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("no-such-package") && e.getMessage().contains("linux/amd64"),
        e.getMessage());
  }

  private void assertNoBlobNamed(String hex) throws Exception {
    try (Stream<Path> s = Files.walk(cache)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().equals(hex)),
          "no cache entry under the locked digest");
    }
  }

  @Test
  void platformKeys_andDebianArchitectures() throws Exception {
    assertEquals("arm64", dev.plinth.deb.Architectures.debian(Platform.LINUX_ARM64));
    assertEquals("armhf", dev.plinth.deb.Architectures.debian(Platform.parse("linux/arm/v7")));
    assertEquals("linux/arm64", DebianPackages.key(Platform.LINUX_ARM64));
    assertNotNull(BaseFilesystem.debianOsRelease("trixie"));
  }

  // What scanners (trivy, grype, syft) read: status.d with md5sums, the SPDX document (every
  // package, the image, licenses), purls valid by the purl spec's library, Verify by SPDX tools.

  /** A jar as Maven builds it: its pom.properties under META-INF/maven. */
  static void mavenJar(Path jar, String group, String artifact, String version)
      throws Exception {
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out)) {
      j.putNextEntry(new JarEntry("META-INF/maven/" + group + "/" + artifact
          + "/pom.properties"));
      j.write(("groupId=" + group + "\nartifactId=" + artifact + "\nversion=" + version + "\n")
          .getBytes(StandardCharsets.UTF_8));
      j.closeEntry();
      j.putNextEntry(new JarEntry(artifact.replace('-', '_') + "/A.class"));
      j.write(new byte[] {(byte) 0xca, (byte) 0xfe});
      j.closeEntry();
    }
  }

  /** Debian packages and a Java app with two Maven jars (Jetty, slf4j). */
  private BuildSpec javaApp() throws Exception {
    Path app = TestProjects.write(tmp.resolve("app"), Map.of(
        "classes/demo/Main.class", "class bytes", "jre/bin/java", "#!/bin/sh\n"));
    Path jetty = app.resolve("jetty-server-12.0.15.jar");
    mavenJar(jetty, "org.eclipse.jetty", "jetty-server", "12.0.15");
    Path slf4j = app.resolve("slf4j-api-2.0.16.jar");
    mavenJar(slf4j, "org.slf4j", "slf4j-api", "2.0.16");
    return spec(List.of("ca-certificates", "tzdata", "zlib1g"), null)
        .withJava(new JavaSpec(null, "demo.Main", List.of(app.resolve("classes"), jetty, slf4j),
            17, List.of(), List.of(), null, "bookworm", app.resolve("jre")));
  }

  @Test
  void debianPackagesAndJavaApp_allInTheSbom_validBySpdxVerify_purlsParse() throws Exception {
    BuildSpec spec = javaApp();
    Path jetty = tmp.resolve("app/jetty-server-12.0.15.jar");
    Path out = tmp.resolve("img.tar");
    BuildResult result = Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options());

    Path sbom = tmp.resolve("img.tar.linux-amd64.spdx.json");
    org.spdx.library.SpdxModelFactory.init();
    List<String> problems = Verify.verify(sbom.toString(), SpdxToolsHelper.SerFileType.JSON);
    assertEquals(List.of(), problems, Files.readString(sbom));
    AttestationsTest.checkBuild(result, tmp, jetty); // the SBOM and provenance statements

    JsonNode doc = Json.read(Files.readAllBytes(sbom), "sbom");
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode p : doc.path("packages")) {
      byName.put(p.path("name").asText(), p);
      String purl = p.path("externalRefs").get(0).path("referenceLocator").asText();
      PackageURL parsed = new PackageURL(purl); // throws on a purl the spec does not allow
      assertEquals(p.path("versionInfo").asText(), parsed.getVersion(), purl);
    }
    // The Debian epoch's colon is not percent-encoded (purl spec); the + is.
    String zlib = byName.get("zlib1g").path("externalRefs").get(0).path("referenceLocator")
        .asText();
    assertEquals("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12", zlib);
    assertEquals("pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
        byName.get("tzdata").path("externalRefs").get(0).path("referenceLocator").asText());
    // The app's jars as Maven packages, checksummed.
    JsonNode jettyPkg = byName.get("jetty-server");
    assertEquals("pkg:maven/org.eclipse.jetty/jetty-server@12.0.15",
        jettyPkg.path("externalRefs").get(0).path("referenceLocator").asText());
    assertEquals(Digest.of(jetty).hex(),
        jettyPkg.path("checksums").get(0).path("checksumValue").asText());
    assertTrue(byName.containsKey("slf4j-api"), byName.keySet().toString());
    assertTrue(byName.containsKey("plinth-init"), byName.keySet().toString());
    // Licenses from Debian's machine-readable copyright; NOASSERTION where there is none.
    assertEquals("GPL-2.0-or-later AND MPL-2.0",
        byName.get("ca-certificates").path("licenseDeclared").asText());
    assertEquals("NOASSERTION", byName.get("tzdata").path("licenseDeclared").asText());
    // The image itself: described by the document, containing every other package.
    JsonNode image = doc.path("packages").get(0);
    assertEquals("SPDXRef-Image", image.path("SPDXID").asText());
    String manifest = result.images().get(0).manifest().toString();
    assertEquals(manifest, image.path("versionInfo").asText());
    assertEquals("pkg:oci/" + image.path("name").asText() + "@" + manifest + "?arch=amd64",
        image.path("externalRefs").get(0).path("referenceLocator").asText());
    int contains = 0;
    for (JsonNode r : doc.path("relationships")) {
      String type = r.path("relationshipType").asText();
      if (type.equals("DESCRIBES")) {
        assertEquals("SPDXRef-Image", r.path("relatedSpdxElement").asText());
      } else {
        assertEquals("CONTAINS", type);
        assertEquals("SPDXRef-Image", r.path("spdxElementId").asText());
        contains++;
      }
    }
    assertEquals(doc.path("packages").size() - 1, contains);

    // status.d: each package's control file and the md5sums of its files in the image.
    Map<String, Content> f = files(Transports.local().read(ImageRef.parse("oci-archive:" + out))
        .images().stream().filter(i -> i.platform().equals(Platform.LINUX_AMD64)).findFirst()
        .orElseThrow());
    assertTrue(f.containsKey("/var/lib/dpkg/status.d/zlib1g"));
    assertEquals("0123456789abcdef0123456789abcdef  usr/share/zoneinfo/Etc/UTC\n",
        text(f, "/var/lib/dpkg/status.d/tzdata.md5sums"),
        "only files that are in the image (no right/ tree, no changelog)");
    assertFalse(f.containsKey("/var/lib/dpkg/status.d/ca-certificates.md5sums"),
        "a package without md5sums gets none");
  }

  @Test
  void cycloneDx_samePackagesAsSpdx_validBySchema_reproducible() throws Exception {
    BuildSpec spec = javaApp().withSbom(
        List.of(BuildSpec.SbomFormat.SPDX, BuildSpec.SbomFormat.CYCLONEDX));
    Path out = tmp.resolve("img.tar");
    BuildResult result = Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options());
    Path cdx = tmp.resolve("img.tar.linux-amd64.cdx.json");
    Path spdx = tmp.resolve("img.tar.linux-amd64.spdx.json");
    assertEquals(List.of(spdx, cdx, tmp.resolve("img.tar.linux-arm64.spdx.json"),
        tmp.resolve("img.tar.linux-arm64.cdx.json")), result.sboms());
    byte[] bytes = Files.readAllBytes(cdx);
    List<org.cyclonedx.exception.ParseException> problems = new org.cyclonedx.parsers.JsonParser()
        .validate(bytes, org.cyclonedx.Version.VERSION_16);
    assertEquals(List.of(), problems.stream().map(Exception::getMessage).toList(),
        new String(bytes, StandardCharsets.UTF_8));
    assertFalse(new org.cyclonedx.parsers.JsonParser().validate(new String(bytes,
        StandardCharsets.UTF_8).replace("\"container\"", "\"box\""),
        org.cyclonedx.Version.VERSION_16).isEmpty(), "the validator does check");

    // The same packages (by purl) as the SPDX document, every purl valid by the spec.
    JsonNode doc = Json.read(bytes, "cdx");
    JsonNode spdxDoc = Json.read(Files.readAllBytes(spdx), "spdx");
    java.util.Set<String> spdxPurls = new java.util.TreeSet<>();
    spdxDoc.path("packages").forEach(p -> spdxPurls.add(
        p.path("externalRefs").get(0).path("referenceLocator").asText()));
    java.util.Set<String> cdxPurls = new java.util.TreeSet<>();
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode c : doc.path("components")) {
      cdxPurls.add(c.path("purl").asText());
      new PackageURL(c.path("purl").asText());
      byName.put(c.path("name").asText(), c);
    }
    JsonNode image = doc.path("metadata").path("component");
    assertEquals("container", image.path("type").asText());
    String manifest = result.images().get(0).manifest().toString();
    assertEquals(manifest, image.path("version").asText());
    new PackageURL(image.path("purl").asText());
    cdxPurls.add(image.path("purl").asText());
    assertEquals(spdxPurls, cdxPurls);
    assertEquals("GPL-2.0-or-later AND MPL-2.0",
        byName.get("ca-certificates").path("licenses").get(0).path("expression").asText());
    assertEquals("org.eclipse.jetty", byName.get("jetty-server").path("group").asText());
    assertEquals(Digest.of(tmp.resolve("app/jetty-server-12.0.15.jar")).hex(),
        byName.get("jetty-server").path("hashes").get(0).path("content").asText());
    assertEquals("application", byName.get("plinth-init").path("type").asText());
    // The image depends on every component.
    JsonNode deps = doc.path("dependencies").get(0);
    assertEquals(image.path("bom-ref").asText(), deps.path("ref").asText());
    assertEquals(doc.path("components").size(), deps.path("dependsOn").size());
    // Reproducible: the time is the build's, the serial number comes from the content.
    assertEquals(Plinth.iso(options().createdSeconds()),
        doc.path("metadata").path("timestamp").asText());
    Files.delete(cdx);
    Plinth.build(spec, ImageRef.parse("oci-archive:" + tmp.resolve("again.tar")), options());
    assertArrayEquals(bytes, Files.readAllBytes(tmp.resolve("again.tar.linux-amd64.cdx.json")));
    assertTrue(doc.path("serialNumber").asText().matches(
        "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
  }

  @Test
  void sbomFormats_cyclonedxAlone_noSpdxFile() throws Exception {
    BuildSpec spec = spec(List.of("tzdata"), null).withSbom(List.of(BuildSpec.SbomFormat.CYCLONEDX));
    BuildResult result = Plinth.build(spec.withPlatforms(List.of(Platform.LINUX_ARM64)),
        ImageRef.parse("oci-archive:" + tmp.resolve("c.tar")), options());
    assertEquals(List.of(tmp.resolve("c.tar.linux-arm64.cdx.json")), result.sboms());
    assertFalse(Files.exists(tmp.resolve("c.tar.linux-arm64.spdx.json")));
  }

  @Test
  void debianLicense_fromMachineReadableCopyrightOnly() {
    assertEquals("GPL-2.0-or-later AND MPL-2.0",
        DebianCopyright.license(CA_COPYRIGHT.getBytes(StandardCharsets.UTF_8)));
    assertNull(DebianCopyright.license(
        "This is zlib, by Jean-loup Gailly.\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals("(BSD-3-Clause AND MIT) OR LicenseRef-public-domain",
        DebianCopyright.license(("Format: https://www.debian.org/doc/"
            + "packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\n"
            + "License: BSD-3-clause and Expat or public-domain\n")
            .getBytes(StandardCharsets.UTF_8)));
  }
}
