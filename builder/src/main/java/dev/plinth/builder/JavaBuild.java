package dev.plinth.builder;

import dev.plinth.oci.Parallel;

import dev.plinth.jvm.AotSpec;
import dev.plinth.jvm.AotTraining;
import dev.plinth.jvm.AppModules;
import dev.plinth.jvm.JdkModules;
import dev.plinth.jvm.SpringBoot;

import dev.plinth.jvm.JavaRuntime;

import dev.plinth.jvm.JavaApp;

import dev.plinth.jvm.JavaSpec;

import dev.plinth.deb.Cache;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.Release;
import dev.plinth.deb.Repository;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java part of one build: the app's layers (built once, shared by every platform) and a
 * runtime layer per platform. Both are cached: app layers by their content, a runtime by
 * everything it is linked from (the JDK, the modules, the signed Debian index of its
 * architecture), so a build with nothing changed neither compresses nor links anything.
 */
final class JavaBuild {
  /**
   * The JVM flags every image gets before the user's: container-aware memory, fail fast (and
   * headless AWT, since the runtime has no X11 libraries).
   */
  static final List<String> DEFAULT_FLAGS =
      List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");

  /** A platform's runtime layer and what the image says about it. */
  record Runtime(Layer layer, long fileBytes, String history, List<Sbom.Item> sbom) {}

  private final BuildSpec spec;
  private final JavaSpec java;
  private final JavaApp.Plan plan;
  private final Plinth.Options options;
  private final Cache cache;
  private final LayerCache layers;
  private final List<Layer> appLayers = new ArrayList<>();
  private final List<String> appHistory = new ArrayList<>();
  private long appFileBytes;
  private JavaRuntime.Jdk jdk;
  private List<String> modules;
  private Repository repository;
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());

  private JavaBuild(BuildSpec spec, JavaApp.Plan plan, Plinth.Options options)
      throws PlinthException {
    this.spec = spec;
    this.java = spec.java();
    this.plan = plan;
    this.options = options;
    this.cache = options.cache();
    this.layers = new LayerCache(cache.root().resolve("layers"));
  }

  /** Checks the app's inputs (before anything is built). */
  static JavaBuild prepare(BuildSpec spec, Plinth.Options options)
      throws IOException, PlinthException {
    JavaSpec java = spec.java();
    if (java.aot() != null) {
      if (java.runtime() == null && java.version() < 25) {
        throw new PlinthException(Kind.USAGE, "java.aot needs java.version 25 or later (the"
            + " JDK's AOT cache from one training run came with JDK 25); this build has "
            + java.version());
      }
      if (spec.platforms().stream().noneMatch(AotTraining::hostRuns)) {
        // os.name and os.arch: facts about this machine, not settings
        throw new PlinthException(Kind.USAGE, "java.aot: the training run runs the image's java"
            + " on this machine (" + System.getProperty("os.name") + "/"
            + System.getProperty("os.arch") + "), and no platform of this build ("
            + spec.platforms() + ") is this machine's; build on a machine of one of them, or"
            + " drop java.aot");
      }
    }
    return new JavaBuild(spec, JavaApp.plan(java), options);
  }

  /** Whether {@code platform}'s image gets an AOT cache: asked for, and this host runs it. */
  boolean trainsFor(Platform platform) {
    return java.aot() != null && AotTraining.hostRuns(platform);
  }

  /** The AOT cache layer of the host's platform, on top of {@code runtime} and the app. */
  Layer aotLayer(Layer runtime, BuildSpec effective, Path work)
      throws IOException, PlinthException {
    List<String> cmd = new ArrayList<>(effective.entrypoint());
    cmd.addAll(effective.cmd());
    return AotTraining.layer(java.aot(), cmd, effective.env(), springTrainingFlags(), runtime,
        appLayers(), work, options.epochSeconds(), options.gzipLevel(), layers);
  }

  /** The spec as the image runs it: java as the entrypoint, JAVA_HOME, exit 143 reported as 0. */
  BuildSpec effectiveSpec() {
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaRuntime.HOME + "/bin/java");
    cmd.addAll(DEFAULT_FLAGS);
    cmd.add("-Djava.awt.headless=true");
    cmd.addAll(java.jvmFlags());
    cmd.add("-cp");
    cmd.add(String.join(":", plan.classpath()));
    cmd.add(plan.mainClass());
    BuildSpec.Init init = spec.init();
    if ((init.kind() == BuildSpec.Init.Kind.PLINTH || init.kind() == BuildSpec.Init.Kind.TINI)
        && !init.exitZero().contains(143)) {
      // A JVM stopped by SIGTERM exits 143 after its shutdown hooks ran: a graceful stop.
      List<Integer> zero = new ArrayList<>(init.exitZero());
      zero.add(143);
      init = new BuildSpec.Init(init.kind(), init.binary(), init.group(), zero, init.args());
    }
    Map<String, String> env = new java.util.TreeMap<>(spec.env());
    env.putIfAbsent("JAVA_HOME", JavaRuntime.HOME);
    env.putIfAbsent("PATH", JavaRuntime.HOME + "/bin:" + ImageConfigs.PATH);
    return spec.withInit(init).withEntrypoint(cmd).withEnv(env);
  }

  private final List<java.util.concurrent.Future<Layer>> appFutures = new ArrayList<>();

  /** Starts building (or taking from the cache) the app's layers; call once per build. */
  void startAppLayers(Path work, java.util.concurrent.ExecutorService pool) throws IOException {
    for (JavaApp.Part p : plan.parts()) {
      appFileBytes += p.layer().contentBytes();
      appFutures.add(pool.submit(
          () -> p.layer().build(work, options.epochSeconds(), options.gzipLevel(), layers)));
      appHistory.add("plinth java: " + p.name());
    }
  }

  /** The app's layers, once built. */
  synchronized List<Layer> appLayers() throws IOException, PlinthException {
    if (appLayers.size() < appFutures.size()) {
      for (java.util.concurrent.Future<Layer> f : appFutures) {
        appLayers.add(Parallel.join(f));
      }
    }
    return appLayers;
  }

  List<String> appHistory() {
    return appHistory;
  }

  long appFileBytes() {
    return appFileBytes;
  }

  /** The runtime layer of a platform, from the cache when nothing it is made of changed. */
  Runtime runtime(Platform platform, Path work) throws IOException, PlinthException {
    if (java.runtime() != null) {
      return givenRuntime(work);
    }
    String arch = dev.plinth.deb.Architectures.debian(platform);
    Release release = repository().release();
    Release.FileHash index = indexHash(release, arch);
    String key = runtimeKey(platform, index.sha256(), modules(work));
    Optional<Layer> hit = layers.get(key);
    Path meta = layers.root().resolve("runtimes").resolve(key);
    if (hit.isPresent() && Files.isRegularFile(meta)) {
      List<String> lines = Files.readAllLines(meta, StandardCharsets.UTF_8);
      long fileBytes = Long.parseLong(lines.get(0));
      List<Sbom.Item> sbom = new ArrayList<>();
      for (String l : lines.subList(2, lines.size())) {
        String[] f = l.split(" ");
        sbom.add(Sbom.debian(f[0], f[1], f[2], f[3], new Digest(f[4]),
            BaseFilesystem.debianDistro(java.suite())));
      }
      return new Runtime(hit.get(), fileBytes, lines.get(1), sbom);
    }
    LayerBuilder rt = new LayerBuilder();
    JavaRuntime.Built built = JavaRuntime.link(jdk(), java, modules, platform,
        repository(), repository().index(arch), cache, rt, work);
    long fileBytes = rt.contentBytes();
    Layer layer = layers.put(key, rt.build(work, options.epochSeconds(), options.gzipLevel()));
    List<String> libs = new ArrayList<>();
    List<Sbom.Item> sbom = new ArrayList<>();
    StringBuilder metaText = new StringBuilder();
    for (int i = 0; i < built.libraries().size(); i++) {
      PackageInstaller.Installed in = built.libraries().get(i);
      Digest deb = built.libraryDebs().get(i);
      libs.add(in.name() + "=" + in.version());
      sbom.add(Sbom.debian(in.name(), in.version(), in.architecture(), in.source(), deb,
          BaseFilesystem.debianDistro(java.suite())));
      metaText.append(in.name()).append(' ').append(in.version()).append(' ')
          .append(in.architecture()).append(' ').append(in.source()).append(' ')
          .append(deb.hex()).append('\n');
    }
    String history = "plinth java: runtime " + String.join(",", built.modules()) + " from "
        + built.source() + "; native libraries from Debian " + java.suite() + ": "
        + String.join(" ", libs);
    Files.createDirectories(meta.getParent());
    dev.plinth.oci.AtomicFile.write(meta, (fileBytes + "\n" + history.replace('\n', ' ') + "\n"
        + metaText).getBytes(StandardCharsets.UTF_8));
    return new Runtime(layer, fileBytes, history, sbom);
  }

  private Runtime given;

  /** java.runtime: the user's own runtime directory, copied as is (one layer for every platform). */
  private synchronized Runtime givenRuntime(Path work) throws IOException, PlinthException {
    if (given != null) {
      return given;
    }
    Path dir = java.runtime();
    if (!Files.isRegularFile(dir.resolve("bin/java"))) {
      throw new PlinthException(Kind.NOT_FOUND, "java.runtime: " + dir + " has no bin/java");
    }
    LayerBuilder rt = new LayerBuilder();
    HostFiles.addTo(rt, new BuildSpec.FileSpec(dir, ".", JavaRuntime.HOME, null, 0, 0,
        "java.runtime"), Platform.LINUX_AMD64);
    long bytes = rt.contentBytes();
    given = new Runtime(rt.build(work, options.epochSeconds(), options.gzipLevel(), layers), bytes,
        "plinth java: runtime from " + dir, List.of());
    return given;
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

  private String runtimeKey(Platform platform, Digest index, List<String> mods)
      throws PlinthException {
    MessageDigest md = Digest.sha256();
    String jdkId = jdk().home() + " " + jdk().version();
    for (String s : List.of("plinth " + Plinth.VERSION, LayerBuilder.FORMAT, JavaRuntime.RECIPE,
        platform.toString(), jdkId, String.join(",", mods), index.hex(), java.suite(),
        Long.toString(options.epochSeconds()), Integer.toString(options.gzipLevel()))) {
      md.update(s.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return "runtime-" + Digest.of(md).hex();
  }

  private synchronized JavaRuntime.Jdk jdk() throws PlinthException {
    if (jdk == null) {
      jdk = JavaRuntime.hostJdk(java.version(), options.javaHome());
    }
    return jdk;
  }

  /**
   * The modules: exactly as listed, or found (jdeps and a training run, see AppModules) plus
   * those the list adds to {@code auto}. Every listed name is checked against the JDK.
   */
  synchronized List<String> modules(Path work) throws IOException, PlinthException {
    if (modules != null) {
      return modules;
    }
    List<String> named = java.namedModules();
    if (!named.isEmpty()) {
      JdkModules.check(named, JdkModules.of(jdk(), work), "java.modules", jdk().version());
    }
    if (!java.modulesFound()) {
      List<String> m = new ArrayList<>(named);
      if (!m.contains("java.base")) {
        m.add(0, "java.base");
      }
      modules = m;
      return modules;
    }
    AppModules.Training training = null;
    if (java.train()) {
      BuildSpec run = effectiveSpec();
      List<String> cmd = new ArrayList<>(run.entrypoint());
      cmd.addAll(run.cmd());
      AotSpec drive = java.aot() != null ? java.aot() : AotSpec.DEFAULT;
      List<String> flags = new ArrayList<>(springTrainingFlags());
      if (!flags.isEmpty()) {
        flags.add(SpringBoot.LOOPBACK);
      }
      training = new AppModules.Training(cmd, run.env(), drive, flags, this::appLayers);
    }
    AppModules.Found found = AppModules.find(jdk(), plan.jdepsInputs(), training,
        cache.root().resolve("modules"), work);
    Set<String> all = new TreeSet<>(found.modules());
    all.addAll(named);
    modules = List.copyOf(all);
    notes.add("java modules: " + String.join(",", modules) + " (jdeps"
        + (training == null ? "" : "; a training run added " + (found.trained().isEmpty()
            ? "none" : String.join(",", found.trained())) + ", " + found.how())
        + (named.isEmpty() ? "" : "; listed " + String.join(",", named))
        + (found.cached() ? "; the cached answer" : "") + ")");
    if (found.warning() != null) {
      notes.add("warning: " + found.warning());
    }
    return modules;
  }

  /**
   * JVM flags of a training run that make a Spring Boot app end by itself once its context is
   * refreshed: for an app of Spring Boot whose training run requests no URLs.
   */
  private List<String> springTrainingFlags() {
    if (java.aot() != null && !java.aot().get().isEmpty()) {
      return List.of();
    }
    List<Path> cp = new ArrayList<>(plan.jdepsInputs());
    if (java.jar() != null) {
      cp.add(java.jar());
    }
    return SpringBoot.isApp(cp) ? List.of(SpringBoot.EXIT_ON_REFRESH) : List.of();
  }

  /** What the build decided that a user may want to know: the modules found, warnings. */
  List<String> notes() {
    return List.copyOf(notes);
  }

  private synchronized Repository repository() throws PlinthException {
    if (repository == null) {
      repository = DebianPackages.open(spec.packages(), java.suite(), List.of("main"), options);
    }
    return repository;
  }


  static PlinthException usage(String m) {
    return new PlinthException(Kind.USAGE, m);
  }
}
