package dev.plinth.maven.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The fat jar of {@link SpringBootFatJarIT} with {@code aot: true} (Java 25): laid out as Spring
 * Boot's {@code -Djarmode=tools extract} lays it out (the app's jars and {@code /app/lib},
 * started by its Start-Class: Boot's launcher loads classes the cache cannot hold), trained until
 * Spring's context is refreshed, and run with {@code -XX:AOTMode=on}, so the app answers only
 * if its JVM uses the cache.
 */
class SpringBootFatJarAotIT extends SpringBootFatJarIT {
  @Override
  Path yaml(Path project) throws Exception {
    Path yaml = project.resolve("plinth-aot.yaml");
    Files.writeString(yaml, Files.readString(project.resolve("plinth.yaml"))
        + "  version: 25\n  aot: true\n");
    return yaml;
  }

  @Override
  Map<String, String> runEnv() {
    return SpringBootAotIT.CACHE_REQUIRED;
  }
}
