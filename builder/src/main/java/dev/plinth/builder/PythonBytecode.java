package dev.plinth.builder;

import dev.plinth.jvm.LinkedRuntimes;
import dev.plinth.oci.Digest;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The .pyc files Debian's maintainer scripts (py3compile) would have written, made at build time
 * by Debian's own python3 of the same packages for this machine's architecture, run through its
 * own dynamic loader out of an unpacked tree: no container, and no Python on the host.
 *
 * <p>Bytecode does not depend on the architecture, so one compilation serves every platform of a
 * build whose Python is the same upstream version. Each .pyc is PEP 552 {@code unchecked-hash}:
 * Python loads it without comparing it to its source and never tries to write it again, which
 * needs no writable directory at run time and no file times (the layer's are all the same).
 * {@code PYTHONHASHSEED=0} and one process make the bytes the same on every build.
 *
 * <p>The .pyc are cached (kind "pyc", in a {@link LinkedRuntimes} store: made in a temp
 * directory, renamed into place, so concurrent builds share them safely): the packages' by a key
 * of what determines them (this format and the compiler's options, sourceless or not, the host
 * architecture's packages by name, version, architecture and .deb digest, which pins the
 * interpreter, and the excluded paths); a set of files' by that key and each file's path and
 * content. A build whose .pyc are all in the cache installs no interpreter and starts no
 * python3.
 */
final class PythonBytecode {
  /** The compiler's options, as py3compile would pass them but for the invalidation mode. */
  static final List<String> COMPILEALL =
      List.of("-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash");

  /** Bump when what a cached entry holds or how it is compiled changes. */
  static final String FORMAT = "plinth-pyc-1";

  private static final Pattern PYTHON = Pattern.compile("python3\\.[0-9]+");
  private static final Pattern PYC = Pattern.compile("(.*)/__pycache__/([^/]+)\\.cpython-[0-9]+\\.pyc");
  private static final long TIMEOUT_MINUTES = 10;

  /** Installs the packages of this machine's architecture, when a compile needs them. */
  @FunctionalInterface
  interface Installer {
    LayerBuilder install() throws IOException, PlinthException;
  }

  private final String key;
  private final Installer installer;
  private final LinkedRuntimes store;
  private final Path work;
  private final String what;
  private final boolean sourceless;
  private final java.util.function.Consumer<String> notes;
  private final Map<String, Path> packagePyc = new TreeMap<>();
  private String version;
  private Path root;
  private List<String> python;
  private boolean packagesCached;
  private int runs;

  private PythonBytecode(String key, Installer installer, LinkedRuntimes store, Path work,
      String what, boolean sourceless, java.util.function.Consumer<String> notes) {
    this.notes = notes;
    this.key = key;
    this.installer = installer;
    this.store = store;
    this.work = work;
    this.what = what;
    this.sourceless = sourceless;
  }

  /** Whether a layer of packages holds Debian's python3: /usr/bin/python3 and its stdlib. */
  static boolean hasPython(LayerBuilder packages) {
    return packages.contains("/usr/bin/python3");
  }

  /**
   * The cache key of the packages' .pyc: everything that determines them.
   *
   * @param hostPackages the packages of this machine's architecture, each as name=version arch
   *     sha256 of its .deb
   * @param excludePaths debian.excludePaths, which decide what is compiled
   */
  static String key(List<String> hostPackages, List<String> excludePaths, boolean sourceless) {
    StringBuilder b = new StringBuilder(FORMAT).append('\n').append(COMPILEALL).append('\n')
        .append(sourceless ? "sourceless" : "cached").append('\n');
    hostPackages.stream().sorted().forEach(p -> b.append(p).append('\n'));
    b.append("exclude ").append(excludePaths).append('\n');
    return Digest.of(b.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  /**
   * The packages' modules compiled, or taken from {@code store} by {@code key}. Null when the
   * packages have no python3 (stored too: an entry without files).
   *
   * @param installer the packages installed (and trimmed) as for the image, for this machine's
   *     architecture; called only when something must be compiled
   * @param work a private directory for the unpacked tree and the compiler's output
   * @param what names the package set in messages
   * @param sourceless NAME.pyc in the place of NAME.py (debian.pythonBytecode: sourceless)
   * @param notes gets a line when the interpreter is unpacked to compile what the cache lacks
   */
  static PythonBytecode compile(String key, Installer installer, LinkedRuntimes store, Path work,
      String what, boolean sourceless, java.util.function.Consumer<String> notes)
      throws IOException, PlinthException {
    PythonBytecode b = new PythonBytecode(key, installer, store, work, what, sourceless, notes);
    LinkedRuntimes.Stored s = store.get("packages-" + key, (out, w) -> {
      if (!b.start()) {
        return Map.of("version", "");
      }
      List<Path> dirs = new ArrayList<>();
      for (String d : b.moduleDirs()) {
        if (Files.isDirectory(b.root.resolve(d))) {
          dirs.add(b.root.resolve(d));
        }
      }
      // Debian's py3compile skips what this Python cannot compile (a Python 2 test file), as here
      b.run(b.root, dirs, false, sourceless, what);
      for (Map.Entry<String, Path> e : b.collect(b.root, sourceless).entrySet()) {
        out.file(e.getKey(), e.getValue(), 0644, 0, 0);
      }
      return Map.of("version", b.version);
    });
    b.version = s.meta().path("version").asText();
    if (b.version.isEmpty()) {
      return null;
    }
    b.packagesCached = !s.made();
    for (LayerBuilder.Entry e : s.layer().entries()) {
      if (e.type() == TarEntry.Type.FILE) {
        b.packagePyc.put("/" + e.path(), e.source());
      }
    }
    return b;
  }

  /** Whether the packages' .pyc came from the cache (no python3 was run for them). */
  boolean packagesCached() {
    return packagesCached;
  }

  /**
   * Installs and unpacks the interpreter, once: false when the packages have no python3.
   */
  private synchronized boolean start() throws IOException, PlinthException {
    if (python != null) {
      return true;
    }
    LayerBuilder packages = installer.install();
    if (!hasPython(packages)) {
      return false;
    }
    Path dir = Files.createTempDirectory(work, "python-");
    materialize(packages, dir);
    String v = version(dir, what);
    List<String> launcher = dev.plinth.jvm.DebianJdk.launcherIn(dir);
    if (launcher.isEmpty()) {
      throw new PlinthException(Kind.NOT_FOUND, what + ": no dynamic loader of this machine's"
          + " architecture among the packages (libc6), so its " + v + " cannot byte-compile;"
          + " set debian.pythonBytecode: false");
    }
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(dir.resolve("usr/bin/" + v).toString());
    root = dir;
    version = v;
    python = cmd;
    notes.accept(v + ": unpacked to byte-compile what the cache lacks");
    return true;
  }

  /** Where the packages' modules are, relative to the root: what py3compile compiles. */
  private List<String> moduleDirs() {
    return List.of("usr/lib/" + version + "/", "usr/lib/python3/dist-packages/");
  }

  /** e.g. python3.11: what /usr/bin/python3 links to. */
  String version() {
    return version;
  }

  /**
   * Adds to {@code layer} the .pyc of each package module it holds (modules trimmed away get
   * none; sourceless: each replaces its source); a module only this platform has (its
   * {@code _sysconfigdata}) is compiled from the layer. Returns how many.
   */
  int addPackageBytecode(LayerBuilder layer, String what)
      throws IOException, PlinthException {
    int n = 0;
    java.util.Set<String> covered = new java.util.HashSet<>();
    for (Map.Entry<String, Path> e : packagePyc.entrySet()) {
      String source = source(e.getKey());
      if (layer.contains(source)) {
        layer.file(e.getKey(), e.getValue(), 0644, 0, 0);
        if (sourceless) {
          layer.remove(source);
        }
        covered.add(source.substring(1));
        n++;
      }
    }
    List<LayerBuilder.Entry> missing = sources(layer).stream()
        .filter(e -> !covered.contains(e.path()))
        .filter(e -> moduleDirs().stream().anyMatch(d -> e.path().startsWith(d))).toList();
    return n + compileEntries(layer, missing, what, false, sourceless);
  }

  /**
   * Compiles the .py files of {@code layer} (the build file's own files) and adds their .pyc
   * into __pycache__, the sources kept (a program may name its own file, as gunicorn's config);
   * a file this Python cannot compile fails the build, naming it. Returns how many.
   */
  int addOwnBytecode(LayerBuilder layer, String what)
      throws IOException, PlinthException {
    return compileEntries(layer, sources(layer), what, true, false);
  }

  private static List<LayerBuilder.Entry> sources(LayerBuilder layer) {
    return layer.entries().stream()
        .filter(e -> e.type() == TarEntry.Type.FILE && e.path().endsWith(".py")).toList();
  }

  /**
   * The .pyc of {@code sources} added to {@code layer} (legacy: each in the place of its
   * source), from the cache when the same files were compiled by the same interpreter before.
   */
  private int compileEntries(LayerBuilder layer, List<LayerBuilder.Entry> sources, String what,
      boolean strict, boolean legacy) throws IOException, PlinthException {
    if (sources.isEmpty()) {
      return 0;
    }
    MessageDigest files = Digest.sha256();
    files.update((key + (legacy ? " legacy" : " cached") + "\n").getBytes(StandardCharsets.UTF_8));
    for (LayerBuilder.Entry e : sources) {
      files.update((e.path() + " " + contentDigest(e) + "\n").getBytes(StandardCharsets.UTF_8));
    }
    LinkedRuntimes.Stored s = store.get("files-" + Digest.of(files).hex(), (out, w) -> {
      if (!start()) {
        throw new PlinthException(Kind.NOT_FOUND, what + ": the packages have no python3"
            + " to byte-compile with");
      }
      Path dir = Files.createTempDirectory(w, "python-files-");
      List<Path> targets = new ArrayList<>();
      for (LayerBuilder.Entry e : sources) {
        Path p = dir.resolve(e.path());   // an entry's path is relative to the root
        Files.createDirectories(p.getParent());
        write(e, p);
        targets.add(p);
      }
      run(dir, targets, strict, legacy, what);
      for (Map.Entry<String, Path> e : collect(dir, legacy).entrySet()) {
        out.file(e.getKey(), e.getValue(), 0644, 0, 0);
      }
      return Map.of("version", version);
    });
    int n = 0;
    for (LayerBuilder.Entry e : s.layer().entries()) {
      if (e.type() == TarEntry.Type.FILE) {
        String pyc = "/" + e.path();
        layer.file(pyc, e.source(), 0644, 0, 0);
        if (legacy) {
          layer.remove(source(pyc));
        }
        n++;
      }
    }
    return n;
  }

  /** The sha256 of an entry's content. */
  private static String contentDigest(LayerBuilder.Entry e) throws IOException {
    if (e.bytes() != null) {
      return Digest.of(e.bytes()).hex();
    }
    MessageDigest d = Digest.sha256();
    try (InputStream in = e.open()) {
      byte[] buf = new byte[65536];
      for (int r; (r = in.read(buf)) > 0; ) {
        d.update(buf, 0, r);
      }
    }
    return Digest.of(d).hex();
  }

  /** Runs compileall on {@code targets}, naming them in the .pyc by their path under strip. */
  private synchronized void run(Path strip, List<Path> targets, boolean strict, boolean legacy,
      String what) throws IOException, PlinthException {
    List<String> cmd = new ArrayList<>(python);
    cmd.add("-I");
    cmd.addAll(COMPILEALL);
    if (legacy) {
      cmd.add("-b");   // NAME.pyc beside NAME.py: what Python loads when the source is gone
    }
    cmd.addAll(List.of("-s", strip.toString(), "-p", "/"));
    targets.forEach(t -> cmd.add(t.toString()));
    Path log = work.resolve("compileall-" + (runs++) + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).directory(root.toFile());
    pb.environment().clear();
    pb.environment().put("PYTHONHASHSEED", "0");
    pb.environment().put("PYTHONUTF8", "1");
    pb.environment().put("LC_ALL", "C.UTF-8");
    Process p = pb.start();
    try {
      if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new PlinthException(Kind.BAD_INPUT, what + ": " + version + " -m compileall took"
            + " more than " + TIMEOUT_MINUTES + " minutes; set debian.pythonBytecode: false");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while byte-compiling", e);
    }
    int exit = p.exitValue();
    if (exit != 0 && (strict || exit != 1)) {
      String out = Files.readString(log, StandardCharsets.UTF_8).strip();
      out = out.replace(strip.toString(), "");
      throw new PlinthException(Kind.BAD_INPUT, what + ": " + version
          + " could not byte-compile (exit " + exit + "): "
          + (out.length() > 2000 ? out.substring(0, 2000) + "..." : out));
    }
  }

  /** The .pyc compiled under {@code dir}, by their path in the image. */
  private Map<String, Path> collect(Path dir, boolean legacy) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String rel = "/" + dir.relativize(p).toString().replace('\\', '/');
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
            && (legacy ? rel.endsWith(".pyc") && !rel.contains("/__pycache__/")
                : PYC.matcher(rel).matches())) {
          out.put(rel, p);
        }
      }
    }
    return out;
  }

  /** The source a .pyc (in __pycache__, or beside it when sourceless) was compiled from. */
  static String source(String pyc) {
    if (!pyc.contains("/__pycache__/") && pyc.endsWith(".pyc")) {
      return pyc.substring(0, pyc.length() - 1);
    }
    Matcher m = PYC.matcher(pyc);
    if (!m.matches()) {
      throw new IllegalArgumentException(pyc + " is not a __pycache__ .pyc");
    }
    return m.group(1) + "/" + m.group(2) + ".py";
  }

  private static String version(Path root, String what) throws IOException, PlinthException {
    Path link = root.resolve("usr/bin/python3");
    String target = Files.isSymbolicLink(link) ? Files.readSymbolicLink(link).toString() : "";
    String name = Path.of(target.isEmpty() ? "-" : target).getFileName().toString();
    if (!PYTHON.matcher(name).matches()
        || !Files.isRegularFile(root.resolve("usr/bin/" + name))) {
      throw new PlinthException(Kind.BAD_INPUT, what + ": /usr/bin/python3 is not a link to a"
          + " python3.N of the packages (it is '" + target + "'); set debian.pythonBytecode: false");
    }
    return name;
  }

  /** Writes a layer's entries as files under {@code root}, absolute links made relative. */
  static void materialize(LayerBuilder layer, Path root) throws IOException {
    for (LayerBuilder.Entry e : layer.entries()) {
      Path p = root.resolve(e.path());   // relative to the image root
      switch (e.type()) {
        case DIRECTORY -> Files.createDirectories(p);
        case FILE -> {
          Files.createDirectories(p.getParent());
          write(e, p);
          if ((e.mode() & 0111) != 0) {
            p.toFile().setExecutable(true, false);
          }
        }
        case SYMLINK -> {
          Files.createDirectories(p.getParent());
          String link = e.link();
          Files.createSymbolicLink(p, link.startsWith("/")
              ? p.getParent().relativize(root.resolve(link.substring(1))) : Path.of(link));
        }
        default -> { }
      }
    }
  }

  private static void write(LayerBuilder.Entry e, Path to) throws IOException {
    try (InputStream in = e.open(); var out = Files.newOutputStream(to)) {
      in.transferTo(out);
    }
  }
}
