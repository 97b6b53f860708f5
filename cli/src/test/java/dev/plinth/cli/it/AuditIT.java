package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.cli.Main;
import dev.plinth.deb.Mirrors;
import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth audit on real images: a Debian rootfs made by debootstrap fails the rules a general
 * purpose base fails (root, no init, a shell, a package manager, setuid programs) and no other
 * error (every one of its ELF files loads); images plinth builds from real Debian packages and the
 * example Java app pass every rule.
 */
class AuditIT {
  @TempDir static Path tmp;

  record Run(int code, String out, String err) {}

  static Run audit(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("audit"));
    all.addAll(List.of(args));
    int code = Main.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err),
        Peers.env(Map.of()));
    return new Run(code, out.toString(), err.toString());
  }

  static JsonNode json(Run r) throws IOException {
    return new ObjectMapper().readTree(r.out());
  }

  static Set<String> rules(JsonNode report, String severity) {
    Set<String> out = new TreeSet<>();
    report.get("findings").forEach(f -> {
      if (severity == null || f.get("severity").asText().equals(severity)) {
        out.add(f.get("rule").asText());
      }
    });
    return out;
  }

  static void noErrorOrWarning(Run r) throws IOException {
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> bad = new ArrayList<>();
    json(r).get("findings").forEach(f -> {
      if (!f.get("severity").asText().equals("info")) {
        bad.add(f.toString());
      }
    });
    assertTrue(bad.isEmpty(), String.join("\n", bad));
  }

  @Test
  void debootstrapRootfs_failsTheRulesAGeneralPurposeBaseFails() throws Exception {
    Path image = debianImage();
    Run r = audit("oci-archive:" + image + ":bookworm", "--format", "json");
    assertEquals(1, r.code(), r.err());
    JsonNode report = json(r);
    Set<String> all = rules(report, null);
    assertTrue(all.containsAll(List.of("PL001", "PL005", "PL016", "PL022", "PL023")),
        all.toString());
    // The user is root, so nothing else about users; every ELF file of Debian loads.
    assertEquals(Set.of("PL001"), rules(report, "error"), report.toPrettyString());
    for (String rule : List.of("PL040", "PL041", "PL042", "PL043", "PL011", "PL014", "PL015")) {
      assertFalse(all.contains(rule), rule + ": " + report.toPrettyString());
    }
    assertTrue(report.get("images").get(0).get("files").asLong() > 2000);
    Run text = audit("oci-archive:" + image + ":bookworm");
    assertEquals(1, text.code());
    assertTrue(text.out().lines().anyMatch(l -> l.startsWith("PL001  error")), text.out());
  }

  @Test
  void plinthImageWithDebianPackages_passesEveryRule() throws Exception {
    String ref = "oci-archive:" + tmp.resolve("full.tar");
    plinth("base", "--init", "tini", "--with", "libc6,ca-certificates,tzdata", "--to", ref);
    Run r = audit(ref, "--format", "json", "--fail-on", "warning", "--platforms",
        "linux/amd64,linux/arm64");
    noErrorOrWarning(r);
    Set<String> info = rules(json(r), "info");
    assertFalse(info.contains("PL020") || info.contains("PL021"), info.toString());
  }

  @Test
  void exampleJavaApp_passesEveryRule() throws Exception {
    Path project = tmp.resolve("hello-api");
    HelloApiIT.copyTree(Path.of(System.getProperty("plinth.root", "..")).resolve(
        "examples/hello-api").toAbsolutePath().normalize(), project);
    Peers.exec(List.of("mvn", "-B", "-q", "-f", project.resolve("pom.xml").toString(),
        "package", "-DskipTests", "-Dplinth.skip=true"), Duration.ofMinutes(10)).orFail();
    String ref = "oci-archive:" + tmp.resolve("hello.tar");
    plinth("build", "-f", project.resolve("plinth.yaml").toString(), "--to", ref);
    noErrorOrWarning(audit(ref, "--format", "json", "--fail-on", "warning", "--max-size",
        "30MB"));
  }

  @Test
  void registryImage_isAuditedThroughTheSameReader() throws Exception {
    Path binary = Path.of("/usr/bin/docker-registry");
    assertTrue(Files.isExecutable(binary), "scripts/test installs docker-registry");
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createDirectories(tmp.resolve("registry"));
    Files.writeString(dir.resolve("config.yml"), "version: 0.1\nstorage:\n  filesystem:\n"
        + "    rootdirectory: " + dir.resolve("data") + "\nhttp:\n  addr: 127.0.0.1:" + port
        + "\n");
    Process registry = new ProcessBuilder(binary.toString(), "serve",
        dir.resolve("config.yml").toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("log").toFile()).start();
    try {
      for (int i = 0; i < 100; i++) {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
          break;
        } catch (IOException e) {
          Thread.sleep(100);
        }
      }
      String ref = "localhost:" + port + "/audit/base:1";
      plinth("base", "--to", ref);
      Run r = audit(ref, "--format", "json", "--fail-on", "warning");
      noErrorOrWarning(r);
      assertEquals(2, json(r).get("images").size());
      plinth("base", "--platform", "linux/amd64", "--to", "localhost:" + port + "/audit/base");
      Run latest = audit("localhost:" + port + "/audit/base", "--format", "json");
      assertEquals(0, latest.code(), latest.err());
      assertTrue(rules(json(latest), "info").contains("PL061"), latest.out());
    } finally {
      registry.destroy();
      registry.waitFor();
    }
  }

  // ---- a Debian rootfs as an image ----

  /**
   * debian:bookworm as debootstrap makes it (minbase), one layer, root and bash as Docker's
   * image has them; cached in ~/.cache/plinth-test, since debootstrap takes minutes.
   */
  static Path debianImage() throws Exception {
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "plinth-test");
    Path image = cache.resolve("debootstrap-bookworm-minbase-amd64.oci.tar");
    if (Files.isRegularFile(image)) {
      return image;
    }
    Files.createDirectories(cache);
    Path rootfs = tmp.resolve("rootfs");
    debootstrap(rootfs);
    LayerBuilder layer = new LayerBuilder();
    pack(rootfs, layer);
    Path work = Files.createDirectories(tmp.resolve("layer"));
    Layer l = layer.build(work, 0, 6);
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Env", List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    config.put("Cmd", List.of("bash"));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("architecture", "amd64");
    doc.put("os", "linux");
    doc.put("config", config);
    doc.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(l.diffId().toString())));
    doc.put("history", List.of(Map.of("created_by", "debootstrap --variant=minbase bookworm")));
    Image img = Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, Json.write(doc)),
        List.of(l), Map.of());
    Path partial = cache.resolve(image.getFileName() + ".partial");
    ArchiveWriter.writeOciArchive(partial, "bookworm", ImageIndex.of(List.of(img), Map.of()), 0);
    Files.move(partial, image, StandardCopyOption.REPLACE_EXISTING);
    return image;
  }

  /** Runs debootstrap (installing it first) against the mirror this machine's apt uses. */
  static void debootstrap(Path dir) throws Exception {
    installDebootstrap();
    String mirror = Mirrors.debian(System.getenv(Mirrors.ENV)).toString();
    Peers.exec(List.of("debootstrap", "--variant=minbase", "--arch=amd64", "bookworm",
        dir.toString(), mirror), Duration.ofMinutes(20)).orFail();
  }

  /** Installs debootstrap with apt when it is not there; it needs root. */
  static void installDebootstrap() {
    assertEquals("root", System.getProperty("user.name"), "debootstrap needs root");
    if (Peers.exec(List.of("sh", "-c", "command -v debootstrap"), Duration.ofSeconds(10))
        .exitCode() != 0) {
      Peers.Result install = Peers.exec(List.of("apt-get", "install", "-y", "debootstrap"),
          Duration.ofMinutes(5));
      if (install.exitCode() != 0) {
        Peers.exec(List.of("apt-get", "update"), Duration.ofMinutes(5)).orFail();
        Peers.exec(List.of("apt-get", "install", "-y", "debootstrap"), Duration.ofMinutes(5))
            .orFail();
      }
    }
  }

  /**
   * Packs a directory into a layer as it is: modes (setuid bits included), owners, symlinks.
   * Hardlinked files become copies; device nodes, sockets and FIFOs are left out (a runtime
   * provides /dev).
   */
  static void pack(Path root, LayerBuilder layer) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
        if (!d.equals(root)) {
          layer.directory(name(d), mode(d), id(d, "uid"), id(d, "gid"));
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
        if (a.isSymbolicLink()) {
          layer.symlink(name(f), Files.readSymbolicLink(f).toString(), id(f, "uid"),
              id(f, "gid"));
        } else if (a.isRegularFile()) {
          layer.file(name(f), f, mode(f), id(f, "uid"), id(f, "gid"));
        }
        return FileVisitResult.CONTINUE;
      }

      private String name(Path p) {
        return "/" + root.relativize(p).toString();
      }
    });
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  private static long id(Path p, String which) throws IOException {
    return ((Number) Files.getAttribute(p, "unix:" + which, LinkOption.NOFOLLOW_LINKS))
        .longValue();
  }
}
