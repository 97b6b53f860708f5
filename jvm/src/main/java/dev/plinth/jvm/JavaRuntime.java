package dev.plinth.jvm;

import dev.plinth.elf.ElfStrip;

import dev.plinth.elf.ElfFile;

import dev.plinth.deb.Cache;
import dev.plinth.deb.DebPackage;
import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.PackageRecord;
import dev.plinth.deb.Repository;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Digest;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Java runtime for one platform: jlink of the app's modules from the host JDK when it is of that
 * architecture and feature version, else from the jmods of Debian's {@code openjdk-N-jdk-headless}
 * of that architecture (linked by the host JDK's jlink, which links any platform's jmods of its
 * own feature version); no man pages, headers or commands but {@code java}; native debug symbols
 * stripped; and exactly the native libraries its ELF files need, taken from Debian's packages for
 * that architecture.
 */
public final class JavaRuntime {
  /** The X11 parts of java.desktop, which a headless runtime never loads. */
  public static final Set<String> HEADLESS_OMITS =
      Set.of("lib/libawt_xawt.so", "lib/libsplashscreen.so", "lib/libjawt.so");

  /** Where the runtime goes in the image. */
  public static final String HOME = "/opt/java/openjdk";

  /** A host JDK: where it is, its feature version and architecture (Debian's name). */
  public record Jdk(Path home, int feature, String version, String arch) {
    Path tool(String name) {
      return home.resolve("bin").resolve(name);
    }

    /** The argv prefix that runs one of this JDK's tools on this machine. */
    public List<String> command(String name) {
      return List.of(tool(name).toString());
    }

    boolean hasJmods() {
      return Files.isDirectory(home.resolve("jmods"));
    }
  }

  /** What a runtime was made of, for the image history and the SBOM. */
  public record Built(String source, List<String> modules, List<PackageInstaller.Installed> libraries,
      List<Digest> libraryDebs) {}

  private JavaRuntime() {}

  /**
   * The host JDK of a feature version: JAVA_HOME, the running JVM, then /usr/lib/jvm/*.
   *
   * @param javaHome JAVA_HOME from the environment the front end read, or null
   */
  public static Jdk hostJdk(int feature, Path javaHome) throws PlinthException {
    List<Path> candidates = new ArrayList<>();
    if (javaHome != null) {
      candidates.add(javaHome);
    }
    // java.home is a fact about the JVM running plinth, not a setting: read where it is needed
    candidates.add(Path.of(System.getProperty("java.home")));
    Path jvm = Path.of("/usr/lib/jvm");
    if (Files.isDirectory(jvm)) {
      try (Stream<Path> s = Files.list(jvm)) {
        s.sorted().forEach(candidates::add);
      } catch (IOException e) {
        // an unreadable /usr/lib/jvm holds no candidate
      }
    }
    List<String> seen = new ArrayList<>();
    for (Path c : candidates) {
      Jdk jdk = describe(c);
      if (jdk == null) {
        continue;
      }
      seen.add(jdk.home() + " (" + jdk.version() + ")");
      if (jdk.feature() == feature && Files.isExecutable(jdk.tool("jlink"))
          && Files.isExecutable(jdk.tool("jdeps"))) {
        return jdk;
      }
    }
    throw new PlinthException(Kind.NOT_FOUND, "java.version " + feature + " needs a JDK "
        + feature + " on this machine to run jlink and jdeps (they link the runtime of every"
        + " platform); found " + (seen.isEmpty() ? "none" : String.join(", ", seen))
        + ". Install one (e.g. openjdk-" + feature + "-jdk-headless) or set JAVA_HOME to it");
  }

  private static Jdk describe(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release)) {
      return null;
    }
    try {
      Map<String, String> r = new TreeMap<>();
      for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          r.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", "").strip());
        }
      }
      String v = r.get("JAVA_VERSION");
      if (v == null) {
        return null;
      }
      int feature = Integer.parseInt(v.split("[.+-]")[0]);
      String arch = switch (r.getOrDefault("OS_ARCH", "")) {
        case "x86_64", "amd64" -> "amd64";
        case "aarch64", "arm64" -> "arm64";
        default -> r.getOrDefault("OS_ARCH", "");
      };
      return new Jdk(home.toRealPath(), feature, v, arch);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /**
   * The modules the app needs, as jdeps finds them, plus java.base. {@code classpath} holds the
   * app's jars and class directories.
   *
   * <p>Modular jars (a module-info.class, versioned or not) get a jdeps run of their own with
   * every jar on the module path: given among plain inputs, jdeps drops a modular jar whose own
   * required modules it cannot resolve, silently under --ignore-missing-deps, so a binding such
   * as slf4j-jdk14 (which needs java.logging and is only found through ServiceLoader) would lose
   * its module. Only JDK modules (java.*, jdk.*) are kept from that run.
   */
  public static List<String> modules(Jdk jdk, List<Path> classpath, Path work) throws PlinthException {
    List<String> plain = new ArrayList<>();
    List<String> modular = new ArrayList<>();
    for (Path p : classpath) {
      (isModularJar(p, jdk.feature()) ? modular : plain).add(p.toString());
    }
    Set<String> modules = new TreeSet<>();
    modules.add("java.base");
    String release = Integer.toString(jdk.feature());
    if (!plain.isEmpty()) {
      List<String> cmd = new ArrayList<>(List.of(jdk.tool("jdeps").toString(), "-q",
          "--ignore-missing-deps", "--print-module-deps", "--multi-release", release));
      List<String> rest = new ArrayList<>(plain.subList(1, plain.size()));
      rest.addAll(modular);
      if (!rest.isEmpty()) {
        cmd.add("--class-path");
        cmd.add(String.join(":", rest));
      }
      cmd.addAll(plain);
      addModules(modules, run(cmd, work, "jdeps (finding the modules of the app)"), false);
    }
    if (!modular.isEmpty()) {
      List<String> all = new ArrayList<>();
      for (Path p : classpath) {
        if (Files.isRegularFile(p)) {
          all.add(p.toString());
        }
      }
      List<String> cmd = new ArrayList<>(List.of(jdk.tool("jdeps").toString(), "-q",
          "--ignore-missing-deps", "--print-module-deps", "--multi-release", release,
          "--module-path", String.join(":", all)));
      cmd.addAll(modular);
      addModules(modules, run(cmd, work, "jdeps (finding the modules of the app's modular jars)"),
          true);
    }
    return List.copyOf(modules);
  }

  private static void addModules(Set<String> into, String jdepsOutput, boolean jdkOnly) {
    for (String m : jdepsOutput.strip().split(",")) {
      String name = m.strip();
      if (!name.isEmpty() && (!jdkOnly || name.startsWith("java.") || name.startsWith("jdk."))) {
        into.add(name);
      }
    }
  }

  /** Whether {@code p} is a jar with a module descriptor for Java {@code feature}. */
  public static boolean isModularJar(Path p, int feature) {
    if (!Files.isRegularFile(p)) {
      return false;
    }
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(p.toFile(), false,
        java.util.zip.ZipFile.OPEN_READ, Runtime.Version.parse(Integer.toString(feature)))) {
      return jar.getJarEntry("module-info.class") != null;
    } catch (IOException | IllegalArgumentException e) {
      return false;   // not a jar plinth can read: jdeps reports it
    }
  }

  /**
   * Links the runtime for {@code platform} into {@code layer} under {@link #HOME}, with the
   * native libraries it needs.
   */
  public static Built link(Jdk jdk, JavaSpec java, List<String> modules, Platform platform,
      Repository debian, PackageIndex index, Cache cache, LayerBuilder layer, Path work)
      throws IOException, PlinthException {
    String arch = dev.plinth.deb.Architectures.debian(platform);
    Path modulePath = null;
    String source;
    if (arch.equals(jdk.arch())) {
      modulePath = jdk.hasJmods() ? jdk.home().resolve("jmods") : null;
      source = "host JDK " + jdk.version() + " (" + jdk.home() + ")";
    } else {
      String name = "openjdk-" + java.version() + "-jdk-headless";
      List<PackageRecord> versions = index.versions(name);
      if (versions.isEmpty()) {
        throw new PlinthException(Kind.NOT_FOUND, "no " + name + " for " + arch + " in Debian "
            + java.suite() + ": pick a java.version Debian " + java.suite() + " has, or another"
            + " java.suite");
      }
      PackageRecord jdkDeb = versions.get(0);
      modulePath = jmods(debian.deb(jdkDeb.filename(), jdkDeb.sha256(), jdkDeb.size()),
          jdkDeb, java.version(), arch, cache);
      source = "Debian " + java.suite() + " " + name + " " + jdkDeb.version() + " (" + arch + ")";
    }
    Path out = work.resolve("runtime-" + arch);
    List<String> cmd = new ArrayList<>(List.of(jdk.tool("jlink").toString()));
    if (modulePath != null) {
      cmd.addAll(List.of("--module-path", modulePath.toString()));
    }
    cmd.addAll(List.of("--add-modules", String.join(",", modules),
        "--strip-java-debug-attributes", "--no-man-pages", "--no-header-files"));
    // JDK 21 renamed jlink's compression levels: 2 was zip (at level 6), now zip-6.
    String zip = jdk.feature() >= 21 ? "zip-6" : "2";
    Set<String> linked = closure(jdk, modules, work);
    List<String> large = compressed(modulePath != null
        ? jmodResources(modulePath, linked) : imageResources(jdk, linked, work));
    if (large.isEmpty()) {
      cmd.add("--compress=" + zip);
    } else {
      Path filter = work.resolve("jlink-compress-" + arch + ".txt");
      Files.write(filter, large, StandardCharsets.UTF_8);
      cmd.add("--compress=" + zip + ":filter=@" + filter);
    }
    cmd.addAll(List.of("--output", out.toString()));
    run(cmd, work, "jlink (linking the " + platform + " runtime)");

    Map<String, byte[]> elves = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(out)) {
      files = s.sorted().toList();
    }
    for (Path f : files) {
      String rel = out.relativize(f).toString();
      if (rel.isEmpty() || leftOut(rel)) {
        continue;
      }
      String dest = HOME + "/" + rel;
      if (Files.isSymbolicLink(f)) {
        layer.symlink(dest, Files.readSymbolicLink(f).toString(), 0, 0);
      } else if (Files.isDirectory(f)) {
        layer.directory(dest, 0755, 0, 0);
      } else {
        int mode = Files.isExecutable(f) ? 0755 : 0644;
        byte[] head;
        try (InputStream in = Files.newInputStream(f)) {
          head = in.readNBytes(4);
        }
        if (ElfFile.isElf(head)) {
          byte[] bytes = ElfStrip.strip(Files.readAllBytes(f), platform + " runtime " + rel);
          elves.put(dest, bytes);
          layer.file(dest, bytes, mode, 0, 0);
        } else {
          // The rest (the 12 MB module image, security files) is read when the layer is
          // written, not held in memory.
          layer.file(dest, f, mode, 0, 0);
        }
      }
    }
    NativeLibraries natives = new NativeLibraries(debian, index, arch, java.version());
    natives.resolve(elves, platform);
    natives.installInto(layer, work.resolve("natives-" + arch));
    return new Built(source, modules, natives.installed(), natives.debs());
  }

  /**
   * Resources smaller than this stay uncompressed in the runtime's module image; larger ones are
   * zipped one by one, as jlink does by default. A small class zipped on its own barely shrinks,
   * while the layer's gzip stream, which sees the classes side by side, compresses it well. For
   * the example's runtime (java.base, java.logging, jdk.unsupported from JDK 25) the module image
   * grows from 11.9 to 14.2 MB on disk and shrinks from 11.4 to 10.3 MB in the compressed layer:
   * a smaller download, and those classes load without inflating.
   */
  public static final long UNCOMPRESSED_BELOW = 2560;

  /** Changes whenever the way a runtime is linked changes: part of the runtime cache key. */
  public static final String RECIPE = "jlink, resources under " + UNCOMPRESSED_BELOW
      + " bytes uncompressed, jrt-fs.jar and classlist left out";

  /**
   * The jlink filter patterns ({@code /module/path}) of the resources to compress: those of
   * {@link #UNCOMPRESSED_BELOW} bytes or more. Names with glob characters are left out of the
   * list (so stored uncompressed) rather than escaped.
   */
  public static List<String> compressed(Map<String, Long> resourceSizes) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : resourceSizes.entrySet()) {
      String name = e.getKey();
      if (e.getValue() >= UNCOMPRESSED_BELOW
          && name.chars().noneMatch(c -> "*?[]{}\\,\n".indexOf(c) >= 0)) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * The modules jlink links for {@code roots}: their closure under {@code requires}, as the JDK's
   * own {@code java --limit-modules} computes it (the same graph for every architecture of one
   * JDK version). Only used to keep jlink's filter short; empty if it cannot be run.
   */
  public static Set<String> closure(Jdk jdk, List<String> roots, Path work) {
    try {
      String out = run(List.of(jdk.tool("java").toString(), "--limit-modules",
          String.join(",", roots), "--list-modules"), work, "java --list-modules");
      Set<String> names = new TreeSet<>();
      for (String line : out.split("\n")) {
        String n = line.strip();
        int at = n.indexOf('@');
        if (!n.isEmpty()) {
          names.add(at < 0 ? n : n.substring(0, at));
        }
      }
      return names;
    } catch (PlinthException e) {
      return Set.of();
    }
  }

  /** Resource path ({@code /module/path}) to size, from the jmods of {@code modules} in dir. */
  public static Map<String, Long> jmodResources(Path dir, Set<String> modules) throws IOException {
    Map<String, Long> sizes = new TreeMap<>();
    List<Path> jmods;
    try (Stream<Path> s = Files.list(dir)) {
      jmods = s.filter(p -> p.getFileName().toString().endsWith(".jmod")).sorted().toList();
    }
    for (Path jmod : jmods) {
      String module = jmod.getFileName().toString();
      module = module.substring(0, module.length() - ".jmod".length());
      if (!modules.contains(module)) {
        continue;
      }
      try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(jmod.toFile())) {
        for (var en = z.entries(); en.hasMoreElements(); ) {
          java.util.zip.ZipEntry e = en.nextElement();
          if (!e.isDirectory() && e.getName().startsWith("classes/") && e.getSize() >= 0) {
            sizes.put("/" + module + "/" + e.getName().substring("classes/".length()), e.getSize());
          }
        }
      } catch (java.util.zip.ZipException e) {
        return Map.of();   // not readable as a zip here: jlink compresses everything then
      }
    }
    return sizes;
  }

  /**
   * Resource path to size in the module image of a JDK without jmods (linked from its run-time
   * image), as its own jimage tool lists them; empty if the JDK has no jimage tool.
   */
  public static Map<String, Long> imageResources(Jdk jdk, Set<String> modules, Path work)
      throws PlinthException {
    Path tool = jdk.tool("jimage");
    Path image = jdk.home().resolve("lib").resolve("modules");
    if (!Files.isExecutable(tool) || !Files.isRegularFile(image)) {
      return Map.of();
    }
    String listing = run(List.of(tool.toString(), "list", "--verbose", image.toString()), work,
        "jimage (listing the JDK's module image)");
    Map<String, Long> sizes = parseImageListing(listing);
    sizes.keySet().removeIf(k -> !modules.contains(k.substring(1, k.indexOf('/', 1))));
    return sizes;
  }

  /** Parses {@code jimage list --verbose}: "Module: m" lines, then "offset size compressed path". */
  public static Map<String, Long> parseImageListing(String listing) {
    Map<String, Long> sizes = new TreeMap<>();
    String module = null;
    for (String line : listing.split("\n")) {
      String t = line.strip();
      if (t.startsWith("Module: ")) {
        module = t.substring("Module: ".length()).strip();
        continue;
      }
      String[] f = t.split("\\s+", 4);
      if (module != null && f.length == 4 && f[0].chars().allMatch(Character::isDigit)
          && f[1].chars().allMatch(Character::isDigit) && !f[1].isEmpty()) {
        sizes.put("/" + module + "/" + f[3], Long.parseLong(f[1]));
      }
    }
    return sizes;
  }

  /**
   * What the runtime does not need in a container: commands but java, debug info, man pages,
   * headers, and AWT's X11 libraries (a container has no display: the runtime is headless, as
   * Debian's -headless JRE is, and libraries such as Jetty that reference java.beans pull in
   * java.desktop without ever opening a window).
   */
  public static boolean leftOut(String rel) {
    return rel.endsWith(".debuginfo") || rel.endsWith(".diz")
        || HEADLESS_OMITS.contains(rel)
        || (rel.startsWith("bin/") && !rel.equals("bin/java"))
        || rel.equals("lib/jexec") || rel.equals("lib/src.zip") || rel.equals("lib/ct.sym")
        // jrt-fs.jar lets another JDK's tools read this runtime's modules; classlist feeds
        // -Xshare:dump of a default CDS archive. A running app uses neither.
        || rel.equals("lib/jrt-fs.jar") || rel.equals("lib/classlist")
        || rel.startsWith("man/") || rel.equals("man") || rel.startsWith("include/")
        || rel.equals("include");
  }

  /**
   * The jmods directory of a Debian JDK package, extracted once into the cache by the package's
   * sha256 (atomically: a temp directory renamed into place).
   */
  private static Path jmods(Path deb, PackageRecord r, int feature, String arch, Cache cache)
      throws IOException, PlinthException {
    Path dir = cache.root().resolve("jmods").resolve(r.sha256().hex());
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".jmods-");
    Cleanup.register(tmp);
    try {
      String prefix = "/usr/lib/jvm/java-" + feature + "-openjdk-" + arch + "/jmods/";
      int[] count = {0};
      DebPackage.open(deb, r.filename()).readData((e, content) -> {
        if (e.type() == TarEntry.Type.FILE && e.path().startsWith(prefix)
            && e.path().endsWith(".jmod") && e.path().indexOf('/', prefix.length()) < 0) {
          Files.copy(content, tmp.resolve(e.path().substring(prefix.length())));
          count[0]++;
        }
      });
      if (count[0] == 0) {
        throw new PlinthException(Kind.BAD_INPUT, r.filename() + " has no jmods under " + prefix);
      }
      try {
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException
          | java.nio.file.DirectoryNotEmptyException e) {
        if (!Files.isDirectory(dir)) {
          throw e;
        }
      }
      return dir;
    } finally {
      Cleanup.deleteTree(tmp);
      Cleanup.unregister(tmp);
    }
  }

  /** Runs a JDK tool; its stdout, or USAGE/BAD_INPUT with its output when it fails. */
  public static String run(List<String> cmd, Path work, String what) throws PlinthException {
    try {
      Path log = Files.createTempFile(work, "tool-", ".log");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
          .redirectError(log.toFile()).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new PlinthException(Kind.BAD_INPUT, what + " did not finish in 10 minutes");
      }
      if (p.exitValue() != 0) {
        String err = Files.readString(log, StandardCharsets.UTF_8).strip();
        throw new PlinthException(Kind.BAD_INPUT, what + " failed (exit " + p.exitValue() + "): "
            + (err + "\n" + out).strip());
      }
      return out;
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, what + ": cannot run " + cmd.get(0) + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.OUTPUT, what + " was interrupted", e);
    }
  }
}
