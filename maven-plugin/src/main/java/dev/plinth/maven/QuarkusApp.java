package dev.plinth.maven;

import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A Quarkus project's app: quarkus-maven-plugin's fast-jar, {@code target/quarkus-app}, started
 * by its {@code quarkus-run.jar} (the Main-Class and Class-Path of that jar), not the project's
 * classes and classpath.
 */
final class QuarkusApp {
  static final List<String> PLUGINS = List.of("io.quarkus.platform:quarkus-maven-plugin",
      "io.quarkus:quarkus-maven-plugin");
  static final String PLINTH_PLUGIN = "dev.plinth:plinth-maven-plugin";

  private QuarkusApp() {}

  /** The quarkus-maven-plugin this project builds with, or null when it is no Quarkus project. */
  static String plugin(PomView pom) {
    return PLUGINS.stream().filter(pom::hasPlugin).findFirst().orElse(null);
  }

  /**
   * The run jar, checked: it exists, and this goal runs after quarkus:build. Both are bound to
   * package, and Maven runs the goals of one phase in the order their plugins are declared in
   * {@code <build><plugins>} (inherited ones first): declared before, this goal would see no
   * quarkus-app, or the last build's.
   *
   * @param phase the phase this goal runs in, or null when it was called on the command line
   */
  static Path runJar(PomView pom, String plugin, Path buildDirectory, String phase)
      throws PlinthException {
    int quarkus = pom.pluginIndex(plugin);
    int plinth = pom.pluginIndex(PLINTH_PLUGIN);
    if ("package".equals(phase) && plinth >= 0 && plinth < quarkus) {
      throw new PlinthException(PlinthException.Kind.USAGE, "plinth-maven-plugin is declared"
          + " before quarkus-maven-plugin: both run in package, in the order of <build><plugins>,"
          + " so plinth would not see this build's target/quarkus-app; declare"
          + " plinth-maven-plugin after quarkus-maven-plugin");
    }
    Path jar = buildDirectory.resolve("quarkus-app").resolve("quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND, jar + " does not exist: this"
          + " is a Quarkus project (" + plugin + "), whose build goal writes it in package as"
          + " its fast-jar (quarkus.package.jar.type=fast-jar, the default); run mvn package with"
          + " plinth-maven-plugin declared after quarkus-maven-plugin");
    }
    return jar;
  }
}
