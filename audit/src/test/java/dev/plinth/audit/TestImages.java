package dev.plinth.audit;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Filesystem;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerDiff;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TestTar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;

/** Images built in memory, entry by entry, hostile ones included, for audit tests. */
final class TestImages {
  static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
      + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
  static final String GROUP = "root:x:0:\nnonroot:x:65532:\n";

  /** The minimal hierarchy plinth's base has: what a clean image starts from. */
  static TestTar base() {
    return new TestTar().dir("etc/", 0755).file("etc/passwd", PASSWD).file("etc/group", GROUP)
        .dir("home/", 0755).dir("home/nonroot/", 0750, 65532, 65532).dir("root/", 0700)
        .dir("tmp/", 01777).dir("var/", 0755).dir("var/tmp/", 01777).dir("sbin/", 0755)
        .file("sbin/plinth-init", TestElf.program().interpreter(null).build(), 0755)
        .dir("app/", 0755);
  }

  static Layer gzipLayer(byte[] tar) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(tar);
      }
      return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_GZIP, out.toByteArray()),
          Digest.of(tar), OptionalLong.of(tar.length));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Layer tarLayer(byte[] tar) {
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, tar), Digest.of(tar),
        OptionalLong.of(tar.length));
  }

  /** A config: User 65532:65532, plinth-init as PID 1 running /app/server, HOME and USER. */
  static Map<String, Object> config() {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("User", "65532:65532");
    c.put("Env", new ArrayList<>(List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/home/nonroot", "USER=nonroot")));
    c.put("Entrypoint", List.of("/sbin/plinth-init", "--", "/app/server"));
    c.put("WorkingDir", "/home/nonroot");
    c.put("Labels", new LinkedHashMap<>(Map.of(
        "org.opencontainers.image.source", "https://example.com/app",
        "org.opencontainers.image.version", "1.0", "org.opencontainers.image.revision", "abc",
        "org.opencontainers.image.created", "1970-01-01T00:00:00Z")));
    c.put("Healthcheck", Map.of("Test", List.of("CMD", "/app/server", "--check")));
    return c;
  }

  static Image image(Platform platform, Map<String, Object> config, List<String> history,
      Layer... layers) {
    try {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("architecture", platform.architecture());
      doc.put("os", platform.os());
      doc.put("config", config);
      List<String> diffIds = new ArrayList<>();
      for (Layer l : layers) {
        diffIds.add(l.diffId().toString());
      }
      doc.put("rootfs", Map.of("type", "layers", "diff_ids", diffIds));
      List<Object> hist = new ArrayList<>();
      for (String h : history) {
        hist.add(Map.of("created_by", h));
      }
      doc.put("history", hist);
      return Image.of(platform, Blob.of(MediaTypes.OCI_CONFIG, Json.write(doc)), List.of(layers),
          Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Image image(Map<String, Object> config, Layer... layers) {
    return image(Platform.LINUX_AMD64, config, List.of(), layers);
  }

  /** An app layer with /app/server, a static program. */
  static Layer app() {
    return gzipLayer(new TestTar().file("app/server", TestElf.program().interpreter(null).build(),
        0755).bytes());
  }

  static ImageIndex result(Image... images) {
    try {
      return ImageIndex.of(List.of(images), Map.of());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static AuditReport audit(Audit.Options options, Image... images)
      throws IOException, PlinthException {
    return Audit.audit(ImageRef.parse("oci-archive:test.tar:v1"), result(images), options);
  }

  static AuditReport audit(Image... images) throws IOException, PlinthException {
    return audit(Audit.Options.DEFAULT, images);
  }

  /** The tree of a one-image audit's flattened layers, for the layer tests. */
  static FsTree flatten(Limits limits, Layer... layers) throws IOException, PlinthException {
    Filesystem<FileFacts> f = new Filesystem<>("test", limits.fs());
    List<LayerDiff.Note> notes = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      f.apply(LayerReader.read(layers[i], "test layer " + (i + 1), limits).diff(), i,
          "layer " + (i + 1), notes);
    }
    return new FsTree(f);
  }

  static FsTree flatten(Layer... layers) throws IOException, PlinthException {
    return flatten(Limits.DEFAULT, layers);
  }

  static List<String> ids(AuditReport r) {
    return r.findings().stream().map(f -> f.rule().id()).toList();
  }

  private TestImages() {}
}
