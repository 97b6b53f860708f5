package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One image written under several tags: every name reads back the same image. */
class TaggedSinkTest {
  @TempDir Path tmp;

  private ImageIndex index() throws Exception {
    return ImageIndex.of(ImageIoTest.twoPlatformImages(tmp.resolve("work")), Map.of());
  }

  private static List<String> refNames(JsonNode indexJson) {
    List<String> out = new ArrayList<>();
    indexJson.path("manifests").forEach(m ->
        out.add(m.path("annotations").path(OciLayoutWriter.REF_NAME).asText()));
    return out;
  }

  @Test
  void ociArchive_holdsEveryTag_andReadsBackUntaggedToo() throws Exception {
    ImageIndex index = index();
    Path file = tmp.resolve("app.tar");
    ImageRef ref = ImageRef.parse("oci-archive:" + file + ":1.0");
    Descriptor top = Transports.local().sink(ref, List.of("latest", "1.0", "stable"))
        .write(index, n -> {});
    assertEquals(index.top().digest(), top.digest());
    FileStore.Tar tar = FileStore.Tar.open(file, "app.tar");
    assertEquals(List.of("1.0", "latest", "stable"),
        refNames(Json.read(tar.document("index.json"), "index.json")));
    for (String name : List.of(":1.0", ":latest", ":stable", "")) {
      assertEquals(index.top().digest(), Transports.local()
          .read(ImageRef.parse("oci-archive:" + file + name)).top().digest(), name);
    }
  }

  @Test
  void ociLayout_getsAnEntryPerTag() throws Exception {
    ImageIndex index = index();
    Path dir = tmp.resolve("layout");
    Transports.local().sink(ImageRef.parse("oci:" + dir + ":1.0"), List.of("latest"))
        .write(index, n -> {});
    assertEquals(List.of("1.0", "latest"), refNames(Json.read(
        java.nio.file.Files.readAllBytes(dir.resolve("index.json")), "index.json")));
    assertEquals(index.top().digest(), Transports.local()
        .read(ImageRef.parse("oci:" + dir + ":latest")).top().digest());
  }

  @Test
  void dockerArchive_namesTheImageByEveryTag() throws Exception {
    ImageIndex one = ImageIndex.of(List.of(index().images().get(0)), Map.of());
    Path file = tmp.resolve("d.tar");
    Transports.local().sink(ImageRef.parse("docker-archive:" + file + ":team/app:1"),
        List.of("latest")).write(one, n -> {});
    JsonNode manifest = Json.readAny(
        FileStore.Tar.open(file, "d.tar").document("manifest.json"), "manifest.json");
    assertEquals("[\"team/app:1\",\"team/app:latest\"]",
        manifest.get(0).path("RepoTags").toString());
  }

  @Test
  void dirWithTags_isRefusedBeforeWriting() {
    PlinthException e = assertThrows(PlinthException.class, () -> Transports.local()
        .sink(ImageRef.parse("dir:" + tmp.resolve("d")), List.of("v2")));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
  }
}
