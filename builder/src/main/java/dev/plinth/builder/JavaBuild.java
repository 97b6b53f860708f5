package dev.plinth.builder;

import dev.plinth.oci.Parallel;

import dev.plinth.jvm.AotSpec;
import dev.plinth.jvm.AotTraining;
import dev.plinth.jvm.AppModules;
import dev.plinth.jvm.JdkModules;
import dev.plinth.jvm.SpringBoot;

import dev.plinth.jvm.JavaRuntime;

import dev.plinth.jvm.JavaApp;

import dev.plinth.jvm.ClassVersions;
import dev.plinth.jvm.JavaSpec;

import dev.plinth.deb.Cache;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import static java.nio.charset.StandardCharsets.UTF_8;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Java part of one build: the app's layers (built once, shared by every platform) and a
 * runtime layer per platform (RuntimeLayers). Both are cached: app layers by their content, a
 * runtime by everything it is linked from, so a build with nothing changed neither compresses
 * nor links anything.
 */
final class JavaBuild {
  /**
   * The JVM flags every image gets before the user's: container-aware memory, fail fast (and
   * headless AWT, since the runtime has no X11 libraries).
   */
  static final List<String> DEFAULT_FLAGS =
      List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");

  private final BuildSpec spec;
  private final JavaSpec java;
  private final JavaApp.Plan plan;
  private final Plinth.Options options;
  private final Cache cache;
  private final LayerCache layers;
  private final List<Layer> appLayers = new ArrayList<>();
  private final List<String> appHistory = new ArrayList<>();
  /** The first Java with the AOT cache of one training run (JEPs 483 and 514). */
  static final int AOT_VERSION = 25;

  private List<String> modules;
  private final List<String> notes = Collections.synchronizedList(new ArrayList<>());
  private final RuntimeLayers runtimes;

  private JavaBuild(BuildSpec spec, JavaApp.Plan plan, Plinth.Options options, String note)
      throws IOException, PlinthException {
    this.spec = spec;
    this.java = spec.java();
    this.plan = plan;
    this.options = options;
    this.cache = options.cache();
    this.layers = new LayerCache(cache.root().resolve("layers"));
    if (note != null) {
      notes.add(note);
    }
    this.runtimes = java.runtime() != null ? null : new RuntimeLayers(java, spec.packages(),
        spec.platforms(), options, layers, notes);
  }

  /**
   * Checks the app's inputs (before anything is built) and settles the Java version: the one
   * given, else the smallest supported LTS that runs the app's class files; and the suite: the
   * one given, else the one that packages that version.
   */
  static JavaBuild prepare(BuildSpec spec, Plinth.Options options)
      throws IOException, PlinthException {
    JavaSpec java = spec.java();
    // a fat jar is unpacked into the cache, its files named by their content (JavaApp)
    JavaApp.Plan plan = JavaApp.plan(java, options.cache().root().resolve("jars"),
        options.cache().root().resolve(JavaApp.CLASS_DIR_KEYS));
    String note = null;
    if (java.runtime() == null) {
      int version = java.version();
      if (version == JavaSpec.UNSET) {
        ClassVersions.Highest h = ClassVersions.highest(plan.jdepsInputs());
        version = ClassVersions.smallestSupported(h);
        note = "java.version " + version + " (not set): " + (h.major() == 0
            ? "the app has no class files" : "the app's classes need Java " + h.feature()
            + ", e.g. " + h.where());
        if (java.aot() != null && version < AOT_VERSION) {
          version = AOT_VERSION;
          note = "java.version " + version + " (not set): java.aot needs it";
        }
      }
      java = java.resolved(version);
      spec = spec.withJava(java);
    }
    if (java.aot() != null) {
      if (java.runtime() == null && java.version() < AOT_VERSION) {
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
    return new JavaBuild(spec, plan, options, note);
  }

  /** The spec with the Java version and suite settled. */
  BuildSpec spec() {
    return spec;
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
        appLayers(), work, options.epochSeconds(), options.layerCompression(), layers,
        options.listener()::step);
  }

  /** The spec as the image runs it: java as the entrypoint, JAVA_HOME, exit 143 reported as 0. */
  BuildSpec effectiveSpec() {
    List<String> cmd = new ArrayList<>();
    cmd.add(JavaRuntime.HOME + "/bin/java");
    cmd.addAll(DEFAULT_FLAGS);
    cmd.add("-Djava.awt.headless=true");
    cmd.addAll(java.jvmFlags());
    cmd.addAll(plan.javaArgs());
    BuildSpec.Init init = spec.init();
    if ((init.kind() == BuildSpec.Init.Kind.PLINTH || init.kind() == BuildSpec.Init.Kind.TINI)
        && !init.exitZero().contains(143)) {
      // A JVM stopped by SIGTERM exits 143 after its shutdown hooks ran: a graceful stop.
      List<Integer> zero = new ArrayList<>(init.exitZero());
      zero.add(143);
      init = init.withExitZero(zero);
    }
    Map<String, String> env = new java.util.TreeMap<>(spec.env());
    env.putIfAbsent("JAVA_HOME", JavaRuntime.HOME);
    env.putIfAbsent("PATH", JavaRuntime.HOME + "/bin:" + ImageConfigs.PATH);
    return spec.withInit(init).withEntrypoint(cmd).withEnv(env);
  }

  private final List<java.util.concurrent.Future<Layer>> appFutures = new ArrayList<>();
  private java.util.concurrent.Future<List<Sbom.Item>> packages;

  /**
   * Starts building (or taking from the cache) the app's layers, and reading its jars' Maven
   * packages for the SBOM, on {@code pool}; call once per build.
   */
  void startAppLayers(Path work, java.util.concurrent.ExecutorService pool) throws IOException {
    for (JavaApp.Part p : plan.parts()) {
      appFutures.add(pool.submit(
          () -> LibraryCheck.tapped(p.layer(), options, "java " + p.name())
              .build(work, options.epochSeconds(), options.layerCompression(), layers)));
      appHistory.add("plinth java: " + p.name());
    }
    packages = pool.submit(this::readMavenPackages);
  }

  /** The app's layers, once built. */
  synchronized List<Layer> appLayers() throws IOException, PlinthException {
    if (appLayers.size() < appFutures.size()) {
      for (java.util.concurrent.Future<Layer> f : appFutures) {
        appLayers.add(Parallel.join(f));
      }
      if (plan.remember() != null) {
        plan.remember().run();
      }
    }
    return appLayers;
  }

  /** The cache's directory of each jar's Maven packages (AppPackages). */
  static final String PACKAGES = "jar-packages";

  /**
   * The app's jars as Maven packages, for the SBOM: read once for every platform, beside the
   * layers ({@link #startAppLayers} started it).
   */
  List<Sbom.Item> mavenPackages() throws IOException, PlinthException {
    return Parallel.join(packages);
  }

  private List<Sbom.Item> readMavenPackages() {
    List<Path> jars = new ArrayList<>(plan.jdepsInputs());
    if (java.jar() != null) {
      jars.add(java.jar());
    }
    return AppPackages.of(new java.util.LinkedHashSet<>(jars), cache.root().resolve(PACKAGES));
  }

  List<String> appHistory() {
    return appHistory;
  }

  /** The bytes of the app's files; once its layers are built, the sizes their keys read. */
  long appFileBytes() throws IOException, PlinthException {
    appLayers();
    long n = 0;
    for (JavaApp.Part p : plan.parts()) {
      n += p.layer().contentBytes();
    }
    return n;
  }

  /** The runtime layer of a platform, from the cache when nothing it is made of changed. */
  RuntimeLayers.Runtime runtime(Platform platform, Path work) throws IOException, PlinthException {
    if (java.runtime() != null) {
      return givenRuntime(work);
    }
    return runtimes.layer(platform, modules(work), work);
  }

  /**
   * The runtime's packages for plinth.lock, resolved afresh (not from a lock): each platform's
   * runtime is linked (or found in the runtime cache) to know its native libraries.
   */
  static LockFile.Runtime lockRuntime(BuildSpec spec, Plinth.Options options, List<String> notes)
      throws IOException, PlinthException {
    BuildSpec.Packages p = spec.packages();
    BuildSpec unlocked = spec.withPackages(p.withLockFile(null));
    JavaBuild j = prepare(unlocked, options);
    Path work = Files.createTempDirectory("plinth-lock-");
    dev.plinth.oci.Cleanup.register(work);
    try {
      Map<String, List<LockFile.Entry>> platforms = new java.util.TreeMap<>();
      for (Platform platform : spec.platforms()) {
        List<LockFile.Entry> entries = j.runtimes.packages(platform, j.modules(work));
        platforms.put(DebianPackages.key(platform), entries);
        notes.add(platform + ": Java runtime: " + String.join(" ", entries.stream()
            .map(e -> e.name() + "=" + e.version()).toList()));
      }
      notes.addAll(0, j.notes());
      return new LockFile.Runtime(j.java.version(), j.java.suite(), platforms);
    } finally {
      dev.plinth.oci.Cleanup.deleteTree(work);
      dev.plinth.oci.Cleanup.unregister(work);
    }
  }

  /** Whether the runtime is linked from Debian's packages (not java.runtime, a given one). */
  boolean linksRuntime() {
    return java.runtime() == null;
  }

  private RuntimeLayers.Runtime given;

  /** java.runtime: the user's own runtime directory, copied as is (one layer for every platform). */
  private synchronized RuntimeLayers.Runtime givenRuntime(Path work) throws IOException, PlinthException {
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
    Layer layer = LibraryCheck.tapped(rt, options, "java.runtime")
        .build(work, options.epochSeconds(), options.layerCompression(), layers);
    given = new RuntimeLayers.Runtime(layer, rt.contentBytes(),
        "plinth java: runtime from java.runtime"
        + releaseOf(dir), List.of(), List.of());
    return given;
  }

  /**
   * What a given runtime's {@code release} file says it is (" (JAVA_VERSION=..., IMPLEMENTOR=...)"),
   * or "": never its path on this machine, which would make the image depend on where it was
   * built.
   */
  static String releaseOf(Path runtime) throws IOException, PlinthException {
    Path release = runtime.resolve("release");
    if (!Files.isRegularFile(release)) {
      return "";
    }
    List<String> said = new ArrayList<>();
    for (String line : new String(dev.plinth.oci.SmallFiles.read(release, 64 * 1024,
        "java.runtime release"), UTF_8).split("\n")) {
      if (line.startsWith("JAVA_VERSION=") || line.startsWith("IMPLEMENTOR=")) {
        said.add(line.strip());
      }
    }
    return said.isEmpty() ? "" : " (" + String.join(", ", said) + ")";
  }

  /**
   * The JDK of the build's Java version that runs on this machine: for jdeps, and for anything
   * that must run the app on a full JDK of that version ({@code jdk().command("java")}).
   */
  JavaRuntime.Jdk jdk() throws IOException, PlinthException {
    if (runtimes == null) {
      throw new PlinthException(Kind.USAGE, "java.runtime: a given runtime has no JDK to run"
          + " jdeps with; list java.modules, or drop java.runtime");
    }
    return runtimes.toolchain().jdk();
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
  private List<String> springFlags;

  /**
   * The flags that end a Spring Boot app's training run after its context refresh, found once
   * (finding them may open every jar of the class path), asked for per platform and for modules.
   */
  private synchronized List<String> springTrainingFlags() {
    if (springFlags == null) {
      springFlags = findSpringTrainingFlags();
    }
    return springFlags;
  }

  private List<String> findSpringTrainingFlags() {
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

  static PlinthException usage(String m) {
    return new PlinthException(Kind.USAGE, m);
  }
}
