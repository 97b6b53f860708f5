package dev.plinth.jvm;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.Parallel;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * The modules {@code auto} finds for an app: what jdeps reads in its classes and jars, together
 * with what a training run of the app loads ({@link ModuleTraining}), which also sees the modules
 * reached through ServiceLoader and reflection (jdk.zipfs, jdk.crypto.ec, jdk.localedata...).
 * The two run side by side. The answer is cached by everything that determines it: the content
 * of every jdeps input, the JDK, the way of finding ({@link #RECIPE}) and, with a training run,
 * the command, environment and settings it ran with.
 */
public final class AppModules {
  /** Changes whenever the way modules are found changes: part of the cache key. */
  public static final String RECIPE = "modules 2: jdeps --print-module-deps --multi-release"
      + " (modular jars on the module path) and a training run with -Xshare:off"
      + " -Xlog:class+load, jrt:/ sources but the JDK's own console providers";

  /** The app's layers, built when a training run needs them. */
  public interface AppLayers {
    List<Layer> get() throws IOException, PlinthException;
  }

  /**
   * A training run: the image's java command and environment, the settings that drive it, JVM
   * flags for the run only, and the app's layers.
   */
  public record Training(List<String> javaCommand, Map<String, String> env, AotSpec drive,
      List<String> flags, AppLayers app) {
    public Training {
      javaCommand = List.copyOf(javaCommand);
      env = new TreeMap<>(env);
      flags = List.copyOf(flags);
    }
  }

  /**
   * What was found.
   *
   * @param modules every module found, sorted, java.base among them
   * @param trained those the training run found and jdeps did not
   * @param how how the training run ended, or null without one
   * @param warning one line on a training run that went wrong, or null
   * @param cached whether the answer came from the cache
   */
  public record Found(List<String> modules, List<String> trained, String how, String warning,
      boolean cached) {}

  private AppModules() {}

  /**
   * The app's modules, from the cache when nothing that determines them changed.
   *
   * @param inputs the app's jars and class directories on this machine, in order
   * @param training the training run, or null for jdeps alone
   * @param cacheDir where answers are kept
   */
  public static Found find(JavaRuntime.Jdk jdk, List<Path> inputs, Training training,
      Path cacheDir, Path work) throws IOException, PlinthException {
    Path file = cacheDir.resolve(key(jdk, inputs, training));
    Found cached = read(file);
    if (cached != null) {
      return cached;
    }
    Set<String> all;
    List<String> trained = new ArrayList<>();
    String how = null;
    String warning = null;
    if (training == null) {
      all = new TreeSet<>(JavaRuntime.modules(jdk, inputs, work));
    } else {
      ExecutorService side = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "plinth-jdeps");
        t.setDaemon(true);
        return t;
      });
      try {
        Future<List<String>> jdeps = side.submit(() -> JavaRuntime.modules(jdk, inputs, work));
        ModuleTraining.Result run = ModuleTraining.run(jdk, training.javaCommand(),
            training.env(), training.drive(), training.flags(), training.app().get(), work);
        all = new TreeSet<>(Parallel.join(jdeps));
        for (String m : run.modules()) {
          if (all.add(m)) {
            trained.add(m);
          }
        }
        how = run.how();
        warning = run.warning();
      } finally {
        Parallel.stop(side);
      }
    }
    all.add("java.base");
    Found found = new Found(List.copyOf(all), List.copyOf(trained), how, warning, false);
    write(file, found);
    return found;
  }

  /** The cache key: a digest of everything that determines the answer. */
  static String key(JavaRuntime.Jdk jdk, List<Path> inputs, Training training)
      throws IOException {
    MessageDigest md = Digest.sha256();
    List<String> parts = new ArrayList<>(List.of(RECIPE, jdk.version(), jdkRelease(jdk)));
    for (Path p : inputs) {
      parts.add(content(p));
    }
    if (training == null) {
      parts.add("no training run");
    } else {
      parts.add("training run");
      parts.addAll(training.javaCommand());
      parts.add(training.env().toString());
      parts.addAll(training.flags());
      parts.addAll(training.drive().get());
      parts.add(new TreeMap<>(training.drive().env()).toString());
      parts.add(Integer.toString(training.drive().timeoutSeconds()));
    }
    for (String s : parts) {
      md.update(s.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return Digest.of(md).hex();
  }

  /** The JDK's identity beyond its version: its release file (vendor, build, modules). */
  private static String jdkRelease(JavaRuntime.Jdk jdk) throws IOException {
    Path release = jdk.home().resolve("release");
    return Files.isRegularFile(release) ? Digest.of(release).hex() : "no release file";
  }

  /** A file's content digest; a directory's: each file's path and content digest, sorted. */
  static String content(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return "file " + Digest.of(p).hex();
    }
    MessageDigest md = Digest.sha256();
    List<Path> files;
    try (Stream<Path> s = Files.walk(p)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String name = p.relativize(f).toString().replace('\\', '/');
      md.update((name + "\0" + Digest.of(f).hex() + "\0")
          .getBytes(StandardCharsets.UTF_8));
    }
    return "directory " + Digest.of(md).hex();
  }

  /**
   * A cached answer: lines {@code modules=a,b}, {@code trained=c}, {@code how=...} and
   * {@code warning=...}; null when there is none or it does not read as one.
   */
  static Found read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    Map<String, String> fields = new TreeMap<>();
    for (String line : Files.readString(file, StandardCharsets.UTF_8).split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    List<String> modules = names(fields.get("modules"));
    List<String> trained = names(fields.get("trained"));
    if (modules == null || modules.isEmpty() || trained == null) {
      return null;
    }
    String how = fields.getOrDefault("how", "");
    String warning = fields.getOrDefault("warning", "");
    return new Found(modules, trained, how.isEmpty() ? null : how,
        warning.isEmpty() ? null : warning, true);
  }

  private static List<String> names(String list) {
    if (list == null) {
      return null;
    }
    List<String> out = new ArrayList<>();
    for (String n : list.split(",")) {
      if (n.isEmpty()) {
        continue;
      }
      if (!JdkModules.NAME.matcher(n).matches()) {
        return null;
      }
      out.add(n);
    }
    return out;
  }

  private static String line(String text) {
    return text == null ? "" : text.replace('\n', ' ').replace('\r', ' ');
  }

  private static void write(Path file, Found found) throws IOException {
    Files.createDirectories(file.getParent());
    String text = "modules=" + String.join(",", found.modules()) + "\ntrained="
        + String.join(",", found.trained()) + "\nhow=" + line(found.how()) + "\nwarning="
        + line(found.warning()) + "\n";
    AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
  }
}
