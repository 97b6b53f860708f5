package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A Spring Boot web + actuator app packaged by the real spring-boot-maven-plugin as an executable
 * fat jar, built by plinth from {@code java.jar: target/app.jar}: unpacked into /app, started by
 * Boot's launcher, in layers like a plain project.
 */
class SpringBootJarIT extends FrameworkAppIT {
  SpringBootJarIT() {
    super("spring-demo", "target/app.jar", List.of(
        "java.base", "java.desktop", "java.logging", "java.management", "java.naming", "java.sql",
        "jdk.unsupported", "java.instrument", "java.net.http", "jdk.crypto.ec", "java.xml",
        "java.security.jgss", "jdk.zipfs", "java.scripting", "java.rmi", "jdk.management"));
  }

  @Override
  String pomBody() {
    return """
          <parent>
            <groupId>org.springframework.boot</groupId>
            <artifactId>spring-boot-starter-parent</artifactId>
            <version>3.5.7</version>
            <relativePath/>
          </parent>
          <groupId>com.example</groupId>
          <artifactId>demo</artifactId>
          <version>0.0.1-SNAPSHOT</version>
          <properties><java.version>17</java.version></properties>
          <dependencies>
            <dependency>
              <groupId>org.springframework.boot</groupId>
              <artifactId>spring-boot-starter-web</artifactId>
            </dependency>
            <dependency>
              <groupId>org.springframework.boot</groupId>
              <artifactId>spring-boot-starter-actuator</artifactId>
            </dependency>
          </dependencies>
          <build>
            <finalName>app</finalName>
            <plugins>
              <plugin>
                <groupId>org.springframework.boot</groupId>
                <artifactId>spring-boot-maven-plugin</artifactId>
              </plugin>
            </plugins>
          </build>
        """;
  }

  @Override
  String sourceFile() {
    return "src/main/java/com/example/demo/DemoApplication.java";
  }

  @Override
  String source(String greeting) {
    return """
        package com.example.demo;

        import org.springframework.boot.SpringApplication;
        import org.springframework.boot.autoconfigure.SpringBootApplication;
        import org.springframework.web.bind.annotation.GetMapping;
        import org.springframework.web.bind.annotation.RestController;

        @SpringBootApplication
        @RestController
        public class DemoApplication {
          @GetMapping("/")
          public String hello() {
            return "GREETING";
          }

          public static void main(String[] args) {
            SpringApplication.run(DemoApplication.class, args);
          }
        }
        """.replace("GREETING", greeting);
  }

  @Override
  String portVariable() {
    return "SERVER_PORT";
  }

  @Override
  String health() {
    return "/actuator/health";
  }

  @Override
  String commandEnd() {
    return "-cp /app org.springframework.boot.loader.launch.JarLauncher";
  }

  @Override
  List<String> appLayers() {
    return List.of("plinth java: dependencies", "plinth java: spring-boot-loader",
        "plinth java: resources", "plinth java: classes");
  }

  @Test
  void dependenciesLayer_holdsBootsNestedJars_unpacked() throws Exception {
    List<String> layers = AppImages.layers(image);
    java.nio.file.Path blob = tmp.resolve("layout-v1/blobs/sha256").resolve(
        layers.get(layers.size() - 4).substring("sha256:".length()));
    Peers.Result list = Peers.exec(List.of("tar", "-tzf", blob.toString()), Peers.SHORT).orFail();
    assertTrue(list.stdout().lines().anyMatch(
        l -> l.matches("app/BOOT-INF/lib/spring-webmvc-.*\\.jar")), list.stdout());
  }
}
