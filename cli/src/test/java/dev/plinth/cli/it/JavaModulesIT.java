package dev.plinth.cli.it;

import static dev.plinth.cli.it.BaseImageIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code modules: auto} for an app that needs a module only ServiceLoader reaches: it reads a
 * zip file system (jdk.zipfs's provider, which jdeps cannot see). The build's training run
 * finds it, so the image runs under podman; a training run that fails still builds, with a
 * warning, and gives the modules of what it loaded.
 */
class JavaModulesIT {
  @TempDir static Path tmp;
  static Path jar;

  /** The app: a zip file system, then, with MODE=fail, the failure of an app without its DB. */
  @BeforeAll
  static void compileTheApp() throws Exception {
    Path src = tmp.resolve("src/app/Main.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, """
        package app;
        import java.nio.file.*;
        public class Main {
          public static void main(String[] args) throws Exception {
            Path zip = Files.createTempFile("app", ".zip");
            try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
              out.putNextEntry(new java.util.zip.ZipEntry("greeting.txt"));
              out.write("hello from a zip file system".getBytes());
            }
            try (FileSystem fs = FileSystems.newFileSystem(zip)) {
              System.out.println(Files.readString(fs.getPath("greeting.txt")));
            }
            Files.delete(zip);
            if ("fail".equals(System.getenv("MODE"))) {
              System.err.println("cannot connect to the database");
              System.exit(3);
            }
          }
        }
        """);
    Path classes = tmp.resolve("classes");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "--release", "17", "-d", classes.toString(),
        src.toString()));
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "app.Main");
    jar = tmp.resolve("app.jar");
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream j = new JarOutputStream(out, mf)) {
      j.putNextEntry(new JarEntry("app/Main.class"));
      j.write(Files.readAllBytes(classes.resolve("app/Main.class")));
    }
  }

  /** Builds the app with {@code yamlTail} added to its plinth.yaml; the CLI's output. */
  static String build(String name, String yamlTail, String image) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.copy(jar, dir.resolve("app.jar"));
    Files.writeString(dir.resolve("plinth.yaml"), """
        platforms: [linux/amd64]
        java:
          jar: app.jar
          version: 17
        """ + yamlTail);
    return plinth("build", "-f", dir.resolve("plinth.yaml").toString(), "--to", image);
  }

  static Peers.Result run(String image, List<String> podmanOptions) {
    return Peers.podman().run(podmanOptions, image, List.of(), Duration.ofMinutes(2));
  }

  @Test
  void zipFileSystemApp_getsJdkZipfsFromTheTrainingRun_andRunsUnderPodman() throws Exception {
    String image = "oci:" + tmp.resolve("zipfs-layout") + ":app";
    String out = build("zipfs", "", image);
    assertTrue(out.contains("a training run added jdk.zipfs"), out);
    Peers.Result r = run(image, List.of());
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("hello from a zip file system", r.stdout().strip(), r.toString());
  }

  @Test
  void failingTrainingRun_warns_stillBuilds_andKeepsWhatItLoaded() throws Exception {
    String image = "oci:" + tmp.resolve("failing-layout") + ":app";
    String out = build("failing", "env: {MODE: fail}\n", image);
    assertTrue(out.contains("warning: the training run for the modules: the app exited by itself"
        + " (code 3) (its last line: cannot connect to the database)"), out);
    assertTrue(out.contains("a training run added jdk.zipfs"), out);
    Peers.Result r = run(image, List.of("--env", "MODE=ok"));
    assertEquals(0, r.exitCode(), r.toString());
    assertEquals("hello from a zip file system", r.stdout().strip(), r.toString());
  }
}
