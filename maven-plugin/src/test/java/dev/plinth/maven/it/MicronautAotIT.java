package dev.plinth.maven.it;

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
    return MicronautIT.APP;
  }

  @Override
  Path build(Path project) throws Exception {
    return buildWithAotCache(project, "-Dplinth.aotGet=http://127.0.0.1:8080" + ENDPOINT);
  }

  @Override
  Map<String, String> runEnv() {
    return SpringBootAotIT.CACHE_REQUIRED;
  }
}
