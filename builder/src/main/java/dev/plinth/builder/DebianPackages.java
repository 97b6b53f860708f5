package dev.plinth.builder;

import dev.plinth.deb.Architectures;
import dev.plinth.deb.Cache;
import dev.plinth.deb.Fetcher;
import dev.plinth.deb.Keyring;
import dev.plinth.deb.Mirrors;
import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.PackageRecord;
import dev.plinth.deb.PathGlobs;
import dev.plinth.deb.Repository;
import dev.plinth.deb.Resolver;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The Debian side of a build: resolves the spec's packages per platform into a {@link LockFile},
 * and installs locked packages into a layer. The only network access is through {@link
 * Repository} (verified InRelease, indexes, .debs); a build whose lock is satisfied by the cache
 * touches neither the network nor the keyring.
 */
final class DebianPackages {
  /** The file tini's init is, inside Debian's tini package. */
  static final String TINI_STATIC = "/usr/bin/tini-static";

  private final BuildSpec.Packages packages;
  private final Plinth.Options options;
  private Repository repository;
  private PythonBytecode python;
  private String pythonSkipped;

  /** The packages, fetched into the options' cache (when one is needed) from their mirror. */
  DebianPackages(BuildSpec.Packages packages, Plinth.Options options) {
    this.packages = packages;
    this.options = options;
  }

  /** Whether a spec installs anything from Debian. */
  static boolean needed(BuildSpec spec) {
    return !spec.packages().isEmpty() || spec.init().kind() == BuildSpec.Init.Kind.TINI;
  }

  /** What the lock is resolved from; a lock with another input is stale. */
  static LockFile.Input input(BuildSpec spec) {
    BuildSpec.Packages p = spec.packages();
    boolean tiniAlone = spec.init().kind() == BuildSpec.Init.Kind.TINI && !p.names().contains("tini");
    return new LockFile.Input(p.suite(), p.components(), p.names(), p.exclude(),
        tiniAlone ? "tini" : "");
  }

  /** The lock's key for a platform: os/arch, e.g. linux/arm64. */
  static String key(Platform p) {
    return p.os() + "/" + p.architecture();
  }

  /** Resolves every platform; {@code log} gets one line per platform with the chosen set. */
  LockFile resolve(BuildSpec spec, Consumer<String> log) throws PlinthException {
    LockFile.Input input = input(spec);
    Map<String, List<LockFile.Entry>> platforms = new TreeMap<>();
    boolean tiniOnly = input.init().equals("tini");
    List<String> archs = new ArrayList<>();
    for (Platform platform : spec.platforms()) {
      archs.add(Architectures.debian(platform));
    }
    repository().prefetch(archs.stream().distinct().toList());
    for (Platform platform : spec.platforms()) {
      String arch = Architectures.debian(platform);
      String what = platform + " (" + repository().describe() + ")";
      PackageIndex index = repository().index(arch);
      Resolver.Result r =
          Resolver.resolve(index, packages.names(), packages.exclude(), what);
      List<PackageRecord> chosen = new ArrayList<>(r.packages());
      if (tiniOnly) {
        List<PackageRecord> tini = index.versions("tini");
        if (tini.isEmpty()) {
          throw new PlinthException(Kind.NOT_FOUND, "init: tini needs Debian's tini package,"
              + " and there is none for " + what);
        }
        chosen.add(tini.get(0));
        chosen.sort(java.util.Comparator.comparing(PackageRecord::name));
      }
      List<LockFile.Entry> entries = new ArrayList<>();
      StringBuilder line = new StringBuilder(platform + ": " + chosen.size() + " packages:");
      for (PackageRecord p : chosen) {
        entries.add(new LockFile.Entry(p.name(), p.version().toString(), p.architecture(),
            p.filename(), p.size(), p.sha256()));
        line.append(' ').append(p.name()).append('=').append(p.version());
      }
      if (!r.skipped().isEmpty()) {
        line.append("; left out: ").append(String.join("; ", r.skipped()));
      }
      log.accept(line.toString());
      platforms.put(key(platform), entries);
    }
    return new LockFile(input, platforms);
  }

  /**
   * The lock a build uses: the spec's plinth.lock when it is current, else a fresh resolution.
   *
   * @param locked {@code --locked}: a missing or stale lock is an error instead
   */
  LockFile lockFor(BuildSpec spec, boolean locked, List<String> notes)
      throws IOException, PlinthException {
    Path file = spec.packages().lockFile();
    LockFile existing = LockFile.read(file);
    LockFile.Input want = input(spec);
    List<String> keys = new ArrayList<>();
    for (Platform p : spec.platforms()) {
      keys.add(key(p));
    }
    String stale = null;
    if (existing == null) {
      stale = file == null ? "there is no lock file" : "there is no " + file;
    } else if (!existing.input().equals(want)) {
      stale = file + " was resolved for " + describe(existing.input())
          + ", and the build file now asks for " + describe(want);
    } else if (!existing.platforms().keySet().containsAll(keys)) {
      stale = file + " has the platforms " + existing.platforms().keySet()
          + ", and the build asks for " + keys;
    }
    if (stale == null) {
      notes.add("packages: as locked in " + file);
      return existing;
    }
    if (locked) {
      throw new PlinthException(Kind.BAD_INPUT, "--locked: " + stale
          + "; run plinth lock -f <build file> to resolve the packages again");
    }
    if (existing != null) {
      notes.add("packages: " + stale + "; resolved afresh (plinth lock updates the lock file)");
    }
    return resolve(spec, notes::add);
  }

  private static String describe(LockFile.Input in) {
    return "packages " + in.packages() + (in.exclude().isEmpty() ? "" : " exclude " + in.exclude())
        + " from " + in.suite() + " " + String.join(" ", in.components())
        + (in.init().isEmpty() ? "" : " init " + in.init());
  }

  /**
   * Installs one platform's locked packages into {@code layer}; returns what was installed, in
   * lock order. Only the .debs not already in the cache are fetched.
   */
  List<PackageInstaller.Installed> install(BuildSpec spec, List<LockFile.Entry> entries,
      LayerBuilder layer, Path work) throws IOException, PlinthException {
    boolean tiniOnly = input(spec).init().equals("tini");
    PackageInstaller installer = new PackageInstaller(layer, work, packages.tzdataRight(),
        PathGlobs.of(packages.excludePaths()));
    for (LockFile.Entry e : entries) {
      Path deb = deb(e);
      String what = e.filename();
      if (tiniOnly && e.name().equals("tini")) {
        installer.install(deb, what,
            path -> path.equals(TINI_STATIC) || path.startsWith("/usr/share/doc/tini/"));
      } else {
        installer.install(deb, what);
      }
    }
    installer.finish();
    return installer.installed();
  }

  /**
   * The byte-compiler of this build's Python, made once: the packages of this machine's
   * architecture installed (from the lock, or resolved when the build has no such platform) and
   * their modules compiled. Null, with a note saying why, when it cannot serve {@code target}'s
   * packages: another upstream Python version there, or none here. Null without a note when
   * debian.pythonBytecode is false or {@code layer} (the target's packages) has no python3.
   */
  synchronized PythonBytecode python(BuildSpec spec, LockFile lock, List<LockFile.Entry> target,
      LayerBuilder layer, Path work, Consumer<String> notes) throws IOException, PlinthException {
    if (packages.pythonBytecode() == BuildSpec.Bytecode.NONE || !PythonBytecode.hasPython(layer)) {
      return null;
    }
    if (python == null && pythonSkipped == null) {
      String arch = dev.plinth.jvm.Jdks.hostArch();
      Platform host = Platform.parse("linux/" + arch);
      List<LockFile.Entry> found = lock.platforms().get(key(host));
      List<LockFile.Entry> entries = found != null ? found
          : resolve(spec.withPlatforms(List.of(host)), notes).platforms().get(key(host));
      boolean sourceless = packages.pythonBytecode() == BuildSpec.Bytecode.SOURCELESS;
      String key = PythonBytecode.key(entries.stream().map(e -> e.name() + "=" + e.version()
          + " " + e.architecture() + " " + e.sha256()).toList(), packages.excludePaths(),
          sourceless);
      python = PythonBytecode.compile(key, () -> {
        LayerBuilder here = new LayerBuilder();
        install(spec, entries, here, java.nio.file.Files.createTempDirectory(work, "python-deb-"));
        return here;
      }, new dev.plinth.jvm.LinkedRuntimes(options.cache().root().resolve("pyc")), work,
          "debian.pythonBytecode (" + host + ")", sourceless, notes);
      if (python == null) {
        pythonSkipped = "no .pyc: the " + arch + " packages have no /usr/bin/python3";
      } else {
        hostPython = pythonVersion(entries, python.version());
        notes.accept(python.version() + ": the packages' .pyc " + (python.packagesCached()
            ? "taken from the cache" : "compiled (then kept in the cache)"));
      }
    }
    if (python != null) {
      String there = pythonVersion(target, python.version());
      if (there == null || !there.equals(hostPython)) {
        notes.accept("no .pyc: " + python.version() + "-minimal is " + hostPython + " for "
            + dev.plinth.jvm.Jdks.hostArch() + " and " + there + " here; bytecode is only"
            + " shared between builds of one upstream version");
        return null;
      }
    } else {
      notes.accept(pythonSkipped);
    }
    return python;
  }

  private String hostPython;

  /** The upstream version (no binNMU suffix) of python3.N-minimal among the entries. */
  static String pythonVersion(List<LockFile.Entry> entries, String python) {
    for (LockFile.Entry e : entries) {
      if (e.name().equals(python + "-minimal")) {
        return e.version().replaceFirst("\\+b[0-9]+$", "");
      }
    }
    return null;
  }

  private Path deb(LockFile.Entry e) throws PlinthException {
    Optional<Path> hit = options.cache().get(e.sha256(), e.size());
    if (hit.isPresent()) {
      return hit.get();
    }
    return repository().deb(e.filename(), e.sha256(), e.size());
  }

  private synchronized Repository repository() throws PlinthException {
    if (repository == null) {
      repository = open(packages, packages.suite(), packages.components(), options);
    }
    return repository;
  }

  /**
   * A suite of the Debian archive the settings name: debian.mirror, else the options' mirror
   * ($PLINTH_DEBIAN_MIRROR) or the host's apt sources; debian.keyring, else the system's Debian
   * archive keyring; fetched through the options' proxies into their cache.
   */
  static Repository open(BuildSpec.Packages settings, String suite, List<String> components,
      Plinth.Options options) throws PlinthException {
    URI mirror;
    if (settings.mirror() != null) {
      try {
        mirror = URI.create(settings.mirror().endsWith("/") ? settings.mirror()
            : settings.mirror() + "/");
      } catch (IllegalArgumentException e) {
        throw new PlinthException(Kind.USAGE, "debian.mirror '" + settings.mirror()
            + "' is not a URL", e);
      }
    } else {
      mirror = Mirrors.debian(options.debianMirror());
    }
    Keyring keyring = settings.keyring().isEmpty() ? Keyring.systemDebian()
        : Keyring.load(settings.keyring());
    return new Repository(new Fetcher(mirror, options.cache(), options.proxies(),
        options.listener()), keyring, suite,
        components);
  }

}
