package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Debian packages from the mirror in this machine's apt configuration, verified with the
 * system's Debian archive keyring, in images that podman runs on amd64 and (under qemu) arm64.
 */
class DebianPackagesIT {
  @TempDir static Path tmp;
  static String image;
  static String withLibc;
  static JsonNode libcLock;

  @BeforeAll
  static void build() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("full"));
    Files.copy(Peers.busybox("amd64"), dir.resolve("busybox-amd64"));
    Files.copy(Peers.busybox("arm64"), dir.resolve("busybox-arm64"));
    Files.writeString(dir.resolve("plinth.yaml"), """
        name: debian-probe
        packages: [ca-certificates, tzdata]
        init: tini
        files:
          - {src: "busybox-${arch}", dest: /bin/busybox, mode: "0755"}
        entrypoint: [/bin/busybox]
        """);
    plinth("lock", "-f", dir.resolve("plinth.yaml").toString());
    image = "oci:" + tmp.resolve("full-layout") + ":probe";
    plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--locked", "--to", image);

    Path libc = Files.createDirectories(tmp.resolve("libc"));
    Files.writeString(libc.resolve("plinth.yaml"), """
        name: libc-probe
        packages: [libc6, tini]
        init: none
        entrypoint: [/usr/bin/tini, --version]
        """);
    plinth("lock", "-f", libc.resolve("plinth.yaml").toString());
    libcLock = new ObjectMapper().readTree(libc.resolve("plinth.lock").toFile());
    withLibc = "oci:" + tmp.resolve("libc-layout") + ":probe";
    plinth("build", "-f", libc.resolve("plinth.yaml").toString(), "--locked", "--to", withLibc);
  }

  /** Runs a busybox sh script; under qemu, applets run only as {@code busybox APPLET}. */
  private static Peers.Result sh(String arch, List<String> env, String script) {
    List<String> options = new java.util.ArrayList<>(List.of("--arch", arch));
    for (String e : env) {
      options.addAll(List.of("--env", e));
    }
    return Peers.podman().run(options, image, List.of("sh", "-c", script), Duration.ofMinutes(3))
        .orFail();
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void caBundle_holdsTheMozillaRoots(String arch) {
    Peers.Result r = sh(arch, List.of(), "busybox grep -c 'BEGIN CERTIFICATE' $SSL_CERT_FILE");
    int roots = Integer.parseInt(r.stdout().trim());
    assertTrue(roots > 100, "only " + roots + " certificates in the bundle");
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void tzNewYork_givesTheLocalTimeOfAFixedInstant(String arch) {
    // 1700000000 is 2023-11-14 22:13:20 UTC, 17:13:20 in New York (EST, UTC-5).
    Peers.Result r = sh(arch, List.of("TZ=America/New_York"), "date -d @1700000000 '+%F %T %Z'");
    assertEquals("2023-11-14 17:13:20 EST", r.stdout().trim());
    Peers.Result summer = sh(arch, List.of("TZ=America/New_York"), "date -d @1690000000 '+%T %Z'");
    assertEquals("00:26:40 EDT", summer.stdout().trim(), "daylight saving time from tzdata");
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void tiniStatic_isPid1_andTheAppRunsAsNonroot(String arch) {
    Peers.Result r = sh(arch, List.of(), "busybox tr '\\0' ' ' < /proc/1/cmdline; echo; busybox id -u");
    String[] lines = r.stdout().trim().split("\n");
    assertTrue(lines[0].contains("/usr/bin/tini-static -- /bin/busybox sh -c"), r.toString());
    assertEquals("65532", lines[1].trim());
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void libc6_fromTheMirror_runsADynamicallyLinkedProgram(String arch) {
    JsonNode entries = libcLock.path("platforms").path("linux/" + arch);
    boolean hasLibc = false;
    for (JsonNode e : entries) {
      if (e.path("name").asText().equals("libc6")) {
        hasLibc = true;
        assertEquals(arch, e.path("architecture").asText());
        assertTrue(e.path("filename").asText().endsWith("_" + arch + ".deb"), e.toString());
        assertEquals(64, e.path("sha256").asText().length());
      }
    }
    assertTrue(hasLibc, entries.toString());
    Peers.Result r = Peers.podman().run(List.of("--arch", arch), withLibc, List.of(),
        Duration.ofMinutes(3));
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("tini version 0.19"), r.toString());
  }
}
