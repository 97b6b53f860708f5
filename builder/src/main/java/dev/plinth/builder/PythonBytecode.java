package dev.plinth.builder;

import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
final class PythonBytecode {
  /** The compiler's options, as py3compile would pass them but for the invalidation mode. */
  static final List<String> COMPILEALL =
      List.of("-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash");

  private static final Pattern PYTHON = Pattern.compile("python3\\.[0-9]+");
  private static final Pattern PYC = Pattern.compile("(.*)/__pycache__/([^/]+)\\.cpython-[0-9]+\\.pyc");
  private static final long TIMEOUT_MINUTES = 10;

  private final Path root;
  private final List<String> python;
  private final String version;
  private final boolean sourceless;
  private final Map<String, Path> packagePyc = new TreeMap<>();
  private int runs;

  private PythonBytecode(Path root, List<String> python, String version, boolean sourceless) {
    this.root = root;
    this.python = python;
    this.version = version;
    this.sourceless = sourceless;
  }

  /** Whether a layer of packages holds Debian's python3: /usr/bin/python3 and its stdlib. */
  static boolean hasPython(LayerBuilder packages) {
    return packages.contains("/usr/bin/python3");
  }

  /**
   * Compiles the modules of an installed package set of this machine's architecture.
   *
   * @param packages the packages, installed (and trimmed) as for the image
   * @param work a private directory for the unpacked tree and the compiler's output
   * @param what names the package set in messages
   * @param sourceless NAME.pyc in the place of NAME.py (debian.pythonBytecode: sourceless)
   */
  static PythonBytecode compile(LayerBuilder packages, Path work, String what,
      boolean sourceless) throws IOException, PlinthException {
    Path root = Files.createTempDirectory(work, "python-");
    materialize(packages, root);
    String version = version(root, what);
    List<String> launcher = dev.plinth.jvm.DebianJdk.launcherIn(root);
    if (launcher.isEmpty()) {
      throw new PlinthException(Kind.NOT_FOUND, what + ": no dynamic loader of this machine's"
          + " architecture among the packages (libc6), so its " + version + " cannot byte-compile;"
          + " set debian.pythonBytecode: false");
    }
    List<String> python = new ArrayList<>(launcher);
    python.add(root.resolve("usr/bin/" + version).toString());
    PythonBytecode b = new PythonBytecode(root, python, version, sourceless);
    List<Path> dirs = new ArrayList<>();
    for (String d : b.moduleDirs()) {
      if (Files.isDirectory(root.resolve(d))) {
        dirs.add(root.resolve(d));
      }
    }
    // Debian's py3compile skips what this Python cannot compile (a Python 2 test file), as here
    b.run(root, dirs, work, what, false, sourceless);
    b.packagePyc.putAll(b.collect(root, sourceless));
    return b;
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
  int addPackageBytecode(LayerBuilder layer, Path work, String what)
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
    return n + compileEntries(layer, missing, work, what, false, sourceless);
  }

  /**
   * Compiles the .py files of {@code layer} (the build file's own files) and adds their .pyc
   * into __pycache__, the sources kept (a program may name its own file, as gunicorn's config);
   * a file this Python cannot compile fails the build, naming it. Returns how many.
   */
  int addOwnBytecode(LayerBuilder layer, Path work, String what)
      throws IOException, PlinthException {
    return compileEntries(layer, sources(layer), work, what, true, false);
  }

  private static List<LayerBuilder.Entry> sources(LayerBuilder layer) {
    return layer.entries().stream()
        .filter(e -> e.type() == TarEntry.Type.FILE && e.path().endsWith(".py")).toList();
  }

  private int compileEntries(LayerBuilder layer, List<LayerBuilder.Entry> sources, Path work,
      String what, boolean strict, boolean legacy) throws IOException, PlinthException {
    if (sources.isEmpty()) {
      return 0;
    }
    Path dir = Files.createTempDirectory(work, "python-files-");
    List<Path> files = new ArrayList<>();
    for (LayerBuilder.Entry e : sources) {
      Path p = dir.resolve(e.path());   // an entry's path is relative to the root
      Files.createDirectories(p.getParent());
      write(e, p);
      files.add(p);
    }
    run(dir, files, work, what, strict, legacy);
    Map<String, Path> pyc = collect(dir, legacy);
    for (Map.Entry<String, Path> e : pyc.entrySet()) {
      layer.file(e.getKey(), e.getValue(), 0644, 0, 0);
      if (legacy) {
        layer.remove(source(e.getKey()));
      }
    }
    return pyc.size();
  }

  /** Runs compileall on {@code targets}, naming them in the .pyc by their path under strip. */
  private synchronized void run(Path strip, List<Path> targets, Path work, String what,
      boolean strict, boolean legacy) throws IOException, PlinthException {
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
    if (e.bytes() != null) {
      Files.write(to, e.bytes());
      return;
    }
    try (InputStream in = Files.newInputStream(e.source());
        var out = Files.newOutputStream(to)) {
      in.skipNBytes(e.offset());
      if (e.length() < 0) {
        in.transferTo(out);
      } else {
        out.write(in.readNBytes(Math.toIntExact(e.length())));
      }
    }
  }
}
