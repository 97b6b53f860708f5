package dev.plinth.builder;

import dev.plinth.jvm.AotSpec;

import dev.plinth.jvm.JavaSpec;

import dev.plinth.oci.ImagePath;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Loads plinth.yaml into a {@link BuildSpec}. Strict: an unknown field, a wrong type or a bad
 * value is an error naming the file, line and field, before anything is built.
 *
 * <p>Why one file of more than 600 lines: it reads one document, one method per section, each
 * field checked where it is read, with the node helpers that name the line in every message at
 * the end; split apart, the sections would each need those helpers and the file's name.
 */
public final class PlinthYaml {
  private static final Set<String> TOP =
      Set.of("name", "platforms", "base", "compression", "init", "user", "arbitraryUser", "files",
          "entrypoint", "cmd", "env", "workdir", "labels", "annotations", "ports", "stopSignal", "packages",
          "exclude", "debian", "java", "from", "copyFrom", "allowMissingLibraries", "sbom");
  private static final Set<String> COPY_FROM_FIELDS = Set.of("image", "paths");
  private static final Set<String> JAVA_FIELDS =
      Set.of("jar", "mainClass", "classpath", "version", "modules", "jvmFlags", "aot", "suite",
          "runtime", "train");
  private static final Set<String> AOT_FIELDS = Set.of("get", "env", "timeout");
  private static final Pattern CLASS_NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
  private static final Pattern MODULE = CLASS_NAME;
  private static final Set<String> DEBIAN_FIELDS =
      Set.of("suite", "components", "mirror", "keyring", "tzdataRight", "excludePaths",
          "pythonBytecode");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
  private static final Set<String> FILE_FIELDS = Set.of("src", "dest", "mode", "uid", "gid");
  private static final Set<String> INIT_FIELDS =
      Set.of("binary", "group", "grace", "verbose", "exitZero", "args");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(?:/(tcp|udp|sctp))?");
  /** The architectures ${arch} stands for (linux/amd64 and linux/arm64 only are built). */
  private static final List<String> ARCHES = List.of("amd64", "arm64");
  private static final Pattern SIGNAL = Pattern.compile("SIG[A-Z0-9+-]+|[0-9]{1,2}");

  private final Path file;
  private final String fileName;
  private final BuildContext context;

  private PlinthYaml(Path file, BuildContext context) {
    this.file = file;
    this.fileName = file.toString();
    this.context = context;
  }

  /**
   * Loads and validates {@code file}, whose paths must lie inside its own directory (its
   * build context).
   */
  public static BuildSpec load(Path file) throws PlinthException {
    return load(file, BuildContext.of(file));
  }

  /** Loads and validates {@code file}, whose paths must lie inside {@code context}. */
  public static BuildSpec load(Path file, BuildContext context) throws PlinthException {
    return new PlinthYaml(file, context).load();
  }

  private BuildSpec load() throws PlinthException {
    Node root;
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setCodePointLimit((int) BuildContext.MAX_YAML_BYTES);
    options.setNestingDepthLimit(40);
    try (Reader r = new java.io.StringReader(new String(
        dev.plinth.oci.SmallFiles.read(file, BuildContext.MAX_YAML_BYTES, "build file"),
        StandardCharsets.UTF_8))) {
      // the node tree alone, as Yaml.compose makes it, without Yaml's representer: that one
      // needs java.beans, which plinth's own image leaves out of its runtime (java.desktop)
      root = new Composer(new ParserImpl(new StreamReader(r), options), new Resolver(), options)
          .getSingleNode();
    } catch (NoSuchFileException e) {
      throw new PlinthException(
          PlinthException.Kind.NOT_FOUND, fileName + ": no such file (name one with -f FILE)");
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          fileName + ":" + line + ": not valid YAML: " + e.getProblem());
    } catch (YAMLException e) {
      throw new PlinthException(
          PlinthException.Kind.USAGE, fileName + ": not valid YAML: " + e.getMessage());
    } catch (IOException e) {
      throw new PlinthException(
          PlinthException.Kind.NOT_FOUND, fileName + ": cannot read: " + e.getMessage());
    }
    if (root == null) {
      throw new PlinthException(PlinthException.Kind.USAGE, fileName + ": the file is empty");
    }
    Map<String, NodeTuple> top = mapping(root, "the top level", TOP);
    Path baseDir = file.toAbsolutePath().getParent();

    String name = top.containsKey("name") ? string(value(top, "name"), "name") : null;
    List<Platform> platforms = BuildSpec.DEFAULT_PLATFORMS;
    if (top.containsKey("platforms")) {
      platforms = new ArrayList<>();
      for (Node n : sequence(value(top, "platforms"), "platforms")) {
        String text = string(n, "platforms");
        Platform p;
        try {
          p = Platform.parse(text);
        } catch (IllegalArgumentException e) {
          throw error(n, "platforms", e.getMessage());
        }
        if (!p.os().equals("linux") || p.elfMachine() < 0) {
          throw error(n, "platforms", "'" + text + "' is not supported: use linux/amd64 or linux/arm64");
        }
        if (platforms.contains(p)) {
          throw error(n, "platforms", "'" + text + "' is listed twice");
        }
        platforms.add(p);
      }
      if (platforms.isEmpty()) {
        throw error(value(top, "platforms"), "platforms", "the list is empty");
      }
    }
    BuildSpec.From from = null;
    if (top.containsKey("from")) {
      Node n = value(top, "from");
      from = new BuildSpec.From(imageRef(n, "from"), !top.containsKey("user"), where(n));
    }
    List<BuildSpec.CopyFrom> copyFrom = new ArrayList<>();
    if (top.containsKey("copyFrom")) {
      int i = 0;
      for (Node n : sequence(value(top, "copyFrom"), "copyFrom")) {
        copyFrom.add(copyFrom(n, "copyFrom[" + i++ + "]"));
      }
    }
    // with from:, the base image is the starting filesystem: plinth's hierarchy only if asked
    BuildSpec.Base base = from != null ? BuildSpec.Base.SCRATCH : BuildSpec.Base.MINIMAL;
    if (top.containsKey("base")) {
      Node n = value(top, "base");
      base = switch (string(n, "base")) {
        case "minimal" -> BuildSpec.Base.MINIMAL;
        case "scratch" -> BuildSpec.Base.SCRATCH;
        default -> throw error(n, "base", "must be 'minimal' or 'scratch'");
      };
    }
    BuildSpec.Init init = top.containsKey("init") ? init(value(top, "init")) : BuildSpec.Init.PLINTH;
    BuildSpec.User user = BuildSpec.User.NONROOT;
    if (top.containsKey("user")) {
      user = user(value(top, "user"), base);
    }
    boolean arbitraryUser =
        top.containsKey("arbitraryUser") && bool(value(top, "arbitraryUser"), "arbitraryUser");
    List<BuildSpec.FileSpec> files = new ArrayList<>();
    if (top.containsKey("files")) {
      int i = 0;
      for (Node n : sequence(value(top, "files"), "files")) {
        files.add(fileSpec(n, "files[" + i++ + "]", baseDir));
      }
    }
    List<String> entrypoint =
        top.containsKey("entrypoint") ? command(value(top, "entrypoint"), "entrypoint") : List.of();
    List<String> cmd = top.containsKey("cmd") ? command(value(top, "cmd"), "cmd") : List.of();
    Map<String, String> env = new TreeMap<>();
    if (top.containsKey("env")) {
      for (Map.Entry<String, Node> e : stringMap(value(top, "env"), "env").entrySet()) {
        if (!ENV_KEY.matcher(e.getKey()).matches()) {
          throw error(e.getValue(), "env", "'" + e.getKey() + "' is not a valid variable name");
        }
        env.put(e.getKey(), string(e.getValue(), "env." + e.getKey()));
      }
    }
    String workdir = null;
    if (top.containsKey("workdir")) {
      Node n = value(top, "workdir");
      workdir = absolute(n, "workdir");
    }
    Map<String, String> labels = plainMap(top, "labels");
    Map<String, String> annotations = plainMap(top, "annotations");
    List<String> ports = new ArrayList<>();
    if (top.containsKey("ports")) {
      for (Node n : sequence(value(top, "ports"), "ports")) {
        String text = string(n, "ports");
        var m = PORT.matcher(text);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1 || Integer.parseInt(m.group(1)) > 65535) {
          throw error(n, "ports", "'" + text + "' is not a port such as 8080 or 53/udp");
        }
        ports.add(Integer.parseInt(m.group(1)) + "/" + (m.group(2) == null ? "tcp" : m.group(2)));
      }
    }
    String stopSignal = null;
    if (top.containsKey("stopSignal")) {
      Node n = value(top, "stopSignal");
      stopSignal = string(n, "stopSignal");
      if (!SIGNAL.matcher(stopSignal).matches()) {
        throw error(n, "stopSignal", "'" + stopSignal + "' is not a signal such as SIGTERM");
      }
    }
    BuildSpec.Packages packages = packages(top, baseDir);
    JavaSpec java = null;
    if (top.containsKey("java")) {
      java = java(value(top, "java"), baseDir);
      if (top.containsKey("entrypoint")) {
        throw error(value(top, "entrypoint"), "entrypoint", "with 'java', the entrypoint is the"
            + " java command plinth writes; put JVM flags in java.jvmFlags and app arguments in cmd");
      }
    }
    dev.plinth.oci.Compression compression = null;
    if (top.containsKey("compression")) {
      Node n = value(top, "compression");
      dev.plinth.oci.Compression c = dev.plinth.oci.Compression.named(
          string(n, "compression"), 0);
      if (c == null) {
        throw error(n, "compression", "must be 'gzip', 'zstd' or 'zstd:LEVEL' (1-19)");
      }
      // gzip: at the build options' gzip level, so left unset here
      compression = c.isZstd() ? c.available(where(n) + ": compression") : null;
    }
    return new BuildSpec(name, platforms, base, init, user, arbitraryUser, files, entrypoint, cmd,
        env, workdir, labels, annotations, ports, stopSignal, packages, java, from, copyFrom,
        compression, top.containsKey("allowMissingLibraries")
            && bool(value(top, "allowMissingLibraries"), "allowMissingLibraries"),
        top.containsKey("sbom") ? sbomFormats(value(top, "sbom")) : null);
  }

  /** {@code sbom: [spdx, cyclonedx]}: the formats written next to a file output. */
  private List<BuildSpec.SbomFormat> sbomFormats(Node n) throws PlinthException {
    List<BuildSpec.SbomFormat> out = new ArrayList<>();
    for (Node c : sequence(n, "sbom")) {
      String t = string(c, "sbom");
      BuildSpec.SbomFormat f = BuildSpec.SbomFormat.named(t);
      if (f == null) {
        throw error(c, "sbom", "'" + t + "' is not an SBOM format: give spdx,"
            + " cyclonedx or both, e.g. sbom: [spdx, cyclonedx] ([] writes none)");
      }
      if (out.contains(f)) {
        throw error(c, "sbom", "'" + t + "' is listed twice");
      }
      out.add(f);
    }
    return out;
  }

  private dev.plinth.oci.ImageRef imageRef(Node n, String field) throws PlinthException {
    String text = string(n, field);
    try {
      return dev.plinth.oci.ImageRef.parse(text);
    } catch (PlinthException e) {
      throw error(n, field, e.getMessage());
    }
  }

  private BuildSpec.CopyFrom copyFrom(Node n, String field) throws PlinthException {
    Map<String, NodeTuple> m = mapping(n, field, COPY_FROM_FIELDS);
    for (String required : List.of("image", "paths")) {
      if (!m.containsKey(required)) {
        throw error(n, field, "'" + required + "' is missing");
      }
    }
    List<String> paths = new ArrayList<>();
    for (Node p : sequence(value(m, "paths"), field + ".paths")) {
      String path = absolute(p, field + ".paths");
      if (paths.contains(path)) {
        throw error(p, field + ".paths", "'" + path + "' is listed twice");
      }
      paths.add(path);
    }
    if (paths.isEmpty()) {
      throw error(value(m, "paths"), field + ".paths", "the list is empty");
    }
    return new BuildSpec.CopyFrom(imageRef(value(m, "image"), field + ".image"), paths, where(n));
  }

  private JavaSpec java(Node n, Path baseDir) throws PlinthException {
    Map<String, NodeTuple> j = mapping(n, "java", JAVA_FIELDS);
    Path jar = null;
    if (j.containsKey("jar")) {
      jar = baseDir.resolve(string(value(j, "jar"), "java.jar")).normalize();
      confine(value(j, "jar"), "java.jar", jar);
    }
    String mainClass = null;
    if (j.containsKey("mainClass")) {
      Node m = value(j, "mainClass");
      mainClass = string(m, "java.mainClass");
      if (!CLASS_NAME.matcher(mainClass).matches()) {
        throw error(m, "java.mainClass", "'" + mainClass + "' is not a class name");
      }
    }
    List<Path> classpath = new ArrayList<>();
    if (j.containsKey("classpath")) {
      if (jar != null) {
        throw error(value(j, "classpath"), "java.classpath", "give either jar or classpath");
      }
      for (Node c : sequence(value(j, "classpath"), "java.classpath")) {
        String entry = string(c, "java.classpath");
        if (entry.endsWith("/*")) {
          // a directory of jars, as java's own -cp reads "lib/*": its jars in name order
          Path dir = baseDir.resolve(entry.substring(0, entry.length() - 2)).normalize();
          confine(c, "java.classpath", dir);
          List<Path> jars;
          try (var s = java.nio.file.Files.list(dir)) {
            jars = s.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
          } catch (java.io.IOException e) {
            throw error(c, "java.classpath", dir + " is not a readable directory");
          }
          for (Path jarFile : jars) {
            confine(c, "java.classpath", jarFile);
            classpath.add(jarFile);
          }
        } else {
          Path entryPath = baseDir.resolve(entry).normalize();
          confine(c, "java.classpath", entryPath);
          classpath.add(entryPath);
        }
      }
    }
    if (jar == null && (mainClass == null || !j.containsKey("classpath"))) {
      throw error(n, "java", "give 'jar' (an executable jar), or 'mainClass' and 'classpath'");
    }
    int version = JavaSpec.UNSET;   // follows the app's class files
    if (j.containsKey("version")) {
      Node v = value(j, "version");
      String t = string(v, "java.version");
      if (!t.matches("[0-9]{2}") || Integer.parseInt(t) < 17) {
        throw error(v, "java.version", "'" + t + "' is not a JDK feature version of 17 or later"
            + " (e.g. 17, 21, 25)");
      }
      version = Integer.parseInt(t);
    }
    List<String> modules = new ArrayList<>();
    if (j.containsKey("modules")) {
      Node m = value(j, "modules");
      if (m instanceof ScalarNode && string(m, "java.modules").equals(JavaSpec.AUTO)) {
        modules = List.of();
      } else {
        // [auto, jdk.zipfs]: the modules found plus these; a list without auto: exactly these
        for (Node x : sequence(m, "java.modules")) {
          String t = string(x, "java.modules");
          if (!MODULE.matcher(t).matches()) {
            throw error(x, "java.modules", "'" + t + "' is not a module name");
          }
          modules.add(t);
        }
      }
    }
    boolean train = !j.containsKey("train") || bool(value(j, "train"), "java.train");
    List<String> flags = j.containsKey("jvmFlags")
        ? command(value(j, "jvmFlags"), "java.jvmFlags") : List.of();
    AotSpec aot = j.containsKey("aot") ? aot(value(j, "aot")) : null;
    String suite = null;   // the suite that packages the version
    if (j.containsKey("suite")) {
      suite = string(value(j, "suite"), "java.suite");
      if (!WORD.matcher(suite).matches()) {
        throw error(value(j, "suite"), "java.suite", "'" + suite + "' is not a suite name such as trixie");
      }
    }
    Path runtime = j.containsKey("runtime")
        ? baseDir.resolve(string(value(j, "runtime"), "java.runtime")).normalize() : null;
    if (runtime != null) {
      confine(value(j, "runtime"), "java.runtime", runtime);
    }
    return new JavaSpec(jar, mainClass, classpath, version, modules, flags, aot, suite,
        runtime, train);
  }

  /** {@code aot: true|false}, or {@code aot: {get: [URL...], env: {...}, timeout: seconds}}. */
  private AotSpec aot(Node n) throws PlinthException {
    if (n instanceof ScalarNode) {
      return bool(n, "java.aot") ? AotSpec.DEFAULT : null;
    }
    Map<String, NodeTuple> m = mapping(n, "java.aot", AOT_FIELDS);
    List<String> get = new ArrayList<>();
    if (m.containsKey("get")) {
      for (Node u : sequence(value(m, "get"), "java.aot.get")) {
        String url = string(u, "java.aot.get");
        if (!AotSpec.isLoopbackHttp(url)) {
          throw error(u, "java.aot.get", "'" + url + "' is not an http URL on 127.0.0.1 or"
              + " localhost (the training run talks to this machine only), e.g."
              + " http://127.0.0.1:8080/");
        }
        get.add(url);
      }
    }
    Map<String, String> env = new TreeMap<>();
    if (m.containsKey("env")) {
      for (Map.Entry<String, Node> e : stringMap(value(m, "env"), "java.aot.env").entrySet()) {
        env.put(e.getKey(), string(e.getValue(), "java.aot.env." + e.getKey()));
      }
    }
    int timeout = AotSpec.DEFAULT_TIMEOUT;
    if (m.containsKey("timeout")) {
      timeout = seconds(value(m, "timeout"), "java.aot.timeout", 1, 9999);
    }
    return new AotSpec(get, env, timeout);
  }

  private BuildSpec.Packages packages(Map<String, NodeTuple> top, Path baseDir)
      throws PlinthException {
    List<String> names = top.containsKey("packages")
        ? packageNames(value(top, "packages"), "packages") : List.of();
    List<String> exclude = top.containsKey("exclude")
        ? packageNames(value(top, "exclude"), "exclude") : List.of();
    BuildSpec.Packages p = BuildSpec.Packages.NONE;
    String suite = p.suite();
    List<String> components = p.components();
    String mirror = null;
    List<Path> keyring = List.of();
    boolean tzdataRight = false;
    List<String> excludePaths = List.of();
    BuildSpec.Bytecode pythonBytecode = BuildSpec.Bytecode.CACHED;
    if (top.containsKey("debian")) {
      Map<String, NodeTuple> d = mapping(value(top, "debian"), "debian", DEBIAN_FIELDS);
      if (d.containsKey("suite")) {
        suite = string(value(d, "suite"), "debian.suite");
        if (!WORD.matcher(suite).matches()) {
          throw error(value(d, "suite"), "debian.suite", "'" + suite + "' is not a suite name such as bookworm");
        }
      }
      if (d.containsKey("components")) {
        components = new ArrayList<>();
        for (Node c : sequence(value(d, "components"), "debian.components")) {
          String t = string(c, "debian.components");
          if (!WORD.matcher(t).matches()) {
            throw error(c, "debian.components", "'" + t + "' is not a component such as main");
          }
          components.add(t);
        }
      }
      if (d.containsKey("mirror")) {
        Node n = value(d, "mirror");
        mirror = string(n, "debian.mirror");
        if (!mirror.matches("https?://[^\\s]+")) {
          throw error(n, "debian.mirror", "'" + mirror + "' is not an http:// or https:// URL");
        }
      }
      if (d.containsKey("tzdataRight")) {
        tzdataRight = bool(value(d, "tzdataRight"), "debian.tzdataRight");
      }
      if (d.containsKey("pythonBytecode")) {
        Node n = value(d, "pythonBytecode");
        String t = string(n, "debian.pythonBytecode");
        pythonBytecode = switch (t) {
          case "true" -> BuildSpec.Bytecode.CACHED;
          case "false" -> BuildSpec.Bytecode.NONE;
          case "sourceless" -> BuildSpec.Bytecode.SOURCELESS;
          default -> throw error(n, "debian.pythonBytecode",
              "must be true, false or sourceless, not '" + t + "'");
        };
      }
      if (d.containsKey("excludePaths")) {
        excludePaths = new ArrayList<>();
        for (Node g : sequence(value(d, "excludePaths"), "debian.excludePaths")) {
          String glob = string(g, "debian.excludePaths");
          String problem = dev.plinth.deb.PathGlobs.problem(glob);
          if (problem != null) {
            throw error(g, "debian.excludePaths", "'" + glob + "' " + problem);
          }
          excludePaths.add(glob);
        }
      }
      if (d.containsKey("keyring")) {
        Node n = value(d, "keyring");
        List<Node> items = n instanceof ScalarNode ? List.of(n) : sequence(n, "debian.keyring");
        keyring = new ArrayList<>();
        for (Node k : items) {
          Path key = baseDir.resolve(string(k, "debian.keyring")).normalize();
          confine(k, "debian.keyring", key);
          keyring.add(key);
        }
      }
    }
    Path lock = baseDir.resolve("plinth.lock");
    if (Files.isSymbolicLink(lock)) {
      context.check(lock, fileName, "plinth.lock");
    }
    return new BuildSpec.Packages(names, exclude, suite, components, mirror, keyring,
        lock, tzdataRight, excludePaths, pythonBytecode);
  }

  private List<String> packageNames(Node n, String field) throws PlinthException {
    List<String> out = new ArrayList<>();
    for (Node c : sequence(n, field)) {
      String t = string(c, field);
      if (!PACKAGE.matcher(t).matches()) {
        throw error(c, field, "'" + t + "' is not a Debian package name");
      }
      if (out.contains(t)) {
        throw error(c, field, "'" + t + "' is listed twice");
      }
      out.add(t);
    }
    return out;
  }

  private BuildSpec.Init init(Node n) throws PlinthException {
    if (n instanceof ScalarNode) {
      String binary = string(n, "init");
      if (binary.contains("/")) {
        binary = file.toAbsolutePath().getParent().resolve(binary).normalize().toString();
        for (String arch : ARCHES) {
          confine(n, "init", Path.of(binary.replace("${arch}", arch)));
        }
      }
      return initKind(n, binary, BuildSpec.Init.PLINTH, List.of("--"));
    }
    Map<String, NodeTuple> m = mapping(n, "init", INIT_FIELDS);
    String binary = m.containsKey("binary") ? string(value(m, "binary"), "init.binary") : "plinth";
    boolean group = m.containsKey("group") && bool(value(m, "group"), "init.group");
    Integer grace = m.containsKey("grace")
        ? seconds(value(m, "grace"), "init.grace", 0, BuildSpec.Init.MAX_GRACE) : null;
    boolean verbose = m.containsKey("verbose") && bool(value(m, "verbose"), "init.verbose");
    List<Integer> exitZero = new ArrayList<>();
    if (m.containsKey("exitZero")) {
      for (Node c : sequence(value(m, "exitZero"), "init.exitZero")) {
        String t = string(c, "init.exitZero");
        int code;
        try {
          code = Integer.parseInt(t);
        } catch (NumberFormatException e) {
          code = -1;
        }
        if (code < 1 || code > 255) {
          throw error(c, "init.exitZero", "'" + t + "' is not an exit code from 1 to 255");
        }
        exitZero.add(code);
      }
    }
    List<String> args =
        m.containsKey("args") ? command(value(m, "args"), "init.args") : List.of("--");
    Node at = m.containsKey("binary") ? value(m, "binary") : n;
    if (binary.contains("/")) {
      // a path to the init binary: relative to this file, inside the build context
      binary = file.toAbsolutePath().getParent().resolve(binary).normalize().toString();
      for (String arch : ARCHES) {
        confine(at, "init.binary", Path.of(binary.replace("${arch}", arch)));
      }
    }
    return initKind(at, binary, new BuildSpec.Init(BuildSpec.Init.Kind.PLINTH, null, group,
        exitZero, List.of(), grace, verbose), args);
  }

  /** The init {@code binary} names, with the options of {@code o} (plinth's init's). */
  private BuildSpec.Init initKind(Node n, String binary, BuildSpec.Init o, List<String> args)
      throws PlinthException {
    boolean options = o.group() || !o.exitZero().isEmpty() || o.grace() != null || o.verbose();
    switch (binary) {
      case "plinth":
        return o;
      case "none":
        if (options) {
          throw error(n, "init", "'group', 'grace', 'verbose' and 'exitZero' need an init;"
              + " 'none' has none");
        }
        return BuildSpec.Init.NONE;
      case "tini":
        if (o.grace() != null) {
          throw error(n, "init", "'grace' is an option of plinth's own init (tini does not stop"
              + " the app's helpers when it exits)");
        }
        return new BuildSpec.Init(BuildSpec.Init.Kind.TINI, null, o.group(), o.exitZero(),
            List.of(), null, o.verbose());
      default:
        if (!binary.contains("/")) {
          throw error(n, "init", "'" + binary + "' is not plinth, tini, none, or a path to a static init"
              + " binary (with ${arch} for each platform)");
        }
        if (options) {
          throw error(n, "init", "'group', 'grace', 'verbose' and 'exitZero' are options of"
              + " plinth's own init; give a custom init its options in 'args'");
        }
        return new BuildSpec.Init(BuildSpec.Init.Kind.CUSTOM, binary, false, List.of(), args);
    }
  }

  private BuildSpec.User user(Node n, BuildSpec.Base base) throws PlinthException {
    try {
      return BuildSpec.User.parse(string(n, "user"));
    } catch (IllegalArgumentException e) {
      throw error(n, "user", e.getMessage());
    }
  }

  private BuildSpec.FileSpec fileSpec(Node n, String field, Path baseDir) throws PlinthException {
    Map<String, NodeTuple> m = mapping(n, field, FILE_FIELDS);
    for (String required : List.of("src", "dest")) {
      if (!m.containsKey(required)) {
        throw error(n, field, "'" + required + "' is missing");
      }
    }
    String src = string(value(m, "src"), field + ".src");
    if (src.isEmpty()) {
      throw error(value(m, "src"), field + ".src", "is empty");
    }
    String dest = absolute(value(m, "dest"), field + ".dest");
    Integer mode = null;
    if (m.containsKey("mode")) {
      Node mn = value(m, "mode");
      String t = string(mn, field + ".mode");
      if (!t.matches("0?[0-7]{3,4}")) {
        throw error(mn, field + ".mode", "'" + t + "' is not an octal mode such as 0644 or 0755");
      }
      mode = Integer.parseInt(t, 8);
    }
    long uid = m.containsKey("uid") ? id(value(m, "uid"), field + ".uid") : 0;
    long gid = m.containsKey("gid") ? id(value(m, "gid"), field + ".gid") : 0;
    for (String arch : ARCHES) {
      confine(value(m, "src"), field + ".src",
          baseDir.resolve(src.replace("${arch}", arch)).normalize());
    }
    return new BuildSpec.FileSpec(baseDir, src, dest, mode, uid, gid, where(n), context);
  }

  private int seconds(Node n, String field, int min, int max) throws PlinthException {
    String s = string(n, field);
    if (!s.matches("[0-9]{1,4}") || Integer.parseInt(s) < min || Integer.parseInt(s) > max) {
      throw error(n, field, "'" + s + "' is not a number of seconds from " + min + " to " + max);
    }
    return Integer.parseInt(s);
  }

  private long id(Node n, String field) throws PlinthException {
    String t = string(n, field);
    if (!t.matches("[0-9]{1,10}") || Long.parseLong(t) > 0xFFFFFFFEL) {
      throw error(n, field, "'" + t + "' is not a numeric id");
    }
    return Long.parseLong(t);
  }

  private String absolute(Node n, String field) throws PlinthException {
    String t = string(n, field);
    try {
      return "/" + ImagePath.normalize(t);
    } catch (IllegalArgumentException e) {
      throw error(n, field, e.getMessage() + "; give an absolute path inside the image");
    }
  }

  private List<String> command(Node n, String field) throws PlinthException {
    List<String> out = new ArrayList<>();
    if (n instanceof ScalarNode) {
      throw error(n, field, "must be a list (exec form), e.g. [\"/app/server\", \"--port\", \"8080\"]");
    }
    for (Node c : sequence(n, field)) {
      out.add(string(c, field));
    }
    return out;
  }

  private Map<String, String> plainMap(Map<String, NodeTuple> top, String field)
      throws PlinthException {
    Map<String, String> out = new TreeMap<>();
    if (top.containsKey(field)) {
      for (Map.Entry<String, Node> e : stringMap(value(top, field), field).entrySet()) {
        out.put(e.getKey(), string(e.getValue(), field + "." + e.getKey()));
      }
    }
    return out;
  }

  /**
   * Refuses {@code path}, named by {@code field} at {@code n}, when it lies outside the build
   * context or is a device, FIFO or socket.
   */
  private void confine(Node n, String field, Path path) throws PlinthException {
    context.check(path, where(n), field);
    BuildContext.checkType(path, where(n), field);
  }

  // ---- node helpers ----

  private Map<String, NodeTuple> mapping(Node n, String field, Set<String> known)
      throws PlinthException {
    if (!(n instanceof MappingNode mn)) {
      throw error(n, field, "must be a mapping of fields");
    }
    Map<String, NodeTuple> out = new LinkedHashMap<>();
    for (NodeTuple t : mn.getValue()) {
      String key = string(t.getKeyNode(), field);
      if (!known.contains(key)) {
        throw error(t.getKeyNode(), field,
            "unknown field '" + key + "' (known: " + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
      if (out.put(key, t) != null) {
        throw error(t.getKeyNode(), field, "'" + key + "' is given twice");
      }
    }
    return out;
  }

  private Map<String, Node> stringMap(Node n, String field) throws PlinthException {
    if (!(n instanceof MappingNode mn)) {
      throw error(n, field, "must be a mapping of names to values");
    }
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : mn.getValue()) {
      String key = string(t.getKeyNode(), field);
      if (out.put(key, t.getValueNode()) != null) {
        throw error(t.getKeyNode(), field, "'" + key + "' is given twice");
      }
    }
    return out;
  }

  private static Node value(Map<String, NodeTuple> m, String key) {
    return m.get(key).getValueNode();
  }

  private List<Node> sequence(Node n, String field) throws PlinthException {
    if (!(n instanceof SequenceNode sn)) {
      throw error(n, field, "must be a list");
    }
    return sn.getValue();
  }

  private String string(Node n, String field) throws PlinthException {
    if (!(n instanceof ScalarNode sn)) {
      throw error(n, field, "must be a single value, not a list or mapping");
    }
    if (sn.getTag().getValue().endsWith(":null")) {
      throw error(n, field, "has no value");
    }
    return sn.getValue();
  }

  private boolean bool(Node n, String field) throws PlinthException {
    String t = string(n, field);
    return switch (t) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error(n, field, "must be true or false, not '" + t + "'");
    };
  }

  private String where(Node n) {
    return fileName + ":" + (n.getStartMark().getLine() + 1);
  }

  private PlinthException error(Node n, String field, String message) {
    return new PlinthException(PlinthException.Kind.USAGE, where(n) + ": " + field + ": " + message);
  }
}
