package dev.plinth.maven.it;

import java.nio.file.Path;
import java.util.Map;

/**
 * The app of {@link SpringBootIT} built by the plugin with the JDK's AOT cache ({@code
 * -Dplinth.aot=true}, Java 25, amd64 only), as a user turns it on: its classes go into the
 * image as jars (the JDK makes no cache with a class directory on the class path), and the
 * training run ends by itself once Spring's context is refreshed, before the server listens, so
 * it binds no port. The container runs with {@code -XX:AOTMode=on}: a JVM that cannot use the
 * cache fails to start instead of starting without it, and the test with it.
 */
class SpringBootAotIT extends FrameworkAppChecks {
  static final Map<String, String> CACHE_REQUIRED = Map.of("JAVA_TOOL_OPTIONS", "-XX:AOTMode=on");

  @Override
  App app() {
    return new App("spring-boot", "spring-boot", "SERVER_PORT", "/actuator/health");
  }

  @Override
  Path build(Path project) throws Exception {
    return buildWithAotCache(project);
  }

  @Override
  Map<String, String> runEnv() {
    return CACHE_REQUIRED;
  }
}
