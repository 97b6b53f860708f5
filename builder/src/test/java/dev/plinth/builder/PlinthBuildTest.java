package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Transports;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builds real images through the facade and checks what a user of the image would see. */
class PlinthBuildTest {
  @TempDir Path tmp;

  /** Options of no environment, with a cache of the test's own (not the user's). */
  private Plinth.Options options() {
    return Plinth.Options.of(tmp.resolve("cache"));
  }

  record Content(TarEntry entry, byte[] bytes) {}

  static Map<String, Content> files(Image image) throws Exception {
    Map<String, Content> all = new LinkedHashMap<>();
    for (Layer l : image.layers()) {
      try (InputStream in = l.openUncompressed()) {
        TarReader r = new TarReader(in, "layer");
        for (TarEntry e; (e = r.next()) != null; ) {
          all.put("/" + e.name().replaceAll("/$", ""), new Content(e, r.content().readAllBytes()));
        }
      }
    }
    return all;
  }

  static JsonNode config(Image image) throws Exception {
    return Json.read(image.config().readAllBytes(), "config");
  }

  private ImageIndex buildBase(String ref, Plinth.Options options) throws Exception {
    Plinth.build(BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS), ImageRef.parse(ref), options);
    return Transports.local().read(ImageRef.parse(ref));
  }

  @Test
  void base_hasTheStandardHierarchy_ownersAndModes() throws Exception {
    ImageIndex r = buildBase("oci-archive:" + tmp.resolve("base.tar"), options());
    assertEquals(MediaTypes.OCI_INDEX, r.top().mediaType());
    assertEquals(List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
        r.images().stream().map(Image::platform).toList());
    for (Image image : r.images()) {
      Map<String, Content> f = files(image);
      assertEquals(List.of("/bin", "/etc", "/etc/group", "/etc/nsswitch.conf", "/etc/os-release",
          "/etc/passwd", "/home", "/home/nonroot", "/root", "/sbin", "/sbin/nologin",
          "/sbin/plinth-init", "/tmp", "/var", "/var/tmp"), List.copyOf(f.keySet()));
      assertMode(f, "/tmp", 01777, 0, 0);
      assertMode(f, "/var/tmp", 01777, 0, 0);
      assertMode(f, "/home/nonroot", 0750, 65532, 65532);
      assertMode(f, "/root", 0700, 0, 0);
      assertMode(f, "/sbin/plinth-init", 0755, 0, 0);
      assertMode(f, "/sbin/nologin", 0755, 0, 0);
      assertEquals(BaseFilesystem.PASSWD, text(f, "/etc/passwd"));
      assertTrue(text(f, "/etc/group").contains("nonroot:x:65532:"));
      assertTrue(text(f, "/etc/os-release").contains("ID=plinth"));
      int machine = image.platform().elfMachine();
      assertEquals(machine, elfMachine(f.get("/sbin/plinth-init").bytes()), image.platform() + " init");
      assertEquals(machine, elfMachine(f.get("/sbin/nologin").bytes()), image.platform() + " nologin");
      long fileBytes = f.values().stream().mapToLong(c -> c.bytes().length).sum();
      assertTrue(fileBytes < 8192, "init + nologin + config files are " + fileBytes + " bytes");
      for (Content c : f.values()) {
        assertEquals(0, c.entry().mtime(), c.entry().name());
      }
    }
  }

  @Test
  void base_configRunsInitAsNonroot() throws Exception {
    ImageIndex r = buildBase("oci:" + tmp.resolve("layout") + ":v1", options());
    for (Image image : r.images()) {
      JsonNode c = config(image);
      assertEquals(image.platform().architecture(), c.path("architecture").asText());
      assertEquals("1970-01-01T00:00:00Z", c.path("created").asText());
      JsonNode cc = c.path("config");
      assertEquals("65532:65532", cc.path("User").asText());
      assertEquals("[\"/sbin/plinth-init\",\"--\"]", cc.path("Entrypoint").toString());
      assertEquals("/home/nonroot", cc.path("WorkingDir").asText());
      List<String> env = new ArrayList<>();
      cc.path("Env").forEach(e -> env.add(e.asText()));
      assertEquals(List.of("HOME=/home/nonroot", "PATH=" + ImageConfigs.PATH, "USER=nonroot"), env);
      assertEquals("1970-01-01T00:00:00Z",
          cc.path("Labels").path("org.opencontainers.image.created").asText());
      assertEquals(1, c.path("history").size());
    }
  }

  @Test
  void buildTwice_sameBytes() throws Exception {
    Path a = tmp.resolve("a.tar");
    Path b = tmp.resolve("b.tar");
    buildBase("oci-archive:" + a, options());
    buildBase("oci-archive:" + b, options());
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    Path d1 = tmp.resolve("d1.tar");
    Path d2 = tmp.resolve("d2.tar");
    BuildSpec one = BuildSpec.base(List.of(Platform.LINUX_ARM64));
    Plinth.build(one, ImageRef.parse("docker-archive:" + d1 + ":plinth/base:1"), options());
    Plinth.build(one, ImageRef.parse("docker-archive:" + d2 + ":plinth/base:1"), options());
    assertArrayEquals(Files.readAllBytes(d1), Files.readAllBytes(d2));
  }

  @Test
  void newSourceDateEpoch_changesOnlyTimestamps() throws Exception {
    Image zero = buildBase("oci-archive:" + tmp.resolve("0.tar"), options())
        .images().get(0);
    Image later = buildBase("oci-archive:" + tmp.resolve("1.tar"), options().withEpochSeconds(1700000000).withGzipLevel(9))
        .images().get(0);
    assertNotEquals(zero.manifest().descriptor().digest(), later.manifest().descriptor().digest());
    Map<String, Content> f0 = files(zero);
    Map<String, Content> f1 = files(later);
    assertEquals(f0.keySet(), f1.keySet());
    for (String path : f0.keySet()) {
      TarEntry e0 = f0.get(path).entry();
      TarEntry e1 = f1.get(path).entry();
      assertEquals(1700000000, e1.mtime(), path);
      assertEquals(new TarEntry(e0.name(), e0.type(), e0.mode(), e0.uid(), e0.gid(), e0.size(),
          e0.linkTarget(), e1.mtime()), e1, path);
      assertArrayEquals(f0.get(path).bytes(), f1.get(path).bytes(), path);
    }
    String c0 = new String(zero.config().readAllBytes(), StandardCharsets.UTF_8)
        .replace("1970-01-01T00:00:00Z", "T").replaceAll("sha256:[0-9a-f]{64}", "D");
    String c1 = new String(later.config().readAllBytes(), StandardCharsets.UTF_8)
        .replace("2023-11-14T22:13:20Z", "T").replaceAll("sha256:[0-9a-f]{64}", "D");
    assertEquals(c0, c1, "configs differ only in times and the layer digest");
  }

  @Test
  void filesAndOptions_fromPlinthYaml() throws Exception {
    Path yaml = TestProjects.demo(tmp.resolve("proj"), "arbitraryUser: true\n");
    BuildSpec spec = PlinthYaml.load(yaml);
    Path out = tmp.resolve("demo.tar");
    BuildResult result = Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options());
    assertEquals(2, result.images().size());
    ImageIndex r = Transports.local().read(ImageRef.parse("oci-archive:" + out));
    for (Image image : r.images()) {
      assertEquals(2, image.layers().size(), "base layer + files layer");
      Map<String, Content> f = files(image);
      assertEquals(image.platform().architecture() + " app", text(f, "/app/server"));
      assertMode(f, "/app/server", 0755, 0, 0);
      assertMode(f, "/app/static/css/site.css", 0644, 65532, 65532);
      assertEquals("css/site.css", f.get("/app/static/latest.css").entry().linkTarget());
      assertMode(f, "/home/nonroot", 0770, 65532, 0);
      JsonNode cc = config(image).path("config");
      assertEquals("[\"/sbin/plinth-init\",\"-g\",\"-e\",\"143\",\"--\",\"/app/server\"]",
          cc.path("Entrypoint").toString());
      assertEquals("[\"--port\",\"8080\"]", cc.path("Cmd").toString());
      assertTrue(cc.path("Env").toString().contains("\"HOME=/app\""));
      assertTrue(cc.path("Env").toString().contains("\"LOGLEVEL=debug\""));
      assertTrue(cc.path("ExposedPorts").has("8080/tcp"));
      assertEquals("SIGINT", cc.path("StopSignal").asText());
      assertEquals("demo", cc.path("Labels").path("org.opencontainers.image.title").asText());
      JsonNode manifest = Json.read(image.manifest().readAllBytes(), "manifest");
      assertEquals("git", manifest.path("annotations").path("org.opencontainers.image.source").asText());
    }
  }

  @Test
  void damagedLayerInTheCache_isFound_removed_andBuiltAgain_sameImage() throws Exception {
    Path dir = tmp.resolve("app");
    Files.createDirectories(dir.resolve("classes/demo"));
    Files.writeString(dir.resolve("classes/demo/Main.class"), "class bytes");
    Files.createDirectories(dir.resolve("jre/bin"));
    // A runtime big enough to be compressed in parallel blocks.
    byte[] lib = new byte[9 << 20];
    new java.util.Random(3).nextBytes(lib);
    Files.write(dir.resolve("jre/lib.so"), lib);
    Files.writeString(dir.resolve("jre/bin/java"), "#!/bin/sh\n");
    Files.writeString(dir.resolve("plinth.yaml"), """
        name: demo
        platforms: [linux/amd64]
        java: {mainClass: demo.Main, classpath: [classes], runtime: jre}
        """);
    BuildSpec spec = PlinthYaml.load(dir.resolve("plinth.yaml"));
    Plinth.Options options = options();
    Path first = tmp.resolve("first.tar");
    Plinth.build(spec, ImageRef.parse("oci-archive:" + first), options);
    Path blobs = tmp.resolve("cache/layers/blobs/sha256");
    Path biggest;
    try (Stream<Path> s = Files.list(blobs)) {
      biggest = s.max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    byte[] b = Files.readAllBytes(biggest);
    b[b.length / 2] ^= 0x40;
    Files.write(biggest, b);
    Path second = tmp.resolve("second.tar");
    BuildResult r = Plinth.build(spec, ImageRef.parse("oci-archive:" + second), options);
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second), "the same image");
    assertTrue(String.join("\n", r.notes()).contains("damaged"), r.notes().toString());
    ImageIndex read = Transports.local().read(ImageRef.parse("oci-archive:" + second));
    assertArrayEquals(lib, files(read.images().get(0)).get("/opt/java/openjdk/lib.so").bytes());
    // The cache holds the right bytes again: a third build is a plain hit.
    BuildResult third = Plinth.build(spec, ImageRef.parse("oci-archive:" + tmp.resolve("3.tar")),
        options);
    assertFalse(String.join("\n", third.notes()).contains("damaged"), third.notes().toString());
  }

  @Test
  void failedBuild_leavesThePreviousOutputIntact_andNoTempFiles() throws Exception {
    Path out = tmp.resolve("out/base.tar");
    buildBase("oci-archive:" + out, options());
    byte[] before = Files.readAllBytes(out);
    Files.writeString(tmp.resolve("plinth.yaml"), "files:\n  - {src: \"missing-${arch}\", dest: /x}\n");
    BuildSpec spec = PlinthYaml.load(tmp.resolve("plinth.yaml"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> Plinth.build(spec, ImageRef.parse("oci-archive:" + out), options()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("plinth.yaml:2: src: ") && e.getMessage().contains("missing-amd64"),
        e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(out));
    try (Stream<Path> s = Files.list(out.getParent())) {
      assertEquals(List.of(out), s.toList());
    }
    Path layout = tmp.resolve("layout");
    PlinthException e2 = assertThrows(PlinthException.class,
        () -> Plinth.build(spec, ImageRef.parse("oci:" + layout), options()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e2.kind());
    assertFalse(Files.exists(layout), "nothing written for a failed build");
  }

  @Test
  void dockerArchive_ofTwoPlatforms_isAUsageErrorBeforeBuilding() {
    Path out = tmp.resolve("d.tar");
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS), ImageRef.parse("docker-archive:" + out),
        options()));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().contains("--platform"), e.getMessage());
    assertFalse(Files.exists(out));
  }

  @Test
  void customInit_isCheckedForArchitectureAndStaticLinking() throws Exception {
    // plinth's own amd64 init, offered as the arm64 init too: the wrong machine.
    Path initDir = tmp.resolve("init");
    Files.createDirectories(initDir);
    byte[] amd64 = NativeBinaries.init(Platform.LINUX_AMD64);
    Files.write(initDir.resolve("init-amd64"), amd64);
    Files.write(initDir.resolve("init-arm64"), amd64);
    BuildSpec spec = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withInit(new BuildSpec.Init(
        BuildSpec.Init.Kind.CUSTOM, initDir + "/init-${arch}", false, List.of(), List.of("--")));
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(spec,
        ImageRef.parse("oci-archive:" + tmp.resolve("x.tar")), options()));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("init-arm64") && e.getMessage().contains("x86-64")
        && e.getMessage().contains("linux/arm64"), e.getMessage());
    // The right binaries pass, and sit at /sbin/init.
    Files.write(initDir.resolve("init-arm64"), NativeBinaries.init(Platform.LINUX_ARM64));
    Plinth.build(spec, ImageRef.parse("oci-archive:" + tmp.resolve("x.tar")), options());
    Image arm = Transports.local().read(ImageRef.parse("oci-archive:" + tmp.resolve("x.tar"))).images().get(1);
    assertTrue(files(arm).containsKey("/sbin/init"));
    assertEquals("[\"/sbin/init\",\"--\"]", config(arm).path("config").path("Entrypoint").toString());
    // A dynamically linked program is refused.
    Files.copy(Path.of("/bin/true"), initDir.resolve("init-amd64"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    PlinthException dyn = assertThrows(PlinthException.class, () -> Plinth.build(
        spec.withPlatforms(List.of(Platform.LINUX_AMD64)),
        ImageRef.parse("oci-archive:" + tmp.resolve("y.tar")), options()));
    assertTrue(dyn.getMessage().contains("dynamically linked"), dyn.getMessage());
  }

  @Test
  void scratchWithoutInit_hasOnlyTheFiles_andTheAppAsEntrypoint() throws Exception {
    Files.writeString(tmp.resolve("app"), "x");
    Files.writeString(tmp.resolve("plinth.yaml"),
        "base: scratch\ninit: none\nplatforms: [linux/amd64]\nfiles: [{src: app, dest: /app}]\nentrypoint: [/app]\n");
    Path out = tmp.resolve("s.tar");
    Plinth.build(PlinthYaml.load(tmp.resolve("plinth.yaml")), ImageRef.parse("oci-archive:" + out),
        options());
    ImageIndex r = Transports.local().read(ImageRef.parse("oci-archive:" + out));
    assertEquals(MediaTypes.OCI_MANIFEST, r.top().mediaType(), "one platform: a lone manifest");
    Image image = r.images().get(0);
    assertEquals(List.of("/app"), List.copyOf(files(image).keySet()));
    assertEquals("[\"/app\"]", config(image).path("config").path("Entrypoint").toString());
  }

  private static void assertMode(Map<String, Content> f, String path, int mode, long uid, long gid) {
    TarEntry e = f.get(path).entry();
    assertEquals(Integer.toOctalString(mode), Integer.toOctalString(e.mode()), path + " mode");
    assertEquals(uid, e.uid(), path + " uid");
    assertEquals(gid, e.gid(), path + " gid");
  }

  private static String text(Map<String, Content> f, String path) {
    return new String(f.get(path).bytes(), StandardCharsets.UTF_8);
  }

  private static int elfMachine(byte[] elf) {
    assertEquals(0x7f, elf[0]);
    return ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).getShort(18) & 0xffff;
  }
}
