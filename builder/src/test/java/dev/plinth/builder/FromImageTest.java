package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Transports;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plinth.yaml's from: (build on an image) and copyFrom: (paths out of an image). */
class FromImageTest {
  @TempDir Path tmp;

  /** Options of no environment, with a cache of the test's own (not the user's). */
  private Plinth.Options options() {
    return Plinth.Options.of(tmp.resolve("cache"));
  }

  /** A two-layer amd64 image: the second layer whites out /data/b and makes /data/sub opaque. */
  Path layeredImage() throws Exception {
    Path work = tmp.resolve("work");
    Layer one = new LayerBuilder()
        .file("/data/a", "a".getBytes(), 0644, 0, 0)
        .file("/data/b", "b".getBytes(), 0600, 1, 2)
        .file("/data/sub/c", "c".getBytes(), 0644, 0, 0)
        .symlink("/data/link", "a", 0, 0)
        .file("/other", "o".getBytes(), 0644, 0, 0)
        .build(work, 0, 6);
    Layer two = new LayerBuilder()
        .file("/data/.wh.b", new byte[0], 0644, 0, 0)
        .file("/data/sub/.wh..wh..opq", new byte[0], 0644, 0, 0)
        .file("/data/sub/d", "d".getBytes(), 0755, 0, 0)
        .build(work, 0, 6);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("architecture", "amd64");
    config.put("os", "linux");
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("Env", List.of("PATH=/opt/bin:/bin", "FOO=bar"));
    c.put("User", "1000:1000");
    c.put("WorkingDir", "/srv");
    c.put("Entrypoint", List.of("/opt/bin/server"));
    c.put("Cmd", List.of("--port", "80"));
    config.put("config", c);
    config.put("rootfs", Map.of("type", "layers",
        "diff_ids", List.of(one.diffId().toString(), two.diffId().toString())));
    config.put("history", List.of(Map.of("created_by", "base layer one"),
        Map.of("created_by", "base layer two")));
    Image image = Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, Json.write(config)),
        List.of(one, two), Map.of());
    Path archive = tmp.resolve("layered.tar");
    ArchiveWriter.writeOciArchive(archive, null, ImageIndex.of(List.of(image), Map.of()), 0);
    return archive;
  }

  Image build(String yaml) throws Exception {
    Path file = tmp.resolve("plinth.yaml");
    Files.writeString(file, yaml);
    String out = "oci:" + tmp.resolve("out") + ":x";
    Plinth.build(PlinthYaml.load(file), ImageRef.parse(out), options());
    return Transports.local().read(ImageRef.parse(out)).images().get(0);
  }

  /** A linux/amd64 build {@code from:} the {@link #layeredImage()}, with {@code more} yaml. */
  Image buildOnLayeredImage(String more) throws Exception {
    return build("platforms: [linux/amd64]\nfrom: oci-archive:" + layeredImage() + "\n" + more);
  }

  @Test
  void from_putsTheBaseLayersFirst_andStartsFromItsConfig() throws Exception {
    Path base = layeredImage();
    Image baseImage = Transports.local().read(ImageRef.parse("oci-archive:" + base)).images().get(0);
    Files.writeString(tmp.resolve("app.sh"), "#!/bin/sh\n");
    Image img = build("""
        platforms: [linux/amd64]
        from: oci-archive:%s
        files: [{src: app.sh, dest: /app/app.sh}]
        env: {LOGLEVEL: debug}
        """.formatted(base));
    assertEquals(baseImage.layers().get(0).blob().descriptor().digest(),
        img.layers().get(0).blob().descriptor().digest());
    assertEquals(baseImage.layers().get(1).blob().descriptor().digest(),
        img.layers().get(1).blob().descriptor().digest());
    assertEquals(4, img.layers().size(), "base two, plinth's init, the files");
    JsonNode config = Json.read(img.config().readAllBytes(), "config");
    JsonNode c = config.path("config");
    assertEquals("1000:1000", c.path("User").asText());
    assertEquals("/srv", c.path("WorkingDir").asText());
    assertEquals("[\"/sbin/plinth-init\",\"--\",\"/opt/bin/server\"]", c.path("Entrypoint").toString());
    assertEquals("[\"--port\",\"80\"]", c.path("Cmd").toString());
    String env = c.path("Env").toString();
    assertTrue(env.contains("\"FOO=bar\"") && env.contains("\"PATH=/opt/bin:/bin\"")
        && env.contains("\"LOGLEVEL=debug\"") && !env.contains("HOME="), env);
    assertEquals(4, config.path("rootfs").path("diff_ids").size());
    assertEquals("base layer one", config.path("history").get(0).path("created_by").asText());
  }

  @Test
  void from_aGzipBase_withZstdLayersOnTop_isOneImage() throws Exception {
    Path base = layeredImage();
    Files.writeString(tmp.resolve("app.sh"), "#!/bin/sh\necho zstd\n");
    Image img = build("""
        platforms: [linux/amd64]
        compression: zstd
        from: oci-archive:%s
        files: [{src: app.sh, dest: /app/app.sh}]
        """.formatted(base));
    List<String> types = new ArrayList<>();
    for (Layer l : img.layers()) {
      types.add(l.blob().descriptor().mediaType());
    }
    assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP,
        MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER_ZSTD), types,
        "the base's layers as they were, plinth's own zstd");
    Map<String, PlinthBuildTest.Content> files = PlinthBuildTest.files(img);
    assertEquals("#!/bin/sh\necho zstd\n",
        new String(files.get("/app/app.sh").bytes(), StandardCharsets.UTF_8));
    assertTrue(files.containsKey("/sbin/plinth-init"), files.keySet().toString());
  }

  @Test
  void from_theBuildFileWins_forUserEntrypointAndWorkdir() throws Exception {
    Image img = buildOnLayeredImage("""
        user: nonroot
        workdir: /app
        entrypoint: [/app/run]
        """);
    JsonNode c = Json.read(img.config().readAllBytes(), "config").path("config");
    assertEquals("65532:65532", c.path("User").asText());
    assertEquals("/app", c.path("WorkingDir").asText());
    assertEquals("[\"/sbin/plinth-init\",\"--\",\"/app/run\"]", c.path("Entrypoint").toString());
    assertTrue(c.path("Cmd").isMissingNode(), "the base's Cmd goes with its entrypoint");
  }

  @Test
  void from_aPlatformTheImageLacks_isNotFound() throws Exception {
    Path base = layeredImage();
    Path file = tmp.resolve("plinth.yaml");
    Files.writeString(file, "from: oci-archive:" + base + "\n");
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        PlinthYaml.load(file), ImageRef.parse("oci:" + tmp.resolve("o")), options()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("plinth.yaml:1: from:")
        && e.getMessage().contains("no image for linux/arm64"), e.getMessage());
  }

  @Test
  void copyFrom_takesThePathsOutOfTheFlattenedLayers_withWhiteoutsApplied() throws Exception {
    Path src = layeredImage();
    Image img = build("""
        platforms: [linux/amd64]
        copyFrom:
          - image: oci-archive:%s
            paths: [/data]
        """.formatted(src));
    Map<String, PlinthBuildTest.Content> files = PlinthBuildTest.files(img);
    assertTrue(files.containsKey("/data/a"), files.keySet().toString());
    assertTrue(files.containsKey("/data/sub/d"), files.keySet().toString());
    assertFalse(files.containsKey("/data/b"), "whited out");
    assertFalse(files.containsKey("/data/sub/c"), "under an opaque directory");
    assertFalse(files.containsKey("/other"), "not asked for");
    assertFalse(files.keySet().stream().anyMatch(k -> k.contains(".wh.")), files.keySet().toString());
    assertEquals(0755, files.get("/data/sub/d").entry().mode());
    assertEquals("a", files.get("/data/link").entry().linkTarget());
    assertEquals("d", new String(files.get("/data/sub/d").bytes(), StandardCharsets.UTF_8));
    JsonNode history = Json.read(img.config().readAllBytes(), "c").path("history");
    List<String> h = new ArrayList<>();
    history.forEach(x -> h.add(x.path("created_by").asText()));
    assertTrue(h.stream().anyMatch(x -> x.startsWith("plinth: copyFrom oci-archive:")), h.toString());
  }

  @Test
  void copyFrom_aPathTheImageLacks_isNotFound_andAnUnsafePathIsUsage() throws Exception {
    Path src = layeredImage();
    Path file = tmp.resolve("plinth.yaml");
    Files.writeString(file, "platforms: [linux/amd64]\ncopyFrom:\n  - image: oci-archive:" + src
        + "\n    paths: [/data/b]\n");
    PlinthException e = assertThrows(PlinthException.class, () -> Plinth.build(
        PlinthYaml.load(file), ImageRef.parse("oci:" + tmp.resolve("o")), options()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("has no /data/b"), e.getMessage());
    Files.writeString(file, "copyFrom:\n  - image: oci-archive:" + src
        + "\n    paths: [/data/../etc]\n");
    PlinthException u = assertThrows(PlinthException.class, () -> PlinthYaml.load(file));
    assertEquals(PlinthException.Kind.USAGE, u.kind());
    assertTrue(u.getMessage().contains("plinth.yaml:3: copyFrom[0].paths"), u.getMessage());
    Files.writeString(file, "copyFrom:\n  - image: nowhere\n    paths: [/a]\n");
    PlinthException r = assertThrows(PlinthException.class, () -> PlinthYaml.load(file));
    assertTrue(r.getMessage().contains("copyFrom[0].image"), r.getMessage());
  }

  @Test
  void from_withBaseMinimal_putsPlinthsHierarchyOnTop() throws Exception {
    Image img = buildOnLayeredImage("base: minimal\n");
    Map<String, PlinthBuildTest.Content> files = PlinthBuildTest.files(img);
    assertTrue(files.containsKey("/etc/passwd") && files.containsKey("/data/a"));
  }
}
