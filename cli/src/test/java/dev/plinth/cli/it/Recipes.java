package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the ITs of docs/apps.md's recipes share (examples/flask-api, go-server, c-server,
 * node-api): a copy of the example, its build for both platforms from its plinth.lock, and a
 * run under podman per architecture (arm64 under qemu) checked the way its user would.
 */
final class Recipes {
  /** Where podman mounts the static x86-64 busybox that looks inside a running container. */
  static final String PROBE = "/probe/busybox";

  private Recipes() {}

  /**
   * A built image: its reference, its index digest, plinth's "files" MB per arch, and the
   * build's steps (its stderr: what it took from the cache).
   */
  record Built(String image, String indexDigest, Map<String, Double> sizes, String steps) {
    /** Each platform's image unpacks to less than {@code mb} MB. */
    void assertEachUnder(double mb) {
      sizes.forEach((arch, size) -> assertTrue(size < mb, arch + " is " + size + " MB"));
    }
  }

  /** examples/{@code name} copied into {@code dir} (without target/); the copy's path. */
  static Path copy(String name, Path dir) throws Exception {
    Path project = dir.resolve(name);
    HelloApiIT.copyTree(Path.of(System.getProperty("plinth.root", "..")).resolve("examples")
        .resolve(name).toAbsolutePath().normalize(), project);
    return project;
  }

  /**
   * Runs a project's build script (build.sh: the programs for both platforms into build/) with
   * {@code tools} (checked first, so that a missing one is named with its package).
   */
  static void compile(Path project, String... tools) {
    for (String tool : tools) {
      Peers.require(tool);
    }
    Peers.exec(List.of(project.resolve("build.sh").toString()), Duration.ofMinutes(15), Map.of(),
        true).orFail();
  }

  /** examples/{@code name} copied into {@code dir}, its programs compiled, its image built. */
  static Built compileAndBuild(String name, Path dir, String... tools) throws Exception {
    Path project = copy(name, dir);
    compile(project, tools);
    return build(project, dir.resolve("layout"));
  }

  /**
   * {@code plinth build -f PROJECT/plinth.yaml --locked} into the OCI layout {@code layout}; the
   * image and what the build's summary says of it (printed, for the README's table).
   */
  static Built build(Path project, Path layout) {
    String image = "oci:" + layout + ":app";
    RegistryCliIT.Run run = RegistryCliIT.plinth(Map.of(), "build", "-f",
        project.resolve("plinth.yaml").toString(), "--locked", "--to", image).ok();
    String out = run.out();
    Matcher m = Pattern.compile("linux/(amd64|arm64)\\S*\\s+sha256:\\S+\\s+\\d+ layers\\s+files"
        + " ([0-9.]+) MB").matcher(out);
    Map<String, Double> sizes = new TreeMap<>();
    while (m.find()) {
      sizes.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    assertEquals(List.of("amd64", "arm64"), List.copyOf(sizes.keySet()), out);
    System.out.println(project.getFileName() + " files MB per platform: " + sizes);
    return new Built(image, indexDigest(out), sizes, run.err());
  }

  static String indexDigest(String buildOutput) {
    Matcher m = Pattern.compile("\\(index (sha256:[0-9a-f]{64})\\)").matcher(buildOutput);
    assertTrue(m.find(), buildOutput);
    return m.group(1);
  }

  /** A container of the image on one architecture, answering on {@code port}; close removes it. */
  record Running(String id, int port, String arch) implements AutoCloseable {
    @Override
    public void close() {
      Peers.podman().rm(id);
    }
  }

  /**
   * Starts {@code image} for {@code arch} with {@code PORT} set, the probe busybox mounted and
   * {@code options} of podman run, and waits (bounded: 2 minutes, 6 under qemu) until {@code
   * path} answers 200.
   */
  static Running start(String image, String arch, String path, String... options)
      throws Exception {
    int port = HelloApiIT.freePort();
    List<String> opts = new java.util.ArrayList<>(List.of("--arch", arch, "--env",
        "PORT=" + port, "--volume", Peers.busybox("amd64") + ":" + PROBE + ":ro"));
    opts.addAll(List.of(options));
    String id = Peers.podman().runDetached(opts, image, List.of());
    try {
      AppImages.await200(id, port, path, Duration.ofMinutes(arch.equals("amd64") ? 2 : 6));
    } catch (Exception | AssertionError e) {
      Peers.podman().rm(id);
      throw e;
    }
    return new Running(id, port, arch);
  }

  static HttpResponse<String> get(Running r, String path) throws Exception {
    return AppImages.get(r.port(), path);
  }

  /** {@code sh -c SCRIPT} by the probe busybox inside the container, as its user; stdout. */
  static String probe(Running r, String script) {
    return Peers.podman().exec(List.of("exec", r.id(), PROBE, "sh", "-c", script),
        Duration.ofMinutes(3)).orFail().stdout();
  }

  /**
   * The container's processes: PID 1 is plinth's init running {@code entrypoint} (after "--"),
   * and that entrypoint runs (gunicorn's workers too) as uid and gid 65532 (nonroot), as does
   * every process.
   */
  static void assertNonrootUnderTheInit(Running r, List<String> entrypoint) {
    String ps = probe(r, "cd /proc && for p in [0-9]*; do u=; g=; while read -r k v rest; do"
        + " case $k in Uid:) u=$v;; Gid:) g=$v;; esac; done < $p/status;"
        + " echo \"$p $u:$g $(" + PROBE + " tr '\\0' ' ' < $p/cmdline)\"; done");
    // under qemu-user (binfmt), an arm64 process's command line starts with the emulator
    String qemu = "(?:\\S*qemu-aarch64\\S* )?";
    String app = Pattern.quote(String.join(" ", entrypoint)) + " ?";
    List<String> init = new ArrayList<>();
    List<String> apps = new ArrayList<>();
    for (String line : ps.strip().split("\n")) {
      String[] f = line.split(" ", 3);
      assertEquals("65532:65532", f[1], "every process runs as nonroot: " + ps);
      String cmd = f.length > 2 ? f[2] : "";
      if (f[0].equals("1")) {
        init.add(cmd);
      } else if (cmd.matches(qemu + "(?:/\\S+ )?" + app)) {   // a script: its interpreter first
        apps.add(line);
      }
    }
    assertEquals(1, init.size(), ps);
    assertTrue(init.get(0).matches(qemu + "/sbin/plinth-init -- " + app), ps);
    assertFalse(apps.isEmpty(), "the app runs beside the init: " + ps);
  }

  /** {@code podman stop} (SIGTERM; SIGKILL after 30 s) gives exit code 0: the app's own stop. */
  static void assertStopsWithExitZero(Running r) {
    Peers.podman().stop(r.id(), 30).orFail();
    assertEquals(0, Peers.podman().waitExit(r.id(), Peers.SHORT), Peers.podman().logs(r.id()));
  }
}
