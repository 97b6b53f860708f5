package dev.plinth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.plinth.cli.it.Peers;
import dev.plinth.registry.TestRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth's own image (dist/target/plinth-VERSION-image.tar, built by plinth in {@code package})
 * as a CI job uses it: loaded into podman it is {@code plinth:VERSION}, says the reactor jar's
 * version and commit, builds onto a mounted directory as its nonroot user and as the caller's uid,
 * pushes over TLS to a registry whose CA comes from a mounted certs.d, and passes plinth's audit
 * of itself; its arm64 image runs under qemu.
 */
class DistImageIT {
  private static final Path IMAGE = Path.of(System.getProperty("plinth.image"));
  private static final String VERSION = System.getProperty("plinth.version");
  private static final String NAME = "localhost/plinth:" + VERSION;
  /** Generous: the machine is shared, and arm64 runs under qemu. */
  private static final Duration RUN = Duration.ofMinutes(10);
  private static final int NONROOT = 65532;

  @TempDir Path tmp;

  @BeforeAll
  static void load() {
    assumeFalse(Boolean.getBoolean("plinth.image.skip"), "built with -Dplinth.image.skip");
    assertTrue(Files.isRegularFile(IMAGE), IMAGE + " is missing: `mvn package` in dist makes it");
    Peers.Result r = Peers.podman().load(IMAGE).orFail();
    // the name a user runs it by, from the archive's own reference name
    assertTrue(r.stdout().contains("Loaded image: " + NAME), r.toString());
  }

  private static Peers.Result plinth(List<String> podmanOptions, String... args) {
    return Peers.podman().run(podmanOptions, NAME, List.of(args), RUN);
  }

  /** A directory for /work owned by {@code uid}, as a CI job's checkout is its user's. */
  private Path work(String name, int uid) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(name));
    chown(d, uid);
    return d;
  }

  private static void chown(Path p, int uid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid);
    Files.setAttribute(p, "unix:gid", uid);
  }

  @Test
  void version_isTheReactorJars_withItsCommit() {
    Peers.Result host = Peers.exec(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", System.getProperty("plinth.jar"), "--version"), Peers.SHORT).orFail();
    Peers.Result r = plinth(List.of(), "--version").orFail();
    assertEquals(host.stdout().strip(), r.stdout().strip(), r.toString());
    assertTrue(r.stdout().startsWith("plinth " + VERSION.replace("-SNAPSHOT", "") + " (commit "),
        r.toString());
  }

  @Test
  void base_ontoMountedDirectory_asNonroot_isReadBySkopeo() throws Exception {
    Path work = work("nonroot", NONROOT);
    plinth(List.of("-v", work + ":/work"), "base", "--to", "oci:/work/out:1").orFail();

    Path out = work.resolve("out");
    for (String arch : List.of("amd64", "arm64")) {
      Peers.Result inspect = Peers.skopeo(List.of("--override-arch", arch, "inspect",
          "oci:" + out + ":1"), Peers.SHORT).orFail();
      assertTrue(inspect.stdout().contains("\"Architecture\": \"" + arch + "\""),
          inspect.toString());
      assertTrue(inspect.stdout().contains("\"HOME=/home/nonroot\""), inspect.toString());
    }
    // written by the container's user, readable by the job's other steps (umask 022)
    assertEquals(NONROOT, Files.getAttribute(out.resolve("index.json"), "unix:uid"));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(out.resolve("index.json"))));
  }

  @Test
  void build_asCallersUid_pushesOverTlsWithMountedCertsD_andAuditsIt() throws Exception {
    int uid = 4242; // a CI runner's user: --user "$(id -u):$(id -g)"
    Path work = work("caller", uid);
    Files.writeString(work.resolve("hello.txt"), "hello\n");
    Files.writeString(work.resolve("plinth.yaml"),
        "name: hello\nfiles:\n  - {src: hello.txt, dest: /app/hello.txt, mode: \"0644\"}\n");
    chown(work.resolve("hello.txt"), uid);
    chown(work.resolve("plinth.yaml"), uid);
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      Path certsD = tmp.resolve("certs.d");
      Path hostDir = Files.createDirectories(certsD.resolve(reg.host()));
      Files.copy(reg.caFile, hostDir.resolve("ca.crt"));
      List<String> options = List.of("--user", uid + ":" + uid, "-v", work + ":/work",
          "-v", certsD + ":/etc/containers/certs.d:ro",
          "-e", "PLINTH_REGISTRY_USER=" + TestRegistry.USER,
          "-e", "PLINTH_REGISTRY_PASSWORD=" + TestRegistry.PASSWORD);
      // the image's workdir is /work: ./plinth.yaml and relative outputs, as on the host
      plinth(options, "build", "--to", "oci:out:1").orFail();
      assertEquals(uid, Files.getAttribute(work.resolve("out/index.json"), "unix:uid"));
      String ref = reg.host() + "/ci/hello:1";
      plinth(options, "copy", "oci:out:1", ref).orFail();
      Peers.Result audit = plinth(options, "audit", ref);
      assertEquals(0, audit.exitCode(), audit.toString());

      Peers.Result pushed = Peers.skopeo(List.of("inspect", "--cert-dir", hostDir.toString(),
          "--creds", TestRegistry.USER + ":" + TestRegistry.PASSWORD, "docker://" + ref),
          Peers.SHORT).orFail();
      assertTrue(pushed.stdout().contains("\"org.opencontainers.image.title\": \"hello\""),
          pushed.toString());
    }
  }

  @Test
  void javaApp_buildsInside_withDebiansJdkAsTheLinker() throws Exception {
    // plinth's own jar is the app: the image builds itself, for the host's platform
    Path work = work("java", NONROOT);
    Path jar = Files.copy(Path.of(System.getProperty("plinth.jar")), work.resolve("app.jar"));
    Path yaml = Files.writeString(work.resolve("plinth.yaml"), """
        name: app
        java:
          jar: app.jar
          version: 17
          modules: [java.base, java.logging, java.xml, jdk.crypto.ec, jdk.unsupported]
        """);
    chown(jar, NONROOT);
    chown(yaml, NONROOT);
    // a cache kept between runs (Debian's JDK is downloaded once per machine), as a CI job
    // keeps one in a volume; the Debian mirror from the host's apt configuration
    Path cache = Files.createDirectories(
        Path.of(Peers.env(Map.of()).get("XDG_CACHE_HOME")).resolve("plinth-image"));
    chown(cache, NONROOT);
    List<String> options = new ArrayList<>(List.of("-v", work + ":/work",
        "-v", cache + ":/tmp/plinth-cache", "-v", "/etc/apt:/etc/apt:ro"));
    String mirror = Peers.env(Map.of()).get("PLINTH_DEBIAN_MIRROR");
    if (mirror != null) {
      options.addAll(List.of("-e", "PLINTH_DEBIAN_MIRROR=" + mirror));
    }
    Peers.Result build = plinth(options, "build", "--platform", "linux/amd64",
        "--to", "oci-archive:app.tar");
    assertEquals(0, build.exitCode(), build.toString());

    Peers.Result v = Peers.podman().run(List.of(), "oci-archive:" + work.resolve("app.tar"),
        List.of("--version"), RUN).orFail();
    assertTrue(v.stdout().startsWith("plinth " + VERSION.replace("-SNAPSHOT", "") + " (commit "),
        v.toString());
  }

  @Test
  void itsOwnImage_passesItsOwnAudit_asNonrootUnderItsInit() throws Exception {
    Path work = work("self", NONROOT);
    Path copy = work.resolve("plinth.tar");
    Files.copy(IMAGE, copy);
    chown(copy, NONROOT);
    Peers.Result audit = plinth(List.of("-v", work + ":/work"), "audit",
        "oci-archive:/work/plinth.tar", "--format", "json");
    assertEquals(0, audit.exitCode(), audit.toString());
    assertTrue(audit.stdout().contains("\"passed\""), audit.toString());

    Peers.Result config = Peers.skopeo(List.of("inspect", "--config", "oci-archive:" + IMAGE),
        Peers.SHORT).orFail();
    String c = config.stdout().replaceAll("\\s+", "");
    assertTrue(c.contains("\"User\":\"65532:65532\""), config.toString());
    // plinth's init as PID 1, then plinth's own java command
    assertTrue(c.contains("\"Entrypoint\":[\"/sbin/plinth-init\","), config.toString());
    assertTrue(c.contains("\"/opt/java/openjdk/bin/java\""), config.toString());
    assertTrue(c.contains("\"XDG_CACHE_HOME=/tmp/plinth-cache\""), config.toString());
    for (String arch : List.of("amd64", "arm64")) {
      Peers.Result raw = Peers.skopeo(List.of("--override-arch", arch, "inspect",
          "oci-archive:" + IMAGE), Peers.SHORT).orFail();
      assertTrue(raw.stdout().contains("\"Architecture\": \"" + arch + "\""), raw.toString());
    }
  }

  @Test
  void arm64_underQemu_printsItsVersion() {
    // podman 4.3 keeps one platform of an index per storage: arm64 gets a storage of its own
    Peers.Podman arm = Peers.Podman.create();
    Peers.Result pulled = arm.exec(List.of("pull", "-q", "--arch", "arm64", "oci-archive:" + IMAGE),
        RUN).orFail();
    List<String> lines = pulled.stdout().strip().lines().toList();
    String id = lines.get(lines.size() - 1).strip();
    Peers.Result arch = arm.exec(List.of("image", "inspect", "--format", "{{.Architecture}}", id),
        Peers.SHORT).orFail();
    assertEquals("arm64", arch.stdout().strip());
    Peers.Result v = arm.run(List.of("--arch", "arm64"), id, List.of("--version"), RUN).orFail();
    assertTrue(v.stdout().startsWith("plinth " + VERSION.replace("-SNAPSHOT", "") + " (commit "),
        v.toString());
  }
}
