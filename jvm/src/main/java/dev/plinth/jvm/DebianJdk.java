package dev.plinth.jvm;

import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageRecord;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's openjdk-N packages as plinth uses them. Every platform's runtime is linked from the
 * jmods of {@code openjdk-N-jdk-headless} for its architecture, extracted once into the cache.
 * On a machine without a JDK N, Debian's own JDK of this machine's architecture runs jlink and
 * jdeps: {@code openjdk-N-jdk-headless} and {@code -jre-headless} with the libraries they run on,
 * unpacked into the cache and started through that suite's own dynamic loader, so a trixie JDK
 * runs on a bookworm machine (or any Linux of that architecture) without installing anything.
 */
public final class DebianJdk {
  /** What Debian's JDK tools need besides the JDK itself (libjvm, libjli, libzip). */
  static final List<String> TOOL_LIBRARIES = List.of("libc6", "libgcc-s1", "libstdc++6", "zlib1g");

  /** Bump when the toolchain is unpacked differently: part of its directory's name. */
  private static final String TOOLCHAIN_FORMAT = "plinth-jdk-1";

  private DebianJdk() {}

  /** The package whose jmods the runtime is linked from. */
  public static String jdkPackage(int feature) {
    return "openjdk-" + feature + "-jdk-headless";
  }

  /**
   * The newest {@code openjdk-N-jdk-headless} of {@code index} (one suite, one architecture).
   *
   * @throws PlinthException NOT_FOUND naming the suite, the version and what to pick instead
   */
  public static PackageRecord jdk(PackageIndex index, int feature, String suite, String arch)
      throws PlinthException {
    List<PackageRecord> versions = index.versions(jdkPackage(feature));
    if (versions.isEmpty()) {
      String hint;
      try {
        String usual = JavaSpec.defaultSuite(feature);
        hint = usual.equals(suite) ? "" : ": Debian packages Java " + feature + " in " + usual
            + "; set java.suite to " + usual + " (or leave it out)";
      } catch (PlinthException noDefault) {
        hint = "";
      }
      throw new PlinthException(Kind.NOT_FOUND, "java.version " + feature + " with java.suite "
          + suite + ": Debian " + suite + " has no " + jdkPackage(feature) + " for " + arch
          + (hint.isEmpty() ? "; pick a java.version that " + suite + " packages (17 is in"
              + " bookworm, 21 and 25 in trixie), or another java.suite" : hint));
    }
    return versions.get(0);
  }

  /** The directory of a JDK package's jmods in the cache (whether or not it is there yet). */
  static Path jmodsDir(Path cacheRoot, PackageRecord jdk) {
    return cacheRoot.resolve("jmods").resolve(jdk.sha256().hex());
  }

  /**
   * The jmods of a JDK package, extracted once into the cache by the package's sha256
   * (atomically: a temp directory renamed into place). The .deb is streamed, never held whole.
   */
  static Path jmods(PackageRecord r, int feature, Debs debs) throws IOException, PlinthException {
    Path dir = jmodsDir(debs.cache().root(), r);
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path deb = debs.get(r);
    debs.status().accept("extracting the jmods of " + r.name() + " " + r.version() + " ("
        + r.architecture() + ")");
    DebUnpack.Jmods into = new DebUnpack.Jmods(jmodsPrefix(feature, r.architecture()), dir);
    try {
      DebUnpack.read(deb, r.filename(), List.of(into));
      into.finish(r.filename());
      return dir;
    } finally {
      into.discard();
    }
  }

  private static String jmodsPrefix(int feature, String arch) {
    return "/usr/lib/jvm/java-" + feature + "-openjdk-" + arch + "/jmods/";
  }

  /**
   * The records of Debian's JDK for this machine ({@code index} is of its architecture): the
   * JDK, its JRE of the same version, and the libraries they run on.
   */
  static List<PackageRecord> toolchainPackages(PackageIndex index, int feature, String suite)
      throws PlinthException {
    String arch = Jdks.hostArch();
    PackageRecord jdk = jdk(index, feature, suite, arch);
    List<PackageRecord> out = new ArrayList<>(List.of(jdk));
    String jreName = "openjdk-" + feature + "-jre-headless";
    PackageRecord jre = index.versions(jreName).stream()
        .filter(r -> r.version().equals(jdk.version())).findFirst().orElseThrow(() ->
            new PlinthException(Kind.NOT_FOUND, "Debian " + suite + " has " + jdk.name() + " "
                + jdk.version() + " for " + arch + " but not " + jreName + " of that version,"
                + " which it runs on; run plinth lock to take the current version"));
    out.add(jre);
    for (String lib : TOOL_LIBRARIES) {
      List<PackageRecord> v = index.versions(lib);
      if (v.isEmpty()) {
        throw new PlinthException(Kind.NOT_FOUND, "Debian " + suite + " has no " + lib + " for "
            + arch + ", which its JDK runs on");
      }
      out.add(v.get(0));
    }
    return out;
  }

  /** What identifies the toolchain made of {@code packages}: part of every cache key it makes. */
  static String identity(List<PackageRecord> packages) {
    MessageDigest md = Digest.sha256();
    for (PackageRecord r : packages) {
      md.update((r.sha256().hex() + "\0").getBytes(StandardCharsets.UTF_8));
    }
    PackageRecord jdk = packages.get(0);
    return "Debian " + jdk.name() + " " + jdk.version() + " (" + jdk.architecture() + ", "
        + TOOLCHAIN_FORMAT + " " + Digest.of(md).hex().substring(0, 16) + ")";
  }

  /**
   * Debian's JDK for this machine, unpacked once into the cache (by the sha256 of its packages;
   * atomically), checked to start; while its JDK package streams by, the jmods are extracted
   * too when the cache has not got them yet.
   */
  static JavaRuntime.Jdk toolchain(List<PackageRecord> packages, int feature, Debs debs)
      throws IOException, PlinthException {
    String identity = identity(packages);
    String arch = Jdks.hostArch();
    Loader loader = Loader.of(arch);
    Path dir = debs.cache().root().resolve("jdks").resolve(
        identity.substring(identity.lastIndexOf(' ') + 1, identity.length() - 1));
    Path home = Path.of("usr/lib/jvm/java-" + feature + "-openjdk-" + arch);
    if (Files.isDirectory(dir)) {
      return jdk(dir, home, loader, identity);
    }
    PackageRecord jdkRecord = packages.get(0);
    Path jmods = jmodsDir(debs.cache().root(), jdkRecord);
    List<Path> files = new ArrayList<>();
    for (PackageRecord r : packages) {
      files.add(debs.get(r));
    }
    debs.status().accept("unpacking Debian's JDK " + jdkRecord.version() + " (" + arch + ") to"
        + " run jlink and jdeps on this machine");
    Files.createDirectories(dir.getParent());
    Path tmp = Files.createTempDirectory(dir.getParent(), ".jdk-");
    Cleanup.register(tmp);
    DebUnpack.Jmods jmodsOut = Files.isDirectory(jmods) ? null
        : new DebUnpack.Jmods(jmodsPrefix(feature, arch), jmods);
    try {
      DebUnpack.Sink tree = DebUnpack.tree(tmp.resolve("root"));
      for (int i = 0; i < packages.size(); i++) {
        DebUnpack.read(files.get(i), packages.get(i).filename(),
            i == 0 && jmodsOut != null ? List.of(jmodsOut, tree) : List.of(tree));
      }
      JavaRuntime.Jdk jdk = jdk(tmp, home, loader, identity);
      List<String> cmd = new ArrayList<>(jdk.quietCommand("java"));
      cmd.add("--version");
      String version = JavaRuntime.run(cmd, tmp, "Debian's JDK " + jdkRecord.version()
          + " (java --version)");
      if (!version.contains(jdk.version())) {
        throw new PlinthException(Kind.BAD_INPUT, "Debian's JDK " + jdkRecord.version()
            + " unpacked in " + tmp + " says: " + version.strip());
      }
      if (jmodsOut != null) {
        jmodsOut.finish(jdkRecord.filename());
      }
      moveInto(tmp, dir);
      return jdk(dir, home, loader, identity);
    } finally {
      if (jmodsOut != null) {
        jmodsOut.discard();
      }
      Cleanup.deleteTree(tmp);
      Cleanup.unregister(tmp);
    }
  }

  /** Where the unpacked toolchain of a cheap identity ({@link Toolchain#identity}) is noted. */
  private static Path ref(Path cacheRoot, String identity) {
    return cacheRoot.resolve("jdks").resolve(
        Digest.of(identity.getBytes(StandardCharsets.UTF_8)).hex() + ".ref");
  }

  /** Notes which unpacked toolchain {@code identity} names (its directory and identity). */
  static void remember(Path cacheRoot, String identity, JavaRuntime.Jdk jdk) throws IOException {
    Path root = jdk.home();
    while (root != null && !root.getFileName().toString().equals("root")) {
      root = root.getParent();
    }
    if (root != null) {
      dev.plinth.oci.AtomicFile.write(ref(cacheRoot, identity), (root.getParent().getFileName()
          + "\n" + jdk.identity() + "\n").getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The toolchain {@link #remember} noted for {@code identity}, or null. */
  static JavaRuntime.Jdk known(Path cacheRoot, String identity, int feature) {
    try {
      List<String> lines = Files.readAllLines(ref(cacheRoot, identity), StandardCharsets.UTF_8);
      if (lines.size() < 2 || !lines.get(0).matches("[0-9a-f]{16}")) {
        return null;
      }
      Path dir = cacheRoot.resolve("jdks").resolve(lines.get(0));
      String arch = Jdks.hostArch();
      return Files.isDirectory(dir) ? jdk(dir, Path.of("usr/lib/jvm/java-" + feature
          + "-openjdk-" + arch), Loader.of(arch), lines.get(1)) : null;
    } catch (IOException | PlinthException e) {
      return null;   // unpacked again
    }
  }

  private static JavaRuntime.Jdk jdk(Path dir, Path home, Loader loader, String identity)
      throws PlinthException {
    Path root = dir.resolve("root");
    JavaRuntime.Jdk described = Jdks.describe(root.resolve(home));
    if (described == null) {
      throw new PlinthException(Kind.BAD_INPUT, "Debian's JDK in " + dir + " has no release"
          + " file at /" + home + "; delete " + dir + " to unpack it again");
    }
    return new JavaRuntime.Jdk(described.home(), described.feature(), described.version(),
        described.arch(), loader.launcher(root), identity);
  }

  /** Renames a finished temp directory into place; another process's copy there wins. */
  static void moveInto(Path tmp, Path dir) throws IOException {
    try {
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.FileSystemException e) {
      // FileAlreadyExists, DirectoryNotEmpty, or the JDK's plain FileSystemException for the
      // rename(2) ENOTEMPTY a directory made meanwhile by a concurrent build gives
      if (!Files.isDirectory(dir)) {
        throw e;
      }
    }
  }

  /**
   * What runs a program of an unpacked image root on this machine: the root's own dynamic loader
   * and libraries when it holds Debian's (a runtime plinth linked: its glibc may be newer than
   * this machine's), else nothing (the program runs as it is). Debian's python3 byte-compiles
   * this way too.
   */
  public static List<String> launcherIn(Path root) {
    try {
      return Loader.of(Jdks.hostArch()).launcher(root);
    } catch (PlinthException none) {
      return List.of();
    }
  }

  /**
   * Makes {@code java}, a program of the unpacked image {@code root}, run through the root's own
   * loader and libraries ({@link #launcherIn}) whoever starts it: it becomes a script that runs
   * the program, renamed {@code java.real}, that way. False (nothing done) when the root holds
   * no loader of this machine's architecture.
   */
  static boolean runThroughLoader(Path root, Path java) throws IOException {
    List<String> launcher = launcherIn(root);
    if (launcher.isEmpty() || !Files.isRegularFile(java)) {
      return false;
    }
    Path real = java.resolveSibling(java.getFileName() + ".real");
    Files.move(java, real);
    StringBuilder script = new StringBuilder("#!/bin/sh\nexec");
    for (String a : launcher) {
      script.append(" '").append(a.replace("'", "'\\''")).append('\'');
    }
    script.append(" '").append(real.toString().replace("'", "'\\''")).append("' \"$@\"\n");
    Files.writeString(java, script);
    java.toFile().setExecutable(true, false);
    return true;
  }

  /** The dynamic loader of a Debian architecture, run directly with the unpacked libraries. */
  record Loader(String triple, String name) {
    static Loader of(String arch) throws PlinthException {
      return switch (arch) {
        case "amd64" -> new Loader("x86_64-linux-gnu", "ld-linux-x86-64.so.2");
        case "arm64" -> new Loader("aarch64-linux-gnu", "ld-linux-aarch64.so.1");
        default -> throw new PlinthException(Kind.NOT_FOUND, "this machine is " + arch
            + ", and plinth runs Debian's JDK on amd64 and arm64 only: install a JDK of the"
            + " java.version and name it in PLINTH_JDK_PATH");
      };
    }

    /** The loader and its library path in an unpacked root: the argv prefix of a program. */
    List<String> launcher(Path root) throws PlinthException {
      List<Path> dirs = List.of(root.resolve("usr/lib/" + triple), root.resolve("lib/" + triple));
      for (Path d : dirs) {
        if (Files.isRegularFile(d.resolve(name))) {
          return List.of(d.resolve(name).toString(), "--library-path",
              dirs.get(0) + ":" + dirs.get(1));
        }
      }
      throw new PlinthException(Kind.BAD_INPUT, root + " has no " + name + " under usr/lib/"
          + triple + " or lib/" + triple);
    }
  }
}
