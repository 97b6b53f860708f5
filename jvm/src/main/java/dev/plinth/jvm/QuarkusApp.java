package dev.plinth.jvm;

import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Manifest;

/**
 * A Quarkus fast-jar ({@code target/quarkus-app}: quarkus-run.jar, lib/boot, lib/main, app,
 * quarkus), kept as Quarkus lays it out, under {@code /app}, and started as it was packaged to
 * start, {@code java -jar /app/quarkus-run.jar} (its manifest's Class-Path names lib/boot). The
 * jars under lib/ are the dependency layers (release, then snapshot); the rest (the run jar, which
 * Quarkus writes anew each build, the app's jar and Quarkus' generated code, which change with the
 * app's code) is the top layer.
 */
final class QuarkusApp {
  static final String ENTRY_POINT = "io.quarkus.bootstrap.runner.QuarkusEntryPoint";
  static final String RUN_JAR = "quarkus-run.jar";

  private QuarkusApp() {}

  /** Whether {@code mf} is a fast-jar's run jar. */
  static boolean is(Manifest mf) {
    return mf != null && ENTRY_POINT.equals(mf.getMainAttributes().getValue("Main-Class"));
  }

  /** Whether {@code dir} is a fast-jar directory (it holds quarkus-run.jar). */
  static boolean isDir(Path dir) {
    return Files.isDirectory(dir) && Files.isRegularFile(dir.resolve(RUN_JAR));
  }

  /** The plan of the fast-jar whose run jar is {@code runJar}. */
  static JavaApp.Plan plan(Path runJar) throws IOException, PlinthException {
    Path dir = runJar.toAbsolutePath().getParent();
    LayerBuilder release = new LayerBuilder();
    LayerBuilder snapshot = new LayerBuilder();
    LayerBuilder application = new LayerBuilder();
    List<Path> libs = new ArrayList<>();
    List<Path> code = new ArrayList<>();
    for (String rel : JavaApp.files(dir, "the Quarkus app " + dir)) {
      Path f = dir.resolve(rel);
      String dest = JavaApp.APP + "/" + rel;
      if (rel.startsWith("lib/") && rel.endsWith(".jar")) {
        (JavaApp.isSnapshot(rel) ? snapshot : release).file(dest, f, 0644, 0, 0);
        libs.add(f);
      } else {
        application.file(dest, f, 0644, 0, 0);
        if (rel.endsWith(".jar") && !f.equals(runJar.toAbsolutePath())) {
          code.add(f);
        }
      }
    }
    List<JavaApp.Part> parts = new ArrayList<>();
    if (!release.isEmpty()) {
      parts.add(new JavaApp.Part(JavaApp.RELEASE, release));
    }
    if (!snapshot.isEmpty()) {
      parts.add(new JavaApp.Part(JavaApp.SNAPSHOT, snapshot));
    }
    parts.add(new JavaApp.Part("application", application));
    // jdeps reads the app's jar and Quarkus' generated code, then the libraries
    List<Path> jdeps = new ArrayList<>(code);
    jdeps.addAll(libs);
    String run = JavaApp.APP + "/" + runJar.getFileName();
    return new JavaApp.Plan(parts, List.of(run), ENTRY_POINT, jdeps, List.of("-jar", run));
  }
}
