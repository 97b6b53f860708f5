package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.Plinth;
import dev.plinth.builder.PlinthYaml;
import dev.plinth.oci.ImageRef;
import java.nio.file.Path;

/**
 * The Spring Boot app of {@link SpringBootIT} as spring-boot-maven-plugin packages it, an
 * executable fat jar (BOOT-INF/classes, BOOT-INF/lib, Spring Boot's loader), built from that jar
 * by a plinth.yaml that names nothing but the jar ({@code java: {jar: target/spring-boot-1.0.jar}}),
 * through the call {@code plinth build -f plinth.yaml} makes: the modules must come from the jars
 * nested in it, and the app must start the way it was packaged to start.
 */
class SpringBootFatJarIT extends FrameworkAppChecks {
  @Override
  App app() {
    return new App("spring-boot", "spring-boot", "SERVER_PORT", "/actuator/health");
  }

  @Override
  Path build(Path project) throws Exception {
    Processes.mvnPackage(project, BUILD, "-Dplinth.skip=true").orFail();
    Path archive = project.resolve("target/fatjar-image.tar");
    // What the CLI's build command does with -f plinth.yaml --to oci-archive:...
    Plinth.build(PlinthYaml.load(yaml(project)),
        ImageRef.parse("oci-archive:" + archive),
        Plinth.Options.fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home"))))
        .lines().forEach(System.out::println);
    assertTrue(archive.toFile().isFile(), archive.toString());
    return archive;
  }

  /** The plinth.yaml the image is built from. */
  Path yaml(Path project) throws Exception {
    return project.resolve("plinth.yaml");
  }
}
