package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the runtime is linked: which modules, and which resources jlink compresses. */
class JavaRuntimeTest {
  @TempDir Path tmp;

  /** The JDK running the tests: it has jdeps, javac and java. */
  private static JavaRuntime.Jdk thisJdk() throws Exception {
    return Jdks.describe(Path.of(System.getProperty("java.home")));
  }

  /** Compiles {@code sources} (path → text) into a jar at {@code jar}. */
  private Path jar(Path jar, Map<String, String> sources, List<Path> modulePath) throws Exception {
    Path src = Files.createTempDirectory(tmp, "src");
    Path out = Files.createTempDirectory(tmp, "classes");
    List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--release", "17"));
    if (!modulePath.isEmpty()) {
      args.add("--module-path");
      args.add(String.join(":", modulePath.stream().map(Path::toString).toList()));
    }
    for (Map.Entry<String, String> e : sources.entrySet()) {
      Path f = src.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.writeString(f, e.getValue());
      args.add(f.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "javac " + args);
    try (OutputStream os = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(os)) {
      try (var walk = Files.walk(out)) {
        for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
          j.putNextEntry(new JarEntry(out.relativize(p).toString()));
          j.write(Files.readAllBytes(p));
          j.closeEntry();
        }
      }
    }
    return jar;
  }

  @Test
  void modules_ofAModularJarFoundOnlyByServiceLoader_areKept() throws Exception {
    // A library module, a binding module that needs it and java.logging (as slf4j-jdk14 needs
    // slf4j-api), and a plain app jar that never names the binding.
    Path lib = jar(tmp.resolve("api.jar"), Map.of(
        "module-info.java", "module demo.api { exports demo.api; }",
        "demo/api/Api.java", "package demo.api; public interface Api { void log(String s); }"),
        List.of());
    Path binding = jar(tmp.resolve("binding.jar"), Map.of(
        "module-info.java", "module demo.binding { requires demo.api; requires java.logging; }",
        "demo/binding/Jul.java", "package demo.binding; public class Jul implements demo.api.Api {"
            + " public void log(String s) { java.util.logging.Logger.getLogger(\"x\").info(s); } }"),
        List.of(lib));
    Path app = jar(tmp.resolve("app.jar"), Map.of(
        "app/Main.java", "package app; public class Main { public static void main(String[] a)"
            + " { System.out.println(java.sql.Types.class); } }"),
        List.of());
    assertTrue(JavaRuntime.isModularJar(binding, 17));
    assertFalse(JavaRuntime.isModularJar(app, 17));

    List<String> modules = JavaRuntime.modules(thisJdk(), List.of(app, lib, binding), tmp);
    assertEquals(List.of("java.base", "java.logging", "java.sql"), modules);
  }

  @Test
  void jdepsOutput_onlyItsModuleListIsRead() {
    // a JVM warning on jdeps' standard output (unified logging's default) once became modules
    Set<String> into = new java.util.TreeSet<>();
    JavaRuntime.addModules(into, "[0.001s][warning][perf,memops] Cannot use file"
        + " /tmp/hsperfdata_root/10840 because it is locked by another process (errno = 11)\n"
        + "java.base,jdk.zipfs\n\n", false);
    assertEquals(Set.of("java.base", "jdk.zipfs"), into);
    Set<String> jdk = new java.util.TreeSet<>();
    JavaRuntime.addModules(jdk, "java.base,java.sql,org.example.lib\n", true);
    assertEquals(Set.of("java.base", "java.sql"), jdk);
  }

  @Test
  void quietTools_runWithTheirFlags_andPrintNoWarningOnStandardOutput() throws Exception {
    JavaRuntime.Jdk jdk = thisJdk();
    List<String> java = jdk.quietCommand("java");
    assertTrue(java.containsAll(JavaRuntime.QUIET_JVM), java.toString());
    List<String> jlink = jdk.quietCommand("jlink");
    assertTrue(jlink.contains("-J-XX:-UsePerfData") && jlink.contains("-J-Xlog:disable"),
        jlink.toString());
    // the real JVM takes them, and a warning it prints goes to standard error, where without
    // them it goes to standard output: a log selection that matches no tag set makes one
    List<String> warns = List.of("-Xlog:gc+heap+exit+safepoint=info", "--list-modules");
    List<String> loud = new ArrayList<>(jdk.command("java"));
    loud.addAll(warns);
    assertTrue(JavaRuntime.run(loud, tmp, "java").contains("[warning]"), "the test's warning");
    List<String> cmd = new ArrayList<>(java);
    cmd.addAll(warns);
    String out = JavaRuntime.run(cmd, tmp, "java --list-modules");
    assertTrue(out.lines().allMatch(l -> l.contains("@")), out);
    assertTrue(JdkModules.parse(out).contains("java.base"));
    List<String> jdeps = new ArrayList<>(jdk.quietCommand("jdeps"));
    jdeps.add("--version");
    assertTrue(JavaRuntime.run(jdeps, tmp, "jdeps --version").strip().matches("[0-9.]+.*"));
  }

  @Test
  void closure_followsRequires() throws Exception {
    Set<String> c = JavaRuntime.closure(thisJdk(), List.of("java.sql"), tmp);
    assertTrue(c.containsAll(Set.of("java.sql", "java.logging", "java.xml", "java.base")), "" + c);
    assertFalse(c.contains("java.desktop"), "" + c);
  }

  @Test
  void compressed_onlyResourcesOfTheThresholdOrMore_andNoGlobCharacters() {
    Map<String, Long> sizes = new TreeMap<>();
    sizes.put("/java.base/java/lang/Object.class", JavaRuntime.UNCOMPRESSED_BELOW - 1);
    sizes.put("/java.base/java/lang/String.class", JavaRuntime.UNCOMPRESSED_BELOW);
    sizes.put("/java.base/java/lang/Character$Data{x}.class", 1L << 20);
    sizes.put("/java.base/jdk/internal/icu/impl/data/icudt76b/nfc.nrm", 40_000L);
    assertEquals(List.of("/java.base/java/lang/String.class",
        "/java.base/jdk/internal/icu/impl/data/icudt76b/nfc.nrm"), JavaRuntime.compressed(sizes));
  }

  @Test
  void jmodResources_readFromTheJmodsOfTheLinkedModules() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("jmods"));
    for (String m : List.of("java.base", "java.desktop")) {
      try (OutputStream os = Files.newOutputStream(dir.resolve(m + ".jmod"))) {
        os.write(new byte[] {'J', 'M', 1, 0});   // a jmod: its magic, then a zip
        JarOutputStream z = new JarOutputStream(os);
        z.putNextEntry(new JarEntry("classes/" + m.replace('.', '/') + "/A.class"));
        z.write(new byte[3000]);
        z.closeEntry();
        z.putNextEntry(new JarEntry("lib/libx.so"));
        z.write("x".getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
        z.finish();
      }
    }
    assertEquals(Map.of("/java.base/java/base/A.class", 3000L),
        JavaRuntime.jmodResources(dir, Set.of("java.base")));
  }

  /** jlink's heap follows the classes it links; unknown, the heap that links every module. */
  @Test
  void jlinkHeap_followsTheClassesLinked_within96MbAnd1Gb() {
    long mb = 1 << 20;
    assertEquals(JavaRuntime.JLINK_HEAP, JavaRuntime.jlinkHeap(Map.of()));
    assertEquals("-J-Xmx96m", JavaRuntime.jlinkHeap(Map.of("/java.base/A.class", 10 * mb)));
    // the Micronaut sample's 11 modules of Debian's JDK 17: 64 MB failed, 128 linked
    assertEquals("-J-Xmx135m", JavaRuntime.jlinkHeap(Map.of("/java.base/A.class", 40 * mb,
        "/java.desktop/B.class", 18 * mb)));
    // every module of JDK 17: 128 MB failed, 160 thrashed (200 s), 229 linked in 16 s
    assertEquals("-J-Xmx229m", JavaRuntime.jlinkHeap(Map.of("/java.base/A.class", 121 * mb)));
    assertEquals("-J-Xmx1024m", JavaRuntime.jlinkHeap(Map.of("/x/A.class", 4096 * mb)));
  }

  @Test
  void leftOut_commandsDebugInfoX11JrtFsAndClasslist() {
    assertFalse(JavaRuntime.leftOut("bin/java"));
    assertTrue(JavaRuntime.leftOut("bin/keytool"));
    assertTrue(JavaRuntime.leftOut("lib/server/libjvm.debuginfo"));
    assertTrue(JavaRuntime.leftOut("lib/libawt_xawt.so"));
    assertFalse(JavaRuntime.leftOut("lib/libawt_headless.so"));
    assertFalse(JavaRuntime.leftOut("lib/server/libjvm.so"));
    assertTrue(JavaRuntime.leftOut("man/man1/java.1"));
    assertTrue(JavaRuntime.leftOut("lib/jrt-fs.jar"));
    assertTrue(JavaRuntime.leftOut("lib/classlist"));
    assertFalse(JavaRuntime.leftOut("lib/modules"));
    assertFalse(JavaRuntime.leftOut("lib/tzdb.dat"));
  }
}
