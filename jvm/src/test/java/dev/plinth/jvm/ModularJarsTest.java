package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modular jar that requires a module the app does not ship (Quarkus' io.smallrye.config
 * requires org.objectweb.asm, shaded elsewhere): jdeps refuses the whole module path; plinth
 * leaves that jar out of the run and takes its descriptor's JDK requirements instead.
 */
class ModularJarsTest {
  @TempDir Path tmp;

  private Path module(String name, String info, String cls) throws Exception {
    Path src = Files.createDirectories(tmp.resolve("mods/" + name + "/" + name));
    Files.writeString(src.getParent().resolve("module-info.java"), info);
    Files.writeString(src.resolve("C.java"), cls);
    Path out = Files.createDirectories(tmp.resolve("out-" + name));
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17",
        "--module-source-path", tmp.resolve("mods").toString(),
        "-d", out.toString(), "--module", name);
    if (rc != 0) {
      throw new AssertionError("javac failed for " + name);
    }
    Path jar = tmp.resolve(name + ".jar");
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(jar))) {
      try (var s = Files.walk(out.resolve(name))) {
        for (Path p : s.filter(Files::isRegularFile).toList()) {
          j.putNextEntry(new JarEntry(out.resolve(name).relativize(p).toString()));
          Files.copy(p, (OutputStream) j);
          j.closeEntry();
        }
      }
    }
    return jar;
  }

  @Test
  void aModularJarRequiringAnAbsentModule_isLeftOut_andItsJdkRequirementsKept()
      throws Exception {
    module("absent", "module absent { exports absent; }",
        "package absent; public class C {}");
    Path needy = module("needy", "module needy { requires absent; requires java.sql;"
        + " requires java.logging; exports needy; }",
        "package needy; public class C { java.sql.Connection c; absent.C a; }");
    Path plain = tmp.resolve("plain.jar");
    try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(plain))) {
      j.putNextEntry(new JarEntry("x.txt"));
      j.closeEntry();
    }
    JavaRuntime.Jdk jdk = Jdks.find(17, List.of(Path.of(System.getProperty("java.home"))));
    assertNotNull(jdk, "this test runs on JDK 17");
    Path work = Files.createDirectories(tmp.resolve("work"));
    List<String> found = JavaRuntime.modules(jdk, List.of(plain, needy), work);
    assertTrue(found.contains("java.sql") && found.contains("java.logging"), found.toString());
  }
}
