package dev.plinth.jvm;

import java.nio.file.Path;
import java.util.List;

/**
 * A Java application: its code, and the runtime plinth links for it per platform.
 *
 * @param jar an executable jar (Main-Class, and Class-Path jars beside it), or null
 * @param mainClass the main class; null with {@code jar} to take the jar's Main-Class
 * @param classpath with no jar: the directories and jars of the app, in order (directories
 *     become the resources and classes layers, jars the dependency layers)
 * @param version the JDK feature version of the runtime, e.g. 25 or 17
 * @param modules the runtime's modules; empty: found with jdeps
 * @param jvmFlags flags after plinth's container defaults
 * @param aot bake a JDK AOT cache from a training run into the image of the host's
 *     architecture; null: none
 * @param suite the Debian suite for JDK packages and native libraries (default trixie)
 * @param runtime a ready Java runtime directory (with bin/java) to use as is, for all
 *     platforms, instead of linking one; null: plinth links it
 */
public record JavaSpec(Path jar, String mainClass, List<Path> classpath, int version,
    List<String> modules, List<String> jvmFlags, AotSpec aot, String suite, Path runtime) {
  public static final int DEFAULT_VERSION = 25;
  public static final String DEFAULT_SUITE = "trixie";

  public JavaSpec {
    classpath = List.copyOf(classpath);
    modules = List.copyOf(modules);
    jvmFlags = List.copyOf(jvmFlags);
  }

  /** A Java app whose runtime plinth links. */
  public JavaSpec(Path jar, String mainClass, List<Path> classpath, int version,
      List<String> modules, List<String> jvmFlags, AotSpec aot, String suite) {
    this(jar, mainClass, classpath, version, modules, jvmFlags, aot, suite, null);
  }
}
