package dev.plinth.cli.it;

import static dev.plinth.cli.it.RegistryCliIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.builder.Plinth;
import dev.plinth.cli.it.RegistryCliIT.Run;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java runtime as a user and a scanner see it: every platform's runtime linked from Debian's
 * openjdk-N packages of one version, on a machine with any JDK 17+; the version following the
 * app's class files; recorded in status.d, the SBOM, plinth.lock and os-release; one runtime
 * cache whatever the image's time. A small app that prints the Java it runs on, generated here.
 * Debian's packages are fetched into the tests' shared cache once (Peers.env).
 */
class JavaRuntimeIT {
  static final String JDK17 = "/usr/lib/jvm/java-17-openjdk-amd64";

  @TempDir static Path tmp;
  static Path jar;

  @BeforeAll
  static void app() throws Exception {
    jar = tmp.resolve("app/hello.jar");
    Files.createDirectories(jar.getParent());
    Files.copy(helloJar(tmp), jar);
  }

  /** A jar (made in {@code dir}) whose main class prints the Java it runs on: "java 17 17.0.x". */
  static Path helloJar(Path dir) throws Exception {
    Path src = Files.createDirectories(dir.resolve("src"));
    Files.writeString(src.resolve("Hello.java"), """
        public class Hello {
          public static void main(String[] args) {
            System.out.println("java " + Runtime.version().feature() + " "
                + System.getProperty("java.version"));
          }
        }
        """);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
        "-d", classes.toString(), src.resolve("Hello.java").toString()));
    Path jar = dir.resolve("hello.jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Hello");
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os, mf)) {
      j.putNextEntry(new JarEntry("Hello.class"));
      j.write(Files.readAllBytes(classes.resolve("Hello.class")));
    }
    return jar;
  }

  /** A plinth.yaml next to the app's jar; {@code java} holds the lines under {@code java:}. */
  static Path yaml(String name, String platforms, String java) throws Exception {
    Path f = jar.getParent().resolve(name + ".yaml");
    Files.writeString(f, "name: " + name + "\nplatforms: [" + platforms + "]\njava:\n"
        + "  jar: hello.jar\n" + java);
    return f;
  }

  /** How many runtimes a run linked (each says so on a status line). */
  static long links(Run r) {
    return r.err().lines().filter(l -> l.startsWith("plinth: linking the ")).count();
  }

  /** The environment of a machine whose only JDK is 17. */
  static Map<String, String> onlyJdk17() {
    return Map.of("JAVA_HOME", JDK17, "PLINTH_JDK_PATH", JDK17);
  }

  /** What the app prints in the amd64 image of {@code layout}. */
  static String runs(String layout) {
    return Peers.podman().run(List.of(), "oci:" + layout + ":t", List.of(), Peers.SHORT)
        .orFail().stdout().strip();
  }

  /** The files (flattened, last layer wins) of each platform's image: architecture → path → bytes. */
  static Map<String, Map<String, byte[]>> files(String layout) throws Exception {
    ImageIndex index = Plinth.read(ImageRef.parse("oci:" + layout + ":t"), Plinth.Options.of(null));
    Map<String, Map<String, byte[]>> out = new TreeMap<>();
    for (Image image : index.images()) {
      Map<String, byte[]> files = new TreeMap<>();
      for (Layer l : image.layers()) {
        try (InputStream in = l.openUncompressed()) {
          TarReader r = new TarReader(in, "layer");
          for (TarEntry e; (e = r.next()) != null; ) {
            String name = "/" + e.name();
            if (e.type() == TarEntry.Type.FILE && (name.startsWith("/var/lib/dpkg/status.d/")
                || name.equals("/etc/os-release") || name.equals("/opt/java/openjdk/release"))) {
              files.put(name, r.content().readAllBytes());
            }
          }
        }
      }
      out.put(image.platform().architecture(), files);
    }
    return out;
  }

  static String text(Map<String, byte[]> files, String path) {
    byte[] b = files.get(path);
    assertTrue(b != null, path + " is in the image: " + files.keySet());
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A status.d (deb822) field. */
  static String field(String status, String name) {
    return status.lines().filter(l -> l.startsWith(name + ": ")).findFirst().orElse("")
        .substring(name.length() + 2);
  }

  @Test
  void onlyJdk17_buildsJava25_everyPlatformTheSameVersion_recordedForScanners() throws Exception {
    Path yaml = yaml("java25", "linux/amd64, linux/arm64", "  version: 25\n  modules: auto\n");
    String layout = tmp.resolve("java25").toString();
    Run r = plinth(onlyJdk17(), "build", "-f", yaml.toString(), "--to", "oci:" + layout + ":t")
        .ok();
    assertTrue(runs(layout).startsWith("java 25 25."), r.toString());

    Map<String, Map<String, byte[]>> files = files(layout);
    assertEquals(List.of("amd64", "arm64"), new ArrayList<>(files.keySet()));
    String javaVersion = null;
    String debVersion = null;
    for (Map.Entry<String, Map<String, byte[]>> p : files.entrySet()) {
      Map<String, byte[]> f = p.getValue();
      String release = text(f, "/opt/java/openjdk/release");
      String v = release.lines().filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
          .orElseThrow();
      assertTrue(v.startsWith("JAVA_VERSION=\"25."), release);
      String status = text(f, "/var/lib/dpkg/status.d/openjdk-25-jdk-headless");
      assertEquals("openjdk-25", field(status, "Source"));
      assertEquals(p.getKey(), field(status, "Architecture"));
      assertTrue(f.containsKey("/var/lib/dpkg/status.d/libc6"), f.keySet().toString());
      String osRelease = text(f, "/etc/os-release");
      assertTrue(osRelease.contains("\nID=debian\n") && osRelease.contains("VERSION_CODENAME=trixie"),
          osRelease);
      if (javaVersion == null) {
        javaVersion = v;
        debVersion = field(status, "Version");
      }
      assertEquals(javaVersion, v, "one Java version across the index");
      assertEquals(debVersion, field(status, "Version"), "one Debian package version too");
    }

    JsonNode sbom = new ObjectMapper().readTree(Files.readString(Path.of(layout
        + ".linux-arm64.spdx.json")));
    JsonNode jdk = null;
    for (JsonNode p : sbom.path("packages")) {
      if (p.path("name").asText().equals("openjdk-25-jdk-headless")) {
        jdk = p;
      }
    }
    assertTrue(jdk != null, sbom.toString());
    assertEquals(debVersion, jdk.path("versionInfo").asText());
    assertEquals("built from source package openjdk-25", jdk.path("sourceInfo").asText());
    // as the purl spec encodes it: '+' as %2B; '~' and an epoch's ':' as they are
    assertEquals("pkg:deb/debian/openjdk-25-jdk-headless@" + debVersion.replace("+", "%2B")
        + "?arch=arm64&distro=debian-13",
        jdk.path("externalRefs").get(0).path("referenceLocator").asText());

    String history = Peers.skopeo(List.of("inspect", "--config", "oci:" + layout + ":t"),
        Peers.SHORT).orFail().stdout();
    assertTrue(history.contains("linked from Debian trixie openjdk-25-jdk-headless " + debVersion),
        history);
    assertFalse(history.contains("/usr/lib/jvm") || history.contains(tmp.toString()),
        "no path of the build machine: " + history);
  }

  @Test
  void java17_followsTheAppsClassFiles_fromBookworm() throws Exception {
    Path yaml = yaml("java17", "linux/amd64", "  modules: [java.base]\n");
    String layout = tmp.resolve("java17").toString();
    Run r = plinth(Map.of(), "build", "-f", yaml.toString(), "--to", "oci:" + layout + ":t").ok();
    assertTrue(r.out().contains("java.version 17 (not set): the app's classes need Java 17"),
        r.out());
    assertTrue(runs(layout).startsWith("java 17 17."));
    Map<String, byte[]> f = files(layout).get("amd64");
    assertTrue(text(f, "/etc/os-release").contains("VERSION_CODENAME=bookworm"));
    assertEquals("openjdk-17", field(text(f, "/var/lib/dpkg/status.d/openjdk-17-jdk-headless"),
        "Source"));
  }

  @Test
  void java21_fromTrixie_linkedByDebiansJdk21() throws Exception {
    Path yaml = yaml("java21", "linux/amd64", "  version: 21\n  modules: [java.base]\n");
    String layout = tmp.resolve("java21").toString();
    plinth(onlyJdk17(), "build", "-f", yaml.toString(), "--to", "oci:" + layout + ":t").ok();
    assertTrue(runs(layout).startsWith("java 21 21."));
    assertTrue(text(files(layout).get("amd64"), "/etc/os-release")
        .contains("VERSION_CODENAME=trixie"));
  }

  @Test
  void anExplicitSuiteWithoutTheVersion_failsNamingBoth() throws Exception {
    Path yaml = yaml("wrong-suite", "linux/amd64",
        "  version: 17\n  suite: trixie\n  modules: [java.base]\n");
    Run r = plinth(Map.of(), "build", "-f", yaml.toString(), "--to",
        "oci:" + tmp.resolve("wrong") + ":t");
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("openjdk-17-jdk-headless") && r.err().contains("trixie")
        && r.err().contains("bookworm"), r.err());
  }

  /**
   * A cache of this test's own for runtimes and layers; the downloads, jmods and unpacked JDKs
   * are the shared cache's (links to it), so nothing is fetched or extracted again.
   */
  static Map<String, String> privateRuntimes(String name) throws Exception {
    Path shared = Path.of(Peers.env(Map.of()).get("XDG_CACHE_HOME"), "plinth");
    Path own = Files.createDirectories(tmp.resolve(name).resolve("plinth"));
    for (String d : List.of("blobs", "jmods", "jdks", "release-dates")) {
      Files.createDirectories(shared.resolve(d));
      Files.createSymbolicLink(own.resolve(d), shared.resolve(d));
    }
    return Map.of("XDG_CACHE_HOME", own.getParent().toString());
  }

  static long runtimes(Map<String, String> env) throws Exception {
    Path dir = Path.of(env.get("XDG_CACHE_HOME"), "plinth", "runtimes");
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith("runtime-")).count();
    }
  }

  @Test
  void runtimeCache_notKeyedByTime_keyedByModules_aDamagedEntryIsMadeAgain() throws Exception {
    Map<String, String> cache = privateRuntimes("cache-test");
    Path yaml = yaml("cached", "linux/amd64", "  version: 17\n  modules: [java.base]\n");
    Map<String, String> at1 = new HashMap<>(cache);
    at1.put("SOURCE_DATE_EPOCH", "1");
    Map<String, String> at2 = new HashMap<>(cache);
    at2.put("SOURCE_DATE_EPOCH", "2");
    String a = tmp.resolve("cached-a").toString();
    assertEquals(1, links(plinth(at1, "build", "-f", yaml.toString(), "--to",
        "oci:" + a + ":t").ok()));
    String b = tmp.resolve("cached-b").toString();
    assertEquals(0, links(plinth(at2, "build", "-f", yaml.toString(), "--to",
        "oci:" + b + ":t").ok()), "another time: the same runtime, not linked again");
    assertEquals(1, runtimes(cache));
    assertNotEquals(digest(a), digest(b), "the layers carry each build's time");

    Files.writeString(yaml, Files.readString(yaml).replace("[java.base]", "[java.base, java.logging]"));
    assertEquals(1, links(plinth(at1, "build", "-f", yaml.toString(), "--to",
        "oci:" + tmp.resolve("cached-c") + ":t").ok()), "other modules: another runtime");
    assertEquals(2, runtimes(cache));

    // Damage every stored runtime's largest file (the module image): same size, other bytes.
    try (Stream<Path> s = Files.walk(Path.of(cache.get("XDG_CACHE_HOME"), "plinth", "runtimes"))) {
      for (Path entry : s.filter(p -> p.getFileName().toString().equals("files")).toList()) {
        Path biggest;
        try (Stream<Path> f = Files.list(entry)) {
          biggest = f.max(java.util.Comparator.comparingLong(p -> p.toFile().length()))
              .orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(biggest);
        bytes[bytes.length / 2] ^= 1;
        Files.write(biggest, bytes);
      }
    }
    Files.writeString(yaml, Files.readString(yaml).replace("[java.base, java.logging]", "[java.base]"));
    String again = tmp.resolve("cached-again").toString();
    Run r = plinth(at1, "build", "-f", yaml.toString(), "--to",
        "oci:" + again + ":t").ok();
    assertEquals(1, links(r), "the damaged runtime is linked again");
    assertTrue(r.out().contains("was damaged"), r.out());
    assertEquals(digest(a), digest(again), "and the image is what it was");
  }

  /**
   * zstd layers get a runtime whose module image stores every class as it is (zstd compresses
   * them side by side better than one by one): another runtime in the cache, larger on disk,
   * a smaller download, and it runs. zstd's level does not change the runtime.
   */
  @Test
  void zstd_linksTheModuleImageUncompressed_smallerToPull_runs() throws Exception {
    Map<String, String> cache = privateRuntimes("zstd-test");
    Path yaml = yaml("zstd", "linux/amd64", "  version: 25\n  modules: [java.base]\n");
    String gz = tmp.resolve("zstd-gz").toString();
    String zs = tmp.resolve("zstd-zs").toString();
    Run g = plinth(cache, "build", "-f", yaml.toString(), "--format", "json",
        "--to", "oci:" + gz + ":t").ok();
    Run z = plinth(cache, "build", "-f", yaml.toString(), "--format", "json",
        "--compression", "zstd", "--to", "oci:" + zs + ":t").ok();
    assertEquals(1, links(z), "the zstd build links its own runtime: " + z.err());
    assertEquals(2, runtimes(cache));
    assertTrue(z.err().contains("plinth: linking the linux/amd64 runtime"), z.err());
    JsonNode gi = new ObjectMapper().readTree(g.out()).path("images").get(0);
    JsonNode zi = new ObjectMapper().readTree(z.out()).path("images").get(0);
    assertTrue(zi.path("fileBytes").asLong() > gi.path("fileBytes").asLong() + 4_000_000,
        "the module image is stored uncompressed: " + zi + " against " + gi);
    assertTrue(zi.path("compressedBytes").asLong() < gi.path("compressedBytes").asLong(),
        "and the zstd layers are smaller to pull: " + zi + " against " + gi);
    assertTrue(runs(zs).startsWith("java 25 25."), z.toString());

    Run nine = plinth(cache, "build", "-f", yaml.toString(), "--format", "json",
        "--compression", "zstd:9", "--to", "oci:" + tmp.resolve("zstd-9") + ":t").ok();
    assertEquals(0, links(nine), "another zstd level: the same runtime");
    JsonNode ni = new ObjectMapper().readTree(nine.out()).path("images").get(0);
    assertEquals(zi.path("fileBytes"), ni.path("fileBytes"));
    assertNotEquals(zi.path("compressedBytes"), ni.path("compressedBytes"));
  }

  static String digest(String layout) {
    return Peers.skopeo(List.of("inspect", "--format", "{{.Digest}}", "oci:" + layout + ":t"),
        Peers.SHORT).orFail().stdout().strip();
  }

  @Test
  void lock_recordsTheRuntime_aLockedBuildUsesIt_aStaleOneIsRefused() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("locked"));
    Files.copy(jar, dir.resolve("hello.jar"));
    Path yaml = dir.resolve("plinth.yaml");
    Files.writeString(yaml, "name: locked\nplatforms: [linux/amd64]\njava:\n  jar: hello.jar\n"
        + "  version: 17\n  modules: [java.base]\n");
    plinth(Map.of(), "lock", "-f", yaml.toString()).ok();
    JsonNode lock = new ObjectMapper().readTree(Files.readString(dir.resolve("plinth.lock")));
    JsonNode rt = lock.path("runtime");
    assertEquals(17, rt.path("java").asInt());
    assertEquals("bookworm", rt.path("suite").asText());
    JsonNode first = rt.path("platforms").path("linux/amd64").get(0);
    assertEquals("openjdk-17-jdk-headless", first.path("name").asText());
    assertEquals("amd64", first.path("architecture").asText());
    assertTrue(first.path("sha256").asText().matches("[0-9a-f]{64}"), first.toString());
    List<String> names = new ArrayList<>();
    rt.path("platforms").path("linux/amd64").forEach(e -> names.add(e.path("name").asText()));
    assertTrue(names.contains("libc6"), names.toString());

    Run r = plinth(Map.of(), "build", "--locked", "-f", yaml.toString(), "--to",
        "oci:" + dir.resolve("out") + ":t").ok();
    assertTrue(r.out().contains("java runtime: as locked in"), r.out());
    Files.writeString(yaml, Files.readString(yaml).replace("version: 17", "version: 21"));
    Run stale = plinth(Map.of(), "build", "--locked", "-f", yaml.toString(), "--to",
        "oci:" + dir.resolve("out2") + ":t");
    assertEquals(4, stale.code(), stale.toString());
    assertTrue(stale.err().contains("--locked") && stale.err().contains("plinth lock"),
        stale.err());
    assertFalse(Files.exists(dir.resolve("out2")), "nothing written");
  }
}
