package dev.plinth.jvm;

import dev.plinth.oci.HostTree;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A Java application laid out in layers, bottom to top, from what changes least to what changes
 * most, as Jib lays it out: release dependencies, snapshot dependencies, resources, classes. A
 * change to the app's code rebuilds (and re-pushes) only the top layer. The layers are the same
 * for every platform.
 *
 * <p>{@code java.jar} is read by its content: a Spring Boot executable jar or war ({@link
 * SpringBootJar}) and a Quarkus fast-jar ({@link QuarkusApp}, its directory or its run jar) are
 * laid out as their frameworks run them, in layers as above; any other jar, a shaded (uber) jar
 * too, is the top layer whole, its Class-Path jars beside it.
 */
public final class JavaApp {
  public static final String APP = "/app";
  public static final String LIBS = APP + "/libs";
  static final String RELEASE = "release dependencies";
  static final String SNAPSHOT = "snapshot dependencies";

  /**
   * Whether a dependency jar (a path or a file name) is a snapshot: its file name says SNAPSHOT,
   * as Maven names them. Snapshots change between builds; releases never do, so each goes in its
   * own layer.
   */
  static boolean isSnapshot(String jarPath) {
    return jarPath.substring(jarPath.lastIndexOf('/') + 1).contains("SNAPSHOT");
  }
  static final String RESOURCES = "resources";
  static final String CLASSES = "classes";
  /** The cache's directory of what class directories made ({@link ClassDirKeys}). */
  public static final String CLASS_DIR_KEYS = ClassDirKeys.DIR;
  /** Files of an app directory, at most. */
  private static final int MAX_FILES = 200_000;

  /** One layer of the app: its name for the history, and its content. */
  public record Part(String name, LayerBuilder layer) {}

  /**
   * The app's layers (empty ones left out), the classpath inside the image, the main class, the
   * host files jdeps reads (every jar and class directory of what runs, fat jars unpacked), and
   * the java command's arguments after the JVM flags (e.g. {@code -cp CLASSPATH MAIN} or
   * {@code -jar /app/quarkus-run.jar}); {@code remember}, to run once the layers are built,
   * records what a later build with the same class directories takes without listing them
   * ({@link ClassDirKeys}; null: nothing to record).
   */
  public record Plan(List<Part> parts, List<String> classpath, String mainClass,
      List<Path> jdepsInputs, List<String> javaArgs, Runnable remember) {
    public Plan {
      parts = List.copyOf(parts);
      classpath = List.copyOf(classpath);
      jdepsInputs = List.copyOf(jdepsInputs);
      javaArgs = List.copyOf(javaArgs);
    }

    /** A plan with nothing to record. */
    public Plan(List<Part> parts, List<String> classpath, String mainClass,
        List<Path> jdepsInputs, List<String> javaArgs) {
      this(parts, classpath, mainClass, jdepsInputs, javaArgs, null);
    }

    /** An app started as {@code java -cp CLASSPATH MAIN}. */
    public Plan(List<Part> parts, List<String> classpath, String mainClass,
        List<Path> jdepsInputs) {
      this(parts, classpath, mainClass, jdepsInputs,
          List.of("-cp", String.join(":", classpath), mainClass));
    }
  }

  private JavaApp() {}

  /** As {@link #plan(JavaSpec, Path)}, for apps that need nothing unpacked (no fat jar). */
  public static Plan plan(JavaSpec java) throws IOException, PlinthException {
    return plan(java, null);
  }

  /**
   * The app's plan; a fat jar is unpacked into {@code store} (a cache directory; files there are
   * named by their content and never change).
   */
  public static Plan plan(JavaSpec java, Path store) throws IOException, PlinthException {
    return plan(java, store, null, UnpackedJar.Limits.DEFAULT);
  }

  /**
   * As {@link #plan(JavaSpec, Path)}; the layers of class directories whose listing is the same
   * as at a build that recorded it in {@code keys} (a cache directory, or null) are taken by
   * the keys it recorded ({@link ClassDirKeys}), and the plan's {@code remember} records them.
   */
  public static Plan plan(JavaSpec java, Path store, Path keys)
      throws IOException, PlinthException {
    return plan(java, store, keys, UnpackedJar.Limits.DEFAULT);
  }

  static Plan plan(JavaSpec java, Path store, UnpackedJar.Limits limits)
      throws IOException, PlinthException {
    return plan(java, store, null, limits);
  }

  static Plan plan(JavaSpec java, Path store, Path keys, UnpackedJar.Limits limits)
      throws IOException, PlinthException {
    LayerBuilder release = new LayerBuilder();
    LayerBuilder snapshot = new LayerBuilder();
    LayerBuilder resources = new LayerBuilder();
    LayerBuilder classes = new LayerBuilder();
    List<String> cp = new ArrayList<>();
    List<String> libCp = new ArrayList<>();
    List<Path> jdeps = new ArrayList<>();
    Map<String, Path> libNames = new LinkedHashMap<>();
    String main = java.mainClass();
    Runnable remember = null;
    if (java.jar() != null) {
      Path jar = java.jar();
      if (QuarkusApp.isDir(jar)) {
        jar = jar.resolve(QuarkusApp.RUN_JAR);
      }
      if (!Files.isRegularFile(jar)) {
        throw new PlinthException(Kind.NOT_FOUND, "java.jar: " + jar + (Files.isDirectory(jar)
            ? " is a directory, and not a Quarkus fast-jar (no " + QuarkusApp.RUN_JAR + " in it)"
            : " does not exist") + " (build the app first, e.g. mvn package)");
      }
      Manifest mf = manifest(jar);
      boolean boot = SpringBootJar.is(mf);
      if ((boot || QuarkusApp.is(mf)) && main != null) {
        throw new PlinthException(Kind.USAGE, "java.mainClass: " + jar + " is a "
            + (boot ? "Spring Boot" : "Quarkus") + " app, started the way it was packaged (its"
            + " manifest names the main class); drop java.mainClass");
      }
      if (boot) {
        if (store == null) {
          throw new IllegalArgumentException("a Spring Boot jar needs a directory to unpack into");
        }
        return SpringBootJar.plan(jar, mf, store, limits, java.aot() != null);
      }
      if (QuarkusApp.is(mf)) {
        return QuarkusApp.plan(jar);
      }
      if (main == null) {
        main = mf == null ? null : mf.getMainAttributes().getValue("Main-Class");
        if (main == null || main.isBlank()) {
          throw new PlinthException(Kind.USAGE, "java.jar: " + jar + " has no Main-Class in its"
              + " manifest; set java.mainClass");
        }
      }
      String dest = APP + "/" + jar.getFileName();
      classes.file(dest, jar, 0644, 0, 0);
      cp.add(dest);
      jdeps.add(jar);
      String classPath = mf == null ? null : mf.getMainAttributes().getValue("Class-Path");
      if (classPath != null) {
        for (String entry : classPath.trim().split("\\s+")) {
          if (entry.isEmpty()) {
            continue;
          }
          Path dep = jar.getParent().resolve(entry).normalize();
          if (!Files.isRegularFile(dep)) {
            if (Files.isDirectory(dep)) {
              continue;
            }
            throw new PlinthException(Kind.NOT_FOUND, "java.jar: " + jar + " lists " + entry
                + " in its Class-Path, and " + dep + " does not exist");
          }
          addLib(dep, release, snapshot, libCp, libNames, jdeps);
        }
      }
    } else {
      if (main == null || main.isBlank()) {
        throw new PlinthException(Kind.USAGE, "java: give either jar, or mainClass and classpath");
      }
      // each directory is listed by a process of its own (HostTree) while the jars are taken;
      // its files then go in in classpath order, where the first of a path wins
      List<HostTree.Listing> listings = new ArrayList<>();
      try {
        for (Path entry : java.classpath()) {
          if (Files.isDirectory(entry)) {
            listings.add(HostTree.list(entry));
            jdeps.add(entry);
          } else if (Files.isRegularFile(entry)) {
            addLib(entry, release, snapshot, libCp, libNames, jdeps);
          } else {
            throw new PlinthException(Kind.NOT_FOUND, "java.classpath: " + entry
                + " does not exist");
          }
        }
        if (!listings.isEmpty()) {
          // the JDK's AOT cache takes jars only on the class path: with java.aot, each is a jar
          boolean jars = java.aot() != null;
          if (jars && store == null) {
            throw new IllegalArgumentException("java.aot needs a directory to write jars into");
          }
          Path file = jars || keys == null ? null : ClassDirKeys.file(keys, listings);
          ClassDirKeys.Entry known = file == null ? null : ClassDirKeys.read(file);
          if (known != null) {
            // as the build that recorded it: each layer by its key, its files listed only if
            // the layer is not in the cache
            List<HostTree.Listing> from = List.copyOf(listings);
            if (known.resources() != null) {
              resources = LayerBuilder.deferred(known.resources().key(),
                  known.resources().bytes(), into -> fillFrom(from, false, into));
              cp.add(APP + "/resources");
            }
            if (known.classes() != null) {
              classes = LayerBuilder.deferred(known.classes().key(), known.classes().bytes(),
                  into -> fillFrom(from, true, into));
            }
            cp.add(APP + "/classes");
          } else {
            Split split = split(listings);
            boolean plain = true; // every listing find's own, without a symlink
            for (HostTree.Listing l : listings) {
              plain &= l.plain();
            }
            if (!split.resources().isEmpty()) {
              cp.add(place(split.resources(), APP + "/resources", jars, resources, store));
            }
            cp.add(place(split.classes(), APP + "/classes", jars, classes, store));
            if (file != null && plain) {
              LayerBuilder r = resources;
              LayerBuilder c = classes;
              remember = () -> ClassDirKeys.write(file, r, c);
            }
          }
        }
      } finally {
        for (HostTree.Listing l : listings) {
          l.close();
        }
      }
    }
    cp.addAll(libCp);
    List<Part> parts = new ArrayList<>();
    for (Part p : List.of(new Part(RELEASE, release), new Part(SNAPSHOT, snapshot),
        new Part(RESOURCES, resources), new Part(CLASSES, classes))) {
      if (!p.layer().isEmpty()) {
        parts.add(p);
      }
    }
    return new Plan(parts, cp, main, jdeps, List.of("-cp", String.join(":", cp), main),
        remember);
  }

  /**
   * Adds the resources or the classes of these directories to {@code into}, as {@link #plan}
   * does: for a layer {@link ClassDirKeys} named, when its entries are needed after all.
   */
  private static void fillFrom(List<HostTree.Listing> listings, boolean classFiles,
      LayerBuilder into) throws IOException {
    Split split = split(listings);
    place(classFiles ? split.classes() : split.resources(),
        APP + (classFiles ? "/classes" : "/resources"), false, into, null);
  }

  /** The manifest of {@code jar} (null: none), read from its first entries. */
  private static Manifest manifest(Path jar) throws IOException, PlinthException {
    try (InputStream in = Files.newInputStream(jar);
        JarInputStream j = new JarInputStream(UnpackedJar.skipLaunchScript(
            new java.io.BufferedInputStream(in, 65536), jar), false)) {
      return j.getManifest();
    } catch (IOException | IllegalArgumentException e) {
      throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " is not a jar: "
          + e.getMessage(), e);
    }
  }

  /**
   * The regular files under {@code dir}, relative and sorted; a symlink, device or FIFO among
   * them fails naming it and {@code what}.
   */
  static List<String> files(Path dir, String what) throws IOException, PlinthException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
            java.nio.file.attribute.BasicFileAttributes.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) {
          continue;
        }
        if (!a.isRegularFile()) {
          throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + p + " in " + what
              + " is not a regular file (a symlink, device or FIFO); plinth copies only files");
        }
        if (out.size() >= MAX_FILES) {
          throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + what + " holds more than "
              + MAX_FILES + " files");
        }
        out.add(dir.relativize(p).toString());
      }
    }
    out.sort(null);
    return out;
  }

  private static void addLib(Path jar, LayerBuilder release, LayerBuilder snapshot,
      List<String> cp, Map<String, Path> names, List<Path> jdeps) throws PlinthException {
    String name = jar.getFileName().toString();
    Path other = names.putIfAbsent(name, jar);
    if (other != null) {
      if (other.equals(jar)) {
        return;
      }
      throw new PlinthException(Kind.USAGE, "two jars on the classpath are named " + name + ": "
          + other + " and " + jar + "; they would overwrite each other in " + LIBS);
    }
    String dest = LIBS + "/" + name;
    (isSnapshot(name) ? snapshot : release).file(dest, jar, 0644, 0, 0);
    cp.add(dest);
    jdeps.add(jar);
  }

  /** The files of class directories by their relative paths: .class files and the rest. */
  private record Split(SortedMap<String, HostTree.File> resources,
      SortedMap<String, HostTree.File> classes) {}

  /**
   * The listings' .class files and the rest, in classpath order, where the first of a path
   * wins; read with their stamps in one go where this machine allows ({@link HostTree}).
   */
  private static Split split(List<HostTree.Listing> listings) throws IOException {
    Split split = new Split(new TreeMap<>(), new TreeMap<>());
    for (HostTree.Listing l : listings) {
      for (HostTree.File f : l.files()) {
        (f.relative().endsWith(".class") ? split.classes() : split.resources())
            .putIfAbsent(f.relative(), f);
      }
    }
    return split;
  }

  /**
   * Puts {@code files} into {@code layer} as the directory {@code at}, or with {@code jar} as
   * the jar {@code at}.jar written into {@code store}; the class path entry.
   */
  private static String place(SortedMap<String, HostTree.File> files, String at, boolean jar,
      LayerBuilder layer, Path store) throws IOException {
    if (jar) {
      SortedMap<String, Path> paths = new TreeMap<>();
      files.forEach((name, f) -> paths.put(name, f.path()));
      layer.file(at + ".jar", ClassJar.write(store, paths, null), 0644, 0, 0);
      return at + ".jar";
    }
    for (HostTree.File f : files.values()) {
      layer.file(at + "/" + f.relative(), f.path(), f.stamp(), 0644, 0, 0);
    }
    return at;
  }

}
