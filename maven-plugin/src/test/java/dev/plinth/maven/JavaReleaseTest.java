package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.plinth.jvm.JavaSpec;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime follows the release the project compiles for. */
class JavaReleaseTest {
  @TempDir Path tmp;

  private static final String COMPILER = JavaRelease.COMPILER_PLUGIN;

  private Choice<Integer> choose(Integer configured, MavenProject p) throws PlinthException {
    return JavaRelease.choose(configured, new PomView(p, Map.of()),
        new ClassFiles(tmp.resolve("no-classes")));
  }

  @Test
  void release_mapsToTheOldestRuntimeThatRunsIt() throws Exception {
    assertEquals(new Choice<>(17, "maven.compiler.release 17"),
        choose(null, Poms.project(Map.of("maven.compiler.release", "17"))));
    assertEquals(new Choice<>(17, "maven.compiler.release 11: release 11 runs on 17, the oldest"
        + " runtime plinth links"), choose(null, Poms.project(Map.of("maven.compiler.release", "11"))));
    assertEquals(21, choose(null, Poms.project(Map.of("maven.compiler.release", "18"))).value());
    assertEquals(21, choose(null, Poms.project(Map.of("maven.compiler.release", "21"))).value());
    assertEquals(25, choose(null, Poms.project(Map.of("maven.compiler.release", "22"))).value());
  }

  @Test
  void springBootParentShaped_releaseIsJavaVersion() throws Exception {
    assertEquals(new Choice<>(21, "maven.compiler.release 21"), choose(null, Poms.project(
        Map.of("java.version", "21", "maven.compiler.release", "${java.version}"))));
  }

  @Test
  void precedence_goalThenReleasePropertyThenPluginReleaseThenTargets() throws Exception {
    MavenProject all = Poms.project(Map.of("maven.compiler.release", "21",
            "maven.compiler.target", "1.8"),
        Poms.plugin(COMPILER, "<release>25</release><target>11</target>"));
    assertEquals(new Choice<>(25, "plinth-maven-plugin's javaVersion"), choose(25, all));
    assertEquals(21, choose(null, all).value());
    assertEquals(new Choice<>(25, "maven-compiler-plugin's <release> 25"), choose(null,
        Poms.project(Map.of("maven.compiler.target", "1.8"),
            Poms.plugin(COMPILER, "<release>25</release>"))));
    assertEquals(new Choice<>(17, "maven.compiler.target 1.8: release 8 runs on 17, the oldest"
        + " runtime plinth links"), choose(null, Poms.project(Map.of("maven.compiler.target", "1.8"),
            Poms.plugin(COMPILER, "<source>1.8</source>"))));
    assertEquals(new Choice<>(21, "maven-compiler-plugin's <target> 21"), choose(null,
        Poms.project(Map.of(), Poms.withExecution(Poms.plugin(COMPILER, "<target>17</target>"),
            "default-compile", "<target>21</target>"))));
  }

  @Test
  void nothingSet_theClassFilesSay_elseTheDefault() throws Exception {
    Path classes = Poms.compile(tmp.resolve("classes"), 11, Map.of("a.A", "package a; class A {}"));
    assertEquals(new Choice<>(17, "class-file version 55 of classes (no release or target set):"
        + " release 11 runs on 17, the oldest runtime plinth links"), JavaRelease.choose(null,
        new PomView(Poms.project(Map.of()), Map.of()), new ClassFiles(classes)));
    assertEquals(JavaSpec.DEFAULT_VERSION, choose(null, Poms.project(Map.of())).value());
  }

  @Test
  void newerThanEveryRuntime_orNotARelease_failsNamingTheSource() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> choose(null, Poms.project(Map.of("maven.compiler.release", "26"))));
    assertEquals("maven.compiler.release 26: the project compiles for Java 26, newer than every"
        + " runtime plinth links ([17, 21, 25])", e.getMessage());
    e = assertThrows(PlinthException.class, () -> choose(null, Poms.project(Map.of(),
        Poms.plugin(COMPILER, "<release>${jdk}</release>"))));
    assertEquals("maven-compiler-plugin's <release>: '${jdk}' is not a Java release such as 17"
        + " or 1.8; fix it, or set plinth-maven-plugin's <javaVersion>", e.getMessage());
  }
}
