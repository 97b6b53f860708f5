package dev.plinth.jvm;

import dev.plinth.deb.DebPackage;
import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.PackageRecord;
import dev.plinth.elf.ElfFile;
import dev.plinth.elf.ElfStrip;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Java runtime for one platform: jlink of the app's modules from the jmods of Debian's
 * {@code openjdk-N-jdk-headless} for that architecture (the same suite and version for every
 * platform), by a JDK N that runs on this machine ({@link Jdks}, else {@link DebianJdk}); no man
 * pages, headers or commands but {@code java}; native debug symbols stripped; exactly the native
 * libraries its ELF files need, taken from Debian's packages for that architecture; and the
 * status.d entries of the JDK package and those libraries, so scanners see them.
 */
public final class JavaRuntime {
  /** The X11 parts of java.desktop, which a headless runtime never loads. */
  public static final Set<String> HEADLESS_OMITS =
      Set.of("lib/libawt_xawt.so", "lib/libsplashscreen.so", "lib/libjawt.so");

  /** Where the runtime goes in the image. */
  public static final String HOME = "/opt/java/openjdk";

  /**
   * The heap of jdeps: enough for the class path of a large app, and a bound on what a build
   * takes (the JVM would otherwise size its heap by the machine's memory).
   */
  static final String JDEPS_HEAP = "-J-Xmx256m";

  /**
   * The heap of jlink when the size of what it links is not known: enough to link every module
   * of Debian's JDK 17 or 25.
   */
  static final String JLINK_HEAP = "-J-Xmx256m";

  /**
   * The heap of a jlink of modules whose classes take {@code classSizes} (path to size, from
   * {@link #jmodResources}; {@link #JLINK_HEAP} if empty). jlink holds the classes it transforms
   * (without their debug attributes) until it writes the image: 61 MB after a full collection for
   * the 11 modules of the Micronaut sample from Debian's JDK 17 (about 58 MB of classes), which
   * failed with a 64 MB heap, and more than 123 MB for all 70 (121 MB of classes), which failed
   * with 128 MB. Its heap fills to whatever it may take (the serial collector: 213 to 244 MB of
   * RSS under 128 MB, 376 under 256), so it gets half as much again as the classes and 48 MB,
   * from 96 MB to 1 GB.
   */
  static String jlinkHeap(Map<String, Long> classSizes) {
    if (classSizes.isEmpty()) {
      return JLINK_HEAP;
    }
    long bytes = 0;
    for (long size : classSizes.values()) {
      bytes += size;
    }
    long mb = bytes * 3 / 2 / (1 << 20) + 48;
    return "-J-Xmx" + Math.max(96, Math.min(1024, mb)) + "m";
  }

  /**
   * {@link Jdk#quietCommand}'s JVM options: no perf-data file, warnings on standard error, and
   * the serial collector, whose heap grows only as the tool needs it (G1 would size it by the
   * machine's memory and take tens of MB of its own).
   */
  static final List<String> QUIET_JVM = List.of("-XX:-UsePerfData", "-Xlog:disable",
      "-Xlog:all=warning:stderr", "-XX:+UseSerialGC");

  /**
   * A JDK that runs on this machine.
   *
   * @param home its directory (with bin/, lib/)
   * @param feature its feature version, e.g. 25
   * @param version its full version, e.g. 25.0.5
   * @param arch its architecture (Debian's name)
   * @param launcher what runs its programs: empty for a JDK installed here, else the dynamic
   *     loader and library path of the Debian suite it was unpacked from
   * @param identity what it is, independent of where: part of the cache keys of what it makes
   */
  public record Jdk(Path home, int feature, String version, String arch, List<String> launcher,
      String identity) {
    public Jdk {
      launcher = List.copyOf(launcher);
    }

    /** A JDK installed on this machine, known by its version. */
    public Jdk(Path home, int feature, String version, String arch) {
      this(home, feature, version, arch, List.of(), "JDK " + version + " (" + arch + ")");
    }

    /**
     * The argv prefix that runs one of its tools ({@code java}, {@code jlink}, {@code jdeps}) on
     * this machine; the tool's own arguments follow.
     */
    public List<String> command(String tool) {
      List<String> cmd = new ArrayList<>(launcher);
      cmd.add(home.resolve("bin").resolve(tool).toString());
      return cmd;
    }

    /**
     * {@link #command} for a tool whose standard output plinth reads (jdeps, java
     * --list-modules) or that has no need of the JVM's performance data (jlink): the JVM's own
     * warnings go to standard error, where unified logging would print them on standard output
     * (a "[warning][perf,memops] Cannot use file /tmp/hsperfdata_USER/PID" once came out of
     * jdeps as module names), and it keeps no performance-data file.
     */
    public List<String> quietCommand(String tool) {
      List<String> cmd = command(tool);
      String j = tool.equals("java") ? "" : "-J";
      for (String flag : QUIET_JVM) {
        cmd.add(j + flag);
      }
      return cmd;
    }
  }

  /**
   * What a runtime was made of, for the image history, the SBOM, status.d and plinth.lock.
   *
   * @param jdk the Debian package whose jmods were linked
   * @param javaVersion the runtime's version, as its release file says (e.g. 25.0.5)
   * @param linker what linked it ({@link Jdk#identity})
   * @param libraries the packages native libraries were taken from, as installed
   * @param libraryPackages their records, in the same order
   */
  public record Built(PackageRecord jdk, String javaVersion, String linker, List<String> modules,
      List<PackageInstaller.Installed> libraries, List<PackageRecord> libraryPackages) {}

  private JavaRuntime() {}

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
      List<String> cmd = jdeps(jdk, release);
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
      // A modular jar that requires a module the class path lacks (io.smallrye.config requires
      // org.objectweb.asm, which Quarkus ships shaded) makes the whole run fail: then each jar
      // is analysed on its own, and one jdeps cannot resolve gives its descriptor's JDK
      // requirements instead (the training run sees what the app loads either way).
      try {
        addModules(modules, run(modularRun(jdk, release, all, modular), work,
            "jdeps (finding the modules of the app's modular jars)"), true);
      } catch (PlinthException e) {
        for (String jar : modular) {
          try {
            addModules(modules, run(modularRun(jdk, release, all, List.of(jar)), work,
                "jdeps (finding the modules of " + jar + ")"), true);
          } catch (PlinthException one) {
            modules.addAll(jdkRequires(Path.of(jar)));
          }
        }
      }
    }
    return List.copyOf(modules);
  }

  private static List<String> modularRun(Jdk jdk, String release, List<String> modulePath,
      List<String> jars) {
    List<String> cmd = jdeps(jdk, release);
    cmd.addAll(List.of("--module-path", String.join(":", modulePath)));
    cmd.addAll(jars);
    return cmd;
  }

  /** jdeps, asked for the JDK modules its inputs need as of {@code release}. */
  private static List<String> jdeps(Jdk jdk, String release) {
    List<String> cmd = new ArrayList<>(jdk.quietCommand("jdeps"));
    cmd.addAll(List.of(JDEPS_HEAP, "-q", "--ignore-missing-deps", "--print-module-deps",
        "--multi-release", release));
    return cmd;
  }

  /**
   * The java.* and jdk.* modules a modular jar's descriptor requires (none if unreadable). The
   * descriptor is read as it is, without the checks a module finder makes (a shaded jar may
   * declare packages it no longer holds).
   */
  static Set<String> jdkRequires(Path jar) {
    Set<String> out = new TreeSet<>();
    try (java.util.jar.JarFile j = new java.util.jar.JarFile(jar.toFile(), false,
        java.util.zip.ZipFile.OPEN_READ, Runtime.version())) {
      java.util.jar.JarEntry e = j.getJarEntry("module-info.class");
      if (e == null) {
        return out;
      }
      try (InputStream in = j.getInputStream(e)) {
        for (java.lang.module.ModuleDescriptor.Requires q
            : java.lang.module.ModuleDescriptor.read(in).requires()) {
          if (q.name().startsWith("java.") || q.name().startsWith("jdk.")) {
            out.add(q.name());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable here: the training run still sees what the app loads
    }
    return out;
  }

  /**
   * Adds the modules of jdeps' {@code --print-module-deps} line ({@code java.base,jdk.zipfs}) to
   * {@code into}. A line that is not such a list (anything else a JVM or jdeps may print) is not
   * taken for one.
   */
  static void addModules(Set<String> into, String jdepsOutput, boolean jdkOnly) {
    for (String line : jdepsOutput.split("\n")) {
      List<String> names = new ArrayList<>();
      for (String m : line.strip().split(",")) {
        names.add(m.strip());
      }
      if (names.stream().allMatch(n -> JdkModules.NAME.matcher(n).matches())) {
        for (String name : names) {
          if (!jdkOnly || name.startsWith("java.") || name.startsWith("jdk.")) {
            into.add(name);
          }
        }
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
   * Links the runtime for {@code platform} from the jmods of {@code jdkPackage} (Debian's
   * openjdk-N-jdk-headless of that architecture, N = {@code feature}, from {@code index}) into {@code layer} under
   * {@link #HOME}, with the native libraries it needs and the status.d entries of the packages
   * it was taken from. The runtime's files are kept in {@code work}, which must outlive the
   * layer's use. With {@code zipLargeResources} the module image zips resources of
   * {@link #UNCOMPRESSED_BELOW} bytes or more one by one; without, it stores every resource as
   * it is, for a layer compressed with zstd (see {@link #recipe}).
   */
  public static Built link(Toolchain toolchain, int feature, PackageRecord jdkPackage,
      List<String> modules, boolean zipLargeResources,
      Platform platform, PackageIndex index, Debs debs, LayerBuilder layer, Path work)
      throws IOException, PlinthException {
    String arch = dev.plinth.deb.Architectures.debian(platform);
    // Debian's JDK for this machine extracts the jmods of its own package as it unpacks: then
    // that package is read once. Otherwise the jmods come first, while another platform may be
    // unpacking the toolchain.
    Jdk jdk = toolchain.extractsJmods(jdkPackage) ? toolchain.jdk() : null;
    Path modulePath = DebianJdk.jmods(jdkPackage, feature, debs);
    if (jdk == null) {
      jdk = toolchain.jdk();
    }
    Path out = work.resolve("runtime");
    // the sizes of the linked modules' classes: what jlink holds, and what its filter zips
    Map<String, Long> classes = zipLargeResources
        ? jmodResources(modulePath, closure(jdk, modules, work)) : Map.of();
    List<String> cmd = new ArrayList<>(jdk.quietCommand("jlink"));
    cmd.addAll(List.of(jlinkHeap(classes), "--module-path", modulePath.toString(),
        "--add-modules", String.join(",", modules),
        // Debian's jmods carry the native debug info (735 MB for libjvm in 25): never copied
        "--exclude-files=**.debuginfo",
        "--strip-java-debug-attributes", "--no-man-pages", "--no-header-files"));
    // JDK 21 renamed jlink's compression levels: 0 was none and 2 zip (at level 6), now zip-0
    // and zip-6.
    if (!zipLargeResources) {
      cmd.add("--compress=" + (feature >= 21 ? "zip-0" : "0"));
    } else {
      String zip = feature >= 21 ? "zip-6" : "2";
      List<String> large = compressed(classes);
      if (large.isEmpty()) {
        cmd.add("--compress=" + zip);
      } else {
        Path filter = work.resolve("jlink-compress.txt");
        Files.write(filter, large, StandardCharsets.UTF_8);
        cmd.add("--compress=" + zip + ":filter=@" + filter);
      }
    }
    cmd.addAll(List.of("--output", out.toString()));
    debs.status().accept("linking the " + platform + " runtime (" + String.join(",", modules)
        + ") from " + jdkPackage.name() + " " + jdkPackage.version() + " with jlink of "
        + jdk.identity());
    run(cmd, work, "jlink (linking the " + platform + " runtime)");

    Map<String, Path> elves = new TreeMap<>();
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
          ElfStrip.strip(f, f); // streamed: libjvm.so is some 30 MB
          elves.put(dest, f);
        }
        layer.file(dest, f, mode, 0, 0);
      }
    }
    NativeLibraries natives = new NativeLibraries(debs, index, arch, feature);
    natives.resolve(elves, platform);
    natives.installInto(layer, work.resolve("natives"));
    // The JDK package's own entry, as distroless has one for its JRE: scanners match the JDK's
    // advisories by it (source package openjdk-N, its version).
    DebPackage jdkDeb = DebPackage.open(debs.get(jdkPackage), jdkPackage.filename());
    layer.file(PackageInstaller.STATUS_DIR + jdkPackage.name(),
        PackageInstaller.status(jdkDeb.control()), 0644, 0, 0);
    return new Built(jdkPackage, releaseVersion(out), jdk.identity(), modules,
        natives.installed(), natives.packages());
  }

  /** JAVA_VERSION of a runtime's release file, e.g. 25.0.5; "" when it has none. */
  static String releaseVersion(Path runtime) throws IOException {
    return Jdks.release(runtime).getOrDefault("JAVA_VERSION", "");
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

  /**
   * Changes whenever the way a runtime is linked changes: part of the runtime cache key. A layer
   * compressed with zstd gets a module image that stores every resource as it is: zstd over the
   * raw classes, side by side, makes a smaller layer than resources zipped one by one (for the
   * example's runtime, 17.2 against 21.3 MB for arm64 JDK 25 at zstd's level 3), and the classes
   * load without inflating. The image is larger on disk (57 against 42 MB for that runtime).
   */
  public static String recipe(boolean zipLargeResources) {
    return "jlink, " + (zipLargeResources ? "resources under " + UNCOMPRESSED_BELOW
        + " bytes uncompressed" : "every resource uncompressed")
        + ", jrt-fs.jar and classlist left out";
  }

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
      List<String> cmd = new ArrayList<>(jdk.quietCommand("java"));
      cmd.addAll(List.of("-Xmx64m", "--limit-modules", String.join(",", roots),
          "--list-modules"));
      return JdkModules.parse(run(cmd, work, "java --list-modules"));
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

  /** Runs a JDK tool; its stdout, or USAGE/BAD_INPUT with its output when it fails. */
  public static String run(List<String> cmd, Path work, String what) throws PlinthException {
    try (ToolSlots.Slot slot = ToolSlots.take(what)) {
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
