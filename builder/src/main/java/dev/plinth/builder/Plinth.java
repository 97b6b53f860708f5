package dev.plinth.builder;

import dev.plinth.audit.LibraryClosure;
import dev.plinth.daemon.DockerDaemon;
import dev.plinth.deb.Cache;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.jvm.AotTraining;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Compression;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.ImageSink;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Parallel;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Sizes;
import dev.plinth.oci.StreamFailure;
import dev.plinth.oci.Transports;
import dev.plinth.http.Proxies;
import dev.plinth.registry.RegistryOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one facade: everything the CLI and the Maven plugin do is a call here. A build validates
 * its inputs and target first, builds every platform into a private work directory, and only then
 * writes the target, atomically.
 *
 * <p>Why one file of more than 600 lines: a quarter of it is {@link Options}, the settings every
 * front end passes in (one wither each, a line on {@code OptionsEdit}), and the rest is one entry
 * point per thing a user does plus the per-platform assembly of a build, read top to bottom.
 * Options could move to a file of its own; it is {@code Plinth.Options} to both front ends and
 * every test.
 */
public final class Plinth {
  public static final String VERSION = dev.plinth.oci.Version.PLINTH;

  /**
   * How to build: values only, taken from the environment a front end read (the CLI's, the Maven
   * JVM's at each goal), never from the process's own, so a long-lived JVM has no stale settings.
   *
   * @param epochSeconds the time every file and the config carry (SOURCE_DATE_EPOCH)
   * @param gzipLevel gzip level for layers, 0-9
   * @param locked {@code --locked}: a missing or stale plinth.lock is an error, not re-resolved
   * @param cacheDir downloads and built runtimes ($XDG_CACHE_HOME/plinth, else ~/.cache/plinth);
   *     null: none known, and a build that needs one fails saying so
   * @param registry registry settings: credentials (PLINTH_REGISTRY_USER/PASSWORD, DOCKER_CONFIG,
   *     HOME, PATH for credential helpers), insecure hosts, CA file, progress, format
   * @param dockerHost the daemon (DOCKER_HOST, unix:///path), or null: the default socket
   * @param debianMirror the Debian archive (PLINTH_DEBIAN_MIRROR), or null: the host's apt's
   * @param javaHome JAVA_HOME, or null
   * @param proxies the HTTP proxies of registries and Debian mirrors (HTTPS_PROXY, HTTP_PROXY,
   *     NO_PROXY; the JDK's proxy properties; Maven's settings.xml): the registry settings get
   *     them too
   * @param createdSeconds the image's creation time (config, history, created label and
   *     annotation, SBOM), seconds since 1970; {@code epochSeconds} unless set apart, as Jib's
   *     creationTime is apart from its files' time
   * @param listener told what the build is doing, a line per step (downloads, unpacking and
   *     linking included)
   * @param jdkPath where to look for a JDK of java.version to run jlink and jdeps (see {@link
   *     dev.plinth.jvm.Jdks}); null: the default search
   * @param cacheMax the cache's bound in bytes, applied after each build when it is over
   *     (PLINTH_CACHE_MAX, see {@link CacheDirectory}); negative: none
   * @param compression the layers' compression ({@code --compression}), or null: the build
   *     file's, else gzip at {@code gzipLevel}
   */
  public record Options(long epochSeconds, int gzipLevel, boolean locked, Path cacheDir,
      RegistryOptions registry, String dockerHost, String debianMirror, Path javaHome,
      Proxies proxies, long createdSeconds, Listener listener, List<Path> jdkPath,
      long cacheMax, Compression compression) {
    public Options {
      proxies = proxies == null ? Proxies.NONE : proxies;
      registry = registry.withProxies(proxies);
      listener = listener == null ? Listener.NONE : listener;
      jdkPath = List.copyOf(jdkPath == null ? dev.plinth.jvm.Jdks.defaultSearch(javaHome)
          : jdkPath);
    }

    /** gzip level 6: what zlib and Jib default to; level 9 costs 2.6 times the time for 0.6%. */
    public static final int DEFAULT_GZIP = 6;

    /**
     * Options that read no environment: time 0, gzip 6, anonymous registries, the default
     * daemon socket, the host's apt mirror and JDK, the cache in {@code cacheDir} (or none),
     * unbounded, and no listener.
     */
    public static Options of(Path cacheDir) {
      return new Options(0, DEFAULT_GZIP, false, cacheDir, RegistryOptions.fromEnvironment(
          Map.of(), null), null, null, null, Proxies.NONE, 0, Listener.NONE, null, -1, null);
    }

    /**
     * From the environment a front end read: SOURCE_DATE_EPOCH (default 0), XDG_CACHE_HOME and
     * HOME, PLINTH_CACHE_MAX, DOCKER_HOST, PLINTH_DEBIAN_MIRROR, JAVA_HOME, HTTPS_PROXY/HTTP_PROXY/
     * NO_PROXY and the registry's variables.
     *
     * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
     */
    public static Options fromEnvironment(Map<String, String> env, Path home)
        throws PlinthException {
      return fromEnvironment(env, home, Map.of());
    }

    /**
     * As {@link #fromEnvironment(Map, Path)}, with the JDK's proxy properties (https.proxyHost,
     * http.proxyHost, their ports, http.nonProxyHosts) for what the environment leaves unset.
     */
    public static Options fromEnvironment(Map<String, String> env, Path home,
        Map<String, String> jdkProperties) throws PlinthException {
      long epoch = 0;
      String s = env.get("SOURCE_DATE_EPOCH");
      if (s != null && !s.isBlank()) {
        try {
          epoch = Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
          epoch = -1;
        }
        if (epoch < 0 || epoch > 253402300799L) {
          throw new PlinthException(PlinthException.Kind.USAGE, "SOURCE_DATE_EPOCH='" + s
              + "' is not a number of seconds since 1970 (unset it for 0)");
        }
      }
      String javaHome = env.get("JAVA_HOME");
      return new Options(epoch, DEFAULT_GZIP, false, Cache.userRoot(env, home),
          RegistryOptions.fromEnvironment(env, home), env.get("DOCKER_HOST"),
          env.get(dev.plinth.deb.Mirrors.ENV),
          javaHome == null || javaHome.isBlank() ? null : Path.of(javaHome),
          Proxies.fromEnvironment(env, jdkProperties), epoch, Listener.NONE,
          dev.plinth.jvm.Jdks.searchPath(env.get(dev.plinth.jvm.Jdks.PATH_ENV)),
          CacheDirectory.maxFromEnvironment(env), null);
    }

    public Options withEpochSeconds(long seconds) {
      return new OptionsEdit(this).epochSeconds(seconds).createdSeconds(seconds).build();
    }

    public Options withGzipLevel(int level) {
      return new OptionsEdit(this).gzipLevel(level).build();
    }

    /** With layers compressed as {@code c} (null: the build file's, else gzip). */
    public Options withCompression(Compression c) {
      return new OptionsEdit(this).compression(c).build();
    }

    /** How layers are compressed: {@link #compression}, else gzip at {@link #gzipLevel}. */
    public Compression layerCompression() {
      return compression != null ? compression : Compression.gzip(gzipLevel);
    }

    /** With {@code --locked}: a missing or stale plinth.lock is an error, not re-resolved. */
    public Options withLocked(boolean l) {
      return new OptionsEdit(this).locked(l).build();
    }

    /** With the cache in {@code dir}. */
    public Options withCacheDir(Path dir) {
      return new OptionsEdit(this).cacheDir(dir).build();
    }

    /** With these registry settings (credentials, insecure hosts, progress, format). */
    public Options withRegistry(RegistryOptions r) {
      return new OptionsEdit(this).registry(r).build();
    }

    /** With the daemon at {@code host} (DOCKER_HOST form, unix:///path), or null: the default. */
    public Options withDockerHost(String host) {
      return new OptionsEdit(this).dockerHost(host).build();
    }

    /** With the image's creation time apart from its files' ({@code epochSeconds}). */
    public Options withCreatedSeconds(long seconds) {
      return new OptionsEdit(this).createdSeconds(seconds).build();
    }

    /** With {@code l} told each step of a build. */
    public Options withListener(Listener l) {
      return new OptionsEdit(this).listener(l).build();
    }

    /** With the cache bounded to {@code bytes} after each build (negative: unbounded). */
    public Options withCacheMax(long bytes) {
      return new OptionsEdit(this).cacheMax(bytes).build();
    }

    /** Looking for JDKs only on {@code search} (see {@link #jdkPath}). */
    public Options withJdkPath(List<Path> search) {
      return new OptionsEdit(this).jdkPath(search).build();
    }

    /** With requests to registries and Debian mirrors going through these proxies. */
    public Options withProxies(Proxies p) {
      return new OptionsEdit(this).proxies(p).build();
    }

    DockerDaemon daemon() throws PlinthException {
      return DockerDaemon.fromEnvironment(dockerHost == null ? Map.of()
          : Map.of("DOCKER_HOST", dockerHost));
    }

    Cache cache() throws PlinthException {
      if (cacheDir == null) {
        throw new PlinthException(PlinthException.Kind.USAGE, "no cache directory: set"
            + " XDG_CACHE_HOME or HOME (plinth keeps downloads and built runtimes there)");
      }
      return new Cache(cacheDir);
    }
  }

  /**
   * Where a build says what it is doing, one line per step (the runtime of a platform, each
   * platform's layers, the write); a front end shows them. Called from several threads.
   */
  @FunctionalInterface
  public interface Listener extends dev.plinth.deb.Fetcher.Status {
    @Override
    void step(String line);
    Listener NONE = line -> {};
  }

  /**
   * Builds {@code spec} and writes it to {@code target}, holding the cache's lock shared (a
   * prune waits) and bounding the cache after. A cached layer found damaged while it is written
   * (and removed from the cache by then) fails that write; the build runs once more, afresh.
   */
  public static BuildResult build(BuildSpec spec, ImageRef target, Options options)
      throws IOException, PlinthException {
    return build(spec, target, List.of(), options);
  }

  /**
   * Builds {@code spec} and writes it to {@code target} and under each of {@code tags} besides
   * ({@link ImageRef#withTag}: more tags of a registry repository, more names in a layout or
   * archive), as Jib's {@code to.tags}.
   */
  public static BuildResult build(BuildSpec spec, ImageRef target, List<String> tags,
      Options given) throws IOException, PlinthException {
    // --compression wins over the build file's
    Options options = given.compression() == null && spec.compression() != null
        ? given.withCompression(spec.compression()) : given;
    BuildResult r;
    java.util.concurrent.CompletableFuture<Long> cacheSize = CacheDirectory.measure(options);
    try (CacheLock using = CacheLock.shared(options.cacheDir())) {
      try {
        r = buildOnce(spec, target, tags, options);
      } catch (LayerCache.DamagedEntryException damaged) {
        r = buildOnce(spec, target, tags, options).withNote(damaged.getMessage() + "; rebuilt");
      }
    }
    return CacheDirectory.bounded(r, options, cacheSize);
  }

  private static BuildResult buildOnce(BuildSpec spec, ImageRef target, List<String> tags,
      Options options) throws IOException, PlinthException {
    List<String> notes = new ArrayList<>();
    ImageTransports.checkCompression(target, options.layerCompression());
    // the target says up front what it can hold: a daemon its own platform, an archive one
    dev.plinth.oci.Transport transport = ImageTransports.of(options).transport(target);
    List<Platform> platforms = transport.check(target, spec.platforms());
    dev.plinth.oci.ImageSink sink = transport.sink(target, tags); // bad tags fail here
    if (!platforms.equals(spec.platforms())) {
      spec = spec.withPlatforms(platforms);
    }
    JavaBuild java = null;
    if (spec.java() != null) {
      java = JavaBuild.prepare(spec, options);
      spec = java.effectiveSpec();
    }
    DebianPackages debs = null;
    LockFile lock = null;
    if (DebianPackages.needed(spec)) {
      debs = new DebianPackages(spec.packages(), options);
      lock = debs.lockFor(spec, options.locked(), notes);
    }
    Path work = Files.createTempDirectory("plinth-build-");
    Cleanup.register(work);
    ImageSink.Staged staged = null;
    try {
      List<Image> images = new ArrayList<>();
      List<BuildResult.PlatformImage> results = new ArrayList<>();
      List<Sbom.Inventory> sboms = new ArrayList<>();
      List<String> sinkNotes = new ArrayList<>();
      // each SBOM file beside the target: its document while it is made, then its bytes
      Map<Path, java.util.concurrent.Future<byte[]>> sbomDocs = new java.util.LinkedHashMap<>();
      Map<Path, byte[]> sbomBytes = new java.util.LinkedHashMap<>();
      // Layers compress on every core: the app's layers and each platform's at once.
      java.util.concurrent.ExecutorService pool = Parallel.pool();
      try {
        if (java != null) {
          java.startAppLayers(work, pool);
        }
        Map<Platform, Image> from = spec.from() == null ? Map.of() : ImageSources.perPlatform(
            spec.from().image(), spec.platforms(), options, spec.from().where() + ": from");
        List<Map<Platform, Image>> copyFrom = new ArrayList<>();
        for (BuildSpec.CopyFrom c : spec.copyFrom()) {
          copyFrom.add(ImageSources.perPlatform(c.image(), spec.platforms(), options,
              c.where() + ": copyFrom"));
        }
        record PlatformBuild(Image image, List<BuildResult.PlatformImage> results,
            List<Sbom.Inventory> sboms) {}
        // Each platform's task hands its image over as soon as it is built, then checks it
        // (LibraryCheck): the image is written while the checks run.
        List<java.util.concurrent.CompletableFuture<PlatformBuild>> builds = new ArrayList<>();
        List<java.util.concurrent.Future<List<LibraryClosure.Missing>>> checks =
            new ArrayList<>();
        final BuildSpec s = spec;
        final DebianPackages d = debs;
        final LockFile l = lock;
        final JavaBuild j = java;
        for (Platform platform : spec.platforms()) {
          java.util.concurrent.CompletableFuture<PlatformBuild> built =
              new java.util.concurrent.CompletableFuture<>();
          builds.add(built);
          checks.add(pool.submit(() -> {
            Image image;
            try {
              List<BuildResult.PlatformImage> r = new ArrayList<>();
              List<Sbom.Inventory> sb = new ArrayList<>();
              image = buildImage(s, platform, options, work, r, d, l, sb, j,
                  from.get(platform), copyFrom);
              built.complete(new PlatformBuild(image, r, sb));
            } catch (Exception | Error e) {
              built.completeExceptionally(e);
              throw e;
            }
            return LibraryCheck.needed(s) ? LibraryCheck.missing(image, options) : List.of();
          }));
        }
        for (java.util.concurrent.Future<PlatformBuild> f : builds) {
          PlatformBuild b = Parallel.join(f);
          images.add(b.image());
          results.addAll(b.results());
          sboms.addAll(b.sboms());
        }
        ImageIndex index = ImageIndex.of(images, ImageConfigs.annotations(spec, options));
        options.listener().step("writing " + target + (tags.isEmpty() ? ""
            : " (tags " + String.join(", ", tags) + ")"));
        // each SBOM document the build file asks for (SPDX alone by default), made on the pool
        // while the image is written
        for (int i = 0; i < sboms.size() && target.path() != null; i++) {
          Sbom.Inventory inventory = sboms.get(i);
          for (BuildSpec.SbomFormat f : inventory == null ? List.<BuildSpec.SbomFormat>of()
              : spec.sbom()) {
            Platform p = spec.platforms().get(i);
            Path file = target.path().resolveSibling(target.path().getFileName() + "."
                + p.os() + "-" + p.architecture() + "." + f.suffix());
            sbomDocs.put(file, pool.submit(() -> inventory.write(f)));
          }
        }
        // Written, but not yet where the target names it, while the checks finish: a failing
        // check drops it (the finally below), and the target stays as it was.
        staged = ImageTransports.stage(target, sink, index, sinkNotes);
        Map<Platform, List<LibraryClosure.Missing>> missing = new java.util.LinkedHashMap<>();
        for (int i = 0; i < checks.size(); i++) {
          missing.put(images.get(i).platform(), Parallel.join(checks.get(i)));
        }
        LibraryCheck.check(spec, missing, options, notes);
        for (Map.Entry<Path, java.util.concurrent.Future<byte[]>> doc : sbomDocs.entrySet()) {
          sbomBytes.put(doc.getKey(), Parallel.join(doc.getValue()));
        }
      } finally {
        Parallel.stop(pool);
      }
      if (java != null) {
        notes.addAll(java.notes());
      }
      Descriptor top = ImageTransports.commit(target, staged);
      notes.addAll(sinkNotes);
      for (Map.Entry<Path, byte[]> doc : sbomBytes.entrySet()) {
        // not flushed, as the archive or layout beside it is not (README, "Outputs")
        dev.plinth.oci.AtomicFile.writeUnsynced(doc.getKey(), doc.getValue());
      }
      return new BuildResult(target, top, results, List.copyOf(sbomBytes.keySet()), notes);
    } finally {
      if (staged != null) {
        try {
          staged.close(); // nothing once committed; a write held back is dropped
        } catch (IOException notDropped) {
          // its temporary file stays until Cleanup's hook at exit
        }
      }
      Cleanup.deleteTree(work);
      Cleanup.unregister(work);
    }
  }

  /**
   * Resolves the spec's Debian packages for every platform and writes them to its lock file (or
   * to {@code lockFile} when given).
   */
  public static LockResult lock(BuildSpec spec, Path lockFile, Options options)
      throws IOException, PlinthException {
    Path file = lockFile != null ? lockFile : spec.packages().lockFile();
    if (file == null) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "no lock file to write: give the build file with -f, or --output FILE");
    }
    boolean runtime = spec.java() != null && spec.java().runtime() == null;
    if (!DebianPackages.needed(spec) && !runtime) {
      throw new PlinthException(PlinthException.Kind.USAGE, "nothing to lock: the build file"
          + " names no Debian packages (packages:), its init is not tini, and it links no Java"
          + " runtime (java:)");
    }
    List<String> notes = new ArrayList<>();
    LockFile lock;
    try (CacheLock using = CacheLock.shared(options.cacheDir())) {
      lock = DebianPackages.needed(spec)
          ? new DebianPackages(spec.packages(), options).resolve(spec, notes::add)
          : new LockFile(DebianPackages.input(spec), Map.of());
      lock = runtime ? lock.withRuntime(JavaBuild.lockRuntime(spec, options, notes)) : lock;
    }
    try {
      lock.write(file);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, "cannot write " + file + ": "
          + e.getMessage(), e);
    }
    return new LockResult(file, lock, notes);
  }

  /** What {@link #lock} wrote. */
  public record LockResult(Path file, LockFile lock, List<String> notes) {}

  /**
   * Reads an image or index from any source. From a registry it is read lazily: manifests and
   * configs now, each layer when it is opened.
   */
  public static ImageIndex read(ImageRef ref, Options options)
      throws IOException, PlinthException {
    return ImageTransports.of(options).read(ref);
  }

  /**
   * Reads the image {@code ref} names, from wherever {@link #read} reads (a layout, an archive, a
   * registry, a daemon), and audits it.
   *
   * @param reading how to read it: registry credentials and the like
   */
  public static dev.plinth.audit.AuditReport audit(ImageRef ref, dev.plinth.audit.Audit.Options audit,
      Options reading) throws IOException, PlinthException {
    return dev.plinth.audit.Audit.audit(ref, read(ref, reading), audit);
  }

  /**
   * What {@link #copy} wrote.
   *
   * @param images the images copied
   * @param artifacts the artifacts copied (signatures, SBOMs, attestations)
   * @param notes what the sink left out or did besides
   */
  public record CopyResult(ImageRef source, ImageRef target, Descriptor top, List<Image> images,
      List<Artifact> artifacts, List<String> notes) {}

  /**
   * Copies an image or index from any source to any sink, optionally only some platforms. Without
   * platforms, an index is copied whole, its artifacts too, byte for byte: the target's digest is
   * the source's. With {@link Options#compression} set, layers compressed otherwise are
   * recompressed on the way ({@link dev.plinth.oci.Recompression}).
   *
   * @param platforms the platforms to keep; empty: all of them
   */
  public static CopyResult copy(ImageRef source, ImageRef target, List<Platform> platforms,
      Options options) throws IOException, PlinthException {
    if (options.compression() != null) {
      ImageTransports.checkCompression(target, options.compression());
    }
    Transports transports = ImageTransports.of(options);
    ImageIndex index = transports.source(source).read(
        p -> platforms.isEmpty() || platforms.stream().anyMatch(w -> w.matches(p)));
    transports.transport(target).check(target,
        index.images().stream().map(Image::platform).toList());
    List<String> notes = new ArrayList<>();
    Path work = options.compression() == null ? null : Files.createTempDirectory("plinth-copy-");
    try {
      if (work != null) {
        Cleanup.register(work);
        index = dev.plinth.oci.Recompression.apply(index, options.layerCompression(), work,
            notes::add);
      }
      Descriptor top = ImageTransports.write(target, transports.sink(target), index, notes);
      return new CopyResult(source, target, top, index.images(), index.artifacts(), notes);
    } finally {
      if (work != null) {
        Cleanup.deleteTree(work);
        Cleanup.unregister(work);
      }
    }
  }

  private static Image buildImage(
      BuildSpec spec, Platform platform, Options options, Path work,
      List<BuildResult.PlatformImage> results, DebianPackages debs, LockFile lock,
      List<Sbom.Inventory> sboms, JavaBuild java, Image from, List<Map<Platform, Image>> copyFrom)
      throws IOException, PlinthException {
    List<Layer> layers = new ArrayList<>();
    List<String> history = new ArrayList<>();
    long fileBytes = 0;
    ImageConfigs.BaseImage fromConfig = null;
    if (from != null) {
      layers.addAll(ImageSources.layers(from));
      fromConfig = ImageConfigs.BaseImage.of(dev.plinth.oci.ImageConfig.parse(from.config().readAllBytes(),
          spec.from().where() + ": from " + spec.from().image() + " config"));
    }

    LayerBuilder base = new LayerBuilder();
    if (spec.base() == BuildSpec.Base.MINIMAL) {
      // Debian files inside (packages, a runtime): os-release names their release, for scanners
      String suite = lock != null ? spec.packages().suite()
          : java != null && java.linksRuntime() ? spec.java().suite() : null;
      BaseFilesystem.addTo(base, NativeBinaries.nologin(platform), spec.arbitraryUser(),
          suite == null ? BaseFilesystem.OS_RELEASE : BaseFilesystem.debianOsRelease(suite));
    }
    byte[] initBytes = null;
    switch (spec.init().kind()) {
      case PLINTH -> {
        initBytes = NativeBinaries.init(platform);
        base.file(BaseFilesystem.INIT_PATH, initBytes, 0755, 0, 0);
      }
      case CUSTOM -> base.file(ImageConfigs.CUSTOM_INIT_PATH,
          NativeBinaries.customInit(spec.init(), platform),
          0755, 0, 0);
      case NONE, TINI -> {}
    }
    if (!base.isEmpty()) {
      fileBytes += base.contentBytes();
      layers.add(base.build(work, options.epochSeconds(), options.layerCompression()));
      history.add("plinth " + spec.base().name().toLowerCase() + " base: "
          + (spec.base() == BuildSpec.Base.MINIMAL ? "filesystem hierarchy, nologin, " : "")
          + "init " + spec.init().kind().name().toLowerCase());
    }
    Map<String, String> env = new java.util.TreeMap<>();
    List<Sbom.Item> items = null;
    PythonBytecode python = null;
    if (lock != null) {
      List<LockFile.Entry> entries = lock.platforms().get(DebianPackages.key(platform));
      LayerBuilder pkgs = new LayerBuilder();
      Path unpacked = Files.createTempDirectory(work, "deb-");
      List<PackageInstaller.Installed> installed = debs.install(spec, entries, pkgs, unpacked);
      if (spec.init().kind() == BuildSpec.Init.Kind.TINI
          && !pkgs.contains(DebianPackages.TINI_STATIC)) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, "init: tini: Debian's tini"
            + " package for " + platform + " has no " + DebianPackages.TINI_STATIC);
      }
      if (installed.stream().anyMatch(i -> i.name().equals("ca-certificates"))) {
        env.put("SSL_CERT_FILE", PackageInstaller.CA_BUNDLE);
      }
      python = debs.python(spec, lock, entries, pkgs, work,
          note -> options.listener().step(platform + ": " + note));
      String pycNote = python == null ? "" : " (" + python.addPackageBytecode(pkgs,
          "packages (" + platform + ")") + " .pyc by " + python.version() + ")";
      fileBytes += pkgs.contentBytes();
      layers.add(LibraryCheck.tapped(pkgs, options, "packages (" + platform + ")")
          .build(work, options.epochSeconds(), options.layerCompression()));
      List<String> names = new ArrayList<>();
      items = new ArrayList<>();
      for (int i = 0; i < installed.size(); i++) {
        PackageInstaller.Installed in = installed.get(i);
        names.add(in.name() + "=" + in.version());
        items.add(Sbom.debian(in.name(), in.version(), in.architecture(), in.source(),
            entries.get(i).sha256(), BaseFilesystem.debianDistro(spec.packages().suite()),
            in.license()));
      }
      if (initBytes != null) {
        items.add(Sbom.plinthInit(platform, dev.plinth.oci.Digest.of(initBytes)));
      }
      history.add("plinth: Debian " + spec.packages().suite() + " packages" + pycNote + ": "
          + String.join(" ", names));
    }
    for (int i = 0; i < spec.copyFrom().size(); i++) {
      BuildSpec.CopyFrom c = spec.copyFrom().get(i);
      LayerBuilder copied = new LayerBuilder();
      fileBytes += ImageSources.extract(copyFrom.get(i).get(platform), c.paths(), copied, work,
          c.where() + ": copyFrom " + c.image() + " (" + platform + ")");
      layers.add(LibraryCheck.tapped(copied, options, "copyFrom " + c.image() + " (" + platform + ")")
          .build(work, options.epochSeconds(), options.layerCompression()));
      history.add("plinth: copyFrom " + c.image() + ": " + String.join(" ", c.paths()));
    }
    if (java != null) {
      options.listener().step(platform + (spec.java().runtime() != null
          ? ": the Java runtime from java.runtime " + spec.java().runtime()
          : ": the Java " + spec.java().version() + " runtime"
              + " (linked once, then taken from the cache)"));
      RuntimeLayers.Runtime rt = java.runtime(platform, work);
      layers.add(rt.layer());
      history.add(rt.history());
      fileBytes += rt.fileBytes();
      if (items == null) {
        items = new ArrayList<>();
        if (initBytes != null) {
          items.add(Sbom.plinthInit(platform, dev.plinth.oci.Digest.of(initBytes)));
        }
      }
      items.addAll(rt.sbom());
      items.addAll(java.mavenPackages());
      layers.addAll(java.appLayers());
      history.addAll(java.appHistory());
      fileBytes += java.appFileBytes();
      if (java.trainsFor(platform)) {
        Layer aot = java.aotLayer(rt.layer(), spec, work);
        layers.add(aot);
        history.add("plinth java: AOT cache " + AotTraining.PATH + " from a training run");
        fileBytes += aot.uncompressedSize().orElse(0);
        spec = spec.withEntrypoint(AotTraining.withCache(spec.entrypoint()));
      }
    }
    LayerBuilder files = new LayerBuilder();
    for (BuildSpec.FileSpec f : spec.files()) {
      HostFiles.addTo(files, f, platform);
    }
    int ownPyc = python == null ? 0
        : python.addOwnBytecode(files, "files (" + platform + ")");
    if (!files.isEmpty()) {
      fileBytes += files.contentBytes();
      layers.add(LibraryCheck.tapped(files, options, "files (" + platform + ")")
          .build(work, options.epochSeconds(), options.layerCompression()));
      history.add("plinth: " + spec.files().size() + " file entries from the build file"
          + (ownPyc == 0 ? "" : " (" + ownPyc + " .pyc by " + python.version() + ")"));
    }
    if (layers.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          "nothing to put in the image: base 'scratch', init 'none' and no files");
    }
    Blob config = Blob.of(MediaTypes.OCI_CONFIG,
        ImageConfigs.config(spec, platform, layers, history, options, env, fromConfig));
    Image image = Image.of(platform, config, layers, ImageConfigs.annotations(spec, options));
    Sbom.Inventory inventory = items == null ? null : new Sbom.Inventory(spec.name(), platform,
        image.manifest().descriptor().digest(), iso(options.createdSeconds()), items);
    sboms.add(inventory);
    long tar = 0;
    long compressed = config.descriptor().size() + image.manifest().descriptor().size();
    for (Layer l : layers) {
      tar += l.uncompressedSize().orElse(0);
      compressed += l.blob().descriptor().size();
    }
    Descriptor md = image.manifest().descriptor();
    results.add(new BuildResult.PlatformImage(platform, md.digest(), layers.size(), fileBytes, tar,
        compressed, md.size(), inventory == null ? null : Sbom.spdx(inventory),
        Attestations.inputs(spec, from, copyFrom, platform)));
    int own = layers.size() - history.size();
    for (int i = 0; i < history.size(); i++) {
      String h = history.get(i);
      options.listener().step(platform + ": layer " + (own + i + 1) + "/" + layers.size() + " "
          + Sizes.decimal(layers.get(own + i).blob().descriptor().size()) + ": "
          + (h.length() > 120 ? h.substring(0, 117) + "..." : h));
    }
    return image;
  }

  static String iso(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).toString();
  }

  private Plinth() {}
}
