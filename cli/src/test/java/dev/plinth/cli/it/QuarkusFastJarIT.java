package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Quarkus REST + health app packaged by the real quarkus-maven-plugin as a fast-jar
 * ({@code target/quarkus-app}), built by plinth from {@code java.jar: target/quarkus-app}: kept
 * in Quarkus' layout under /app, started with {@code -jar /app/quarkus-run.jar}, its libraries
 * below the application.
 */
class QuarkusFastJarIT extends FrameworkAppIT {
  QuarkusFastJarIT() {
    super("hello-quarkus", "target/quarkus-app", List.of(
        "java.base", "java.logging", "java.management", "java.naming", "java.net.http", "java.sql",
        "java.xml", "jdk.unsupported", "java.desktop", "jdk.crypto.ec", "java.security.jgss",
        "jdk.zipfs"));
  }

  @Override
  String pomBody() {
    return """
          <groupId>org.acme</groupId>
          <artifactId>hello-quarkus</artifactId>
          <version>1.0.0-SNAPSHOT</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
            <quarkus.version>3.33.2</quarkus.version>
          </properties>
          <dependencyManagement>
            <dependencies>
              <dependency>
                <groupId>io.quarkus</groupId>
                <artifactId>quarkus-bom</artifactId>
                <version>${quarkus.version}</version>
                <type>pom</type>
                <scope>import</scope>
              </dependency>
            </dependencies>
          </dependencyManagement>
          <dependencies>
            <dependency><groupId>io.quarkus</groupId><artifactId>quarkus-rest</artifactId></dependency>
            <dependency>
              <groupId>io.quarkus</groupId><artifactId>quarkus-smallrye-health</artifactId>
            </dependency>
          </dependencies>
          <build>
            <plugins>
              <plugin>
                <groupId>io.quarkus</groupId>
                <artifactId>quarkus-maven-plugin</artifactId>
                <version>${quarkus.version}</version>
                <extensions>true</extensions>
                <executions><execution><goals><goal>build</goal></goals></execution></executions>
              </plugin>
              <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
              <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
            </plugins>
          </build>
        """;
  }

  @Override
  String sourceFile() {
    return "src/main/java/org/acme/Hello.java";
  }

  @Override
  String source(String greeting) {
    return """
        package org.acme;

        import jakarta.ws.rs.GET;
        import jakarta.ws.rs.Path;

        @Path("/")
        public class Hello {
          @GET
          public String hello() {
            return "GREETING";
          }
        }
        """.replace("GREETING", greeting);
  }

  @Override
  String portVariable() {
    return "QUARKUS_HTTP_PORT";
  }

  @Override
  String health() {
    return "/q/health";
  }

  @Override
  String commandEnd() {
    return "-jar /app/quarkus-run.jar";
  }

  @Override
  List<String> appLayers() {
    return List.of("plinth java: release dependencies", "plinth java: application");
  }

  @Test
  void aotCache_trainedThroughMinusJar_isUsedByTheJvm() throws Exception {
    int trainPort = HelloApiIT.freePort();
    String base = "http://127.0.0.1:" + trainPort;
    Files.writeString(project.resolve("plinth-aot.yaml"), yaml().replace("\nports:",
        "\n  aot:\n    env: {QUARKUS_HTTP_PORT: \"" + trainPort + "\"}\n    get: [" + base
        + "/q/health, " + base + "/]\nports:"));
    String ref = "oci:" + tmp.resolve("layout-aot") + ":a";
    plinth("build", "-f", project.resolve("plinth-aot.yaml").toString(), "--platform",
        "linux/amd64", "--to", ref);
    int p = HelloApiIT.freePort();
    // -XX:AOTMode=on: the JVM refuses to start when it cannot use the cache
    String id = Peers.podman().runDetached(List.of("--env", "QUARKUS_HTTP_PORT=" + p,
        "--env", "JAVA_TOOL_OPTIONS=-XX:AOTMode=on"), ref, List.of());
    try {
      AppImages.await200(id, p, health(), Duration.ofMinutes(2));
      assertEquals(200, AppImages.get(p, "/").statusCode());
    } finally {
      Peers.podman().rm(id);
    }
  }
}
