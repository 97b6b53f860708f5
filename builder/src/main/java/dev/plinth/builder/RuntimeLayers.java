package dev.plinth.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.deb.Architectures;
import dev.plinth.deb.DebPackage;
import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.PackageRecord;
import dev.plinth.deb.Release;
import dev.plinth.deb.Repository;
import dev.plinth.jvm.DebianJdk;
import dev.plinth.jvm.Debs;
import dev.plinth.jvm.JavaRuntime;
import dev.plinth.jvm.JavaSpec;
import dev.plinth.jvm.Jdks;
import dev.plinth.jvm.LinkedRuntimes;
import dev.plinth.jvm.Toolchain;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The runtime layer of each platform of a Java build: linked from Debian's openjdk-N packages
 * of one suite and version for every platform (pinned by plinth.lock when it is current), kept
 * in the runtime cache by everything it is made of, and written as a layer with the build's
 * time.
 */
final class RuntimeLayers {
  /**
   * A platform's runtime layer and what the image says about it.
   *
   * @param packages the Debian packages it was taken from: the JDK, then the libraries' packages
   */
  record Runtime(Layer layer, long fileBytes, String history, List<Sbom.Item> sbom,
      List<LockFile.Entry> packages) {}

  private final JavaSpec java;
  private final BuildSpec.Packages settings;
  private final Plinth.Options options;
  private final LayerCache layers;
  private final LinkedRuntimes store;
  private final Map<String, List<LockFile.Entry>> pins;
  private final List<String> notes;
  private Repository repository;
  private Toolchain toolchain;

  /**
   * @param java resolved: version and suite set
   * @param settings the build file's Debian settings (mirror, keyring) and plinth.lock
   * @param notes gets what a user should know (a stale lock, a damaged cache entry)
   */
  RuntimeLayers(JavaSpec java, BuildSpec.Packages settings, List<Platform> platforms,
      Plinth.Options options, LayerCache layers, List<String> notes)
      throws IOException, PlinthException {
    this.java = java;
    this.settings = settings;
    this.options = options;
    this.layers = layers;
    this.store = new LinkedRuntimes(options.cache().root().resolve("runtimes"));
    this.notes = notes;
    this.pins = pins(LockFile.read(settings.lockFile()), platforms);
    if (!settings.isEmpty() && !settings.suite().equals(java.suite())) {
      notes.add("packages come from Debian " + settings.suite() + " and the Java runtime's"
          + " libraries from " + java.suite() + ": the image mixes two Debian releases; set"
          + " debian.suite to " + java.suite());
    }
  }

  /** plinth.lock's runtime packages when they are for this build, else null (and why, noted). */
  private Map<String, List<LockFile.Entry>> pins(LockFile lock, List<Platform> platforms)
      throws PlinthException {
    String stale;
    LockFile.Runtime r = lock == null ? null : lock.runtime();
    if (r == null) {
      stale = lock == null ? "there is no plinth.lock" : settings.lockFile()
          + " has no Java runtime";
    } else if (r.java() != java.version() || !r.suite().equals(java.suite())) {
      stale = settings.lockFile() + " has the Java " + r.java() + " runtime from " + r.suite()
          + ", and the build asks for Java " + java.version() + " from " + java.suite();
    } else {
      List<String> missing = platforms.stream().map(DebianPackages::key)
          .filter(k -> !r.platforms().containsKey(k)).toList();
      stale = missing.isEmpty() ? null : settings.lockFile() + " has no Java runtime for "
          + String.join(", ", missing);
    }
    if (stale == null) {
      notes.add("java runtime: as locked in " + settings.lockFile());
      return r.platforms();
    }
    if (options.locked()) {
      throw new PlinthException(Kind.BAD_INPUT, "--locked: " + stale
          + "; run plinth lock -f <build file> to record the runtime's packages");
    }
    if (lock != null) {
      notes.add("java runtime: " + stale + "; resolved afresh (plinth lock records it)");
    }
    return null;
  }

  private synchronized Repository repository() throws PlinthException {
    if (repository == null) {
      repository = DebianPackages.open(settings, java.suite(), List.of("main"), options);
    }
    return repository;
  }

  private Debs debs() throws PlinthException {
    return new Debs(repository(), options.cache(), options.listener()::step);
  }

  /** The JDK that runs jlink and jdeps (a JDK N of this machine, else Debian's). */
  synchronized Toolchain toolchain() throws PlinthException {
    if (toolchain == null) {
      String host = Jdks.hostArch();
      toolchain = Toolchain.choose(java.version(), java.suite(), options.jdkPath(),
          indexId(host), () -> index(host), debs());
    }
    return toolchain;
  }

  /**
   * The index of an architecture with plinth.lock's pins of that architecture's platform
   * applied: a pinned package is the locked version, from the index or, once the index no
   * longer lists it, from the cache.
   */
  private PackageIndex index(String arch) throws PlinthException {
    PackageIndex index = repository().index(arch);
    if (pins == null) {
      return index;
    }
    List<PackageRecord> pinned = new ArrayList<>();
    for (LockFile.Entry e : pinsOf(arch)) {
      pinned.add(record(index, e, arch));
    }
    return index.pinned(pinned);
  }

  private PackageRecord record(PackageIndex index, LockFile.Entry e, String arch)
      throws PlinthException {
    for (PackageRecord r : index.versions(e.name())) {
      if (r.sha256().equals(e.sha256())) {
        return r;
      }
    }
    Optional<Path> cached = options.cache().get(e.sha256(), e.size());
    if (cached.isEmpty()) {
      throw new PlinthException(Kind.NOT_FOUND, settings.lockFile() + " pins " + e.name() + " "
          + e.version() + " (" + arch + ") for the Java runtime, which Debian " + java.suite()
          + " no longer lists and the cache does not hold; run plinth lock -f <build file> to"
          + " take the current version");
    }
    try {
      return PackageRecord.ofDeb(DebPackage.open(cached.get(), e.filename()).control(),
          e.filename(), e.size(), e.sha256(), e.filename());
    } catch (IOException x) {
      throw new PlinthException(Kind.BAD_INPUT, "cannot read " + cached.get() + " ("
          + e.filename() + "): " + x.getMessage(), x);
    }
  }

  /** The runtime layer of {@code platform}: linked once, then from the runtime cache. */
  Runtime layer(Platform platform, List<String> modules, Path work)
      throws IOException, PlinthException {
    LinkedRuntimes.Stored stored = stored(platform, modules);
    JsonNode meta = stored.meta();
    List<Sbom.Item> sbom = new ArrayList<>();
    String distro = BaseFilesystem.debianDistro(java.suite());
    for (JsonNode p : meta.path("packages")) {
      sbom.add(Sbom.debian(p.path("name").asText(), p.path("version").asText(),
          p.path("architecture").asText(), p.path("source").asText(),
          new Digest(p.path("sha256").asText()), distro,
          p.path("license").isTextual() ? p.path("license").asText() : null));
    }
    List<LockFile.Entry> packages = packages(meta);
    checkPinned(platform, packages);
    LayerBuilder rt = stored.layer();
    Layer layer = LibraryCheck.tapped(rt, options, "the Java runtime (" + platform + ")")
        .build(work, options.epochSeconds(), options.layerCompression(), layers);
    return new Runtime(layer, rt.contentBytes(), meta.path("history").asText(), sbom, packages);
  }

  /** The packages the runtime of {@code platform} is made of, for plinth.lock. */
  List<LockFile.Entry> packages(Platform platform, List<String> modules)
      throws IOException, PlinthException {
    return packages(stored(platform, modules).meta());
  }

  private LinkedRuntimes.Stored stored(Platform platform, List<String> modules)
      throws IOException, PlinthException {
    String arch = Architectures.debian(platform);
    LinkedRuntimes.Stored stored = store.get(key(platform, arch, modules), (layer, dir) -> {
      PackageIndex index = index(arch);
      PackageRecord jdkPackage = DebianJdk.jdk(index, java.version(), java.suite(), arch);
      JavaRuntime.Built built = JavaRuntime.link(toolchain(), java.version(), jdkPackage,
          modules, zipLargeResources(), platform, index, debs(), layer, dir);
      // linked: nothing of this build needs the index now (a later question reads it again
      // from the cache's copy of its text)
      repository().forget(arch);
      return meta(built);
    });
    if (stored.damaged() != null) {
      notes.add(stored.damaged());
    }
    return stored;
  }

  private static List<LockFile.Entry> packages(JsonNode meta) {
    List<LockFile.Entry> packages = new ArrayList<>();
    for (JsonNode p : meta.path("packages")) {
      packages.add(new LockFile.Entry(p.path("name").asText(), p.path("version").asText(),
          p.path("architecture").asText(), p.path("filename").asText(),
          p.path("size").asLong(), new Digest(p.path("sha256").asText())));
    }
    return packages;
  }

  /** A runtime that needs a package plinth.lock does not pin (its modules changed, say). */
  private void checkPinned(Platform platform, List<LockFile.Entry> used)
      throws PlinthException {
    if (pins == null) {
      return;
    }
    List<Digest> locked = pins.get(DebianPackages.key(platform)).stream()
        .map(LockFile.Entry::sha256).toList();
    List<String> extra = used.stream().filter(e -> !locked.contains(e.sha256()))
        .map(e -> e.name() + "=" + e.version()).toList();
    if (extra.isEmpty()) {
      return;
    }
    String what = "the " + platform + " runtime takes files from " + String.join(", ", extra)
        + ", which " + settings.lockFile() + " does not pin (did java.modules change?)";
    if (options.locked()) {
      throw new PlinthException(Kind.BAD_INPUT, "--locked: " + what
          + "; run plinth lock -f <build file> to record the runtime's packages");
    }
    notes.add("java runtime: " + what + "; plinth lock records them");
  }

  /** What the runtime cache keeps with a runtime: its history line and packages. */
  private Map<String, Object> meta(JavaRuntime.Built b) {
    List<Object> packages = new ArrayList<>();
    List<String> libs = new ArrayList<>();
    packages.add(pkg(b.jdk(), b.jdk().source(), null));
    for (int i = 0; i < b.libraries().size(); i++) {
      PackageInstaller.Installed in = b.libraries().get(i);
      packages.add(pkg(b.libraryPackages().get(i), in.source(), in.license()));
      libs.add(in.name() + "=" + in.version());
    }
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("history", "plinth java: runtime " + b.javaVersion() + " ("
        + String.join(",", b.modules()) + ") linked from Debian " + java.suite() + " "
        + b.jdk().name() + " " + b.jdk().version() + " (" + b.jdk().architecture() + ") by jlink"
        + " of " + b.linker() + "; native libraries from Debian " + java.suite() + ": "
        + String.join(" ", libs));
    meta.put("javaVersion", b.javaVersion());
    meta.put("packages", packages);
    return meta;
  }

  private static Map<String, Object> pkg(PackageRecord r, String source, String license) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", r.name());
    m.put("version", r.version().toString());
    m.put("architecture", r.architecture());
    m.put("source", source);
    m.put("filename", r.filename());
    m.put("size", r.size());
    m.put("sha256", r.sha256().hex());
    if (license != null) {
      m.put("license", license);
    }
    return m;
  }

  /**
   * Whether the module image zips its large resources: not under zstd layers, which compress the
   * raw classes better (see {@link JavaRuntime#recipe}).
   */
  private boolean zipLargeResources() {
    return !options.layerCompression().isZstd();
  }

  /**
   * The runtime cache key: everything the runtime is made of and nothing of the image it goes
   * in (no time, no compression level; only whether the layer is zstd, which links its module
   * image uncompressed). The signed hash of the architecture's index (with
   * plinth.lock's pins) fixes the JDK package whose jmods are linked and the libraries' packages,
   * so a build whose runtime is cached reads no index; the linker, its own index.
   */
  private String key(Platform platform, String arch, List<String> modules)
      throws PlinthException {
    List<String> parts = List.of("plinth " + Plinth.VERSION, LayerBuilder.FORMAT,
        JavaRuntime.recipe(zipLargeResources()), platform.toString(),
        "openjdk-" + java.version(), java.suite(), indexId(arch),
        "linker " + toolchain().identity(),
        String.join(",", modules));
    MessageDigest md = Digest.sha256();
    for (String s : parts) {
      md.update(s.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return "runtime-" + Digest.of(md).hex();
  }

  /**
   * What fixes the packages of an architecture: its index's signed sha256, and the versions
   * plinth.lock pins there.
   */
  private String indexId(String arch) throws PlinthException {
    Map<String, String> pinned = new TreeMap<>();
    for (LockFile.Entry e : pinsOf(arch)) {
      pinned.put(e.name(), e.sha256().hex());
    }
    return "index sha256:" + indexHash(repository().release(), arch).sha256().hex()
        + (pins == null ? "" : " pinned " + pinned);
  }

  /** plinth.lock's pins for the platforms of {@code arch} (Debian's name). */
  private List<LockFile.Entry> pinsOf(String arch) {
    List<LockFile.Entry> out = new ArrayList<>();
    if (pins != null) {
      pins.forEach((platformKey, entries) -> {
        if (platformKey.endsWith("/" + arch)) {
          out.addAll(entries);
        }
      });
    }
    return out;
  }

  private static Release.FileHash indexHash(Release r, String arch) throws PlinthException {
    for (String suffix : List.of(".gz", ".xz", "")) {
      String path = "main/binary-" + arch + "/Packages" + suffix;
      if (r.sha256().containsKey(path)) {
        return r.file(path);
      }
    }
    return r.file("main/binary-" + arch + "/Packages.xz");
  }
}
