package dev.plinth.maven.it;

/**
 * A Quarkus app (src/it/quarkus: quarkus-rest-jackson and quarkus-smallrye-health on
 * io.quarkus:quarkus-bom, fast-jar packaging, as code.quarkus.io makes it) built by {@code mvn
 * package} with plinth-maven-plugin declared after quarkus-maven-plugin and nothing configured:
 * the plugin must see that Quarkus built the app (target/quarkus-app) and start it as packaged.
 */
class QuarkusIT extends FrameworkAppChecks {
  @Override
  App app() {
    return new App("quarkus", "quarkus", "QUARKUS_HTTP_PORT", "/q/health");
  }
}
