package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers and readers of OCI layouts and archives, round trip and against hostile input. */
class ImageIoTest {
  @TempDir Path tmp;

  private ImageIndex twoPlatforms() throws Exception {
    return ImageIndex.of(twoPlatformImages(tmp.resolve("work")), Map.of());
  }

  /**
   * An image for linux/amd64 and one for linux/arm64, each of one layer holding /hello (its
   * architecture's name); layers are built in {@code work}.
   */
  static List<Image> twoPlatformImages(Path work) throws Exception {
    List<Image> images = new ArrayList<>();
    for (Platform p : List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64)) {
      Layer l = new LayerBuilder().file("/hello", p.architecture().getBytes(), 0644, 0, 0)
          .build(work, 0, 9);
      String config = "{\"architecture\":\"" + p.architecture() + "\",\"os\":\"linux\","
          + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + l.diffId() + "\"]}}";
      images.add(Image.of(p, Blob.of(MediaTypes.OCI_CONFIG, config.getBytes()), List.of(l),
          Map.of()));
    }
    return images;
  }

  @Test
  void looselyWrittenConfig_isStillReadAndCopied_asSkopeoDoes_butParseNamesTheField()
      throws Exception {
    Layer l = new LayerBuilder().file("/hello", "x".getBytes(), 0644, 0, 0).build(tmp, 0, 9);
    String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"User\":7},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + l.diffId() + "\"]}}";
    Image image = Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, config.getBytes()),
        List.of(l), Map.of());
    Path a = tmp.resolve("loose.tar");
    ArchiveWriter.writeOciArchive(a, "v1", ImageIndex.of(List.of(image), Map.of()), 0);
    ImageIndex r = Transports.local().read(ImageRef.parse("oci-archive:" + a + ":v1"));
    assertEquals(image.manifest().descriptor().digest(), r.top().digest());
    Path b = tmp.resolve("copy.tar");
    ArchiveWriter.writeOciArchive(b, "v1", r, 0);
    assertEquals(image.manifest().descriptor().digest(), Transports.local()
        .read(ImageRef.parse("oci-archive:" + b + ":v1")).top().digest());
    PlinthException e = assertThrows(PlinthException.class,
        () -> ImageConfig.parse(config.getBytes(), "loose config"));
    assertTrue(e.getMessage().contains("User"), e.getMessage());
  }

  @Test
  void ociArchive_roundTrips_andIsByteIdenticalWhenRewritten() throws Exception {
    ImageIndex index = twoPlatforms();
    Path a = tmp.resolve("a.tar");
    Path b = tmp.resolve("b.tar");
    ArchiveWriter.writeOciArchive(a, "v1", index, 0);
    ArchiveWriter.writeOciArchive(b, "v1", index, 0);
    assertEquals(Digest.of(Files.readAllBytes(a)), Digest.of(Files.readAllBytes(b)));
    ImageIndex r = Transports.local().read(ImageRef.parse("oci-archive:" + a + ":v1"));
    assertEquals(MediaTypes.OCI_INDEX, r.top().mediaType());
    assertEquals(index.index().descriptor().digest(), r.top().digest());
    assertEquals(2, r.images().size());
    assertEquals(Platform.LINUX_ARM64, r.images().get(1).platform());
    try (InputStream in = r.images().get(1).layers().get(0).openUncompressed()) {
      TarReader t = new TarReader(in, "layer");
      assertEquals("hello", t.next().name());
      assertEquals("arm64", new String(t.content().readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void ociLayout_keepsOtherTags_andReplacesItsOwn() throws Exception {
    ImageIndex index = twoPlatforms();
    Path dir = tmp.resolve("layout");
    OciLayoutWriter.write(dir, "one", index);
    OciLayoutWriter.write(dir, "two", index);
    OciLayoutWriter.write(dir, "two", index);
    JsonNode idx = Json.read(Files.readAllBytes(dir.resolve("index.json")), "index.json");
    assertEquals(2, idx.get("manifests").size());
    assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(dir.resolve("oci-layout")));
    assertEquals(2, Transports.local().read(ImageRef.parse("oci:" + dir + ":two")).images().size());
    PlinthException none = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("oci:" + dir + ":three")));
    assertTrue(none.getMessage().contains("tags: one, two"), none.getMessage());
    // one image under both tags: the untagged reference names it
    assertEquals(index.top().digest(),
        Transports.local().read(ImageRef.parse("oci:" + dir)).top().digest());
    OciLayoutWriter.write(dir, "other", ImageIndex.of(List.of(index.images().get(0)), Map.of()));
    PlinthException ambiguous = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("oci:" + dir)));
    assertEquals(PlinthException.Kind.USAGE, ambiguous.kind());
    try (Stream<Path> s = Files.walk(dir)) {
      assertTrue(s.noneMatch(p -> p.toString().endsWith(".plinth-tmp")), "no temp files left");
    }
  }

  @Test
  void storedBlob_openAt_givesTheTail_fromLayoutAndArchive() throws Exception {
    ImageIndex index = twoPlatforms();
    Path dir = tmp.resolve("layout");
    Path tar = tmp.resolve("a.tar");
    OciLayoutWriter.write(dir, "v1", index);
    ArchiveWriter.writeOciArchive(tar, "v1", index, 0);
    byte[] whole = index.images().get(0).layers().get(0).blob().readAllBytes();
    for (String ref : List.of("oci:" + dir + ":v1", "oci-archive:" + tar + ":v1")) {
      Blob b = Transports.local().read(ImageRef.parse(ref)).images().get(0).layers().get(0).blob();
      assertArrayEquals(whole, b.readAllBytes(), ref);
      for (int k : new int[] {0, 1, whole.length / 2, whole.length}) {
        try (InputStream in = b.openAt(k)) {
          assertArrayEquals(Arrays.copyOfRange(whole, k, whole.length), in.readAllBytes(),
              ref + " from " + k);
        }
      }
    }
  }

  @Test
  void ociLayout_refusesADirectoryThatIsNotALayout() throws Exception {
    Path dir = tmp.resolve("photos");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("holiday.jpg"), "precious");
    PlinthException e = assertThrows(PlinthException.class,
        () -> OciLayoutWriter.write(dir, null, twoPlatforms()));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertEquals("precious", Files.readString(dir.resolve("holiday.jpg")));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count());
    }
  }

  @Test
  void dockerArchive_roundTrips() throws Exception {
    Image image = twoPlatforms().images().get(0);
    Path file = tmp.resolve("d.tar");
    ArchiveWriter.writeDockerArchive(file, "plinth/base:1", image, 0);
    ImageIndex r = Transports.local().read(ImageRef.parse("docker-archive:" + file));
    Image back = r.images().get(0);
    assertEquals(image.config().descriptor().digest(), back.config().descriptor().digest());
    assertEquals(image.layers().get(0).diffId(), back.layers().get(0).diffId());
    try (InputStream in = back.layers().get(0).openUncompressed()) {
      assertEquals(image.layers().get(0).uncompressedSize().getAsLong(), in.readAllBytes().length);
    }
  }

  @Test
  void corruptedBlob_inALayout_failsItsDigestCheck() throws Exception {
    ImageIndex index = twoPlatforms();
    Path dir = tmp.resolve("layout");
    OciLayoutWriter.write(dir, null, index);
    Layer layer = index.images().get(0).layers().get(0);
    Path blob = dir.resolve("blobs/sha256/" + layer.blob().descriptor().digest().hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length - 5] ^= 1;
    Files.write(blob, bytes);
    Layer read = Transports.local().read(ImageRef.parse("oci:" + dir)).images().get(0).layers().get(0);
    java.io.IOException e = assertThrows(java.io.IOException.class, () -> {
      try (InputStream in = read.blob().open()) {
        in.readAllBytes();
      }
    });
    assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
  }

  @Test
  void corruptedManifest_isRejected() throws Exception {
    ImageIndex index = twoPlatforms();
    Path dir = tmp.resolve("layout");
    OciLayoutWriter.write(dir, null, index);
    Path manifest = dir.resolve("blobs/sha256/" + index.images().get(0).manifest().descriptor().digest().hex());
    Files.writeString(manifest, Files.readString(manifest).replace("schemaVersion\":2", "schemaVersion\":3"));
    PlinthException e = assertThrows(PlinthException.class, () -> Transports.local().read(ImageRef.parse("oci:" + dir)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
  }

  @Test
  void archiveWithADuplicateName_isRejected() throws Exception {
    Path file = tmp.resolve("dup.tar");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (String body : List.of("{\"manifests\":[]}", "{\"manifests\":[1]}")) {
        byte[] b = body.getBytes();
        w.write(new TarEntry("index.json", TarEntry.Type.FILE, 0644, 0, 0, b.length, null, 0),
            new java.io.ByteArrayInputStream(b));
      }
    }
    Files.write(file, out.toByteArray());
    PlinthException e = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("oci-archive:" + file)));
    assertTrue(e.getMessage().contains("'index.json' twice"), e.getMessage());
  }

  @Test
  void dockerArchive_withTraversalInManifest_isRejected() throws Exception {
    Path file = tmp.resolve("evil.tar");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] manifest = "[{\"Config\":\"../../etc/passwd\",\"Layers\":[]}]".getBytes();
    try (TarWriter w = new TarWriter(out)) {
      w.write(new TarEntry("manifest.json", TarEntry.Type.FILE, 0644, 0, 0, manifest.length, null, 0),
          new java.io.ByteArrayInputStream(manifest));
    }
    Files.write(file, out.toByteArray());
    PlinthException e = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("docker-archive:" + file)));
    assertTrue(e.getMessage().contains("unsafe path"), e.getMessage());
  }

  @Test
  void missingArchive_isNotFound() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("oci-archive:" + tmp.resolve("nope.tar"))));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
  }
}
