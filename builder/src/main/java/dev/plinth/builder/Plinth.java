package dev.plinth.builder;

import dev.plinth.oci.Parallel;

import dev.plinth.elf.Elf;

import dev.plinth.jvm.AotTraining;

import dev.plinth.daemon.DockerDaemon;
import dev.plinth.deb.Cache;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.ContentMismatchException;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Transports;
import dev.plinth.registry.RegistryFailure;
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
 */
public final class Plinth {
  public static final String VERSION = dev.plinth.oci.Version.PLINTH;

  /**
   * How to build.
   *
   * @param epochSeconds the time every file and the config carry (SOURCE_DATE_EPOCH)
   * @param gzipLevel gzip level for layers, 0-9
   */
  public record Options(long epochSeconds, int gzipLevel, boolean locked, Path cacheDir,
      RegistryOptions registry, String dockerHost) {
    /** gzip level 6: what zlib and Jib default to; level 9 costs 2.6 times the time for 0.6%. */
    public static final Options DEFAULT = new Options(0, 6);

    public Options(long epochSeconds, int gzipLevel, boolean locked, Path cacheDir,
        RegistryOptions registry) {
      this(epochSeconds, gzipLevel, locked, cacheDir, registry, System.getenv("DOCKER_HOST"));
    }

    /** With the daemon at {@code host} (DOCKER_HOST form, unix:///path), or null: the default. */
    public Options withDockerHost(String host) {
      return new Options(epochSeconds, gzipLevel, locked, cacheDir, registry, host);
    }

    DockerDaemon daemon() throws PlinthException {
      return DockerDaemon.fromEnvironment(dockerHost == null ? Map.of()
          : Map.of("DOCKER_HOST", dockerHost));
    }

    public Options(long epochSeconds, int gzipLevel) {
      this(epochSeconds, gzipLevel, false, null);
    }

    public Options(long epochSeconds, int gzipLevel, boolean locked, Path cacheDir) {
      this(epochSeconds, gzipLevel, locked, cacheDir,
          RegistryOptions.fromEnvironment(System.getenv()));
    }

    /** With {@code --locked}: a missing or stale plinth.lock is an error, not re-resolved. */
    public Options withLocked(boolean l) {
      return new Options(epochSeconds, gzipLevel, l, cacheDir, registry, dockerHost);
    }

    /** With the download cache in {@code dir} rather than the user's XDG cache. */
    public Options withCacheDir(Path dir) {
      return new Options(epochSeconds, gzipLevel, locked, dir, registry, dockerHost);
    }

    /** With these registry settings (credentials, insecure hosts, progress, format). */
    public Options withRegistry(RegistryOptions r) {
      return new Options(epochSeconds, gzipLevel, locked, cacheDir, r, dockerHost);
    }

    Cache cache() {
      return cacheDir == null ? Cache.user() : new Cache(cacheDir);
    }

    /** Options from the environment: SOURCE_DATE_EPOCH, default 0. */
    public static Options fromEnvironment(Map<String, String> env) throws PlinthException {
      String s = env.get("SOURCE_DATE_EPOCH");
      if (s == null || s.isBlank()) {
        return DEFAULT.withRegistry(RegistryOptions.fromEnvironment(env))
            .withDockerHost(env.get("DOCKER_HOST"));
      }
      try {
        long v = Long.parseLong(s.trim());
        if (v < 0 || v > 253402300799L) {
          throw new NumberFormatException();
        }
        return new Options(v, DEFAULT.gzipLevel, false, null,
            RegistryOptions.fromEnvironment(env), env.get("DOCKER_HOST"));
      } catch (NumberFormatException e) {
        throw new PlinthException(
            PlinthException.Kind.USAGE,
            "SOURCE_DATE_EPOCH='" + s + "' is not a number of seconds since 1970 (unset it for 0)");
      }
    }
  }

  /**
   * Builds {@code spec} and writes it to {@code target}. A cached layer found damaged while it is
   * written (and removed from the cache by then) fails that write; the build then runs once more,
   * making the layer afresh.
   */
  public static BuildResult build(BuildSpec spec, ImageRef target, Options options)
      throws IOException, PlinthException {
    try {
      return buildOnce(spec, target, options);
    } catch (IOException | PlinthException e) {
      Throwable damaged = e;
      while (damaged != null && !(damaged instanceof dev.plinth.oci.LayerCache.DamagedEntryException)) {
        damaged = damaged.getCause() == damaged ? null : damaged.getCause();
      }
      if (damaged == null) {
        throw e;
      }
      BuildResult r = buildOnce(spec, target, options);
      List<String> notes = new ArrayList<>(r.notes());
      notes.add(damaged.getMessage() + "; built again");
      return new BuildResult(r.target(), r.top(), r.images(), r.sboms(), notes);
    }
  }

  private static BuildResult buildOnce(BuildSpec spec, ImageRef target, Options options)
      throws IOException, PlinthException {
    List<String> notes = new ArrayList<>();
    // the target says up front what it can hold: a daemon its own platform, an archive one
    List<Platform> platforms = ImageTransports.of(options).transport(target)
        .check(target, spec.platforms());
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
      debs = new DebianPackages(spec.packages(), options.cache());
      lock = lockFor(spec, debs, options, notes);
    }
    Path work = Files.createTempDirectory("plinth-build-");
    Cleanup.register(work);
    try {
      List<Image> images = new ArrayList<>();
      List<BuildResult.PlatformImage> results = new ArrayList<>();
      List<byte[]> sboms = new ArrayList<>();
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
            List<byte[]> sboms) {}
        List<java.util.concurrent.Future<PlatformBuild>> builds = new ArrayList<>();
        final BuildSpec s = spec;
        final DebianPackages d = debs;
        final LockFile l = lock;
        final JavaBuild j = java;
        for (Platform platform : spec.platforms()) {
          builds.add(pool.submit(() -> {
            List<BuildResult.PlatformImage> r = new ArrayList<>();
            List<byte[]> sb = new ArrayList<>();
            Image image = buildImage(s, platform, options, work, r, d, l, sb, j,
                from.get(platform), copyFrom);
            return new PlatformBuild(image, r, sb);
          }));
        }
        for (java.util.concurrent.Future<PlatformBuild> f : builds) {
          PlatformBuild b = Parallel.join(f);
          images.add(b.image());
          results.addAll(b.results());
          sboms.addAll(b.sboms());
        }
      } finally {
        Parallel.stop(pool);
      }
      ImageIndex index = ImageIndex.of(images, ImageConfigs.annotations(spec, options));
      Descriptor top = write(target, index, options, notes);
      List<Path> written = new ArrayList<>();
      for (int i = 0; i < sboms.size(); i++) {
        if (sboms.get(i) != null && target.path() != null) {
          Platform p = spec.platforms().get(i);
          Path file = target.path().resolveSibling(target.path().getFileName() + "."
              + p.os() + "-" + p.architecture() + ".spdx.json");
          dev.plinth.oci.AtomicFile.write(file, sboms.get(i));
          written.add(file);
        }
      }
      return new BuildResult(target, top, results, written, notes);
    } finally {
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
    if (!DebianPackages.needed(spec)) {
      throw new PlinthException(PlinthException.Kind.USAGE, "nothing to lock: the build file"
          + " names no Debian packages (packages:) and its init is not tini");
    }
    List<String> notes = new ArrayList<>();
    LockFile lock = new DebianPackages(spec.packages(), options.cache()).resolve(spec, notes::add);
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

  /** The lock a build uses: the spec's plinth.lock when it is current, else a fresh resolution. */
  private static LockFile lockFor(BuildSpec spec, DebianPackages debs, Options options,
      List<String> notes) throws IOException, PlinthException {
    Path file = spec.packages().lockFile();
    LockFile existing = LockFile.read(file);
    LockFile.Input want = DebianPackages.input(spec);
    List<String> keys = new ArrayList<>();
    for (Platform p : spec.platforms()) {
      keys.add(DebianPackages.key(p));
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
    if (options.locked()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, "--locked: " + stale
          + "; run plinth lock -f <build file> to resolve the packages again");
    }
    if (existing != null) {
      notes.add("packages: " + stale + "; resolved afresh (plinth lock updates the lock file)");
    }
    return debs.resolve(spec, notes::add);
  }

  private static String describe(LockFile.Input in) {
    return "packages " + in.packages() + (in.exclude().isEmpty() ? "" : " exclude " + in.exclude())
        + " from " + in.suite() + " " + String.join(" ", in.components())
        + (in.init().isEmpty() ? "" : " init " + in.init());
  }

  /** Reads an image or index from a source, for inspect. */
  public static ImageIndex read(ImageRef ref) throws IOException, PlinthException {
    return read(ref, Options.fromEnvironment(System.getenv()));
  }

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
   * the source's.
   *
   * @param platforms the platforms to keep; empty: all of them
   */
  public static CopyResult copy(ImageRef source, ImageRef target, List<Platform> platforms,
      Options options) throws IOException, PlinthException {
    Transports transports = ImageTransports.of(options);
    ImageIndex index = transports.source(source).read(
        p -> platforms.isEmpty() || platforms.stream().anyMatch(w -> w.matches(p)));
    transports.transport(target).check(target,
        index.images().stream().map(Image::platform).toList());
    List<String> notes = new ArrayList<>();
    Descriptor top = write(target, index, options, notes);
    return new CopyResult(source, target, top, index.images(), index.artifacts(), notes);
  }

  private static Image buildImage(
      BuildSpec spec, Platform platform, Options options, Path work,
      List<BuildResult.PlatformImage> results, DebianPackages debs, LockFile lock,
      List<byte[]> sboms, JavaBuild java, Image from, List<Map<Platform, Image>> copyFrom)
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
      BaseFilesystem.addTo(base, NativeBinaries.nologin(platform), spec.arbitraryUser(),
          lock == null ? BaseFilesystem.OS_RELEASE : BaseFilesystem.debianOsRelease(
              spec.packages().suite()));
    }
    byte[] initBytes = null;
    switch (spec.init().kind()) {
      case PLINTH -> {
        initBytes = NativeBinaries.init(platform);
        base.file(BaseFilesystem.INIT_PATH, initBytes, 0755, 0, 0);
      }
      case CUSTOM -> base.file(ImageConfigs.CUSTOM_INIT_PATH, customInit(spec.init(), platform),
          0755, 0, 0);
      case NONE, TINI -> {}
    }
    if (!base.isEmpty()) {
      fileBytes += base.contentBytes();
      layers.add(base.build(work, options.epochSeconds(), options.gzipLevel()));
      history.add("plinth " + spec.base().name().toLowerCase() + " base: "
          + (spec.base() == BuildSpec.Base.MINIMAL ? "filesystem hierarchy, nologin, " : "")
          + "init " + spec.init().kind().name().toLowerCase());
    }
    Map<String, String> env = new java.util.TreeMap<>();
    List<Sbom.Item> items = null;
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
      fileBytes += pkgs.contentBytes();
      layers.add(pkgs.build(work, options.epochSeconds(), options.gzipLevel()));
      List<String> names = new ArrayList<>();
      items = new ArrayList<>();
      for (int i = 0; i < installed.size(); i++) {
        PackageInstaller.Installed in = installed.get(i);
        names.add(in.name() + "=" + in.version());
        items.add(Sbom.debian(in.name(), in.version(), in.architecture(), in.source(),
            entries.get(i).sha256(), BaseFilesystem.debianDistro(spec.packages().suite())));
      }
      if (initBytes != null) {
        items.add(Sbom.plinthInit(platform, dev.plinth.oci.Digest.of(initBytes)));
      }
      history.add("plinth: Debian " + spec.packages().suite() + " packages: "
          + String.join(" ", names));
    }
    for (int i = 0; i < spec.copyFrom().size(); i++) {
      BuildSpec.CopyFrom c = spec.copyFrom().get(i);
      LayerBuilder copied = new LayerBuilder();
      fileBytes += ImageSources.extract(copyFrom.get(i).get(platform), c.paths(), copied, work,
          c.where() + ": copyFrom " + c.image() + " (" + platform + ")");
      layers.add(copied.build(work, options.epochSeconds(), options.gzipLevel()));
      history.add("plinth: copyFrom " + c.image() + ": " + String.join(" ", c.paths()));
    }
    if (java != null) {
      JavaBuild.Runtime rt = java.runtime(platform, work);
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
    if (!files.isEmpty()) {
      fileBytes += files.contentBytes();
      layers.add(files.build(work, options.epochSeconds(), options.gzipLevel()));
      history.add("plinth: " + spec.files().size() + " file entries from the build file");
    }
    if (layers.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          "nothing to put in the image: base 'scratch', init 'none' and no files");
    }
    Blob config = Blob.of(MediaTypes.OCI_CONFIG,
        ImageConfigs.config(spec, platform, layers, history, options, env, fromConfig));
    Image image = Image.of(platform, config, layers, ImageConfigs.annotations(spec, options));
    sboms.add(items == null ? null : Sbom.document(spec.name(), platform,
        image.manifest().descriptor().digest(), iso(options.epochSeconds()), items));
    long tar = 0;
    long compressed = config.descriptor().size() + image.manifest().descriptor().size();
    for (Layer l : layers) {
      tar += l.uncompressedSize().orElse(0);
      compressed += l.blob().descriptor().size();
    }
    results.add(new BuildResult.PlatformImage(platform, image.manifest().descriptor().digest(),
        layers.size(), fileBytes, tar, compressed));
    return image;
  }

  private static byte[] customInit(BuildSpec.Init init, Platform platform)
      throws IOException, PlinthException {
    Path p = Path.of(init.binary().replace("${arch}", platform.architecture()));
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          "init: " + p + " does not exist (the init binary for " + platform + ")");
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(p);
    Elf.checkStatic(bytes, platform, "init " + p);
    return bytes;
  }

  /** Writes {@code index} to {@code target} and returns what the target's reference now names. */
  private static Descriptor write(ImageRef target, ImageIndex index, Options options,
      List<String> notes) throws IOException, PlinthException {
    try {
      return ImageTransports.of(options).sink(target).write(index, notes::add);
    } catch (RegistryFailure e) {
      throw e.failure();
    } catch (ContentMismatchException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, e.getMessage()
          + "; nothing was written to " + target, e);
    } catch (java.nio.file.FileSystemException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": cannot write " + e.getFile() + ": " + (e.getReason() == null
              ? e.getClass().getSimpleName() : e.getReason()), e);
    } catch (IOException e) {
      PlinthException registry = RegistryFailure.in(e);
      if (registry != null) {
        throw registry;
      }
      ContentMismatchException mismatch = ContentMismatchException.in(e);
      if (mismatch != null) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, mismatch.getMessage()
            + "; nothing was written to " + target, e);
      }
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": writing failed: " + e.getMessage(), e);
    }
  }

  static String iso(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).toString();
  }

  private Plinth() {}
}
