package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** skopeo's dir: layout, written and read back; DirTransportIT checks it against skopeo itself. */
class DirTransportTest {
  @TempDir Path tmp;

  private List<Image> images() throws Exception {
    return ImageIoTest.twoPlatformImages(tmp.resolve("work"));
  }

  /** An in-toto attestation about {@code subject}, as OCI 1.1 stores one. */
  static Artifact attestation(Image subject) throws Exception {
    Blob empty = Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes());
    Blob statement = Blob.of("application/vnd.in-toto+json",
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes());
    Descriptor config = new Descriptor(MediaTypes.OCI_EMPTY, empty.descriptor().digest(), 2, null,
        Map.of(), null, List.of(), "e30=");
    Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, "application/vnd.in-toto+json", config,
        List.of(statement.descriptor()), subject.manifest().descriptor(), Map.of());
    return new Artifact.Value(m.blob(), m, List.of(empty, statement));
  }

  private static TreeSet<String> files(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
    }
  }

  @Test
  void loneImage_isManifestJsonAndBlobsByHex_andReadsBack() throws Exception {
    Image image = images().get(0);
    ImageRef ref = ImageRef.parse("dir:" + tmp.resolve("d"));
    Descriptor top = Transports.local().sink(ref).write(ImageIndex.of(List.of(image), Map.of()),
        n -> {});
    Path d = tmp.resolve("d");
    assertEquals("Directory Transport Version: 1.1\n", Files.readString(d.resolve("version")));
    assertArrayEquals(image.manifest().readAllBytes(), Files.readAllBytes(d.resolve("manifest.json")));
    assertEquals(new TreeSet<>(List.of("manifest.json", "version",
        image.config().descriptor().digest().hex(),
        image.layers().get(0).blob().descriptor().digest().hex())), files(d));
    ImageIndex back = Transports.local().read(ref);
    assertFalse(back.isIndex());
    assertEquals(top.digest(), back.top().digest());
    assertEquals(Platform.LINUX_AMD64, back.images().get(0).platform());
    assertArrayEquals(image.layers().get(0).blob().readAllBytes(),
        back.images().get(0).layers().get(0).blob().readAllBytes());
  }

  @Test
  void index_withAnArtifact_keepsItsDigest_childManifestsBesideTheBlobs() throws Exception {
    List<Image> images = images();
    Artifact att = attestation(images.get(0));
    ImageIndex index = ImageIndex.of(images, List.of(att), Map.of(), true);
    ImageRef ref = ImageRef.parse("dir:" + tmp.resolve("d"));
    Transports.local().sink(ref).write(index, n -> {});
    Path d = tmp.resolve("d");
    assertArrayEquals(index.index().readAllBytes(), Files.readAllBytes(d.resolve("manifest.json")));
    for (ImageIndex.Child c : index.children()) {
      assertTrue(Files.isRegularFile(d.resolve(c.manifest().descriptor().digest().hex()
          + ".manifest.json")), c.manifest().descriptor().digest().toString());
    }
    ImageIndex back = Transports.local().read(ref);
    assertEquals(index.index().descriptor().digest(), back.top().digest());
    assertEquals(2, back.images().size());
    assertEquals(1, back.artifacts().size());
    assertEquals(images.get(0).manifest().descriptor(), back.artifacts().get(0).document().subject());
    List<Descriptor> manifests = back.manifests();
    assertEquals("application/vnd.in-toto+json", manifests.get(2).artifactType());
    assertTrue(back.artifact(manifests.get(2)).isPresent());
    assertTrue(back.image(manifests.get(1)).isPresent());
    assertEquals("{\"_type\":\"https://in-toto.io/Statement/v0.1\"}", new String(
        back.artifacts().get(0).blobs().get(1).readAllBytes(), StandardCharsets.UTF_8));
    // and again through an OCI layout: the same index, byte for byte
    ImageRef layout = ImageRef.parse("oci:" + tmp.resolve("layout") + ":v1");
    Transports.local().sink(layout).write(back, n -> {});
    assertEquals(index.index().descriptor().digest(), Transports.local().read(layout).top().digest());
  }

  @Test
  void anExistingDirImage_isReplaced_andAnyOtherDirectoryRefused() throws Exception {
    List<Image> images = images();
    ImageRef ref = ImageRef.parse("dir:" + tmp.resolve("d"));
    Transports.local().sink(ref).write(ImageIndex.of(images, Map.of()), n -> {});
    Transports.local().sink(ref).write(ImageIndex.of(List.of(images.get(1)), Map.of()), n -> {});
    assertEquals(4, files(tmp.resolve("d")).size(), files(tmp.resolve("d")).toString());
    assertEquals("arm64", Transports.local().read(ref).images().get(0).platform().architecture());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of("d", "work"), s.map(p -> p.getFileName().toString()).sorted().toList(),
          "nothing left beside it");
    }
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    Files.writeString(photos.resolve("holiday.jpg"), "precious");
    PlinthException e = assertThrows(PlinthException.class, () -> Transports.local()
        .sink(ImageRef.parse("dir:" + photos)).write(ImageIndex.of(images, Map.of()), n -> {}));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertEquals(List.of("holiday.jpg"), new ArrayList<>(files(photos)));
  }

  @Test
  void anotherVersion_orNoManifest_isBadInput() throws Exception {
    Path d = Files.createDirectories(tmp.resolve("d"));
    PlinthException none = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("dir:" + d)));
    assertEquals(PlinthException.Kind.BAD_INPUT, none.kind());
    assertTrue(none.getMessage().contains("manifest.json"), none.getMessage());
    Files.writeString(d.resolve("version"), "Directory Transport Version: 1.0\n");
    PlinthException old = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("dir:" + d)));
    assertTrue(old.getMessage().contains("Version: 1.0"), old.getMessage());
    PlinthException missing = assertThrows(PlinthException.class,
        () -> Transports.local().read(ImageRef.parse("dir:" + tmp.resolve("nope"))));
    assertEquals(PlinthException.Kind.NOT_FOUND, missing.kind());
  }
}
