package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import dev.plinth.registry.FaultProxy;
import dev.plinth.registry.TestRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth and registries as users meet them, against Debian's docker-registry on 127.0.0.1: plinth
 * pushes and skopeo and podman read and run; skopeo pushes and plinth pulls and verifies; the
 * failures exit with the documented codes and leave nothing behind.
 */
class RegistryCliIT {
  @TempDir static Path tmp;
  static TestRegistry reg;
  static Path app;

  record Run(int code, String out, String err) {
    /** This run, after checking that it exited 0. */
    Run ok() {
      assertEquals(0, code, out + err);
      return this;
    }
  }

  static Run plinth(Map<String, String> env, String... args) {
    return plinthWithStdin(env, "", args);
  }

  /** plinth with {@code stdin} on its standard input. */
  static Run plinthWithStdin(Map<String, String> env, String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Peers.env(env), null,
        new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return new Run(code, out.toString(), err.toString());
  }

  static String ok(String... args) {
    Run r = plinth(Map.of(), args);
    assertEquals(0, r.code(), "plinth " + String.join(" ", args) + "\n" + r.out() + r.err());
    return r.out();
  }

  /** {@code plinth base} written to {@code archive} (an oci-archive), for a test to push. */
  static Path baseArchive(Path archive) {
    ok("base", "--to", "oci-archive:" + archive);
    return archive;
  }

  static String digest(String text) {
    Matcher m = Pattern.compile("sha256:[0-9a-f]{64}").matcher(text);
    assertTrue(m.find(), text);
    return m.group();
  }

  @BeforeAll
  static void start() throws Exception {
    reg = TestRegistry.plain();
    app = tmp.resolve("app");
    Files.createDirectories(app);
    Files.copy(Peers.busybox("amd64"), app.resolve("busybox-amd64"));
    Files.copy(Peers.busybox("arm64"), app.resolve("busybox-arm64"));
    Files.writeString(app.resolve("plinth.yaml"), """
        name: busybox-probe
        files:
          - {src: "busybox-${arch}", dest: /bin/busybox, mode: "0755"}
        entrypoint: [/bin/busybox]
        cmd: [echo, hello from the registry]
        """);
  }

  @AfterAll
  static void stop() {
    reg.close();
  }

  @Test
  void plinthPushes_skopeoInspects_podmanPullsAndRuns() {
    String ref = reg.host() + "/team/probe:1";
    String out = ok("build", "-f", app.resolve("plinth.yaml").toString(), "--to", ref);
    String index = digest(out);
    Peers.Result inspect = Peers.skopeo(List.of("inspect", "--tls-verify=false",
        "docker://" + ref), Peers.SHORT).orFail();
    assertTrue(inspect.stdout().contains(index), inspect.toString());
    assertTrue(inspect.stdout().contains("\"Architecture\": \"amd64\""), inspect.toString());
    Peers.Result raw = Peers.skopeo(List.of("inspect", "--raw", "--tls-verify=false",
        "docker://" + ref), Peers.SHORT).orFail();
    assertTrue(raw.stdout().contains("application/vnd.oci.image.index.v1+json")
        && raw.stdout().contains("arm64"), raw.toString());
    Peers.Podman podman = Peers.podman();
    podman.exec(List.of("pull", "-q", "--tls-verify=false", ref), Peers.SHORT).orFail();
    Peers.Result run = podman.run(List.of(), ref, List.of(), Peers.SHORT).orFail();
    assertTrue(run.stdout().contains("hello from the registry"), run.toString());
  }

  @Test
  void buildFrom_aRegistryImage_withCopyFrom_mountsTheBase_andRunsInPodman() throws Exception {
    String base = reg.host() + "/team/busybox:1";
    ok("build", "-f", app.resolve("plinth.yaml").toString(), "--to", base);
    Path donor = tmp.resolve("donor");
    Files.createDirectories(donor.resolve("zoneinfo/Europe"));
    Files.writeString(donor.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\nplinth test\n");
    Files.writeString(donor.resolve("zoneinfo/Europe/Paris"), "TZif fake");
    Files.writeString(donor.resolve("plinth.yaml"), """
        files:
          - {src: ca.crt, dest: /etc/ssl/certs/ca-certificates.crt}
          - {src: zoneinfo, dest: /usr/share/zoneinfo}
          - {src: ca.crt, dest: /etc/not-copied}
        """);
    ok("build", "-f", donor.resolve("plinth.yaml").toString(), "--to", reg.host() + "/team/donor:1");
    try (FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      Path site = tmp.resolve("site");
      Files.createDirectories(site);
      Files.writeString(site.resolve("plinth.yaml"), """
          from: %s/team/busybox:1
          copyFrom:
            - image: %s/team/donor:1
              paths: [/etc/ssl/certs/ca-certificates.crt, /usr/share/zoneinfo]
          cmd: [sh, -c, "cat /etc/ssl/certs/ca-certificates.crt /usr/share/zoneinfo/Europe/Paris; ls /etc/not-copied"]
          """.formatted(proxy.host(), proxy.host()));
      String ref = proxy.host() + "/team/site:1";
      ok("build", "-f", site.resolve("plinth.yaml").toString(), "--to", ref, "-q");
      assertTrue(proxy.count("POST", "mount=") >= 2, "the base's layers are mounted: " + proxy.log);
      String inspect = ok("inspect", ref);
      assertTrue(inspect.contains("[\"/sbin/plinth-init\",\"--\",\"/bin/busybox\"]"), inspect);
      Peers.Podman podman = Peers.podman();
      String direct = reg.host() + "/team/site:1";
      podman.exec(List.of("pull", "-q", "--tls-verify=false", direct), Peers.SHORT).orFail();
      Peers.Result run = podman.run(List.of(), direct, List.of(), Peers.SHORT);
      assertTrue(run.stdout().contains("plinth test") && run.stdout().contains("TZif fake"),
          run.toString());
      assertTrue(run.stdout().contains("No such file") || run.stderr().contains("No such file"),
          run.toString());
    }
  }

  @Test
  void dockerV2s2_onRequest_isReadBySkopeo() {
    String ref = reg.host() + "/team/probe-v2s2:1";
    ok("build", "-f", app.resolve("plinth.yaml").toString(), "--to", "docker://" + ref,
        "--manifest-format", "v2s2");
    Peers.Result raw = Peers.skopeo(List.of("inspect", "--raw", "--tls-verify=false",
        "docker://" + ref), Peers.SHORT).orFail();
    assertTrue(raw.stdout().contains("application/vnd.docker.distribution.manifest.list.v2+json"),
        raw.toString());
    Peers.skopeo(List.of("copy", "--src-tls-verify=false", "--override-arch", "arm64",
        "docker://" + ref, "oci:" + tmp.resolve("from-v2s2") + ":x"), Peers.SHORT).orFail();
  }

  @Test
  void skopeoPushes_plinthPullsAndVerifies() throws Exception {
    Path archive = tmp.resolve("probe.tar");
    ok("build", "-f", app.resolve("plinth.yaml").toString(), "--to", "oci-archive:" + archive);
    for (String format : List.of("oci", "v2s2")) {
      String ref = reg.host() + "/skopeo/probe-" + format + ":1";
      Peers.skopeo(List.of("copy", "--all", "--dest-tls-verify=false", "--format", format,
          "oci-archive:" + archive, "docker://" + ref), Peers.SHORT).orFail();
      String skopeoDigest = digest(Peers.skopeo(List.of("inspect", "--tls-verify=false",
          "docker://" + ref), Peers.SHORT).orFail().stdout());
      Path pulled = tmp.resolve("pulled-" + format + ".tar");
      String out = ok("copy", ref, "oci-archive:" + pulled);
      assertEquals(skopeoDigest, digest(out), out);
      String inspect = ok("inspect", "oci-archive:" + pulled);
      assertTrue(inspect.contains("linux/arm64"), inspect);
      String remote = ok("inspect", ref, "--format", "json");
      assertTrue(remote.contains(skopeoDigest), remote);
      Peers.skopeo(List.of("inspect", "oci-archive:" + pulled), Peers.SHORT).orFail();
    }
    Path docker = tmp.resolve("arm64-docker.tar");
    String one = ok("copy", reg.host() + "/skopeo/probe-oci:1", "docker-archive:" + docker
        + ":probe:1", "--platform", "linux/arm64");
    assertTrue(one.contains("linux/arm64") && !one.contains("linux/amd64"), one);
    Peers.Result arch = Peers.skopeo(List.of("inspect", "docker-archive:" + docker), Peers.SHORT)
        .orFail();
    assertTrue(arch.stdout().contains("\"Architecture\": \"arm64\""), arch.toString());
    Run two = plinth(Map.of(), "copy", reg.host() + "/skopeo/probe-oci:1",
        "docker-archive:" + tmp.resolve("both.tar"));
    assertEquals(2, two.code(), two.err());
  }

  @Test
  void rePush_reportsEveryBlobAsExisting_andJsonProgress() {
    String ref = reg.host() + "/team/base:1";
    ok("base", "--to", ref);
    Run again = plinth(Map.of(), "base", "--to", ref, "--json");
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().trim().startsWith("{"), again.out());
    int blobs = 0;
    for (String line : again.err().strip().split("\n")) {
      // JSON lines only: the build's steps as status events, every blob already there
      assertTrue(line.startsWith("{\"event\":\"status\"") || line.startsWith("{\"event\":\"blob\""),
          again.err());
      if (line.startsWith("{\"event\":\"blob\"")) {
        blobs++;
        assertTrue(line.contains("\"outcome\":\"exists\""), again.err());
      }
    }
    assertTrue(blobs > 0, again.err());
    Run quiet = plinth(Map.of(), "base", "--to", ref, "--quiet");
    assertEquals("", quiet.err());
  }

  @Test
  void wrongPassword_unknownRepository_badTls_corruptBlob_failCleanly() throws Exception {
    Path archive = baseArchive(tmp.resolve("base-for-failures.tar"));
    try (TestRegistry tls = TestRegistry.tlsBasic();
        FaultProxy proxy = new FaultProxy("127.0.0.1", reg.port)) {
      Map<String, String> env = new HashMap<>();
      env.put("PLINTH_REGISTRY_CA", tls.caFile.toString());
      String ref = tls.host() + "/team/base:1";
      Run wrong = plinth(env, "copy", "oci-archive:" + archive, ref, "--creds", "plinth:nope-nope");
      assertEquals(5, wrong.code(), wrong.err());
      assertTrue(wrong.err().contains("401") && wrong.err().contains("--creds"), wrong.err());
      assertFalse(wrong.err().contains("nope-nope"), wrong.err());
      Run right = plinth(env, "copy", "oci-archive:" + archive, ref, "--creds",
          TestRegistry.USER + ":" + TestRegistry.PASSWORD, "-q");
      assertEquals(0, right.code(), right.err());
      env.put("PLINTH_REGISTRY_USER", TestRegistry.USER);
      env.put("PLINTH_REGISTRY_PASSWORD", TestRegistry.PASSWORD);
      Path out = tmp.resolve("out-tls.tar");
      assertEquals(0, plinth(env, "copy", ref, "oci-archive:" + out).code());

      Path none = tmp.resolve("none");
      Files.createDirectories(none);
      Run anon = plinth(Map.of("PLINTH_REGISTRY_CA", tls.caFile.toString()),
          "copy", ref, "oci-archive:" + none.resolve("x.tar"));
      assertEquals(3, anon.code(), anon.err());
      Run badTls = plinth(Map.of(), "copy", ref, "oci-archive:" + none.resolve("x.tar"));
      assertEquals(4, badTls.code(), badTls.err());
      assertTrue(badTls.err().contains("PLINTH_REGISTRY_CA"), badTls.err());
      Run unknown = plinth(Map.of(), "copy", reg.host() + "/no/such:1",
          "oci-archive:" + none.resolve("x.tar"));
      assertEquals(3, unknown.code(), unknown.err());
      assertTrue(unknown.err().contains("404"), unknown.err());

      ok("copy", "oci-archive:" + archive, reg.host() + "/team/corrupt:1");
      proxy.rule = (r, n) -> r.method().equals("GET") && r.path().contains("/blobs/sha256:")
          ? new FaultProxy.Corrupt() : new FaultProxy.Pass();
      Run corrupt = plinth(Map.of(), "copy", proxy.host() + "/team/corrupt:1",
          "oci-archive:" + none.resolve("x.tar"));
      assertEquals(4, corrupt.code(), corrupt.err());
      Run corruptLayout = plinth(Map.of(), "copy", proxy.host() + "/team/corrupt:1",
          "oci:" + none.resolve("layout") + ":1");
      assertEquals(4, corruptLayout.code(), corruptLayout.err());
      try (Stream<Path> s = Files.walk(none)) {
        List<Path> left = s.filter(Files::isRegularFile).toList();
        assertTrue(left.stream().noneMatch(p -> p.getFileName().toString().equals("x.tar")
            || p.getFileName().toString().contains("plinth-tmp")
            || p.getFileName().toString().equals("index.json")), left.toString());
      }
    }
  }
}
