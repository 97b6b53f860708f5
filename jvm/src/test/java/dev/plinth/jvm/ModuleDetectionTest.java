package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of finding modules that need no app run: reading the class-load log, the training
 * command, names checked against the JDK, the cache key and entries, Spring Boot detection.
 */
class ModuleDetectionTest {
  @TempDir Path tmp;

  private static final JavaRuntime.Jdk JDK =
      new JavaRuntime.Jdk(Path.of("/jdk"), 17, "17.0.9", "amd64");

  private Path jar(String name, Map<String, String> manifest, String... entries) throws Exception {
    Path f = tmp.resolve(name);
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    try (OutputStream out = Files.newOutputStream(f);
        JarOutputStream j = new JarOutputStream(out, mf)) {
      for (String e : entries) {
        j.putNextEntry(new JarEntry(e));
        j.write(1);
      }
    }
    return f;
  }

  @Test
  void classLoadLog_namesTheModulesOfJrtSources_only() throws Exception {
    Path log = tmp.resolve("class-load.log");
    Files.writeString(log, """
        java.lang.Object source: jrt:/java.base
        jdk.nio.zipfs.ZipFileSystemProvider source: jrt:/jdk.zipfs
        [0.050s][info][class,load] java.sql.Timestamp source: jrt:/java.sql
        app.Main source: file:/w/root/app/classes/
        java.lang.invoke.LambdaForm$MH/0x01 source: __JVM_LookupDefineClass__
        java.lang.String source: shared objects file
        evil source: jrt:/not a module
        truncated source: jrt:/
        jdk.jshell.execution.impl.ConsoleImpl$ConsoleProviderImpl source: jrt:/jdk.jshell
        jdk.internal.org.jline.JdkConsoleProviderImpl source: jrt:/jdk.internal.le
        """);
    assertEquals(Set.of("java.base", "jdk.zipfs", "java.sql"), ModuleTraining.loaded(log),
        "System.console()'s providers on a full JDK 25 are not the app's");
    Files.writeString(log, """
        jdk.internal.org.jline.JdkConsoleProviderImpl source: jrt:/jdk.internal.le
        jdk.internal.org.jline.terminal.TerminalBuilder source: jrt:/jdk.internal.le
        """);
    assertEquals(Set.of("jdk.internal.le"), ModuleTraining.loaded(log), "used for more");
  }

  @Test
  void trainingCommand_fullJdkJava_heapCapLogAndNoSharing_first_appPathsMoved_archivesLeftOut() {
    List<String> image = List.of("/opt/java/openjdk/bin/java", "-XX:MaxRAMPercentage=75",
        "-Xshare:auto", "-XX:SharedArchiveFile=/app/app.jsa", "-cp", "/app/classes:/app/libs/a.jar",
        "app.Main", "-Xshare:auto", "--port", "9");
    // the heap cap of the AOT training runs too, before the image's flags (a user's -Xmx wins)
    assertEquals(List.of("/jdk/bin/java", "-Xmx256m", "-Xshare:off",
        "-Xlog:class+load=info:file=\"/w/class-load.log\":none:filecount=0",
        SpringBoot.EXIT_ON_REFRESH, "-XX:MaxRAMPercentage=75", "-cp",
        "/w/root/app/classes:/w/root/app/libs/a.jar", "app.Main", "-Xshare:auto", "--port", "9"),
        ModuleTraining.command(JDK, image, Path.of("/w/root"), Path.of("/w/class-load.log"),
            List.of(SpringBoot.EXIT_ON_REFRESH)));
    assertEquals(List.of("-Xss1m", "-jar", "/r/app/app.jar", "-cp", "x"),
        AotTraining.movedArguments(List.of("java", "-Xss1m", "-jar", "/app/app.jar", "-cp", "x"),
            Path.of("/r")));
  }

  @Test
  void unknownModule_failsNamingItAndTheCloseOnes() throws Exception {
    Set<String> jdk = JdkModules.parse("java.base@17.0.9\njava.sql@17.0.9\njava.sql.rowset@17.0.9\n"
        + "jdk.zipfs@17.0.9\njdk.crypto.ec@17.0.9\njdk.localedata@17.0.9\n");
    assertEquals(6, jdk.size());
    JdkModules.check(List.of("java.sql", "jdk.zipfs"), jdk, "java.modules", "17.0.9");
    PlinthException e = assertThrows(PlinthException.class,
        () -> JdkModules.check(List.of("jdk.zipfs", "zipfs"), jdk, "java.modules", "17.0.9"));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertEquals("java.modules: zipfs is not a module of JDK 17.0.9; close: jdk.zipfs"
        + " (java --list-modules lists them all)", e.getMessage());
    assertEquals(List.of("jdk.crypto.ec"), JdkModules.close("jdk.crypto.ecc", jdk));
    assertEquals(List.of("jdk.localedata"), JdkModules.close("java.localedata", jdk));
    assertEquals(List.of("java.sql"), JdkModules.close("java.sqll", jdk));
    assertEquals(List.of(), JdkModules.close("org.example.app", jdk));
  }

  @Test
  void jdkModules_fromTheReleaseFile_withoutRunningTheJdk() throws Exception {
    Path home = Files.createDirectories(tmp.resolve("jdk"));
    Files.writeString(home.resolve("release"),
        "JAVA_VERSION=\"17.0.9\"\nMODULES=\"java.base java.logging jdk.zipfs\"\n");
    JavaRuntime.Jdk jdk = new JavaRuntime.Jdk(home, 17, "17.0.9", "amd64");   // no bin/java
    assertEquals(Set.of("java.base", "java.logging", "jdk.zipfs"), JdkModules.of(jdk, tmp));
  }

  @Test
  void cacheKey_changesWithTheAppsContent_theTrainingAndItsSettings() throws Exception {
    Path classes = Files.createDirectories(tmp.resolve("classes/app"));
    Files.writeString(classes.resolve("Main.class"), "v1");
    Path lib = jar("lib.jar", Map.of());
    List<Path> in = List.of(tmp.resolve("classes"), lib);
    AppModules.Training t = new AppModules.Training(List.of("java", "-cp", "/app/classes", "M"),
        Map.of("PORT", "8080"), AotSpec.DEFAULT, List.of(), List::of);
    String key = AppModules.key(JDK, in, t);
    assertEquals(key, AppModules.key(JDK, in, t));
    assertNotEquals(key, AppModules.key(JDK, in, null));
    assertNotEquals(key, AppModules.key(new JavaRuntime.Jdk(Path.of("/jdk"), 17, "17.0.10",
        "amd64"), in, t));
    assertNotEquals(key, AppModules.key(JDK, List.of(lib, tmp.resolve("classes")), t));
    assertNotEquals(key, AppModules.key(JDK, in, new AppModules.Training(t.javaCommand(),
        Map.of("PORT", "8081"), t.drive(), t.flags(), t.app())));
    assertNotEquals(key, AppModules.key(JDK, in, new AppModules.Training(t.javaCommand(),
        t.env(), new AotSpec(List.of(), Map.of(), 30), t.flags(), t.app())));
    Files.writeString(classes.resolve("Main.class"), "v2");
    assertNotEquals(key, AppModules.key(JDK, in, t), "a changed class");
  }

  @Test
  void cacheEntry_readsBack_andADamagedOneIsAMiss() throws Exception {
    Path f = tmp.resolve("entry");
    Files.writeString(f, "modules=java.base,jdk.zipfs\ntrained=jdk.zipfs\nhow=the app exited by"
        + " itself (code 0)\nwarning=\n");
    AppModules.Found found = AppModules.read(f);
    assertEquals(List.of("java.base", "jdk.zipfs"), found.modules());
    assertEquals(List.of("jdk.zipfs"), found.trained());
    assertNull(found.warning());
    assertTrue(found.cached());
    Files.writeString(f, "modules=java.base,../../x\ntrained=\n");
    assertNull(AppModules.read(f));
    Files.writeString(f, "modules=\ntrained=\n");
    assertNull(AppModules.read(f));
    assertNull(AppModules.read(tmp.resolve("none")));
  }

  @Test
  void springBootApp_byItsJar_itsSpringApplicationClass_orAStartClass() throws Exception {
    Path plain = jar("guava-33.0.jar", Map.of());
    assertFalse(SpringBoot.isApp(List.of(plain)));
    assertFalse(SpringBoot.isApp(List.of(jar("spring-boot-autoconfigure-3.5.7.jar", Map.of()))));
    assertTrue(SpringBoot.isApp(List.of(plain, jar("spring-boot-3.5.7.jar", Map.of()))));
    assertTrue(SpringBoot.isApp(List.of(jar("renamed.jar", Map.of(),
        "org/springframework/boot/SpringApplication.class"))));
    assertTrue(SpringBoot.isApp(List.of(jar("app.jar", Map.of("Main-Class",
        "org.springframework.boot.loader.launch.JarLauncher", "Start-Class", "com.example.App")))));
    Path classes = Files.createDirectories(tmp.resolve("classes/org/springframework/boot"));
    Files.writeString(classes.resolve("SpringApplication.class"), "x");
    assertTrue(SpringBoot.isApp(List.of(tmp.resolve("classes"))));
    assertFalse(SpringBoot.isApp(List.of(tmp.resolve("missing.jar"))));
  }
}
