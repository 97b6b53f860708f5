package dev.plinth.jvm;

import static dev.plinth.jvm.TestJars.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spring Boot executable jars and wars: recognised by content, unpacked into layers. */
class SpringBootJarTest {
  @TempDir Path tmp;

  static final String LAUNCHER = "org.springframework.boot.loader.launch.JarLauncher";
  /** The index Boot writes for a project with a snapshot dependency. */
  static final String DEFAULT_LAYERS = """
      - "dependencies":
        - "BOOT-INF/lib/spring-core-6.2.12.jar"
      - "spring-boot-loader":
        - "org/"
      - "snapshot-dependencies":
        - "BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"
      - "application":
        - "BOOT-INF/classes/"
        - "BOOT-INF/classpath.idx"
        - "BOOT-INF/layers.idx"
        - "META-INF/"
      """;

  private static JavaSpec spec(Path jar, String main) {
    return new JavaSpec(jar, main, List.of(), 17, List.of(), List.of(), null, "trixie");
  }

  /**
   * A Boot 3.2+ jar as spring-boot-maven-plugin writes it: launcher, classes, resources, a release
   * and a snapshot dependency, the indexes; {@code greeting} is in the app's one class.
   */
  static byte[] bootJar(String greeting, String layersIdx) throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("org/", null);
    e.put("org/springframework/boot/loader/launch/JarLauncher.class", text("launcher"));
    e.put("META-INF/services/java.nio.file.spi.FileSystemProvider", text("nested"));
    e.put("BOOT-INF/classes/com/example/App.class", text("class " + greeting));
    e.put("BOOT-INF/classes/application.properties", text("server.port=8080"));
    e.put("BOOT-INF/lib/spring-core-6.2.12.jar", TestJars.jar(null, Map.of("S.class", text("s"))));
    e.put("BOOT-INF/lib/mine-1.0-SNAPSHOT.jar", TestJars.jar(null, Map.of("M.class", text("m"))));
    e.put("BOOT-INF/classpath.idx", text("- \"BOOT-INF/lib/spring-core-6.2.12.jar\"\n"
        + "- \"BOOT-INF/lib/mine-1.0-SNAPSHOT.jar\"\n"));
    Map<String, String> mf = new java.util.LinkedHashMap<>(Map.of("Main-Class", LAUNCHER,
        "Start-Class", "com.example.App", "Spring-Boot-Version", "3.5.7",
        "Spring-Boot-Classes", "BOOT-INF/classes/", "Spring-Boot-Lib", "BOOT-INF/lib/",
        "Spring-Boot-Classpath-Index", "BOOT-INF/classpath.idx"));
    if (layersIdx != null) {
      e.put("BOOT-INF/layers.idx", text(layersIdx));
      mf.put("Spring-Boot-Layers-Index", "BOOT-INF/layers.idx");
    }
    return TestJars.jar(TestJars.manifest(mf), e);
  }

  @Test
  void bootJar_withLayersIdx_layersAsTheIndexSays_classesSplitOnTop_startedByItsLauncher()
      throws Exception {
    Path jar = TestJars.write(tmp.resolve("target/app.jar"), bootJar("v1", DEFAULT_LAYERS));
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    assertEquals(List.of("dependencies", "spring-boot-loader", "snapshot-dependencies",
        "resources", "classes"), plan.parts().stream().map(JavaApp.Part::name).toList());
    Path w = tmp.resolve("w");
    assertEquals(List.of("/app/BOOT-INF/lib/spring-core-6.2.12.jar"),
        List.copyOf(TestJars.files(plan.parts().get(0), w).keySet()));
    assertEquals(List.of("/app/BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"),
        List.copyOf(TestJars.files(plan.parts().get(2), w).keySet()));
    assertEquals(Map.of("/app/org/springframework/boot/loader/launch/JarLauncher.class",
        "launcher"), TestJars.files(plan.parts().get(1), w));
    assertEquals(Map.of("/app/BOOT-INF/classes/com/example/App.class", "class v1"),
        TestJars.files(plan.parts().get(4), w));
    assertEquals(List.of("/app/BOOT-INF/classes/application.properties",
        "/app/BOOT-INF/classpath.idx", "/app/BOOT-INF/layers.idx", "/app/META-INF/MANIFEST.MF",
        "/app/META-INF/services/java.nio.file.spi.FileSystemProvider"),
        List.copyOf(TestJars.files(plan.parts().get(3), w).keySet()));
    assertEquals(List.of("-cp", "/app", LAUNCHER), plan.javaArgs());
    assertEquals(LAUNCHER, plan.mainClass());

    // jdeps reads real files: the class directories and every nested jar, in classpath.idx order
    List<String> inputs = plan.jdepsInputs().stream().map(Path::toString).toList();
    assertEquals(4, inputs.size(), inputs.toString());
    assertTrue(inputs.get(2).endsWith("BOOT-INF/lib/spring-core-6.2.12.jar"), inputs.toString());
    assertTrue(inputs.get(3).endsWith("BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"), inputs.toString());
    for (Path p : plan.jdepsInputs()) {
      assertTrue(Files.exists(p), p.toString());
    }
    assertTrue(Files.isDirectory(plan.jdepsInputs().get(0)));
  }

  @Test
  void customLayersIdx_isHonouredInItsOrder_andUnnamedFilesGoToTheTop() throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"), bootJar("v1", """
        - "dependencies":
          - "BOOT-INF/lib/spring-core-6.2.12.jar"
        - "spring-boot-loader":
          - "org/"
        - "company-dependencies":
          - "BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"
        - "application":
          - "BOOT-INF/classes/"
        """));
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    assertEquals(List.of("dependencies", "spring-boot-loader", "company-dependencies",
        "resources", "classes"), plan.parts().stream().map(JavaApp.Part::name).toList());
    assertEquals(List.of("/app/BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"),
        List.copyOf(TestJars.files(plan.parts().get(2), tmp.resolve("w")).keySet()));
    assertTrue(TestJars.files(plan.parts().get(3), tmp.resolve("w"))
        .containsKey("/app/META-INF/MANIFEST.MF"), "a file the index does not name: on top");
  }

  @Test
  void bootJar_withoutLayersIdx_releaseSnapshotLoaderResourcesClasses() throws Exception {
    byte[] bytes = bootJar("v1", null);
    Path jar = TestJars.write(tmp.resolve("app.jar"), bytes);
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    assertEquals(List.of("release dependencies", "snapshot dependencies", "loader", "resources",
        "classes"), plan.parts().stream().map(JavaApp.Part::name).toList());
    Path w = tmp.resolve("w");
    assertEquals(List.of("/app/BOOT-INF/lib/spring-core-6.2.12.jar"),
        List.copyOf(TestJars.files(plan.parts().get(0), w).keySet()));
    assertEquals(List.of("/app/BOOT-INF/lib/mine-1.0-SNAPSHOT.jar"),
        List.copyOf(TestJars.files(plan.parts().get(1), w).keySet()));
  }

  @Test
  void oneChangedClass_changesOnlyTheTopLayer_dependenciesStayWhereTheyWereUnpacked()
      throws Exception {
    Path store = tmp.resolve("store");
    Path jar = TestJars.write(tmp.resolve("app.jar"), bootJar("v1", DEFAULT_LAYERS));
    JavaApp.Plan one = JavaApp.plan(spec(jar, null), store);
    List<String> before = TestJars.digests(one, tmp.resolve("w1"));
    TestJars.write(jar, bootJar("v2", DEFAULT_LAYERS));
    JavaApp.Plan two = JavaApp.plan(spec(jar, null), store);
    List<String> after = TestJars.digests(two, tmp.resolve("w2"));
    assertEquals(5, before.size());
    assertEquals(before.subList(0, 4), after.subList(0, 4));
    assertNotEquals(before.get(4), after.get(4));
    assertEquals(one.jdepsInputs().subList(2, 4), two.jdepsInputs().subList(2, 4),
        "the unchanged dependencies are not unpacked again: their files keep their place");
    assertNotEquals(one.jdepsInputs().get(1), two.jdepsInputs().get(1), "the classes did move");
  }

  @Test
  void sameJar_inTwoStores_sameBytes_andASecondPlanUnpacksNothing() throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"), bootJar("v1", DEFAULT_LAYERS));
    Path store = tmp.resolve("a");
    List<String> a = TestJars.digests(JavaApp.plan(spec(jar, null), store), tmp.resolve("w1"));
    List<String> b = TestJars.digests(JavaApp.plan(spec(jar, null), tmp.resolve("b")),
        tmp.resolve("w2"));
    assertEquals(a, b, "reproducible: the same jar gives the same layers");
    List<Path> listing;
    try (Stream<Path> s = Files.list(store)) {
      listing = s.sorted().toList();
    }
    JavaApp.plan(spec(jar, null), store);
    try (Stream<Path> s = Files.list(store)) {
      assertEquals(listing, s.sorted().toList());
    }
  }

  @Test
  void bootWar_webInfLayout_startedByTheWarLauncher() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("org/springframework/boot/loader/launch/WarLauncher.class", text("launcher"));
    e.put("WEB-INF/classes/com/example/App.class", text("class"));
    e.put("WEB-INF/lib/spring-web-6.2.12.jar", TestJars.jar(null, Map.of("W.class", text("w"))));
    e.put("WEB-INF/lib-provided/tomcat-embed-core-10.1.48.jar",
        TestJars.jar(null, Map.of("T.class", text("t"))));
    e.put("index.html", text("<html/>"));
    String launcher = "org.springframework.boot.loader.launch.WarLauncher";
    Path war = TestJars.write(tmp.resolve("app.war"), TestJars.jar(TestJars.manifest(Map.of(
        "Main-Class", launcher, "Start-Class", "com.example.App")), e));
    JavaApp.Plan plan = JavaApp.plan(spec(war, null), tmp.resolve("store"));
    assertEquals(List.of("release dependencies", "loader", "resources", "classes"),
        plan.parts().stream().map(JavaApp.Part::name).toList());
    assertEquals(List.of("/app/WEB-INF/lib-provided/tomcat-embed-core-10.1.48.jar",
        "/app/WEB-INF/lib/spring-web-6.2.12.jar"),
        List.copyOf(TestJars.files(plan.parts().get(0), tmp.resolve("w")).keySet()));
    assertTrue(TestJars.files(plan.parts().get(2), tmp.resolve("w")).containsKey("/app/index.html"));
    assertEquals(List.of("-cp", "/app", launcher), plan.javaArgs());
  }

  @Test
  void classicLoader_boot2_isRecognisedByItsLauncher() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("org/springframework/boot/loader/JarLauncher.class", text("launcher"));
    e.put("BOOT-INF/classes/App.class", text("class"));
    Path jar = TestJars.write(tmp.resolve("app.jar"), TestJars.jar(TestJars.manifest(Map.of(
        "Main-Class", "org.springframework.boot.loader.JarLauncher")), e));
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    assertEquals(List.of("-cp", "/app", "org.springframework.boot.loader.JarLauncher"),
        plan.javaArgs());
    assertEquals(List.of("loader", "resources", "classes"),
        plan.parts().stream().map(JavaApp.Part::name).toList());
  }

  @Test
  void mainClassWithABootJar_isRefused_theManifestDecides() throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"), bootJar("v1", DEFAULT_LAYERS));
    PlinthException e = assertThrows(PlinthException.class,
        () -> JavaApp.plan(spec(jar, "com.example.App"), tmp.resolve("store")));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().contains("java.mainClass") && e.getMessage().contains("Spring Boot"),
        e.getMessage());
  }

  @Test
  void badLayersIdx_failsNamingTheJarAndTheLine() throws Exception {
    Path jar = TestJars.write(tmp.resolve("app.jar"), bootJar("v1",
        "- \"dependencies\":\n  - \"BOOT-INF/lib/\"\nrm -rf /\n"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> JavaApp.plan(spec(jar, null), tmp.resolve("store")));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(jar.toString()) && e.getMessage().contains("layers.idx line 3"),
        e.getMessage());
  }

  @Test
  void shadedJar_isOneLayer_theJarWhole() throws Exception {
    Map<String, byte[]> e = TestJars.entries();
    e.put("com/example/Main.class", text("main"));
    e.put("org/slf4j/Logger.class", text("shaded dependency"));
    e.put("META-INF/maven/org.slf4j/slf4j-api/pom.properties", text("version=2.0.17"));
    Path jar = TestJars.write(tmp.resolve("app-shaded.jar"), TestJars.jar(TestJars.manifest(
        Map.of("Main-Class", "com.example.Main")), e));
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    assertEquals(List.of("classes"), plan.parts().stream().map(JavaApp.Part::name).toList());
    assertEquals(List.of("-cp", "/app/app-shaded.jar", "com.example.Main"), plan.javaArgs());
    assertEquals(List.of(jar), plan.jdepsInputs());
    assertTrue(Files.notExists(tmp.resolve("store")), "a plain jar is not unpacked");
  }

  @Test
  void jdeps_seesTheNestedJarsAndTheClasses() throws Exception {
    Map<String, byte[]> app = TestJars.compile(tmp, "com.example.App", """
        package com.example;
        public class App {
          public static Object main() { return java.net.http.HttpClient.newHttpClient(); }
        }
        """);
    Map<String, byte[]> dep = TestJars.compile(tmp, "org.db.Db", """
        package org.db;
        public class Db {
          public static Object c() throws Exception { return java.sql.DriverManager.getDrivers(); }
        }
        """);
    Map<String, byte[]> e = TestJars.entries();
    e.put("org/springframework/boot/loader/launch/JarLauncher.class", text("not read by jdeps"));
    app.forEach((k, v) -> e.put("BOOT-INF/classes/" + k, v));
    e.put("BOOT-INF/lib/db-1.0.jar", TestJars.jar(null, dep));
    Path jar = TestJars.write(tmp.resolve("app.jar"), TestJars.jar(TestJars.manifest(Map.of(
        "Main-Class", LAUNCHER)), e));
    // only the launcher's stand-in is not a class file; leave it out of jdeps' view
    JavaApp.Plan plan = JavaApp.plan(spec(jar, null), tmp.resolve("store"));
    List<Path> inputs = plan.jdepsInputs().stream()
        .filter(p -> !p.resolve("org/springframework").toFile().exists()).toList();
    JavaRuntime.Jdk jdk = Jdks.describe(Path.of(System.getProperty("java.home")));
    List<String> modules = JavaRuntime.modules(jdk, inputs, Files.createDirectories(tmp.resolve("work")));
    assertTrue(modules.contains("java.sql") && modules.contains("java.net.http"), modules.toString());
  }
}
