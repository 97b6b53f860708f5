package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With java.aot, a Spring Boot jar is laid out as Boot's {@code -Djarmode=tools extract} lays it
 * out (what Spring documents for the AOT cache, which takes jars only and the app class loader's
 * classes only): the app's files in jars of their own, the dependencies in /app/lib, started by
 * the Start-Class with every jar on the class path, no launcher.
 */
class ExtractedBootJarTest {
  @TempDir Path tmp;

  private static JavaSpec aot(Path jar) {
    return new JavaSpec(jar, null, List.of(), 25, List.of(), List.of(), AotSpec.DEFAULT,
        "trixie");
  }

  @Test
  void bootJar_withAot_appJarsAndLib_startedByItsStartClass_noLauncher() throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"),
        SpringBootJarTest.bootJar("v1", SpringBootJarTest.DEFAULT_LAYERS));
    JavaApp.Plan plan = JavaApp.plan(aot(jar), tmp.resolve("store"));
    assertEquals(List.of("dependencies", "snapshot-dependencies", "resources", "classes"),
        plan.parts().stream().map(JavaApp.Part::name).toList(), "no loader layer");
    assertEquals(List.of("-cp", "/app/classes.jar:/app/resources.jar"
        + ":/app/lib/spring-core-6.2.12.jar:/app/lib/mine-1.0-SNAPSHOT.jar", "com.example.App"),
        plan.javaArgs());
    Path w = tmp.resolve("w");
    assertEquals(List.of("/app/lib/spring-core-6.2.12.jar"),
        List.copyOf(TestJars.files(plan.parts().get(0), w).keySet()));
    assertEquals(List.of("/app/lib/mine-1.0-SNAPSHOT.jar"),
        List.copyOf(TestJars.files(plan.parts().get(1), w).keySet()));

    Map<String, String> classes = jarEntries(plan.parts().get(3), "/app/classes.jar", w);
    assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "com/", "com/example/",
        "com/example/App.class"), List.copyOf(classes.keySet()),
        "a directory entry above each file: Spring's classpath scanning finds packages by them");
    assertEquals("class v1", classes.get("com/example/App.class"));
    Map<String, String> resources = jarEntries(plan.parts().get(2), "/app/resources.jar", w);
    assertEquals(List.of("META-INF/", "META-INF/MANIFEST.MF", "META-INF/services/",
        "META-INF/services/java.nio.file.spi.FileSystemProvider", "application.properties"),
        List.copyOf(resources.keySet()), "no Boot index, no loader");

    Attributes main = manifest(plan.parts().get(3), "/app/classes.jar", w).getMainAttributes();
    assertEquals("com.example.App", main.getValue("Main-Class"));
    assertNull(main.getValue("Start-Class"));
    assertNull(main.getValue("Spring-Boot-Version"));
  }

  @Test
  void bootJar_withAot_sameBytesInTwoStores_andAChangedClassChangesOnlyTheTopLayer()
      throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"),
        SpringBootJarTest.bootJar("v1", SpringBootJarTest.DEFAULT_LAYERS));
    List<String> a = TestJars.digests(JavaApp.plan(aot(jar), tmp.resolve("a")), tmp.resolve("w1"));
    List<String> b = TestJars.digests(JavaApp.plan(aot(jar), tmp.resolve("b")), tmp.resolve("w2"));
    assertEquals(a, b);
    TestJars.write(jar, SpringBootJarTest.bootJar("v2", SpringBootJarTest.DEFAULT_LAYERS));
    List<String> c = TestJars.digests(JavaApp.plan(aot(jar), tmp.resolve("a")), tmp.resolve("w3"));
    assertEquals(a.subList(0, 3), c.subList(0, 3));
    assertNotEquals(a.get(3), c.get(3));
  }

  @Test
  void bootJar_withAot_withoutStartClass_isRefusedNamingIt() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("BOOT-INF/classes/com/example/App.class", TestJars.text("c"));
    Path jar = TestJars.write(tmp.resolve("app.jar"), TestJars.jar(TestJars.manifest(Map.of(
        "Main-Class", SpringBootJarTest.LAUNCHER)), e));
    PlinthException x = assertThrows(PlinthException.class,
        () -> JavaApp.plan(aot(jar), tmp.resolve("store")));
    assertTrue(x.getMessage().contains("java.aot") && x.getMessage().contains("Start-Class"),
        x.getMessage());
  }

  @Test
  void classpathProject_withAot_classesAndResourcesAreJars() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("classes/com/example"));
    Files.writeString(dir.resolve("Main.class"), "main");
    Files.writeString(tmp.resolve("classes/app.properties"), "a=1");
    Path lib = TestJars.write(tmp.resolve("lib/dep-1.0.jar"),
        TestJars.jar(null, Map.of("D.class", TestJars.text("d"))));
    JavaSpec java = new JavaSpec(null, "com.example.Main", List.of(tmp.resolve("classes"), lib),
        25, List.of(), List.of(), AotSpec.DEFAULT, "trixie");
    JavaApp.Plan plan = JavaApp.plan(java, tmp.resolve("store"));
    assertEquals(List.of("-cp", "/app/resources.jar:/app/classes.jar:/app/libs/dep-1.0.jar",
        "com.example.Main"), plan.javaArgs());
    Path w = tmp.resolve("w");
    assertEquals(List.of("com/", "com/example/", "com/example/Main.class"),
        List.copyOf(jarEntries(plan.parts().get(2), "/app/classes.jar", w).keySet()));
    assertEquals(List.of("app.properties"),
        List.copyOf(jarEntries(plan.parts().get(1), "/app/resources.jar", w).keySet()));
    assertEquals(List.of(tmp.resolve("classes"), lib), plan.jdepsInputs(),
        "jdeps reads the directories as they are");
  }

  /** The entries of the jar at {@code path} in a part's layer, in their order, as text. */
  private static Map<String, String> jarEntries(JavaApp.Part part, String path, Path work)
      throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    byte[] jar = TestJars.files(part, work).get(path).getBytes(StandardCharsets.ISO_8859_1);
    try (ZipInputStream z = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (ZipEntry e; (e = z.getNextEntry()) != null; ) {
        assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
        out.put(e.getName(), new String(z.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static Manifest manifest(JavaApp.Part part, String path, Path work) throws Exception {
    byte[] jar = TestJars.files(part, work).get(path).getBytes(StandardCharsets.ISO_8859_1);
    try (InputStream in = new ByteArrayInputStream(jar); JarInputStream j = new JarInputStream(in)) {
      return j.getManifest();
    }
  }
}
