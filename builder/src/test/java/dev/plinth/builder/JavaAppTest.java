package dev.plinth.builder;


import dev.plinth.jvm.JavaApp;

import dev.plinth.jvm.JavaSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a Java app is laid out in layers and on the classpath, without linking a runtime. */
class JavaAppTest {
  @TempDir Path tmp;

  /** Options of no environment, with a cache of the test's own (not the user's). */
  private Plinth.Options options() {
    return Plinth.Options.of(tmp.resolve("cache"));
  }

  private Path jar(String name, Map<String, String> manifest) throws Exception {
    Path f = tmp.resolve(name);
    Files.createDirectories(f.getParent());
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    try (OutputStream out = Files.newOutputStream(f); JarOutputStream j = new JarOutputStream(out, mf)) {
      j.putNextEntry(new JarEntry("x/" + name.replace('/', '_') + ".txt"));
      j.write(name.getBytes());
    }
    return f;
  }

  private static List<String> paths(JavaApp.Part part, Path work) throws Exception {
    Layer l = part.layer().build(work, 0, 1);
    List<String> out = new ArrayList<>();
    try (InputStream in = l.openUncompressed()) {
      TarReader r = new TarReader(in, "layer");
      for (TarEntry e; (e = r.next()) != null; ) {
        if (!e.isDirectory()) {
          out.add("/" + e.name());
        }
      }
    }
    return out;
  }

  private static JavaSpec java(Path jar, String main, List<Path> cp) {
    return new JavaSpec(jar, main, cp, 25, List.of(), List.of(), null, "trixie");
  }

  @Test
  void executableJar_mainClassAndClassPathFromTheManifest_layersFromStableToChanging() throws Exception {
    jar("lib/jetty-util-12.1.14.jar", Map.of());
    jar("lib/mine-1.0-SNAPSHOT.jar", Map.of());
    Path app = jar("app.jar", Map.of("Main-Class", "com.example.Main",
        "Class-Path", "lib/jetty-util-12.1.14.jar lib/mine-1.0-SNAPSHOT.jar"));
    JavaApp.Plan plan = JavaApp.plan(java(app, null, List.of()));
    assertEquals("com.example.Main", plan.mainClass());
    assertEquals(List.of("/app/app.jar", "/app/libs/jetty-util-12.1.14.jar",
        "/app/libs/mine-1.0-SNAPSHOT.jar"), plan.classpath());
    assertEquals(List.of("release dependencies", "snapshot dependencies", "classes"),
        plan.parts().stream().map(JavaApp.Part::name).toList());
    assertEquals(List.of("/app/libs/jetty-util-12.1.14.jar"), paths(plan.parts().get(0), tmp.resolve("w")));
    assertEquals(List.of("/app/libs/mine-1.0-SNAPSHOT.jar"), paths(plan.parts().get(1), tmp.resolve("w")));
    assertEquals(List.of("/app/app.jar"), paths(plan.parts().get(2), tmp.resolve("w")));
    assertEquals(List.of(app, tmp.resolve("lib/jetty-util-12.1.14.jar"),
        tmp.resolve("lib/mine-1.0-SNAPSHOT.jar")), plan.jdepsInputs());
  }

  @Test
  void classesDirectory_splitsIntoResourcesAndClasses_thenJarsInOrder() throws Exception {
    Path classes = TestProjects.write(tmp.resolve("target/classes"), Map.of(
        "com/example/Main.class", "cafebabe", "app.properties", "x=1",
        "media/example.txt", "example asset"));
    Path b = jar("lib/b.jar", Map.of());
    Path a = jar("lib/a.jar", Map.of());
    JavaApp.Plan plan = JavaApp.plan(java(null, "com.example.Main", List.of(classes, b, a)));
    assertEquals(List.of("/app/resources", "/app/classes", "/app/libs/b.jar", "/app/libs/a.jar"),
        plan.classpath(), "the given order, as -cp would take it");
    assertEquals(List.of("release dependencies", "resources", "classes"),
        plan.parts().stream().map(JavaApp.Part::name).toList());
    assertEquals(List.of("/app/resources/app.properties", "/app/resources/media/example.txt"),
        paths(plan.parts().get(1), tmp.resolve("w")));
    assertEquals(List.of("/app/classes/com/example/Main.class"), paths(plan.parts().get(2), tmp.resolve("w")));
  }

  @Test
  void oneChangedClass_changesOnlyTheClassesLayer() throws Exception {
    Path classes = tmp.resolve("classes");
    Files.createDirectories(classes);
    Files.writeString(classes.resolve("Main.class"), "v1");
    Files.writeString(classes.resolve("r.txt"), "resource");
    Path lib = jar("lib/dep.jar", Map.of());
    List<String> before = new ArrayList<>();
    for (JavaApp.Part p : JavaApp.plan(java(null, "Main", List.of(classes, lib))).parts()) {
      before.add(p.layer().build(tmp.resolve("w1"), 0, 6).blob().descriptor().digest().toString());
    }
    Files.writeString(classes.resolve("Main.class"), "v2");
    List<String> after = new ArrayList<>();
    for (JavaApp.Part p : JavaApp.plan(java(null, "Main", List.of(classes, lib))).parts()) {
      after.add(p.layer().build(tmp.resolve("w2"), 0, 6).blob().descriptor().digest().toString());
    }
    assertEquals(before.subList(0, 2), after.subList(0, 2));
    assertFalse(before.get(2).equals(after.get(2)));
  }

  @Test
  void badInputs_failNamingTheFile() throws Exception {
    PlinthException missing = assertThrows(PlinthException.class,
        () -> JavaApp.plan(java(tmp.resolve("nope.jar"), null, List.of())));
    assertEquals(PlinthException.Kind.NOT_FOUND, missing.kind());
    assertTrue(missing.getMessage().contains("nope.jar") && missing.getMessage().contains("mvn package"));

    Path noMain = jar("nomain.jar", Map.of());
    PlinthException main = assertThrows(PlinthException.class, () -> JavaApp.plan(java(noMain, null, List.of())));
    assertEquals(PlinthException.Kind.USAGE, main.kind());
    assertTrue(main.getMessage().contains("no Main-Class") && main.getMessage().contains("java.mainClass"));

    Path dangling = jar("dangling.jar", Map.of("Main-Class", "M", "Class-Path", "lib/gone.jar"));
    PlinthException gone = assertThrows(PlinthException.class, () -> JavaApp.plan(java(dangling, null, List.of())));
    assertEquals(PlinthException.Kind.NOT_FOUND, gone.kind());
    assertTrue(gone.getMessage().contains("lib/gone.jar"), gone.getMessage());

    Path x1 = jar("one/util.jar", Map.of());
    Path x2 = jar("two/util.jar", Map.of());
    PlinthException twice = assertThrows(PlinthException.class,
        () -> JavaApp.plan(java(null, "M", List.of(x1, x2))));
    assertEquals(PlinthException.Kind.USAGE, twice.kind());
    assertTrue(twice.getMessage().contains("util.jar") && twice.getMessage().contains(x1.toString())
        && twice.getMessage().contains(x2.toString()), twice.getMessage());
  }

  @Test
  void versionUnset_followsTheAppsClassFiles_andTheSuiteFollowsTheVersion() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("c21"));
    // a class file of Java 21 (major 65): its head is all that is read
    Files.write(classes.resolve("Main.class"), new byte[] {(byte) 0xca, (byte) 0xfe,
        (byte) 0xba, (byte) 0xbe, 0, 0, 0, 65});
    BuildSpec spec = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(new JavaSpec(null,
        "Main", List.of(classes), JavaSpec.UNSET, List.of(), List.of(), null, null));
    JavaBuild build = JavaBuild.prepare(spec, options());
    JavaSpec java = build.spec().java();
    List<String> notes = build.notes();
    assertEquals(21, java.version());
    assertEquals("trixie", java.suite());
    assertTrue(notes.get(0).contains("java.version 21") && notes.get(0).contains("Main.class"),
        notes.toString());

    BuildSpec seventeen = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(new JavaSpec(
        null, "Main", List.of(classes), 17, List.of(), List.of(), null, null));
    assertEquals("bookworm", JavaBuild.prepare(seventeen, options()).spec()
        .java().suite(), "an explicit version: its suite");

    BuildSpec aot = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(new JavaSpec(null,
        "Main", List.of(classes), JavaSpec.UNSET, List.of(), List.of(),
        dev.plinth.jvm.AotSpec.DEFAULT, null));
    JavaBuild withAot = JavaBuild.prepare(aot, options());
    assertEquals(25, withAot.spec().java().version(), "java.aot needs 25: the default follows");
    assertTrue(withAot.notes().get(0).contains("java.aot"), withAot.notes().toString());
  }

  @Test
  void effectiveSpec_javaCommandAfterTheInit_143IsGraceful() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("c"));
    Files.writeString(classes.resolve("Main.class"), "x");
    BuildSpec spec = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS).withJava(new JavaSpec(null,
        "Main", List.of(classes), 25, List.of(), List.of("-Xss512k"), null, "trixie"))
        .withCmd(List.of("--port", "9"));
    BuildSpec eff = JavaBuild.prepare(spec, options()).effectiveSpec();
    assertEquals(List.of("/sbin/plinth-init", "-e", "143", "--", "/opt/java/openjdk/bin/java",
        "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
        "-Xss512k", "-cp", "/app/classes", "Main"), ImageConfigs.entrypoint(eff));
    assertEquals(List.of("--port", "9"), eff.cmd());
    assertEquals("/opt/java/openjdk", eff.env().get("JAVA_HOME"));
    assertTrue(eff.env().get("PATH").startsWith("/opt/java/openjdk/bin:"));
  }
}
