package dev.plinth.cli;

import static dev.plinth.cli.MainTest.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index with an image and an in-toto attestation about it (OCI 1.1: artifactType, the empty
 * config, subject), as build tools store attestations: inspect lists the artifact, copy keeps it
 * and the index digest, audit audits the image and notes the artifact.
 */
class ArtifactIndexTest {
  static final String IN_TOTO = "application/vnd.in-toto+json";

  @TempDir Path tmp;

  static Artifact attestation(Image subject) throws Exception {
    Blob empty = Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes());
    Blob statement = Blob.of(IN_TOTO, "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes());
    Descriptor config = new Descriptor(MediaTypes.OCI_EMPTY, empty.descriptor().digest(), 2, null,
        Map.of(), null, List.of(), "e30=");
    Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, IN_TOTO, config,
        List.of(statement.descriptor()), subject.manifest().descriptor(), Map.of());
    return new Artifact.Value(m.blob(), m, List.of(empty, statement));
  }

  private static String topDigest(Path layout) throws Exception {
    return new ObjectMapper().readTree(layout.resolve("index.json").toFile())
        .path("manifests").get(0).path("digest").asText();
  }

  /** An OCI layout tagged {@code a}: plinth base, and an attestation about its first image. */
  private Descriptor layoutWithAttestation(Path layout, String platforms) throws Exception {
    Path base = tmp.resolve("base");
    MainTest.Run b = plinth("base", "--platform", platforms, "--to", "oci:" + base + ":1");
    assertEquals(0, b.code(), b.err());
    List<Image> images = Transports.local().read(ImageRef.parse("oci:" + base + ":1")).images();
    ImageIndex index = ImageIndex.of(images, List.of(attestation(images.get(0))), Map.of(), true);
    return Transports.local().sink(ImageRef.parse("oci:" + layout + ":a")).write(index, n -> {});
  }

  @Test
  void indexWithAnAttestation_isInspectedCopiedAndAudited() throws Exception {
    Path layout = tmp.resolve("layout");
    Descriptor top = layoutWithAttestation(layout, "linux/amd64");
    String ref = "oci:" + layout + ":a";

    MainTest.Run text = plinth("inspect", ref);
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("index " + top.digest()), text.out());
    assertTrue(text.out().contains("linux/amd64"), text.out());
    assertTrue(text.out().contains("artifact " + IN_TOTO), text.out());
    MainTest.Run json = plinth("inspect", "--format", "json", ref);
    assertEquals(0, json.code(), json.err());
    JsonNode j = new ObjectMapper().readTree(json.out());
    assertEquals(1, j.get("images").size());
    assertEquals(1, j.get("artifacts").size());
    JsonNode a = j.get("artifacts").get(0);
    assertEquals(IN_TOTO, a.get("artifactType").asText());
    assertEquals(j.get("images").get(0).get("manifest").asText(), a.get("subject").asText());

    Path archive = tmp.resolve("copy.tar");
    MainTest.Run toArchive = plinth("copy", ref, "oci-archive:" + archive);
    assertEquals(0, toArchive.code(), toArchive.err());
    assertTrue(toArchive.out().contains("artifact"), toArchive.out());
    Path back = tmp.resolve("back");
    MainTest.Run toLayout = plinth("copy", "oci-archive:" + archive, "oci:" + back + ":b");
    assertEquals(0, toLayout.code(), toLayout.err());
    assertEquals(top.digest().toString(), topDigest(back), "the same index, byte for byte");
    ImageIndex read = Transports.local().read(ImageRef.parse("oci:" + back + ":b"));
    assertEquals(1, read.artifacts().size());
    assertTrue(Files.isRegularFile(back.resolve("blobs/sha256/"
        + read.artifacts().get(0).document().layers().get(0).digest().hex())));

    MainTest.Run audit = plinth("audit", "oci:" + back + ":b", "--format", "json");
    assertEquals(0, audit.code(), audit.out() + audit.err());
    JsonNode report = new ObjectMapper().readTree(audit.out());
    assertEquals(1, report.get("images").size(), audit.out());
    assertTrue(report.get("notes").toString().contains("skipped artifact"), audit.out());
    assertTrue(report.get("notes").toString().contains(IN_TOTO), audit.out());
  }

  @Test
  void aDockerArchive_leavesTheArtifactOut_saySo() throws Exception {
    Path layout = tmp.resolve("layout");
    layoutWithAttestation(layout, "linux/amd64");
    MainTest.Run r = plinth("copy", "oci:" + layout + ":a", "docker-archive:" + tmp.resolve("d.tar"));
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("left out 1 artifact"), r.out());
  }

  @Test
  void aPlatformFilter_keepsTheImagesAsked_andLeavesTheArtifactsOut() throws Exception {
    Path layout = tmp.resolve("layout");
    Descriptor top = layoutWithAttestation(layout, "linux/amd64,linux/arm64");
    Path out = tmp.resolve("amd64");
    MainTest.Run r = plinth("copy", "--platform", "linux/amd64", "oci:" + layout + ":a",
        "oci:" + out + ":x");
    assertEquals(0, r.code(), r.err());
    ImageIndex read = Transports.local().read(ImageRef.parse("oci:" + out + ":x"));
    assertTrue(read.isIndex());
    assertEquals(1, read.images().size());
    assertEquals(0, read.artifacts().size());
    assertTrue(!top.digest().equals(read.top().digest()));
  }
}
