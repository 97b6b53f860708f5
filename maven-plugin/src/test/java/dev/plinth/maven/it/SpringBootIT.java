package dev.plinth.maven.it;

/**
 * A Spring Boot 3 web + actuator app (src/it/spring-boot, spring-boot-starter-parent, as
 * Spring Initializr makes it) built by {@code mvn package} with plinth-maven-plugin declared and
 * nothing configured: the plugin takes the classes and the runtime classpath, and the main class
 * as Jib finds it (the parent's jar manifest names {@code ${start-class}}, which the project does
 * not set).
 */
class SpringBootIT extends FrameworkAppChecks {
  @Override
  App app() {
    return new App("spring-boot", "spring-boot", "SERVER_PORT", "/actuator/health");
  }
}
