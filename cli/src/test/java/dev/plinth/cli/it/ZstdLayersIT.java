package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * zstd layers as their readers meet them: skopeo reads and copies the image, podman runs it on
 * amd64 and arm64, the same build twice gives the same bytes, and the targets that cannot hold
 * zstd (docker-archive, the daemon) are refused before anything is built, naming the option;
 * {@code plinth copy --compression} recompressing an image either way.
 */
class ZstdLayersIT {
  static final String ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
  @TempDir static Path tmp;
  static Path yaml;
  static String layout;

  @BeforeAll
  static void build() throws Exception {
    yaml = BaseImageIT.busyboxProject(tmp.resolve("app"), """
        name: busybox-zstd
        compression: zstd
        files:
          - {src: "busybox-${arch}", dest: /bin/busybox, mode: "0755"}
        entrypoint: [/bin/busybox]
        cmd: [echo, hello from zstd]
        """);
    layout = "oci:" + tmp.resolve("layout") + ":z";
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--to", layout);
  }

  /** The manifest of {@code arch} as skopeo copies it into a dir: (checking every digest). */
  static String manifest(String ref, String arch) throws Exception {
    Path dir = tmp.resolve("dir-" + arch + "-" + Integer.toHexString(ref.hashCode()));
    Peers.skopeo(List.of("--override-arch", arch, "copy", ref, "dir:" + dir), Peers.SHORT)
        .orFail();
    return Files.readString(dir.resolve("manifest.json"));
  }

  @Test
  void skopeo_readsTheZstdLayers_andCopiesThem() throws Exception {
    for (String arch : List.of("amd64", "arm64")) {
      String manifest = manifest(layout, arch);
      assertTrue(manifest.contains(ZSTD), manifest);
      assertFalse(manifest.contains("tar+gzip"), "every layer plinth built: " + manifest);
    }
    Path copy = tmp.resolve("copy");
    Peers.skopeo(List.of("copy", "--all", layout, "oci:" + copy + ":z"), Peers.SHORT).orFail();
    assertTrue(manifest("oci:" + copy + ":z", "arm64").contains(ZSTD));
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void podman_runsIt(String arch) {
    Peers.Result r = Peers.podman().run(List.of("--arch", arch), layout, List.of(),
        Duration.ofMinutes(3));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("hello from zstd"), r.toString());
  }

  @Test
  void sameBuildTwice_sameBytes_andCliOverridesTheFile() throws Exception {
    Path a = tmp.resolve("a.tar");
    Path b = tmp.resolve("b.tar");
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--to", "oci-archive:" + a);
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--to", "oci-archive:" + b);
    assertEquals(-1, Files.mismatch(a, b), "byte for byte");
    Path g = tmp.resolve("g.tar");
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--compression", "gzip", "--to",
        "oci-archive:" + g);
    String gzip = manifest("oci-archive:" + g, "amd64");
    assertTrue(gzip.contains("tar+gzip") && !gzip.contains(ZSTD), gzip);
  }

  /**
   * A mixed image: a gzip image as {@code from:}, plinth's layers on top in zstd. The base's
   * layers keep their gzip bytes and digests; podman runs the result on both platforms.
   */
  @Test
  void gzipBase_zstdLayersOnTop_runs() throws Exception {
    Path base = tmp.resolve("gzip-base.tar");
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--compression", "gzip", "--to",
        "oci-archive:" + base);
    Path dir = Files.createDirectories(tmp.resolve("mixed"));
    Files.writeString(dir.resolve("hello.txt"), "hello from the zstd layer\n");
    Path mixed = Files.writeString(dir.resolve("plinth.yaml"), """
        name: mixed
        from: oci-archive:%s
        compression: zstd
        files:
          - {src: hello.txt, dest: /app/hello.txt}
        entrypoint: [/bin/busybox]
        cmd: [cat, /app/hello.txt]
        """.formatted(base));
    String out = "oci:" + tmp.resolve("mixed-layout") + ":m";
    BaseImageIT.plinth("build", "-f", mixed.toString(), "--to", out);
    for (String arch : List.of("amd64", "arm64")) {
      String manifest = manifest(out, arch);
      assertTrue(manifest.contains("tar+gzip") && manifest.contains(ZSTD), manifest);
      String baseManifest = manifest("oci-archive:" + base, arch);
      java.util.regex.Matcher m = java.util.regex.Pattern
          .compile("tar\\+gzip\",\\s*\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})").matcher(baseManifest);
      assertTrue(m.find(), baseManifest);
      assertTrue(manifest.contains(m.group(1)), "the base's gzip layer as it was: " + manifest);
      Peers.Result r = Peers.podman().run(List.of("--arch", arch), out, List.of(),
          Duration.ofMinutes(3));
      assertEquals(0, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("hello from the zstd layer"), r.toString());
    }
  }

  /** The config digest of the manifest {@code json} (skopeo's dir: copy of it). */
  private static String configDigest(String json) throws Exception {
    return dev.plinth.oci.Json.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "manifest").path("config").path("digest").asText();
  }

  @Test
  void copy_gzipToZstd_skopeoReadsIt_podmanRunsIt_configUnchanged() throws Exception {
    String gzip = "oci:" + tmp.resolve("gz-layout") + ":g";
    BaseImageIT.plinth("build", "-f", yaml.toString(), "--compression", "gzip", "--to", gzip);
    String copied = "oci:" + tmp.resolve("recompressed") + ":z";
    String out = BaseImageIT.plinth("copy", "--compression", "zstd", gzip, copied);
    assertTrue(out.contains("recompressed"), out);
    for (String arch : List.of("amd64", "arm64")) {
      String source = manifest(gzip, arch);
      String copy = manifest(copied, arch);
      assertTrue(copy.contains(ZSTD) && !copy.contains("tar+gzip"), copy);
      assertEquals(configDigest(source), configDigest(copy), "the same config, diff ids and all");
    }
    Peers.Result r = Peers.podman().run(List.of("--arch", "arm64"), copied, List.of(),
        Duration.ofMinutes(3));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("hello from zstd"), r.toString());
  }

  @Test
  void copy_zstdAsZstd_sameDigest_zstdToDockerArchiveAsGzip_podmanRunsIt() throws Exception {
    String again = "oci:" + tmp.resolve("again") + ":z";
    BaseImageIT.plinth("copy", "--compression", "zstd", layout, again);
    assertEquals(manifest(layout, "amd64"), manifest(again, "amd64"), "nothing to recompress");

    Path docker = tmp.resolve("docker-from-zstd.tar");
    BaseImageIT.plinth("copy", "--compression", "gzip", "--platform", "linux/amd64", layout,
        "docker-archive:" + docker + ":busybox-gzip:1");
    Peers.Result r = Peers.podman().run(List.of(), "docker-archive:" + docker, List.of(),
        Duration.ofMinutes(3));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("hello from zstd"), r.toString());

    StringWriter o = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"copy", "--compression", "zstd", layout,
        "docker-archive:" + tmp.resolve("no.tar")}, new PrintWriter(o), new PrintWriter(err),
        Peers.env(Map.of()));
    assertEquals(2, code, o + "" + err);
    assertTrue(err.toString().contains("--compression gzip"), err.toString());
    assertFalse(Files.exists(tmp.resolve("no.tar")));
  }

  @Test
  void dockerArchive_refusesZstd_namingTheOption() {
    Path out = tmp.resolve("docker.tar");
    StringWriter o = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"build", "-f", yaml.toString(), "--platform", "linux/amd64",
        "--to", "docker-archive:" + out}, new PrintWriter(o), new PrintWriter(err),
        Peers.env(Map.of()));
    assertEquals(2, code, o + "" + err);
    assertTrue(err.toString().contains("--compression gzip"), err.toString());
    assertFalse(Files.exists(out));
  }

  /**
   * zstd is written by libzstd through zstd-jni: a host where its library does not load (here
   * pointed at a file that is not one) is told so, with what to do, and gets no image.
   */
  @Test
  void aHostWhereZstdsLibraryDoesNotLoad_isToldSo_andGetsNoImage() {
    Path out = tmp.resolve("no-zstd-library");
    Peers.Result r = Peers.exec(Peers.plinthCommand(List.of("build", "-f", yaml.toString(),
        "--to", "oci:" + out + ":z")), Peers.SHORT,
        Map.of("JAVA_TOOL_OPTIONS", "-DZstdNativePath=" + yaml), false);
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains(": compression: zstd layers need zstd-jni's native library,"
        + " which this host cannot load"), r.stderr());
    assertTrue(r.stderr().contains("use gzip"), r.stderr());
    assertFalse(Files.exists(out));
  }
}
