package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The app of {@link MicronautIT} built by the plugin with the JDK's AOT cache ({@code
 * -Dplinth.aot=true}, Java 25, amd64 only), trained by requesting its endpoint ({@code
 * -Dplinth.aotGet}, as a Micronaut app's server keeps running). The container runs with {@code
 * -XX:AOTMode=on}: a JVM that cannot use the cache fails to start, and the test with it.
 */
class MicronautAotIT extends FrameworkAppChecks {
  @Override
  App app() {
    return new App("micronaut", "micronaut", "MICRONAUT_SERVER_PORT", "/health");
  }

  @Override
  Path build(Path project) throws Exception {
    Processes.Result r = Processes.mvnPackage(project, BUILD, "-Dplinth.aot=true",
        "-Dplinth.javaVersion=25", "-Dplinth.platforms=linux/amd64",
        "-Dplinth.aotGet=http://127.0.0.1:8080" + ENDPOINT);
    assertEquals(0, r.exit(), "mvn package with -Dplinth.aot=true: " + r);
    assertTrue(r.out().contains("AOT cache /app/app.aot"), "no AOT cache layer: " + r);
    Path archive = project.resolve("target/micronaut-image.tar");
    assertTrue(Files.isRegularFile(archive), "no " + archive + " after: " + r);
    return archive;
  }

  @Override
  Map<String, String> runEnv() {
    return SpringBootAotIT.CACHE_REQUIRED;
  }
}
