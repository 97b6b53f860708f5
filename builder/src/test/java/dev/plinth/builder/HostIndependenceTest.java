package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Transports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing of the build machine in an image: the same build file with the same inputs, built from
 * two directories with different JAVA_HOME, caches and homes, gives the same configs (history
 * included) and manifests.
 */
class HostIndependenceTest {
  @TempDir Path tmp;

  /** The project of the test, with a given runtime and its release file, in {@code dir}. */
  private static Path project(Path dir) throws Exception {
    TestProjects.write(dir, Map.of("classes/demo/Main.class", "class bytes",
        "jre/bin/java", "#!/bin/sh\n",
        "jre/release", "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"21.0.5\"\n",
        "static/index.html", "<p>hi</p>"));
    Path yaml = dir.resolve("plinth.yaml");
    Files.writeString(yaml, """
        name: demo
        java: {mainClass: demo.Main, classpath: [classes], runtime: jre}
        files:
          - {src: static, dest: /app/static}
        """);
    return yaml;
  }

  private ImageIndex build(String name, String javaHome) throws Exception {
    Path yaml = project(tmp.resolve(name).resolve("project"));
    Plinth.Options options = Plinth.Options.fromEnvironment(Map.of(
        "JAVA_HOME", javaHome, "HOME", tmp.resolve(name).resolve("home").toString(),
        "XDG_CACHE_HOME", tmp.resolve(name).resolve("cache").toString()), null);
    Path out = tmp.resolve(name + ".tar");
    Plinth.build(PlinthYaml.load(yaml), ImageRef.parse("oci-archive:" + out), options);
    return Transports.local().read(ImageRef.parse("oci-archive:" + out));
  }

  @Test
  void sameBuildFile_fromTwoDirectories_withOtherJavaHomes_sameConfigsAndManifests()
      throws Exception {
    ImageIndex a = build("first", "/usr/lib/jvm/java-21-openjdk-amd64");
    ImageIndex b = build("second-place", "/opt/jdks/temurin-21");
    assertEquals(a.images().size(), b.images().size());
    for (int i = 0; i < a.images().size(); i++) {
      byte[] configA = a.images().get(i).config().readAllBytes();
      byte[] configB = b.images().get(i).config().readAllBytes();
      String text = new String(configA, StandardCharsets.UTF_8);
      assertEquals(text, new String(configB, StandardCharsets.UTF_8));
      assertFalse(text.contains(tmp.toString()), "no host path: " + text);
      assertFalse(text.contains("jvm") || text.contains("jdks"), "no JAVA_HOME: " + text);
      assertEquals(a.images().get(i).manifest().descriptor(),
          b.images().get(i).manifest().descriptor());
    }
  }
}
