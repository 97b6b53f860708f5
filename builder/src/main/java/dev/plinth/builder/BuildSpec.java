package dev.plinth.builder;

import dev.plinth.jvm.JavaSpec;

import dev.plinth.oci.Platform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What to build: the typed form of plinth.yaml. {@code plinth base} is a spec without files.
 *
 * @param name the image title (org.opencontainers.image.title), or null
 * @param platforms the platforms to build, in order
 * @param base the starting filesystem
 * @param init the PID 1 init
 * @param user the numeric user the image runs as
 * @param arbitraryUser make home and writable directories group 0 and group-writable, for
 *     platforms that run an arbitrary uid in group 0 (OpenShift)
 * @param files files added on top, in a layer of their own
 * @param entrypoint the app's command, run by the init; empty: none
 * @param cmd default arguments; empty: none
 * @param env extra environment, overriding the defaults
 * @param workdir the working directory, or null for the user's home
 * @param exposedPorts e.g. {@code 8080/tcp}
 * @param stopSignal e.g. {@code SIGTERM}, or null
 * @param packages Debian packages to install, and where from
 * @param java a Java application and its runtime, or null
 * @param from an image to build on (its layers first, its config the starting point), or null
 * @param copyFrom paths taken out of other images, each into a layer of its own
 * @param compression the layers plinth builds: gzip or zstd ({@code compression:}), or null: the
 *     build's options say (gzip unless {@code --compression} is given)
 * @param allowMissingLibraries build even when an ELF file's interpreter or library is missing
 *     from the image (they are then listed as notes); by default the build fails naming them
 * @param sbom the SBOM formats written next to a file output ({@code sbom:}); null: SPDX alone;
 *     empty: none
 */
public record BuildSpec(
    String name,
    List<Platform> platforms,
    Base base,
    Init init,
    User user,
    boolean arbitraryUser,
    List<FileSpec> files,
    List<String> entrypoint,
    List<String> cmd,
    Map<String, String> env,
    String workdir,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<String> exposedPorts,
    String stopSignal,
    Packages packages,
    JavaSpec java,
    From from,
    List<CopyFrom> copyFrom,
    dev.plinth.oci.Compression compression,
    boolean allowMissingLibraries,
    List<SbomFormat> sbom) {

  public static final List<Platform> DEFAULT_PLATFORMS =
      List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64);

  public BuildSpec {
    platforms = List.copyOf(platforms);
    files = List.copyOf(files);
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    env = Map.copyOf(env);
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    exposedPorts = List.copyOf(exposedPorts);
    copyFrom = copyFrom == null ? List.of() : List.copyOf(copyFrom);
    sbom = sbom == null ? List.of(SbomFormat.SPDX) : List.copyOf(sbom);
  }

  /** The SBOM formats written next to a file output ({@code sbom:}); SPDX unless set. */
  public enum SbomFormat {
    /** SPDX 2.3 JSON, {@code NAME.OS-ARCH.spdx.json}. */
    SPDX("spdx.json"),
    /** CycloneDX 1.6 JSON, {@code NAME.OS-ARCH.cdx.json}. */
    CYCLONEDX("cdx.json");

    private final String suffix;

    SbomFormat(String suffix) {
      this.suffix = suffix;
    }

    /** The file name's ending, after the platform. */
    public String suffix() {
      return suffix;
    }

    /** The format named {@code name} (spdx, cyclonedx), or null for any other name. */
    public static SbomFormat named(String name) {
      return switch (name) {
        case "spdx" -> SPDX;
        case "cyclonedx" -> CYCLONEDX;
        default -> null;
      };
    }
  }

  /** A spec that builds on no image (the fields before {@code from} and {@code copyFrom}). */
  public BuildSpec(String name, List<Platform> platforms, Base base, Init init, User user,
      boolean arbitraryUser, List<FileSpec> files, List<String> entrypoint, List<String> cmd,
      Map<String, String> env, String workdir, Map<String, String> labels,
      Map<String, String> annotations, List<String> exposedPorts, String stopSignal,
      Packages packages, JavaSpec java) {
    this(name, platforms, base, init, user, arbitraryUser, files, entrypoint, cmd, env, workdir,
        labels, annotations, exposedPorts, stopSignal, packages, java, null, List.of(), null, false, null);
  }

  /** The spec of {@code plinth base}: the minimal image with plinth's init, nothing else. */
  public static BuildSpec base(List<Platform> platforms) {
    return base(platforms, Init.PLINTH, false, Packages.NONE);
  }

  /**
   * The spec of {@code plinth base} with its options: the minimal image with this init, home and
   * writable directories for an arbitrary uid in group 0 or not, and these Debian packages.
   */
  public static BuildSpec base(List<Platform> platforms, Init init, boolean arbitraryUser,
      Packages packages) {
    return new BuildSpec(
        "plinth-base", platforms, Base.MINIMAL, init, User.NONROOT, arbitraryUser, List.of(),
        List.of(), List.of(), Map.of(), null, Map.of(), Map.of(), List.of(), null, packages,
        null, null, List.of(), null, false, null);
  }

  /**
   * This BuildSpec's fields, to change one or two of and {@link #build} anew: the withers'
   * one list of every field (a new field is added here, not to each wither).
   */
  private final class Edit {
    private String name = BuildSpec.this.name;
    private List<Platform> platforms = BuildSpec.this.platforms;
    private Base base = BuildSpec.this.base;
    private Init init = BuildSpec.this.init;
    private User user = BuildSpec.this.user;
    private boolean arbitraryUser = BuildSpec.this.arbitraryUser;
    private List<FileSpec> files = BuildSpec.this.files;
    private List<String> entrypoint = BuildSpec.this.entrypoint;
    private List<String> cmd = BuildSpec.this.cmd;
    private Map<String, String> env = BuildSpec.this.env;
    private String workdir = BuildSpec.this.workdir;
    private Map<String, String> labels = BuildSpec.this.labels;
    private Map<String, String> annotations = BuildSpec.this.annotations;
    private List<String> exposedPorts = BuildSpec.this.exposedPorts;
    private String stopSignal = BuildSpec.this.stopSignal;
    private Packages packages = BuildSpec.this.packages;
    private JavaSpec java = BuildSpec.this.java;
    private From from = BuildSpec.this.from;
    private List<CopyFrom> copyFrom = BuildSpec.this.copyFrom;
    private dev.plinth.oci.Compression compression = BuildSpec.this.compression;
    private boolean allowMissingLibraries = BuildSpec.this.allowMissingLibraries;
    private List<SbomFormat> sbom = BuildSpec.this.sbom;

    private Edit platforms(List<Platform> v) {
      platforms = v;
      return this;
    }

    private Edit init(Init v) {
      init = v;
      return this;
    }

    private Edit arbitraryUser(boolean v) {
      arbitraryUser = v;
      return this;
    }

    private Edit allowMissingLibraries(boolean v) {
      allowMissingLibraries = v;
      return this;
    }

    private Edit packages(Packages v) {
      packages = v;
      return this;
    }

    private Edit java(JavaSpec v) {
      java = v;
      return this;
    }

    private Edit name(String v) {
      name = v;
      return this;
    }

    private Edit entrypoint(List<String> v) {
      entrypoint = v;
      return this;
    }

    private Edit cmd(List<String> v) {
      cmd = v;
      return this;
    }

    private Edit env(Map<String, String> v) {
      env = v;
      return this;
    }

    private Edit labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    private Edit user(User v) {
      user = v;
      return this;
    }

    private Edit exposedPorts(List<String> v) {
      exposedPorts = v;
      return this;
    }

    private Edit compression(dev.plinth.oci.Compression v) {
      compression = v;
      return this;
    }

    private Edit sbom(List<SbomFormat> v) {
      sbom = v;
      return this;
    }

    private Edit from(From v) {
      from = v;
      return this;
    }

    private BuildSpec build() {
      return new BuildSpec(name, platforms, base, init, user, arbitraryUser, files, entrypoint, cmd,
          env, workdir, labels, annotations, exposedPorts, stopSignal, packages, java, from,
          copyFrom, compression, allowMissingLibraries, sbom);
    }
  }

  public BuildSpec withPlatforms(List<Platform> p) {
    return new Edit().platforms(p).build();
  }

  public BuildSpec withInit(Init i) {
    return new Edit().init(i).build();
  }

  public BuildSpec withArbitraryUser(boolean a) {
    return new Edit().arbitraryUser(a).build();
  }

  /** Building even when an ELF file's interpreter or library is missing (notes list them). */
  public BuildSpec withAllowMissingLibraries(boolean a) {
    return new Edit().allowMissingLibraries(a).build();
  }

  public BuildSpec withPackages(Packages p) {
    return new Edit().packages(p).build();
  }

  /**
   * Debian packages and their repository.
   *
   * @param names what to install (their dependencies follow)
   * @param exclude never installed
   * @param suite e.g. bookworm
   * @param components e.g. [main]
   * @param mirror the archive's base URI, or null: PLINTH_DEBIAN_MIRROR, else the host's apt sources
   * @param keyring OpenPGP keyring files, or empty: the system's Debian archive keyring
   * @param lockFile where plinth.lock is (next to plinth.yaml), or null
   * @param tzdataRight keep tzdata's leap-second zones, /usr/share/zoneinfo/right/
   * @param excludePaths globs of paths left out of the installed packages (debian.excludePaths)
   * @param pythonBytecode how the Python modules are byte-compiled when python3 is installed
   */
  public record Packages(List<String> names, List<String> exclude, String suite,
      List<String> components, String mirror, List<java.nio.file.Path> keyring,
      java.nio.file.Path lockFile, boolean tzdataRight, List<String> excludePaths,
      Bytecode pythonBytecode) {
    public static final String DEFAULT_SUITE = "bookworm";
    public static final Packages NONE =
        new Packages(List.of(), List.of(), DEFAULT_SUITE, List.of("main"), null, List.of(), null);

    public Packages {
      names = List.copyOf(names);
      exclude = List.copyOf(exclude);
      components = List.copyOf(components);
      keyring = List.copyOf(keyring);
      excludePaths = List.copyOf(excludePaths);
    }

    /** No paths excluded beyond the documented defaults; Python byte-compiled. */
    public Packages(List<String> names, List<String> exclude, String suite,
        List<String> components, String mirror, List<java.nio.file.Path> keyring,
        java.nio.file.Path lockFile, boolean tzdataRight) {
      this(names, exclude, suite, components, mirror, keyring, lockFile, tzdataRight, List.of(),
          Bytecode.CACHED);
    }

    /** Without tzdata's right/ tree (the default). */
    public Packages(List<String> names, List<String> exclude, String suite,
        List<String> components, String mirror, List<java.nio.file.Path> keyring,
        java.nio.file.Path lockFile) {
      this(names, exclude, suite, components, mirror, keyring, lockFile, false);
    }

    public boolean isEmpty() {
      return names.isEmpty();
    }

    public Packages withNames(List<String> n) {
      return new Packages(n, exclude, suite, components, mirror, keyring, lockFile, tzdataRight,
          excludePaths, pythonBytecode);
    }

    public Packages withLockFile(java.nio.file.Path lock) {
      return new Packages(names, exclude, suite, components, mirror, keyring, lock, tzdataRight,
          excludePaths, pythonBytecode);
    }
  }

  /** debian.pythonBytecode: none, .pyc beside the sources (default), or .pyc instead of them. */
  public enum Bytecode {
    /** false: no .pyc. */
    NONE,
    /** true: __pycache__/NAME.cpython-3N.pyc beside each NAME.py, as Debian's py3compile. */
    CACHED,
    /** sourceless: NAME.pyc in the place of each package module's NAME.py. */
    SOURCELESS
  }

  public BuildSpec withJava(JavaSpec j) {
    return new Edit().java(j).build();
  }

  public BuildSpec withName(String n) {
    return new Edit().name(n).build();
  }

  public BuildSpec withEntrypoint(List<String> e) {
    return new Edit().entrypoint(e).build();
  }

  public BuildSpec withCmd(List<String> c) {
    return new Edit().cmd(c).build();
  }

  public BuildSpec withEnv(Map<String, String> e) {
    return new Edit().env(e).build();
  }

  public BuildSpec withLabels(Map<String, String> l) {
    return new Edit().labels(l).build();
  }

  public BuildSpec withUser(User u) {
    return new Edit().user(u).build();
  }

  public BuildSpec withPorts(List<String> ports) {
    return new Edit().exposedPorts(ports).build();
  }


  /** With its layers compressed as {@code c} (null: as the build's options say). */
  public BuildSpec withCompression(dev.plinth.oci.Compression c) {
    return new Edit().compression(c).build();
  }

  /** With the SBOM formats written next to a file output (empty: none). */
  public BuildSpec withSbom(List<SbomFormat> formats) {
    return new Edit().sbom(formats).build();
  }

  /** With an image to build on. */
  public BuildSpec withFrom(From f) {
    return new Edit().from(f).build();
  }

  /**
   * An image to build on ({@code from:}), resolved per platform from its index: its layers go
   * first, and its config's Env, User, WorkingDir, Entrypoint and Cmd are the starting point.
   *
   * @param image any source: a registry reference, oci:, oci-archive:, docker-archive:
   * @param inheritUser take the image's User (plinth.yaml had no {@code user:})
   * @param where where it was declared, for messages ("plinth.yaml:3")
   */
  public record From(dev.plinth.oci.ImageRef image, boolean inheritUser, String where) {}

  /**
   * Paths taken out of another image ({@code copyFrom:}): its layers flattened for the platform,
   * whiteouts applied, each path with everything under it; symlinks stay links.
   *
   * @param paths absolute, normalized paths in that image
   */
  public record CopyFrom(dev.plinth.oci.ImageRef image, List<String> paths, String where) {
    public CopyFrom {
      paths = List.copyOf(paths);
    }
  }

  /** The starting filesystem. */
  public enum Base {
    /** The production hierarchy: users, /tmp, home, nologin, os-release. */
    MINIMAL,
    /** Nothing but the init and the user's files. */
    SCRATCH
  }

  /**
   * The PID 1 init.
   *
   * @param kind plinth's own, none, or a user-supplied static binary
   * @param binary for {@link Kind#CUSTOM}: the file, with an {@code ${arch}} placeholder
   * @param group signal the app's whole process group
   * @param exitZero exit codes reported as 0 (143: a JVM stopped by SIGTERM)
   * @param args for {@link Kind#CUSTOM}: arguments between the init and the app
   * @param grace plinth's init: seconds the helpers left in the app's process group get, after
   *     a SIGTERM, when the app has exited ({@code -t}; 0 to {@link #MAX_GRACE}); null: the
   *     init's default (5 with {@code group}, else no group stop)
   * @param verbose the init logs what it forwards and reaps to stderr ({@code -v})
   */
  public record Init(Kind kind, String binary, boolean group, List<Integer> exitZero,
      List<String> args, Integer grace, boolean verbose) {
    /** The longest grace time plinth's init takes. */
    public static final int MAX_GRACE = 3600;
    public static final Init PLINTH = new Init(Kind.PLINTH, null, false, List.of(), List.of());
    public static final Init NONE = new Init(Kind.NONE, null, false, List.of(), List.of());
    public static final Init TINI = new Init(Kind.TINI, null, false, List.of(), List.of());

    public Init {
      exitZero = List.copyOf(exitZero);
      args = List.copyOf(args);
      if (grace != null && (grace < 0 || grace > MAX_GRACE)) {
        throw new IllegalArgumentException("grace must be 0 to " + MAX_GRACE + " seconds");
      }
    }

    /** Without a grace time of its own, not verbose. */
    public Init(Kind kind, String binary, boolean group, List<Integer> exitZero,
        List<String> args) {
      this(kind, binary, group, exitZero, args, null, false);
    }

    /** This init, with {@code codes} reported as 0. */
    public Init withExitZero(List<Integer> codes) {
      return new Init(kind, binary, group, codes, args, grace, verbose);
    }

    /** Which init. */
    public enum Kind {
      PLINTH,
      NONE,
      CUSTOM,
      /** tini-static from the target architecture's Debian package. */
      TINI
    }
  }

  /** A numeric user and group; {@code name} is set when /etc/passwd knows it. */
  public record User(long uid, long gid, String name, String home) {
    public static final User NONROOT = new User(65532, 65532, "nonroot", "/home/nonroot");
    public static final User ROOT = new User(0, 0, "root", "/root");

    public String configValue() {
      return uid + ":" + gid;
    }

    /**
     * {@code nonroot}, {@code root}, or a numeric {@code uid[:gid]} (the gid defaults to the
     * uid); a number other than 0 and 65532 has no name and the home {@code /}.
     *
     * @throws IllegalArgumentException saying what is wrong, for the caller to name the field
     */
    public static User parse(String text) {
      if (text.equals("nonroot") || text.equals("65532") || text.equals("65532:65532")) {
        return NONROOT;
      }
      if (text.equals("root") || text.equals("0") || text.equals("0:0")) {
        return ROOT;
      }
      var m = Pattern.compile("([0-9]{1,10})(?::([0-9]{1,10}))?").matcher(text);
      if (!m.matches()) {
        throw new IllegalArgumentException("'" + text + "' is not nonroot, root, or a numeric"
            + " uid[:gid] (Kubernetes runAsNonRoot needs a number)");
      }
      long uid = Long.parseLong(m.group(1));
      long gid = m.group(2) == null ? uid : Long.parseLong(m.group(2));
      if (uid > 0xFFFFFFFEL || gid > 0xFFFFFFFEL) {
        throw new IllegalArgumentException("'" + text + "' is out of range");
      }
      return new User(uid, gid, null, "/");
    }
  }

  /**
   * A file or directory from the build host.
   *
   * @param src the source, relative paths resolved against {@code baseDir}; may hold {@code
   *     ${arch}}
   * @param dest the absolute destination in the image
   * @param mode the mode for files (null: 0755 if executable on the host, else 0644)
   * @param where where it was declared, for error messages ("plinth.yaml:12")
   * @param context the build context {@code src} must lie in (null: none, a trusted input)
   */
  public record FileSpec(Path baseDir, String src, String dest, Integer mode, long uid, long gid,
      String where, BuildContext context) {
    /** A file from a trusted input (not a plinth.yaml), read wherever it is. */
    public FileSpec(
        Path baseDir, String src, String dest, Integer mode, long uid, long gid, String where) {
      this(baseDir, src, dest, mode, uid, gid, where, null);
    }
  }
}
