package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.OciLayoutWriter;
import dev.plinth.oci.Platform;
import dev.plinth.oci.TestTar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * BAD-INPUTS 52: a tar that GNU tar writes with --sparse, in each of its sparse formats, is refused
 * the same way by every command that reads tar: the audit and copyFrom: (a layer), copy (an
 * oci-archive), each with exit code 4 and a message naming the archive and the real entry.
 */
class SparseEntriesTest {
  @TempDir Path tmp;

  /** An oci: layout, tagged "src", of one image whose only layer GNU tar wrote. */
  private String image(byte[] layerTar) throws Exception {
    Layer layer = TestTar.layer(layerTar);
    Map<String, Object> config = Map.of("architecture", "amd64", "os", "linux",
        "rootfs", Map.of("type", "layers", "diff_ids", List.of(layer.diffId().toString())));
    Image image = Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG,
        Json.write(config)), List.of(layer), Map.of());
    Path layout = tmp.resolve("layout");
    OciLayoutWriter.write(layout, "src", ImageIndex.of(List.of(image), Map.of()));
    return "oci:" + layout + ":src";
  }

  private static void refused(MainTest.Run r, String what) {
    assertEquals(4, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().contains(what) && r.err().contains("stored as a GNU sparse file"),
        r.err());
  }

  @ParameterizedTest
  @MethodSource("dev.plinth.oci.TestTar#sparseFormats")
  void sparseEntry_isRefusedByAuditCopyFromAndCopy(String format) throws Exception {
    String src = image(Files.readAllBytes(TestTar.gnuSparseTar(tmp, "d", format)));

    refused(MainTest.plinth("audit", src), "has entry 'd/sparse'");

    Path project = Files.createDirectories(tmp.resolve("project"));
    Files.writeString(project.resolve("plinth.yaml"), """
        platforms: [linux/amd64]
        base: scratch
        copyFrom:
          - image: %s
            paths: [/d]
        entrypoint: [/d/sparse]
        """.formatted(src));
    Path built = tmp.resolve("built.tar");
    refused(MainTest.plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--to",
        "oci-archive:" + built), "has entry 'd/sparse'");
    assertFalse(Files.exists(built));

    // copy reads the archive's own tar: a layout packed with --sparse, its layer blob holey
    Path layout = Path.of(src.substring("oci:".length(), src.length() - ":src".length()));
    try (var blobs = Files.list(layout.resolve("blobs/sha256"))) {
      for (Path b : blobs.toList()) {
        TestTar.punchHoles(b);
      }
    }
    Path archive = TestTar.gnuTar(layout, tmp.resolve("packed.tar"), format);
    Path copied = tmp.resolve("copied.tar");
    refused(MainTest.plinth("copy", "oci-archive:" + archive, "oci-archive:" + copied),
        "has entry 'blobs/sha256/");
    assertFalse(Files.exists(copied));
  }
}
