package dev.plinth.jvm;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Java application: its code, and the runtime plinth links for it per platform.
 *
 * @param jar an executable jar (Main-Class, and Class-Path jars beside it), or null
 * @param mainClass the main class; null with {@code jar} to take the jar's Main-Class
 * @param classpath with no jar: the directories and jars of the app, in order (directories
 *     become the resources and classes layers, jars the dependency layers)
 * @param version the JDK feature version of the runtime, e.g. 25 or 17; {@link #UNSET}: the
 *     smallest of {@link #SUPPORTED} that runs the app's class files
 * @param modules the runtime's modules: empty, or a list holding {@link #AUTO}: found (jdeps
 *     and a training run) plus the other names of the list; else exactly these
 * @param jvmFlags flags after plinth's container defaults
 * @param aot bake a JDK AOT cache from a training run into the image of the host's
 *     architecture; null: none
 * @param suite the Debian suite of the JDK packages and native libraries; null: the one that
 *     packages the version ({@link #defaultSuite})
 * @param runtime a ready Java runtime directory (with bin/java) to use as is, for all
 *     platforms, instead of linking one; null: plinth links it
 * @param train with found modules: also run the app once at build time on a full JDK and add
 *     the modules it loads (default); false: jdeps and the named modules only
 */
public record JavaSpec(Path jar, String mainClass, List<Path> classpath, int version,
    List<String> modules, List<String> jvmFlags, AotSpec aot, String suite, Path runtime,
    boolean train) {
  /** No version given: it follows the app's class files. */
  public static final int UNSET = 0;

  /**
   * The version the Maven plugin takes when it is given none. The CLI's follows the app's class
   * files instead (see {@link #UNSET}).
   */
  public static final int DEFAULT_VERSION = 25;

  /**
   * The suite of Java 21 and 25. Prefer a null suite, which follows the version: Java 17 is in
   * bookworm only.
   */
  public static final String DEFAULT_SUITE = "trixie";

  /** The word in a module list that asks for the modules plinth finds. */
  public static final String AUTO = "auto";

  /** The feature versions plinth links out of the box: Debian's packaged LTS releases. */
  public static final List<Integer> SUPPORTED = List.of(17, 21, 25);

  /** The Debian suite that packages each supported version as openjdk-N. */
  private static final Map<Integer, String> SUITES =
      Map.of(17, "bookworm", 21, "trixie", 25, "trixie");

  public JavaSpec {
    classpath = List.copyOf(classpath);
    modules = List.copyOf(modules);
    jvmFlags = List.copyOf(jvmFlags);
  }

  /** A Java app whose runtime plinth links, its modules found with a training run. */
  public JavaSpec(Path jar, String mainClass, List<Path> classpath, int version,
      List<String> modules, List<String> jvmFlags, AotSpec aot, String suite) {
    this(jar, mainClass, classpath, version, modules, jvmFlags, aot, suite, null);
  }

  /** A Java app, its modules found with a training run when they are found. */
  public JavaSpec(Path jar, String mainClass, List<Path> classpath, int version,
      List<String> modules, List<String> jvmFlags, AotSpec aot, String suite, Path runtime) {
    this(jar, mainClass, classpath, version, modules, jvmFlags, aot, suite, runtime, true);
  }

  /**
   * The Debian suite that packages {@code openjdk-VERSION}: bookworm for 17, trixie for 21 and
   * 25.
   *
   * @throws PlinthException USAGE for another version, saying to set java.suite
   */
  public static String defaultSuite(int version) throws PlinthException {
    String suite = SUITES.get(version);
    if (suite == null) {
      throw new PlinthException(Kind.USAGE, "java.version " + version + " has no default"
          + " suite: plinth links 17 (from Debian bookworm), 21 and 25 (from Debian trixie);"
          + " pick one of those, or set java.suite to a Debian suite that packages openjdk-"
          + version + "-jdk-headless");
    }
    return suite;
  }

  /** With this version and its suite (the given one, else {@link #defaultSuite}). */
  public JavaSpec resolved(int v) throws PlinthException {
    return new JavaSpec(jar, mainClass, classpath, v, modules, jvmFlags, aot,
        suite != null ? suite : defaultSuite(v), runtime, train);
  }

  /** Whether plinth finds the modules: no list, or a list with {@link #AUTO}. */
  public boolean modulesFound() {
    return modules.isEmpty() || modules.contains(AUTO);
  }

  /** The modules named in the list: all of them, or those added to the found ones. */
  public List<String> namedModules() {
    List<String> named = new ArrayList<>(modules);
    named.removeIf(AUTO::equals);
    return List.copyOf(new java.util.LinkedHashSet<>(named));
  }

  /** This spec with a ready runtime directory used as is ({@code null}: plinth links one). */
  public JavaSpec withRuntime(Path dir) {
    return new JavaSpec(jar, mainClass, classpath, version, modules, jvmFlags, aot, suite,
        dir, train);
  }

  /** This spec with the training run for modules on or off. */
  public JavaSpec withTrain(boolean on) {
    return new JavaSpec(jar, mainClass, classpath, version, modules, jvmFlags, aot, suite,
        runtime, on);
  }
}
