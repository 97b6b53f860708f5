package dev.plinth.jvm;

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
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A Java application laid out in layers, bottom to top, from what changes least to what changes
 * most, as Jib lays it out: release dependencies, snapshot dependencies, resources, classes. A
 * change to the app's code rebuilds (and re-pushes) only the top layer. The layers are the same
 * for every platform.
 */
public final class JavaApp {
  public static final String APP = "/app";
  public static final String LIBS = APP + "/libs";

  /** One layer of the app: its name for the history, and its content. */
  public record Part(String name, LayerBuilder layer) {}

  /**
   * The app's layers (empty ones left out), the classpath inside the image, the main class, and
   * the host files jdeps reads.
   */
  public record Plan(List<Part> parts, List<String> classpath, String mainClass, List<Path> jdepsInputs) {}

  private JavaApp() {}

  public static Plan plan(JavaSpec java) throws IOException, PlinthException {
    LayerBuilder release = new LayerBuilder();
    LayerBuilder snapshot = new LayerBuilder();
    LayerBuilder resources = new LayerBuilder();
    LayerBuilder classes = new LayerBuilder();
    List<String> cp = new ArrayList<>();
    List<String> libCp = new ArrayList<>();
    List<Path> jdeps = new ArrayList<>();
    Map<String, Path> libNames = new LinkedHashMap<>();
    String main = java.mainClass();
    if (java.jar() != null) {
      Path jar = java.jar();
      if (!Files.isRegularFile(jar)) {
        throw new PlinthException(Kind.NOT_FOUND, "java.jar: " + jar + " does not exist (build"
            + " the app first, e.g. mvn package)");
      }
      Manifest mf;
      try (InputStream in = Files.newInputStream(jar); JarInputStream j = new JarInputStream(in)) {
        mf = j.getManifest();
      } catch (IOException e) {
        throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " is not a jar: "
            + e.getMessage(), e);
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
      boolean anyDir = false;
      for (Path entry : java.classpath()) {
        if (Files.isDirectory(entry)) {
          addTree(entry, resources, classes);
          jdeps.add(entry);
          anyDir = true;
        } else if (Files.isRegularFile(entry)) {
          addLib(entry, release, snapshot, libCp, libNames, jdeps);
        } else {
          throw new PlinthException(Kind.NOT_FOUND, "java.classpath: " + entry
              + " does not exist");
        }
      }
      if (anyDir) {
        if (!resources.isEmpty()) {
          cp.add(APP + "/resources");
        }
        cp.add(APP + "/classes");
      }
    }
    cp.addAll(libCp);
    List<Part> parts = new ArrayList<>();
    for (Part p : List.of(new Part("release dependencies", release),
        new Part("snapshot dependencies", snapshot), new Part("resources", resources),
        new Part("classes", classes))) {
      if (!p.layer().isEmpty()) {
        parts.add(p);
      }
    }
    return new Plan(parts, cp, main, jdeps);
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
    (name.contains("SNAPSHOT") ? snapshot : release).file(dest, jar, 0644, 0, 0);
    cp.add(dest);
    jdeps.add(jar);
  }

  /** .class files go to /app/classes, the rest to /app/resources; the first of a path wins. */
  private static void addTree(Path dir, LayerBuilder resources, LayerBuilder classes)
      throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.walk(dir)) {
      files = s.filter(Files::isRegularFile).sorted().toList();
    }
    for (Path f : files) {
      String rel = dir.relativize(f).toString().replace('\\', '/');
      boolean isClass = rel.endsWith(".class");
      String dest = APP + (isClass ? "/classes/" : "/resources/") + rel;
      LayerBuilder target = isClass ? classes : resources;
      if (!target.contains(dest)) {
        target.file(dest, f, 0644, 0, 0);
      }
    }
  }
}
