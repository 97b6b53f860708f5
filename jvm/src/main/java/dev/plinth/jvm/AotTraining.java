package dev.plinth.jvm;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JDK AOT cache (JEPs 483 and 514: -XX:AOTMode=record, then create) made by a training run of the
 * image's own runtime and app on this machine, as a layer of its own on top of the app's.
 *
 * <p>The runtime and app layers are unpacked into a work directory with their layer times, and
 * the image's java command runs there with its paths moved under that directory: the JVM accepts
 * a cache whose JDK and class path moved together, and checks each jar's size and time, which the
 * layers keep. The image then runs java with -XX:AOTCache; a JVM that cannot use the cache (a
 * different CPU, say) starts without it. The layer is cached by everything it is made from, so a
 * build with nothing changed does not train again.
 */
public final class AotTraining {
  /** Where the cache is in the image. */
  public static final String PATH = JavaApp.APP + "/app.aot";
  /**
   * How long the JVM may take to write the configuration after it was asked to stop, and to make
   * the cache from it.
   */
  private static final long STOP_SECONDS = 300;

  private AotTraining() {}

  /** Whether this machine can run {@code platform}'s runtime for a training run. */
  public static boolean hostRuns(Platform platform) {
    // os.name and os.arch are facts about this machine, not settings: read where they are needed
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return false;
    }
    String arch = Jdks.hostArch();
    return platform.os().equals("linux") && platform.architecture().equals(arch);
  }

  /** The image's java command with -XX:AOTCache, for a platform that has the cache. */
  public static List<String> withCache(List<String> javaCommand) {
    List<String> out = new ArrayList<>(javaCommand);
    out.add(1, "-XX:AOTCache=" + PATH);
    return out;
  }

  /**
   * The cache layer: from the layer cache when runtime, app and training are unchanged, else
   * made by a training run.
   *
   * @param javaCommand the image's command: java (absolute, in the runtime), flags, -cp, main
   *     class, arguments
   * @param env the image's environment
   * @param trainingFlags JVM flags for the training run only (the image's command has not
   *     them), e.g. {@link SpringBoot#EXIT_ON_REFRESH}
   */
  public static Layer layer(AotSpec aot, List<String> javaCommand, Map<String, String> env,
      List<String> trainingFlags, Layer runtime, List<Layer> app, Path work, long epoch,
      int gzipLevel, LayerCache cache) throws IOException, PlinthException {
    return layer(aot, javaCommand, env, trainingFlags, runtime, app, work, epoch,
        dev.plinth.oci.Compression.gzip(gzipLevel), cache, line -> {});
  }

  /** As the method above, saying on {@code status} when a training run starts (not for a hit). */
  public static Layer layer(AotSpec aot, List<String> javaCommand, Map<String, String> env,
      List<String> trainingFlags, Layer runtime, List<Layer> app, Path work, long epoch,
      dev.plinth.oci.Compression compression, LayerCache cache,
      java.util.function.Consumer<String> status)
      throws IOException, PlinthException {
    List<String> cmd = new ArrayList<>(List.of(javaCommand.get(0), TrainingRun.HEAP));
    cmd.addAll(trainingFlags);
    cmd.addAll(javaCommand.subList(1, javaCommand.size()));
    String key = key(aot, cmd, env, runtime, app, epoch, compression);
    Optional<Layer> hit = cache.get(key);
    if (hit.isPresent()) {
      return hit.get();
    }
    status.accept("training the app for its AOT cache: it runs once, as the image runs it");
    Path dir = Files.createTempDirectory(work, "aot-");
    Path root = Files.createDirectories(dir.resolve("root"));
    unpack(runtime, root);
    for (Layer l : app) {
      unpack(l, root);
    }
    Path out = dir.resolve("app.aot");
    Path conf = dir.resolve("app.aotconf");
    Path log = dir.resolve("training.log");
    String javaHome = env.getOrDefault("JAVA_HOME", "");
    Map<String, String> runEnv = TrainingRun.environment(env, aot, dir.resolve("home"),
        javaHome.startsWith("/") ? under(root, javaHome) : javaHome);
    List<String> training = command(cmd, root, conf);
    // The runtime's own loader and glibc when it has them (they may be newer than this
    // machine's), for the JVM that trains; started by fork, as jspawnhelper is a program of that
    // glibc too.
    if (DebianJdk.runThroughLoader(root, Path.of(training.get(0)))) {
      training.add(1, "-Djdk.lang.Process.launchMechanism=FORK");
    }
    TrainingRun.Ended end = TrainingRun.run(
        TrainingRun.process(training, root, runEnv, log), aot, null, STOP_SECONDS);
    if (end.problem() != null) {
      throw new PlinthException(Kind.BAD_INPUT, "java.aot: " + end.problem() + "; its output:\n"
          + TrainingRun.tail(log, 30));
    }
    if (!Files.isRegularFile(conf) || Files.size(conf) == 0) {
      throw new PlinthException(Kind.BAD_INPUT, "java.aot: the training run recorded no AOT"
          + " configuration (" + end.how() + "); its output:\n" + TrainingRun.tail(log, 30));
    }
    // The cache is made apart, by a JVM that reads the configuration and exits: the training
    // run's time limit is the app's alone, however long a loaded machine takes to write it.
    Path assemblyLog = dir.resolve("assembly.log");
    Integer code = assemble(TrainingRun.process(assembly(cmd, root, conf, out), root, runEnv,
        assemblyLog));
    if (code == null || code != 0 || !Files.isRegularFile(out) || Files.size(out) == 0) {
      throw new PlinthException(Kind.BAD_INPUT, "java.aot: the JVM made no AOT cache from the"
          + " training run's configuration (" + (code == null ? "it did not end within "
          + STOP_SECONDS + " s" : "exit code " + code) + "); its output:\n"
          + TrainingRun.tail(assemblyLog, 30));
    }
    LayerBuilder b = new LayerBuilder();
    b.file(PATH, out, 0644, 0, 0);
    return cache.put(key, b.build(work, epoch, compression));
  }

  /** Runs the assembly JVM to its end, at most {@link #STOP_SECONDS}; its exit code, or null. */
  private static Integer assemble(ProcessBuilder pb) throws IOException, PlinthException {
    try (ToolSlots.Slot slot = ToolSlots.take("the AOT cache's assembly")) {
      return assembleNow(pb);
    }
  }

  private static Integer assembleNow(ProcessBuilder pb) throws IOException, PlinthException {
    Process p = pb.start();
    try {
      if (p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        return p.exitValue();
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.OUTPUT, "the AOT cache's assembly was interrupted", e);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly();
      }
    }
  }

  private static String key(AotSpec aot, List<String> cmd, Map<String, String> env,
      Layer runtime, List<Layer> app, long epoch, dev.plinth.oci.Compression level)
      throws IOException {
    MessageDigest md = Digest.sha256();
    List<String> parts = new ArrayList<>(List.of("aot 2", LayerBuilder.FORMAT,
        runtime.blob().descriptor().digest().toString()));
    for (Layer l : app) {
      parts.add(l.blob().descriptor().digest().toString());
    }
    parts.addAll(cmd);
    parts.add(new java.util.TreeMap<>(env).toString());
    parts.addAll(aot.get());
    parts.add(new java.util.TreeMap<>(aot.env()).toString());
    parts.add(Integer.toString(aot.timeoutSeconds()));
    parts.add(Long.toString(epoch));
    parts.add(level.key());
    for (String p : parts) {
      md.update(p.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return "aot-" + Digest.of(md).hex();
  }

  /**
   * The training command: java and the class path (or {@code -jar}'s jar) moved under {@code
   * root}, recording the classes it loads and links into the AOT configuration {@code conf}.
   */
  public static List<String> command(List<String> javaCommand, Path root, Path conf) {
    List<String> cmd = new ArrayList<>();
    cmd.add(under(root, javaCommand.get(0)));
    cmd.add("-XX:AOTMode=record");
    cmd.add("-XX:AOTConfiguration=" + conf);
    cmd.addAll(movedArguments(javaCommand, root));
    return cmd;
  }

  /**
   * The assembly command: the training command's JVM, flags and class path (which the cache must
   * match) in create mode, making the cache {@code out} from {@code conf}; it does not run the
   * app.
   */
  public static List<String> assembly(List<String> javaCommand, Path root, Path conf, Path out) {
    List<String> cmd = new ArrayList<>();
    cmd.add(under(root, javaCommand.get(0)));
    cmd.add("-XX:AOTMode=create");
    cmd.add("-XX:AOTConfiguration=" + conf);
    cmd.add("-XX:AOTCache=" + out);
    cmd.addAll(movedArguments(javaCommand, root));
    return cmd;
  }

  /**
   * The arguments of the image's java command (all but java itself) with the app's paths moved
   * under {@code root}: the absolute entries of {@code -cp} and the jar of {@code -jar}.
   */
  public static List<String> movedArguments(List<String> javaCommand, Path root) {
    List<String> cmd = new ArrayList<>();
    for (int i = 1; i < javaCommand.size(); i++) {
      String a = javaCommand.get(i);
      cmd.add(a);
      if (a.equals("-jar") && i + 1 < javaCommand.size()) {
        String jar = javaCommand.get(++i);
        cmd.add(jar.startsWith("/") ? under(root, jar) : jar);
        cmd.addAll(javaCommand.subList(i + 1, javaCommand.size()));   // the app's arguments
        break;
      } else if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path"))
          && i + 1 < javaCommand.size()) {
        List<String> moved = new ArrayList<>();
        for (String e : javaCommand.get(++i).split(":", -1)) {
          moved.add(e.startsWith("/") ? under(root, e) : e);
        }
        cmd.add(String.join(":", moved));
      }
    }
    return cmd;
  }

  private static String under(Path root, String absolute) {
    return root + absolute;
  }

  /** Unpacks one of this build's own layers under {@code root}, keeping modes and times. */
  public static void unpack(Layer layer, Path root) throws IOException, PlinthException {
    try (InputStream in = layer.openUncompressed()) {
      TarReader r = new TarReader(in, "layer " + layer.blob().descriptor().digest());
      for (TarEntry e; (e = r.next()) != null; ) {
        Path target = root.resolve(e.name()).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        switch (e.type()) {
          case DIRECTORY -> Files.createDirectories(target);
          case SYMLINK -> {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(e.linkTarget()));
          }
          case HARDLINK -> {
            Path from = root.resolve(e.linkTarget()).normalize();
            if (from.startsWith(root) && Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
              Files.deleteIfExists(target);
              Files.copy(from, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
          }
          case FILE -> {
            Files.deleteIfExists(target);
            Files.copy(r.content(), target);
            target.toFile().setExecutable((e.mode() & 0111) != 0, false);
            Files.setLastModifiedTime(target, FileTime.from(e.mtime(), TimeUnit.SECONDS));
          }
          default -> {}
        }
      }
    }
  }
}
