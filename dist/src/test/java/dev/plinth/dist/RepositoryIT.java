package dev.plinth.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth-maven-plugin as a user gets it: from a repository. Every module the plugin needs (its
 * jar, sources and javadoc jars, and POM with its metadata, as this build made them) is deployed
 * with Maven's deploy plugin to a file repository; a project outside this build, with a local
 * repository of its own, declares the plugin, resolves it from there (not from the reactor, nor
 * from the user's local repository) and builds its image in mvn package.
 */
class RepositoryIT {
  /** The plugin and the modules it depends on, the parent first. */
  static final List<String> MODULES = List.of("", "oci", "http", "registry", "daemon", "deb",
      "native", "elf", "jvm", "audit", "builder", "maven-plugin");

  @TempDir static Path shared;
  @TempDir Path tmp;
  private final String version = System.getProperty("plinth.version");
  private static Path fileRepo;

  /** Deploys the modules to a file repository, as a release job would to a remote one. */
  @org.junit.jupiter.api.BeforeAll
  static void deploy() throws Exception {
    String version = System.getProperty("plinth.version");
    Path root = Path.of(System.getProperty("plinth.root"));
    fileRepo = shared.resolve("file-repo");
    for (String module : MODULES) {
      Path dir = module.isEmpty() ? root : root.resolve(module);
      String artifact = module.isEmpty() ? "plinth-parent" : module.equals("maven-plugin")
          ? "plinth-maven-plugin" : "plinth-" + module;
      List<String> cmd = new java.util.ArrayList<>(List.of("mvn", "-B", "-q", "-N",
          "org.apache.maven.plugins:maven-deploy-plugin:3.1.2:deploy-file",
          "-Durl=" + fileRepo.toUri(), "-DrepositoryId=plinth-file",
          "-DpomFile=" + dir.resolve("pom.xml")));
      if (module.isEmpty()) {
        cmd.add("-Dfile=" + dir.resolve("pom.xml"));
      } else {
        Path target = dir.resolve("target");
        String base = artifact + "-" + version;
        cmd.add("-Dfile=" + target.resolve(base + ".jar"));
        cmd.add("-Dsources=" + target.resolve(base + "-sources.jar"));
        // a module without Java code (native: the init binaries) has no javadoc to publish
        boolean code = Files.isDirectory(dir.resolve("src/main/java"));
        if (code) {
          cmd.add("-Djavadoc=" + target.resolve(base + "-javadoc.jar"));
        }
        for (String suffix : code ? List.of(".jar", "-sources.jar", "-javadoc.jar")
            : List.of(".jar", "-sources.jar")) {
          assertTrue(Files.isRegularFile(target.resolve(base + suffix)), base + suffix
              + " was not built (a build with -Dmaven.javadoc.skip or -Dmaven.source.skip?)");
        }
      }
      Process p = new ProcessBuilder(cmd).directory(shared.toFile()).redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(5, TimeUnit.MINUTES), "deploy-file of " + artifact + " did not end");
      assertEquals(0, p.exitValue(), "deploy-file of " + artifact + ": " + out);
    }
  }

  @Test
  void theDeployedPlugin_hasWhatARepositoryNeeds() throws Exception {
    Path dir = fileRepo.resolve("dev/plinth/plinth-maven-plugin/" + version);
    assertTrue(Files.isDirectory(dir), dir + " missing: the build did not deploy the plugin"
        + " (Maven skips that offline: run this test without -o)");
    List<String> names;
    try (Stream<Path> s = Files.list(dir)) {
      names = s.map(p -> p.getFileName().toString()).toList();
    }
    for (String suffix : List.of(".jar", "-sources.jar", "-javadoc.jar", ".pom")) {
      assertTrue(names.stream().anyMatch(n -> n.endsWith(suffix) && (!suffix.equals(".jar")
          || !n.endsWith("-sources.jar") && !n.endsWith("-javadoc.jar"))), suffix + " in " + names);
    }
    Path parentDir = fileRepo.resolve("dev/plinth/plinth-parent/" + version);
    String parent;
    try (Stream<Path> s = Files.list(parentDir)) {
      parent = Files.readString(s.filter(p -> p.toString().endsWith(".pom")).findFirst()
          .orElseThrow());
    }
    for (String tag : List.of("<name>", "<description>", "<url>", "<licenses>", "<scm>",
        "<developers>")) {
      assertTrue(parent.contains(tag), tag + " in the parent POM");
    }
  }

  @Test
  void aProjectOutsideTheBuild_resolvesThePluginFromTheRepository_andBuildsItsImage()
      throws Exception {
    Path project = Files.createDirectories(tmp.resolve("hello/src/main/java/hello"));
    Files.writeString(project.resolve("Hello.java"), """
        package hello;
        public class Hello {
          public static void main(String[] args) {
            System.out.println("hello from a plugin out of a repository");
          }
        }
        """);
    Path root = tmp.resolve("hello");
    Files.writeString(root.resolve("pom.xml"), """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId><artifactId>hello</artifactId><version>1.0</version>
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
            <plinth.platforms>linux/amd64</plinth.platforms>
          </properties>
          <build>
          <!-- the versions this build uses, so that the user's local repository serves them -->
          <pluginManagement><plugins>
            <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
            <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin>
            <plugin><artifactId>maven-jar-plugin</artifactId><version>3.4.1</version></plugin>
          </plugins></pluginManagement>
          <plugins><plugin>
            <groupId>dev.plinth</groupId><artifactId>plinth-maven-plugin</artifactId>
            <version>%s</version>
            <executions><execution><goals><goal>build</goal></goals></execution></executions>
            <configuration><mainClass>hello.Hello</mainClass></configuration>
          </plugin></plugins></build>
        </project>
        """.formatted(version));
    Path m2 = Path.of(System.getProperty("plinth.localRepo"));
    Files.writeString(tmp.resolve("settings.xml"), """
        <settings>
          <mirrors><mirror>
            <id>local-cache</id><mirrorOf>*,!plinth-file</mirrorOf><url>%s</url>
          </mirror></mirrors>
          <profiles><profile><id>plinth</id>
            <pluginRepositories><pluginRepository>
              <id>plinth-file</id><url>%s</url>
              <snapshots><enabled>true</enabled></snapshots>
            </pluginRepository></pluginRepositories>
          </profile></profiles>
          <activeProfiles><activeProfile>plinth</activeProfile></activeProfiles>
        </settings>
        """.formatted(m2.toUri(), fileRepo.toUri()));
    Path ownRepo = tmp.resolve("own-m2");
    ProcessBuilder pb = new ProcessBuilder("mvn", "-B", "-s", tmp.resolve("settings.xml")
        .toString(), "-Dmaven.repo.local=" + ownRepo, "package").directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(tmp.resolve("mvn.log").toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(15, TimeUnit.MINUTES), "mvn package did not end in 15 minutes");
    String log = Files.readString(tmp.resolve("mvn.log"), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), log);
    Path image = root.resolve("target/hello-image.tar");
    assertTrue(Files.size(image) > 0, image + "\n" + log);
    Path resolved = ownRepo.resolve("dev/plinth/plinth-maven-plugin/" + version);
    String origin = Files.readString(resolved.resolve("_remote.repositories"));
    assertTrue(origin.contains(">plinth-file="), "the plugin did not come from the file"
        + " repository: " + origin);
    Process inspect = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-jar", System.getProperty("plinth.jar"), "inspect",
        "oci-archive:" + image).redirectErrorStream(true).start();
    String shown = new String(inspect.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(inspect.waitFor(2, TimeUnit.MINUTES));
    assertEquals(0, inspect.exitValue(), shown);
    assertTrue(shown.contains("linux/amd64"), shown);
  }
}
