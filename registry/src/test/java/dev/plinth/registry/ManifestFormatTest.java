package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Index;
import dev.plinth.oci.Layer;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Converting between OCI and Docker v2 schema 2 gives the bytes it gave when the documents were
 * built as maps (the digests below were made by that code).
 */
class ManifestFormatTest {
  static ImageIndex two() throws Exception {
    List<Image> images = new ArrayList<>();
    for (Platform p : List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64)) {
      byte[] cfg = ("{\"architecture\":\"" + p.architecture() + "\",\"os\":\"linux\","
          + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}").getBytes();
      Blob layer = Blob.of(MediaTypes.OCI_LAYER_GZIP, p.architecture().getBytes());
      images.add(Image.of(p, Blob.of(MediaTypes.OCI_CONFIG, cfg),
          List.of(new Layer.Value(layer, Digest.of("d".getBytes()), OptionalLong.empty())),
          Map.of("org.opencontainers.image.title", "demo")));
    }
    return ImageIndex.of(images, Map.of("org.opencontainers.image.title", "demo"));
  }

  @Test
  void toDockerAndBack_givesTheBytesOfBefore() throws Exception {
    ImageIndex docker = ManifestFormat.V2S2.convert(two());
    assertEquals("sha256:08be7f17c6ce21642f9addc05eff8b2bff2b20103195401785c127fccd3927cf",
        docker.images().get(0).manifest().descriptor().digest().toString());
    assertEquals("sha256:8302a76633fa513712ce2918af16539e4f23719d2032901534feb65fe3a72125",
        docker.index().descriptor().digest().toString());
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, docker.top().mediaType());
    Manifest m = Manifest.parse(docker.images().get(0).manifest().readAllBytes(), "docker");
    assertEquals(MediaTypes.DOCKER_CONFIG, m.config().mediaType());
    assertTrue(m.isImage());
    assertSame(docker, ManifestFormat.V2S2.convert(docker));
    ImageIndex oci = ManifestFormat.OCI.convert(docker);
    assertEquals("sha256:edba83eab2b4abffaf7bcb9a84c998e5e9c1babd57daf82b27e56a07a9629077",
        oci.index().descriptor().digest().toString());
    assertEquals(2, Index.parse(oci.index().readAllBytes(), "oci").manifests().size());
  }
}
