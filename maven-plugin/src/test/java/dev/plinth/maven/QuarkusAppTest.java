package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Quarkus project's app is its fast-jar, built before this goal runs. */
class QuarkusAppTest {
  @TempDir Path tmp;

  private static PomView pom(String... keysInOrder) throws Exception {
    org.apache.maven.model.Plugin[] plugins = new org.apache.maven.model.Plugin[keysInOrder.length];
    for (int i = 0; i < plugins.length; i++) {
      plugins[i] = Poms.plugin(keysInOrder[i], null);
    }
    return new PomView(Poms.project(Map.of(), plugins), Map.of());
  }

  @Test
  void quarkusPlugin_ofThePlatformOrTheCore_makesItAQuarkusProject() throws Exception {
    assertEquals("io.quarkus.platform:quarkus-maven-plugin",
        QuarkusApp.plugin(pom("io.quarkus.platform:quarkus-maven-plugin")));
    assertEquals("io.quarkus:quarkus-maven-plugin",
        QuarkusApp.plugin(pom("io.quarkus:quarkus-maven-plugin")));
    assertNull(QuarkusApp.plugin(pom(MainClassResolver.JAR_PLUGIN)));
  }

  @Test
  void runJar_afterQuarkusInPackage_orCalledAlone() throws Exception {
    Path jar = Files.createDirectories(tmp.resolve("quarkus-app")).resolve("quarkus-run.jar");
    Files.write(jar, new byte[] {0x50, 0x4b});
    String q = "io.quarkus.platform:quarkus-maven-plugin";
    assertEquals(jar, QuarkusApp.runJar(pom(q, QuarkusApp.PLINTH_PLUGIN), q, tmp, "package"));
    assertEquals(jar, QuarkusApp.runJar(pom(QuarkusApp.PLINTH_PLUGIN, q), q, tmp, null));
  }

  @Test
  void declaredBeforeQuarkus_failsSayingToMoveIt_evenWithAnOldJarThere() throws Exception {
    Files.write(Files.createDirectories(tmp.resolve("quarkus-app")).resolve("quarkus-run.jar"),
        new byte[] {0x50, 0x4b});
    String q = "io.quarkus:quarkus-maven-plugin";
    PlinthException e = assertThrows(PlinthException.class,
        () -> QuarkusApp.runJar(pom(QuarkusApp.PLINTH_PLUGIN, q), q, tmp, "package"));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().endsWith("declare plinth-maven-plugin after quarkus-maven-plugin"),
        e.getMessage());
  }

  @Test
  void noRunJar_isNotFound_namingItAndTheFix() throws Exception {
    String q = "io.quarkus:quarkus-maven-plugin";
    PlinthException e = assertThrows(PlinthException.class,
        () -> QuarkusApp.runJar(pom(q, QuarkusApp.PLINTH_PLUGIN), q, tmp, "package"));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith(tmp.resolve("quarkus-app/quarkus-run.jar")
        + " does not exist: this is a Quarkus project"), e.getMessage());
  }
}
