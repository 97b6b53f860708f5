package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Referrers kept in an OCI layout: listed untagged in index.json and found by their subject,
 * added once, a cosign tag moved to a new signature manifest, and the layout still read as its
 * one image without a tag.
 */
class LayoutReferrersTest {
  @TempDir Path tmp;

  @Test
  void referrers_listedOnce_foundBySubject_layoutStillReadsAsItsImage() throws Exception {
    Path dir = tmp.resolve("layout");
    ImageIndex index = ImageIndex.of(ImageIoTest.twoPlatformImages(tmp.resolve("work")),
        Map.of());
    OciLayoutWriter.write(dir, null, index);
    Descriptor subject = index.images().get(0).manifest().descriptor();
    Blob empty = Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes());
    Blob payload = Blob.of("application/vnd.dsse.envelope.v1+json", "{\"x\":1}".getBytes());
    Manifest m = new Manifest(MediaTypes.OCI_MANIFEST, "application/vnd.in-toto+json",
        empty.descriptor(), List.of(payload.descriptor()), new Descriptor(subject.mediaType(),
            subject.digest(), subject.size()), Map.of("in-toto.io/predicate-type", "t"));
    Descriptor entry = m.blob().descriptor().withArtifactType(m.artifactType())
        .withAnnotations(m.annotations());
    LayoutReferrers.add(dir, m.bytes(), entry, List.of(empty, payload), null);
    LayoutReferrers.add(dir, m.bytes(), entry, List.of(empty, payload), null);
    Index json = Index.parse(Files.readAllBytes(dir.resolve("index.json")), "index.json");
    assertEquals(2, json.manifests().size(), "the image and the referrer, once");
    List<LayoutReferrers.Entry> found = LayoutReferrers.referrers(dir, subject.digest());
    assertEquals(1, found.size());
    assertEquals(entry, found.get(0).descriptor());
    assertEquals(List.of(), LayoutReferrers.referrers(dir, index.images().get(1).manifest()
        .descriptor().digest()));
    assertTrue(Files.exists(dir.resolve("blobs/sha256/" + payload.descriptor().digest().hex())));

    // a signature manifest under its cosign tag; a newer one takes the tag over
    String tag = "sha256-" + subject.digest().hex() + ".sig";
    LayoutReferrers.add(dir, m.bytes(), m.blob().descriptor(), List.of(empty, payload), tag);
    Manifest other = new Manifest(MediaTypes.OCI_MANIFEST, null, empty.descriptor(),
        List.of(payload.descriptor()), null, Map.of("n", "2"));
    LayoutReferrers.add(dir, other.bytes(), other.blob().descriptor(), List.of(empty, payload),
        tag);
    assertEquals(other.blob().descriptor().digest(),
        LayoutReferrers.tagged(dir, tag).orElseThrow().descriptor().digest());
    assertEquals(3, Index.parse(Files.readAllBytes(dir.resolve("index.json")), "index.json")
        .manifests().size());

    // read without a tag, the layout is still its image: what is attached is not picked
    ImageIndex read = Transports.local().read(ImageRef.parse("oci:" + dir));
    assertEquals(index.top().digest(), read.top().digest());
  }
}
