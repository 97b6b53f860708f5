package dev.plinth.cli.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real tools the integration tests check plinth's images against: podman (with runc), skopeo
 * and umoci, plus static busybox binaries to put into test images. JDK only.
 *
 * <p>Everything here runs processes with a timeout: a process that runs over is killed together
 * with its descendants, and {@link TimeoutException} (carrying what it printed so far) is thrown.
 * stdout and stderr are always drained concurrently, so large output cannot deadlock.
 *
 * <p>{@link #podman()} works on a private storage root under /tmp, made once per JVM and removed
 * at JVM exit: tests never see, nor leave behind, images or containers of the machine's own
 * podman. Tools missing from the machine make tests fail (not skip) with a message naming the
 * package; {@code scripts/test} installs all of them when run as root.
 *
 * <p>What podman (4.3, Debian 12) does that tests must allow for:
 *
 * <ul>
 *   <li>One storage per JVM: images loaded by one test are seen by the next. An image run from
 *       {@code oci-archive:}/{@code oci:} is named after its {@code org.opencontainers.image.ref.name}
 *       ({@code localhost/NAME:latest}), a docker-archive's {@code repo:tag} becomes
 *       {@code docker.io/repo:tag}: names collide across tests, so refer to images by ID or by the
 *       archive itself.
 *   <li>stderr is not empty on success: {@code podman load} prints copy progress; {@code --arch}
 *       not matching a single-platform image only warns ("WARNING: image platform ... does not
 *       match") and runs it anyway, so check {@code uname -m}, not the exit code; {@code podman
 *       stop} warns "StopSignal SIGTERM failed to stop container ..." when it had to SIGKILL.
 *   <li>{@code podman load} of an index loads the host's platform only; use {@code run --arch}.
 *   <li>A container killed by {@code podman stop}'s SIGKILL exits 137; sh as PID 1 ignores SIGTERM
 *       unless it traps it.
 * </ul>
 */
public final class Peers {

  /** Default timeout for short podman/skopeo/umoci commands. */
  public static final Duration SHORT = Duration.ofMinutes(2);

  /**
   * The environment a test runs plinth in, passed as a front end passes it: {@code env}, over
   * this machine's PLINTH_DEBIAN_MIRROR and JAVA_HOME, with a cache of the tests' own that is
   * kept between runs beside scripts/test's ({@code ~/.cache/plinth-test/plinth}), so Debian
   * packages and built runtimes are not fetched and linked again each run.
   */
  public static Map<String, String> env(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>();
    for (String k : List.of("PLINTH_DEBIAN_MIRROR", "JAVA_HOME")) {
      String v = System.getenv(k);
      if (v != null) {
        all.put(k, v);
      }
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path cache = xdg != null && Path.of(xdg).isAbsolute() ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".cache");
    all.put("XDG_CACHE_HOME", cache.resolve("plinth-test").toString());
    all.putAll(env);
    return all;
  }

  private static final String SETUP_HINT = "run scripts/test as root";

  private static final Map<String, String> PACKAGES =
      Map.ofEntries(
          Map.entry("podman", "podman"),
          Map.entry("runc", "runc"),
          Map.entry("conmon", "conmon"),
          Map.entry("skopeo", "skopeo"),
          Map.entry("umoci", "umoci"),
          Map.entry("qemu-aarch64-static", "qemu-user-static"),
          Map.entry("busybox", "busybox-static"),
          Map.entry("gcc", "gcc"),
          Map.entry("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
          Map.entry("go", "golang-go"),
          Map.entry("mvn", "maven"),
          Map.entry("java", "default-jdk-headless"));

  private static Podman podman;

  private Peers() {}

  // ---------------------------------------------------------------------------------------------
  // Results and processes

  /**
   * What a process did. {@code command} is only for messages; {@code toString} shows everything
   * an assertion message needs.
   */
  public record Result(int exitCode, String stdout, String stderr, List<String> command) {

    public Result(int exitCode, String stdout, String stderr) {
      this(exitCode, stdout, stderr, List.of());
    }

    public boolean ok() {
      return exitCode == 0;
    }

    /** Returns this if the exit code is 0, else fails with this result as the message. */
    public Result orFail() {
      if (exitCode != 0) {
        throw new AssertionError("command failed: " + this);
      }
      return this;
    }

    @Override
    public String toString() {
      return "Result{exit="
          + exitCode
          + (command.isEmpty() ? "" : ", command=" + String.join(" ", command))
          + "}\n--- stdout ---\n"
          + clip(stdout)
          + "\n--- stderr ---\n"
          + clip(stderr)
          + "\n--------------";
    }

    private static String clip(String s) {
      int max = 8000;
      return s.length() <= max
          ? s
          : s.substring(0, max / 2)
              + "\n[... " + (s.length() - max) + " chars cut ...]\n"
              + s.substring(s.length() - max / 2);
    }
  }

  /** Thrown when a process ran over its timeout; it and its descendants have been killed. */
  public static final class TimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Result partial;

    TimeoutException(Duration timeout, Result partial) {
      super("timed out after " + timeout + " and was killed: " + partial);
      this.partial = partial;
    }

    /** What the process had printed when it was killed (exit code -1). */
    public Result partial() {
      return partial;
    }
  }

  /** The command that runs plinth.jar (the build's) as a process of its own: java -jar, ARGS. */
  public static List<String> plinthCommand(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        Path.of(System.getProperty("plinth.jar")).toAbsolutePath().toString()));
    cmd.addAll(args);
    return cmd;
  }

  /** Runs {@code command} with stdin from /dev/null. */
  public static Result exec(List<String> command, Duration timeout) {
    return exec(command, timeout, Map.of(), false);
  }

  /**
   * Runs {@code command} with stdin from /dev/null, {@code env} added to this JVM's environment,
   * and, if {@code mergeStderr}, stderr sent into stdout (keeping their interleaving).
   */
  public static Result exec(
      List<String> command, Duration timeout, Map<String, String> env, boolean mergeStderr) {
    List<String> cmd = List.copyOf(command);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectErrorStream(mergeStderr);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", cmd), e);
    }
    Drain out = new Drain(p.getInputStream(), "stdout of " + cmd.get(0));
    Drain err = new Drain(p.getErrorStream(), "stderr of " + cmd.get(0));
    boolean finished;
    try {
      finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      killTree(p);
      throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
    }
    if (!finished) {
      killTree(p);
      Result partial = new Result(-1, out.text(Duration.ofSeconds(5)), err.text(Duration.ofSeconds(5)), cmd);
      throw new TimeoutException(timeout, partial);
    }
    // A daemonized grandchild may keep the pipes open: don't wait for it forever.
    return new Result(p.exitValue(), out.text(Duration.ofSeconds(10)), err.text(Duration.ofSeconds(10)), cmd);
  }

  /** Kills a process and every descendant it has (snapshot taken before the kill). */
  static void killTree(Process p) {
    List<ProcessHandle> tree = new ArrayList<>();
    // snapshot first: once the parent is dead its orphans are no longer its descendants
    p.descendants().forEach(tree::add);
    p.toHandle().destroyForcibly();
    for (int i = tree.size() - 1; i >= 0; i--) {
      tree.get(i).destroyForcibly();
    }
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads a stream to its end on its own thread. */
  private static final class Drain {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final InputStream in;
    private final Thread thread;

    Drain(InputStream in, String name) {
      this.in = in;
      this.thread = new Thread(this::pump, "drain " + name);
      thread.setDaemon(true);
      thread.start();
    }

    private void pump() {
      byte[] b = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(b)) >= 0) {
          synchronized (buf) {
            buf.write(b, 0, n);
          }
        }
      } catch (IOException e) {
        // stream closed under us: keep what we have
      }
    }

    String text(Duration wait) {
      try {
        thread.join(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        try {
          in.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
      synchronized (buf) {
        return buf.toString(StandardCharsets.UTF_8);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Tools

  /**
   * Fails (never skips) unless {@code tool} is an executable on PATH, /usr/sbin or /sbin.
   *
   * @return its path
   */
  public static Path require(String tool) {
    return which(tool)
        .orElseThrow(
            () ->
                new AssertionError(
                    tool
                        + " not found: "
                        + SETUP_HINT
                        + " or install package "
                        + PACKAGES.getOrDefault(tool, tool)));
  }

  static Optional<Path> which(String tool) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String d : dirs) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, tool);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * The static busybox for {@code arch} ("amd64" or "arm64"), as scripts/test exports it in
   * PLINTH_TEST_BUSYBOX_AMD64 / PLINTH_TEST_BUSYBOX_ARM64.
   */
  public static Path busybox(String arch) {
    String var = "PLINTH_TEST_BUSYBOX_" + arch.toUpperCase(Locale.ROOT);
    String v = System.getenv(var);
    if (v == null || v.isBlank()) {
      throw new AssertionError(
          var + " is not set: run the tests through scripts/test (as root the first time), which"
              + " fetches a static busybox for " + arch + " and exports it");
    }
    Path p = Path.of(v);
    if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
      throw new AssertionError(var + "=" + v + " is not an executable file: run scripts/test again");
    }
    return p;
  }

  /** {@code skopeo --insecure-policy ARGS} (no policy.json needed; nothing is pulled from a network). */
  public static Result skopeo(List<String> args, Duration timeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(require("skopeo").toString());
    cmd.add("--insecure-policy");
    cmd.addAll(args);
    return exec(cmd, timeout);
  }

  /** {@code umoci ARGS}. Note: umoci 0.4.7's text {@code stat} panics if a history entry lacks "created"; use {@code --json}. */
  public static Result umoci(List<String> args, Duration timeout) {
    List<String> cmd = new ArrayList<>();
    cmd.add(require("umoci").toString());
    cmd.addAll(args);
    return exec(cmd, timeout);
  }

  /** The podman bound to this JVM's private storage (made on first use). */
  public static synchronized Podman podman() {
    if (podman == null) {
      podman = Podman.create();
    }
    return podman;
  }

  // ---------------------------------------------------------------------------------------------
  // podman

  /**
   * podman with its own storage, run root, tmpdir (events, exit files) and network config under
   * one /tmp directory; vfs storage, cgroupfs, runc, file events; --network host and ulimits the
   * sandbox accepts on every container.
   */
  public static final class Podman {
    private static final String PREFIX = "plinth-podman-";

    private final Path base;
    private final List<String> global;
    private final Map<String, String> env;
    private final List<String> ulimits;

    private Podman(Path base, String podmanBinary) {
      this.base = base;
      this.global =
          List.of(
              podmanBinary,
              "--root", base.resolve("root").toString(),
              "--runroot", base.resolve("run").toString(),
              "--tmpdir", base.resolve("tmp").toString(),
              "--network-config-dir", base.resolve("net").toString(),
              "--storage-driver", "vfs",
              "--cgroup-manager", "cgroupfs",
              "--runtime", "runc",
              "--events-backend", "file");
      this.env =
          Map.of(
              "CONTAINERS_STORAGE_CONF", base.resolve("storage.conf").toString(),
              "CONTAINERS_REGISTRIES_CONF", base.resolve("registries.conf").toString());
      this.ulimits =
          List.of(
              "--ulimit", "nofile=" + limit("Max open files", 20000),
              "--ulimit", "nproc=" + limit("Max processes", 1000));
    }

    /**
     * A podman with a storage of its own, removed at JVM exit. {@link Peers#podman()} is the one
     * to share; podman 4.3 keeps one platform of an index per storage, so a test that runs the
     * arm64 image of an archive whose amd64 image is loaded too needs one of these.
     */
    public static Podman create() {
      Path podmanBinary = require("podman");
      require("runc");
      require("conmon");
      try {
        Path tmp = Path.of("/tmp"); // short paths: conmon's attach socket path has a length limit
        cleanStale(tmp, podmanBinary.toString());
        Path base = Files.createTempDirectory(tmp, PREFIX);
        Files.writeString(base.resolve("owner.pid"), ownerId(ProcessHandle.current()));
        Files.writeString(
            base.resolve("storage.conf"),
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + base.resolve("root")
                + "\"\nrunroot = \"" + base.resolve("run") + "\"\n");
        // no search registries: a name that isn't local fails at once instead of going to a registry
        Files.writeString(
            base.resolve("registries.conf"),
            "unqualified-search-registries = []\nshort-name-mode = \"disabled\"\n");
        Podman p = new Podman(base, podmanBinary.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "remove " + base));
        return p;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** The private directory this podman keeps everything in. */
    public Path base() {
      return base;
    }

    /** {@code podman} and the global flags; append a subcommand and its arguments. */
    public List<String> command() {
      return global;
    }

    /** The flags {@link #run} and {@link #runDetached} put before the caller's options. */
    public List<String> runFlags() {
      List<String> f = new ArrayList<>(List.of("--network", "host", "--pull", "never"));
      f.addAll(ulimits);
      return f;
    }

    /** {@code podman ARGS} with the global flags. */
    public Result exec(List<String> args, Duration timeout) {
      return Peers.exec(concat(global, args), timeout, env, false);
    }

    /**
     * {@code podman run --rm -q --name NAME --network host --pull never --ulimit ... OPTIONS IMAGE
     * COMMAND}. IMAGE may be a local name or ID, or {@code oci-archive:FILE},
     * {@code docker-archive:FILE}, {@code oci:DIR:TAG} ({@code --arch arm64} in OPTIONS picks a
     * platform of an index). If it runs over, the container is removed too.
     */
    public Result run(
        List<String> podmanRunOptions, String image, List<String> command, Duration timeout) {
      String name = nameIn(podmanRunOptions).orElse(null);
      List<String> args = new ArrayList<>(List.of("run", "--rm", "-q"));
      if (name == null) {
        name = "plinth-it-" + UUID.randomUUID().toString().substring(0, 12);
        args.addAll(List.of("--name", name));
      }
      args.addAll(runFlags());
      args.addAll(podmanRunOptions);
      args.add(image);
      args.addAll(command);
      try {
        return exec(args, timeout);
      } catch (TimeoutException e) {
        // conmon is daemonized (not a descendant of podman): the container outlives podman run
        rm(name);
        throw e;
      }
    }

    /** {@code podman run -d -q ...} as in {@link #run} (without --rm); returns the container ID. */
    public String runDetached(List<String> options, String image, List<String> command) {
      List<String> args = new ArrayList<>(List.of("run", "-d", "-q"));
      args.addAll(runFlags());
      args.addAll(options);
      args.add(image);
      args.addAll(command);
      Result r = exec(args, SHORT);
      if (!r.ok()) {
        throw new AssertionError("podman run -d failed: " + r);
      }
      String[] lines = r.stdout().strip().split("\n");
      return lines[lines.length - 1].strip();
    }

    /**
     * {@code podman stop -t SECONDS ID}: SIGTERM (or the image's StopSignal), SIGKILL after the
     * timeout (podman then warns on stderr). The exit code is then {@link #waitExit}'s.
     */
    public Result stop(String id, int timeoutSeconds) {
      return exec(
          List.of("stop", "-t", Integer.toString(timeoutSeconds), id),
          Duration.ofSeconds(timeoutSeconds).plus(SHORT));
    }

    /** {@code podman wait ID}: waits for the container to exit and returns its exit code. */
    public int waitExit(String id, Duration timeout) {
      Result r = exec(List.of("wait", id), timeout);
      if (!r.ok()) {
        throw new AssertionError("podman wait failed: " + r);
      }
      String[] lines = r.stdout().strip().split("\n");
      try {
        return Integer.parseInt(lines[lines.length - 1].strip());
      } catch (NumberFormatException e) {
        throw new AssertionError("podman wait printed no exit code: " + r, e);
      }
    }

    /**
     * {@code podman logs ID}: what the container wrote to stdout and stderr, in one string in the
     * order written (per line). Fails if podman fails.
     */
    public String logs(String id) {
      Result r = Peers.exec(concat(global, List.of("logs", id)), SHORT, env, true);
      if (!r.ok()) {
        throw new AssertionError("podman logs failed: " + r);
      }
      return r.stdout();
    }

    /**
     * {@code podman load -i ARCHIVE} (docker-archive or oci-archive; of an index only the host's
     * platform is loaded). stdout names the images: "Loaded image: NAME" (a docker-archive's
     * "repo:tag" becomes "docker.io/repo:tag").
     */
    public Result load(Path archive) {
      return exec(List.of("load", "-i", archive.toString()), SHORT);
    }

    /** {@code podman rm -f -t 0 ID}; a container that is gone already is fine. */
    public void rm(String id) {
      Result r = exec(List.of("rm", "-f", "-t", "0", id), SHORT);
      if (!r.ok() && !r.stderr().contains("no such container")) {
        throw new AssertionError("podman rm failed: " + r);
      }
    }

    /** Removes every container, unmounts what is left and deletes the directory. Best effort. */
    void destroy() {
      destroy(global, env, base);
    }

    private static void destroy(List<String> global, Map<String, String> env, Path base) {
      try {
        Peers.exec(concat(global, List.of("rm", "-a", "-f", "-t", "0")), SHORT, env, false);
      } catch (RuntimeException e) {
        // go on: delete what we can
      }
      // conmon runs `podman container cleanup` when a container exits: wait for those
      // (they recreate lock and state files) before deleting
      awaitNoProcessUsing(base, Duration.ofSeconds(20));
      unmountUnder(base);
      deleteTree(base);
      if (Files.exists(base)) {
        awaitNoProcessUsing(base, Duration.ofSeconds(5));
        deleteTree(base);
      }
    }

    private static void awaitNoProcessUsing(Path base, Duration max) {
      String b = base.toString();
      long self = ProcessHandle.current().pid();
      long deadline = System.nanoTime() + max.toNanos();
      while (System.nanoTime() < deadline
          && ProcessHandle.allProcesses()
              .anyMatch(
                  h -> h.pid() != self && h.info().commandLine().orElse("").contains(b))) {
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    /** Removes directories of JVMs that died without their shutdown hook (e.g. killed). */
    private static void cleanStale(Path tmp, String podmanBinary) {
      try (Stream<Path> dirs = Files.list(tmp)) {
        for (Path d : dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX)).toList()) {
          Path owner = d.resolve("owner.pid");
          try {
            String id = Files.readString(owner).strip();
            long pid = Long.parseLong(id.split(" ")[0]);
            if (running(pid) && ProcessHandle.of(pid).map(Podman::ownerId).orElse("").equals(id)) {
              continue; // its JVM still runs
            }
          } catch (IOException | RuntimeException e) {
            continue; // not ours, or still being made
          }
          Podman stale = new Podman(d, podmanBinary);
          destroy(stale.global, stale.env, d);
        }
      } catch (IOException | RuntimeException e) {
        // best effort
      }
    }

    /** "PID START-MILLIS": survives PID reuse. */
    private static String ownerId(ProcessHandle h) {
      return h.pid() + " " + h.info().startInstant().map(i -> i.toEpochMilli()).orElse(0L);
    }

    /** Exists and is no zombie (a killed JVM may stay one when its new parent doesn't reap). */
    private static boolean running(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        char state = stat.substring(stat.lastIndexOf(')') + 2).charAt(0);
        return state != 'Z' && state != 'X';
      } catch (IOException | RuntimeException e) {
        return false;
      }
    }

    private static void unmountUnder(Path base) {
      String prefix = base.toAbsolutePath() + "/";
      List<String> targets = new ArrayList<>();
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
          String[] f = line.split(" ");
          if (f.length > 4) {
            String target = f[4].replace("\\040", " ");
            if (target.startsWith(prefix)) {
              targets.add(target);
            }
          }
        }
      } catch (IOException e) {
        return;
      }
      targets.sort(Comparator.comparingInt(String::length).reversed()); // innermost first
      for (String t : targets) {
        try {
          Peers.exec(List.of("umount", "-l", t), Duration.ofSeconds(30));
        } catch (RuntimeException e) {
          // best effort
        }
      }
    }

    private static void deleteTree(Path base) {
      if (!Files.exists(base)) {
        return;
      }
      try (Stream<Path> all = Files.walk(base)) {
        for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
          try {
            Files.deleteIfExists(p);
          } catch (IOException e) {
            // best effort; files made read-only inside images are made writable first below
            p.toFile().setWritable(true);
            try {
              Files.deleteIfExists(p);
            } catch (IOException ignored) {
              // give up on this one
            }
          }
        }
      } catch (IOException | UncheckedIOException e) {
        // best effort
      }
    }

    /** {@code SOFT:HARD} for podman --ulimit: {@code preferred}, capped at this JVM's hard limit. */
    private static String limit(String name, long preferred) {
      long v = preferred;
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
          if (line.startsWith(name)) {
            String hard = line.substring(name.length()).trim().split("\\s+")[1];
            if (!hard.equals("unlimited")) {
              v = Math.min(v, Long.parseLong(hard));
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // keep the preferred value
      }
      return v + ":" + v;
    }

    private static Optional<String> nameIn(List<String> options) {
      for (int i = 0; i < options.size(); i++) {
        String o = options.get(i);
        if (o.equals("--name") && i + 1 < options.size()) {
          return Optional.of(options.get(i + 1));
        }
        if (o.startsWith("--name=")) {
          return Optional.of(o.substring("--name=".length()));
        }
      }
      return Optional.empty();
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
