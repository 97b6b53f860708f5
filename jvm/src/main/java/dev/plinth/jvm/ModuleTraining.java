package dev.plinth.jvm;

import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The modules an app loads when it runs: its image's java command, run on this machine with a
 * full JDK of the image's version (every module there, so nothing the app reaches through
 * ServiceLoader or reflection is missing), the app's layers unpacked as in the image, and the
 * JVM's class-load log in a file. Classes loaded from {@code jrt:/<module>} name the modules.
 * Class data sharing is off for the run, since classes from a shared archive do not say their
 * module.
 *
 * <p>The run is driven as the AOT training run's settings say ({@link TrainingRun}); without
 * URLs it is stopped once it loaded no class for a while. A run that fails, or is stopped, still
 * gives what it loaded, with a warning.
 */
public final class ModuleTraining {
  /** How long the app may take to exit after SIGTERM before it is killed. */
  static final long STOP_SECONDS = 10;

  /**
   * What a run found.
   *
   * @param modules the modules of the classes the app loaded (java.base at least, once the JVM
   *     started)
   * @param how how the run ended
   * @param warning one line on what went wrong, or null
   */
  public record Result(Set<String> modules, String how, String warning) {}

  private ModuleTraining() {}

  /**
   * Runs the app once.
   *
   * @param javaCommand the image's java command: java, flags, class path, main class, arguments
   * @param env the image's environment
   * @param drive the training run's settings (URLs, env, timeout)
   * @param flags JVM flags for this run only, e.g. {@link SpringBoot#EXIT_ON_REFRESH}
   * @param app the app's layers
   */
  public static Result run(JavaRuntime.Jdk jdk, List<String> javaCommand, Map<String, String> env,
      AotSpec drive, List<String> flags, List<Layer> app, Path work)
      throws IOException, PlinthException {
    Path dir = Files.createTempDirectory(work, "modules-");
    Path root = Files.createDirectories(dir.resolve("root"));
    for (Layer l : app) {
      AotTraining.unpack(l, root);
    }
    Path classes = dir.resolve("class-load.log");
    Path output = dir.resolve("output.log");
    List<String> cmd = command(jdk, javaCommand, root, classes, flags);
    Map<String, String> runEnv = TrainingRun.environment(env, drive, dir.resolve("home"),
        jdk.home().toString());
    TrainingRun.Ended end = TrainingRun.run(TrainingRun.process(cmd, root, runEnv, output), drive,
        () -> size(classes), STOP_SECONDS);
    Set<String> modules = Files.isRegularFile(classes) ? loaded(classes) : new TreeSet<>();
    String warning = end.problem();
    if (warning == null && end.exitCode() != null && end.exitCode() != 0) {
      warning = end.how();
    }
    if (warning != null) {
      String last = TrainingRun.tail(output, 1).strip();
      warning = "the training run for the modules: " + warning
          + (last.isEmpty() ? "" : " (its last line: " + last + ")")
          + "; the modules of the classes it loaded are used";
    }
    return new Result(modules, end.how(), warning);
  }

  /**
   * The run's command: the JDK's java, the training runs' heap cap ({@link TrainingRun#HEAP}),
   * the class-load log and no class data sharing, the run's flags, then the image's command with
   * the app's paths moved under {@code root} and its own archive flags (which would turn sharing
   * back on) left out.
   */
  static List<String> command(JavaRuntime.Jdk jdk, List<String> javaCommand, Path root,
      Path classLog, List<String> flags) {
    List<String> cmd = new ArrayList<>(jdk.command("java"));
    cmd.add(TrainingRun.HEAP);
    cmd.add("-Xshare:off");
    cmd.add("-Xlog:class+load=info:file=\"" + classLog + "\":none:filecount=0");
    cmd.addAll(flags);
    List<String> rest = AotTraining.movedArguments(javaCommand, root);
    int args = appArguments(rest);
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      if (i >= args || !(a.startsWith("-Xshare:") || a.startsWith("-XX:SharedArchiveFile=")
          || a.startsWith("-XX:AOTCache=") || a.startsWith("-XX:AOTMode="))) {
        cmd.add(a);
      }
    }
    return cmd;
  }

  /** Where the app's own arguments start: after the main class or -jar's jar. */
  private static int appArguments(List<String> args) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-jar")) {
        return i + 2;
      }
      if (a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) {
        i++;
      } else if (!a.startsWith("-")) {
        return i + 1;
      }
    }
    return args.size();
  }

  /**
   * Classes a full JDK loads for itself, not for the app, from modules a runtime does without:
   * the console providers that {@code System.console()} looks up on JDK 22 and later (a runtime
   * without them uses java.base's own console). Counted, they would bring in jdk.jshell and with
   * it the compiler. A module none of whose other classes was loaded is not counted.
   */
  static final Set<String> JDK_OWN = Set.of(
      "jdk.jshell.execution.impl.ConsoleImpl$ConsoleProviderImpl",
      "jdk.internal.org.jline.JdkConsoleProviderImpl");

  /**
   * The modules named by a class-load log's {@code <class> source: jrt:/<module>} lines, but
   * those of which only {@link #JDK_OWN} classes were loaded.
   */
  static Set<String> loaded(Path log) throws IOException {
    Set<String> modules = new TreeSet<>();
    String marker = " source: jrt:/";
    // the JVM writes this file; read leniently anyway, a bad byte becomes U+FFFD
    try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(log),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        int at = line.indexOf(marker);
        if (at >= 0) {
          String m = line.substring(at + marker.length()).strip();
          String name = line.substring(line.lastIndexOf(' ', at - 1) + 1, at);
          if (JdkModules.NAME.matcher(m).matches() && !JDK_OWN.contains(name)) {
            modules.add(m);
          }
        }
      }
    }
    return modules;
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      return -1;
    }
  }
}
