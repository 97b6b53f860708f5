package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth's dir: transport against skopeo's (1.9): what plinth writes, skopeo reads, and the
 * reverse, with the digests unchanged both ways, for one image and for an index.
 */
class DirTransportIT {
  @TempDir Path tmp;

  private static String digestOf(Path layout) throws Exception {
    return Json.read(Files.readAllBytes(layout.resolve("index.json")), "index.json")
        .path("manifests").get(0).path("digest").asText();
  }

  private Descriptor build(List<Platform> platforms, ImageRef to) throws Exception {
    BuildSpec spec = BuildSpec.base(platforms);
    return Plinth.build(spec, to, Plinth.Options.of(tmp.resolve("cache"))).top();
  }

  @Test
  void index_plinthWritesDir_skopeoCopiesIt_andBack() throws Exception {
    Path dir = tmp.resolve("dir");
    Descriptor top = build(List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
        ImageRef.parse("dir:" + dir));
    assertTrue(Files.isRegularFile(dir.resolve("version")));
    Path layout = tmp.resolve("layout");
    Peers.skopeo(List.of("copy", "--all", "dir:" + dir, "oci:" + layout + ":a"), Peers.SHORT)
        .orFail();
    assertEquals(top.digest().toString(), digestOf(layout), "skopeo read plinth's dir: as it is");

    Path back = tmp.resolve("back");
    Peers.skopeo(List.of("copy", "--all", "oci:" + layout + ":a", "dir:" + back), Peers.SHORT)
        .orFail();
    ImageIndex read = Transports.local().read(ImageRef.parse("dir:" + back));
    assertEquals(top.digest(), read.top().digest(), "plinth read skopeo's dir: as it is");
    assertEquals(2, read.images().size());
    assertArrayEquals(Files.readAllBytes(dir.resolve("manifest.json")),
        Files.readAllBytes(back.resolve("manifest.json")));
    Path again = tmp.resolve("again.tar");
    Plinth.copy(ImageRef.parse("dir:" + back), ImageRef.parse("oci-archive:" + again), List.of(),
        Plinth.Options.of(tmp.resolve("cache")));
    Peers.skopeo(List.of("copy", "--all", "oci-archive:" + again, "oci:" + layout + ":b"),
        Peers.SHORT).orFail();
    assertEquals(top.digest().toString(), digestOf(layout));
  }

  @Test
  void oneImage_skopeoWritesDir_plinthReadsIt_andWritesItBackTheSame() throws Exception {
    Path archive = tmp.resolve("one.tar");
    Descriptor top = build(List.of(Platform.LINUX_AMD64), ImageRef.parse("oci-archive:" + archive));
    Path dir = tmp.resolve("dir");
    Peers.skopeo(List.of("copy", "oci-archive:" + archive, "dir:" + dir), Peers.SHORT).orFail();
    ImageRef ref = ImageRef.parse("dir:" + dir);
    ImageIndex read = Transports.local().read(ref);
    assertEquals(top.digest(), read.top().digest());
    Path mine = tmp.resolve("mine");
    Plinth.CopyResult copied = Plinth.copy(ref, ImageRef.parse("dir:" + mine), List.of(),
        Plinth.Options.of(tmp.resolve("cache")));
    assertEquals(top.digest(), copied.top().digest());
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(mine.resolve(f.getFileName())),
            f.getFileName() + " is as skopeo wrote it");
      }
    }
    Peers.Result inspect = Peers.skopeo(List.of("inspect", "--raw", "dir:" + mine), Peers.SHORT)
        .orFail();
    assertEquals(Files.readString(dir.resolve("manifest.json")), inspect.stdout());
  }
}
