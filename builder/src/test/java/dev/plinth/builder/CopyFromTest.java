package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Blobs;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import dev.plinth.oci.TarWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * copyFrom: through the shared filesystem view: whiteouts hide lower layers only, hardlinks are
 * copied or refused, never dropped, and hostile or huge layers are refused or taken in linear time.
 */
class CopyFromTest {
  @TempDir Path tmp;

  /** A gzip layer written to a file entry by entry, in the order given. */
  final class Tar implements AutoCloseable {
    final Path file = Files.createTempFile(tmp, "layer-", ".tar.gz");
    final MessageDigest tarSha = Digest.sha256();
    final OutputStream out;
    final TarWriter tar;
    Layer layer;

    Tar() throws IOException {
      out = new GZIPOutputStream(Files.newOutputStream(file), 65536);
      tar = new TarWriter(new DigestOutputStream(out, tarSha));
    }

    Tar dir(String name) throws IOException {
      return entry(TarEntry.Type.DIRECTORY, name, 0755, null, null);
    }

    Tar file(String name, String content) throws IOException {
      return entry(TarEntry.Type.FILE, name, 0644, null,
          content.getBytes(StandardCharsets.UTF_8));
    }

    Tar symlink(String name, String target) throws IOException {
      return entry(TarEntry.Type.SYMLINK, name, 0777, target, null);
    }

    Tar hardlink(String name, String target) throws IOException {
      return entry(TarEntry.Type.HARDLINK, name, 0644, target, null);
    }

    Tar entry(TarEntry.Type type, String name, int mode, String link, byte[] content)
        throws IOException {
      tar.write(new TarEntry(name, type, mode, 0, 0, content == null ? 0 : content.length, link,
          0), content == null ? null : new ByteArrayInputStream(content));
      return this;
    }

    @Override
    public void close() throws IOException {
      if (layer != null) {
        return;
      }
      tar.close();
      out.close();
      byte[] gz = Files.readAllBytes(file);
      Descriptor d = new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.of(gz), gz.length);
      layer = new Layer.Value(Blob.ofFile(d, file), Digest.of(tarSha), OptionalLong.empty());
    }
  }

  Layer layer(Tar t) throws IOException {
    t.close();
    return t.layer;
  }

  static Image image(Layer... layers) throws IOException {
    return Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, "{}".getBytes()),
        List.of(layers), Map.of());
  }

  record Copied(TarEntry entry, String content) {}

  /** What copyFrom of {@code paths} puts into its layer, by path. */
  Map<String, Copied> copy(Image image, String... paths) throws Exception {
    LayerBuilder into = new LayerBuilder();
    ImageSources.extract(image, List.of(paths), into, tmp, "copyFrom test");
    Layer out = into.build(tmp.resolve("out"), 0, 1);
    Map<String, Copied> all = new TreeMap<>();
    try (InputStream in = out.openUncompressed()) {
      TarReader r = new TarReader(in, "out");
      for (TarEntry e; (e = r.next()) != null; ) {
        all.put("/" + e.name().replaceAll("/$", ""), new Copied(e,
            new String(r.content().readAllBytes(), StandardCharsets.UTF_8)));
      }
    }
    return all;
  }

  PlinthException badInput(Image image, String... paths) {
    PlinthException e = assertThrows(PlinthException.class, () -> copy(image, paths));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
    return e;
  }

  static String text(Map<String, Copied> m, String path) {
    Copied c = m.get(path);
    return c == null ? null : c.content();
  }

  @Test
  void whiteouts_hideTheLowerLayersOnly_wheverTheTarListsThem() throws Exception {
    Layer lower = layer(new Tar().dir("data/").file("data/gone", "g").file("data/after", "lower")
        .file("data/before", "lower").dir("data/opq/").file("data/opq/old", "o")
        .file("other", "x"));
    Layer upper = layer(new Tar().file("data/.wh.gone", "")
        .file("data/after", "upper").file("data/.wh.after", "")
        .file("data/.wh.before", "").file("data/before", "upper")
        .file("data/own", "own").file("data/.wh.own", "")
        .file("data/opq/fresh", "f").file("data/opq/.wh..wh..opq", ""));
    Map<String, Copied> m = copy(image(lower, upper), "/data");
    assertEquals(List.of("/data", "/data/after", "/data/before", "/data/opq", "/data/opq/fresh",
        "/data/own"), List.copyOf(m.keySet()));
    assertEquals("upper", text(m, "/data/after"));
    assertEquals("upper", text(m, "/data/before"));
  }

  @Test
  void aFileReplacingADirectory_andBack() throws Exception {
    Layer one = layer(new Tar().dir("d/").dir("d/sub/").file("d/sub/x", "x"));
    Layer two = layer(new Tar().file("d/sub", "a file now"));
    Layer three = layer(new Tar().dir("d/sub/").file("d/sub/y", "y"));
    assertEquals("a file now", text(copy(image(one, two), "/d"), "/d/sub"));
    Map<String, Copied> back = copy(image(one, two, three), "/d");
    assertEquals(List.of("/d", "/d/sub", "/d/sub/y"), List.copyOf(back.keySet()));
  }

  @Test
  void oneHundredThousandFilesInOneDirectory_areAllCopied() throws Exception {
    Tar t = new Tar().dir("big/");
    for (int i = 0; i < 100_000; i++) {
      t.file("big/f" + i, Integer.toString(i));
    }
    t.file("outside", "not asked for");
    Map<String, Copied> m = copy(image(layer(t)), "/big");
    assertEquals(100_001, m.size());
    assertEquals("99999", text(m, "/big/f99999"));
    assertEquals("0", text(m, "/big/f0"));
  }

  @Test
  void hardlinks_areCopiesOfWhatTheyLinkTo_insideOrOutsideThePaths() throws Exception {
    Layer lower = layer(new Tar().file("etc/secret", "outside the paths").dir("app/")
        .file("app/a", "A").symlink("app/l", "a"));
    Layer upper = layer(new Tar().hardlink("app/h", "app/a").hardlink("app/s", "etc/secret")
        .hardlink("app/hl", "app/l"));
    Map<String, Copied> m = copy(image(lower, upper), "/app");
    assertEquals("A", text(m, "/app/h"));
    assertEquals(TarEntry.Type.FILE, m.get("/app/h").entry().type());
    assertEquals("outside the paths", text(m, "/app/s"), "read from its layer again");
    assertEquals(TarEntry.Type.SYMLINK, m.get("/app/hl").entry().type());
    assertEquals("a", m.get("/app/hl").entry().linkTarget());
    assertTrue(!m.containsKey("/etc/secret"));
  }

  @Test
  void hardlinksToNothing_toALaterEntry_orToThemselves_areBadInputNamingThem() throws Exception {
    PlinthException missing = badInput(image(layer(new Tar().hardlink("app/h", "app/none"))),
        "/app");
    assertTrue(missing.getMessage().contains("'app/h'"), missing.getMessage());
    PlinthException later = badInput(image(layer(new Tar().hardlink("app/h", "app/b")
        .file("app/b", "b"))), "/app");
    assertTrue(later.getMessage().contains("'app/h'"), later.getMessage());
    PlinthException self = badInput(image(layer(new Tar().file("app/h", "x")),
        layer(new Tar().hardlink("app/h", "app/h"))), "/app");
    assertTrue(self.getMessage().contains("'app/h' links to itself"), self.getMessage());
  }

  @Test
  void aZstdLayer_isRead() throws Exception {
    java.io.ByteArrayOutputStream tar = new java.io.ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(tar)) {
      w.write(new TarEntry("app/z", TarEntry.Type.FILE, 0644, 0, 0, 4, null, 0),
          new ByteArrayInputStream("zstd".getBytes(StandardCharsets.UTF_8)));
    }
    java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
    try (OutputStream out = new io.airlift.compress.zstd.ZstdOutputStream(z)) {
      out.write(tar.toByteArray());
    }
    Layer l = new Layer.Value(Blob.of("application/vnd.oci.image.layer.v1.tar+zstd",
        z.toByteArray()), Digest.of(tar.toByteArray()), OptionalLong.empty());
    assertEquals("zstd", text(copy(image(l), "/app"), "/app/z"));
  }

  @Test
  void aDescriptorLargerThanItsBlob_isBadInput() throws Exception {
    Layer good = layer(new Tar().file("app/a", "a"));
    Descriptor d = good.blob().descriptor();
    Descriptor larger = new Descriptor(d.mediaType(), d.digest(), d.size() + 1000);
    for (boolean verifying : new boolean[] {false, true}) {
      Blob lying = Blob.of(larger, () -> {
        InputStream in = good.blob().open();
        return verifying ? Blobs.verifying(larger, in) : in;
      });
      PlinthException e = badInput(image(new Layer.Value(lying, good.diffId(),
          OptionalLong.empty())), "/app");
      assertTrue(e.getMessage().contains("copyFrom test layer 1"), e.getMessage());
    }
  }

  @Test
  void deepPaths_upToLinuxsLimit_areCopied_deeperOnesRefused() throws Exception {
    String deep = "d/".repeat(2000);
    Tar t = new Tar();
    for (int i = 1; i <= 2000; i++) {
      t.dir(deep.substring(0, 2 * i));
    }
    Map<String, Copied> m = copy(image(layer(t.file(deep + "f", "deep"))), "/d");
    assertEquals(2001, m.size());
    assertEquals("deep", text(m, "/" + deep + "f"));
    PlinthException e = badInput(image(layer(new Tar().file("d/".repeat(5000) + "f", "x"))),
        "/d");
    assertTrue(e.getMessage().contains("longer than 4096"), e.getMessage());
  }

  @Test
  void aBigLayerOfSpilledFiles_isByteForByteTheLayerOfTheFilesThemselves() throws Exception {
    // Over the parallel gzip threshold, with a jar whose deflated entries are stored, not
    // compressed again: ranges found in the jar's slice of the spill file as in the jar itself.
    Path jar = tmp.resolve("lib.jar");
    java.util.Random random = new java.util.Random(7);
    try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(
        Files.newOutputStream(jar))) {
      for (int i = 0; i < 10; i++) {
        byte[] b = new byte[1 << 20];
        random.nextBytes(b);
        z.putNextEntry(new java.util.zip.ZipEntry("e" + i));
        z.write(b);
        z.closeEntry();
      }
    }
    byte[] jarBytes = Files.readAllBytes(jar);
    Tar t = new Tar().dir("app/").file("app/a.txt", "first, so that the jar is not at 0");
    t.entry(TarEntry.Type.FILE, "app/lib.jar", 0644, null, jarBytes);
    LayerBuilder copied = new LayerBuilder();
    long bytes = ImageSources.extract(image(layer(t)), List.of("/app"), copied, tmp, "test");
    LayerBuilder direct = new LayerBuilder().directory("/app", 0755, 0, 0)
        .file("/app/a.txt", "first, so that the jar is not at 0".getBytes(StandardCharsets.UTF_8),
            0644, 0, 0)
        .file("/app/lib.jar", jar, 0644, 0, 0);
    assertEquals(direct.contentBytes(), bytes);
    assertEquals(direct.build(tmp.resolve("direct"), 0, 6).blob().descriptor().digest(),
        copied.build(tmp.resolve("copied"), 0, 6).blob().descriptor().digest());
  }
}
