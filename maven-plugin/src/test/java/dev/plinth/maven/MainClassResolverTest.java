package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.util.Map;
import org.apache.maven.project.MavenProject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the main class comes from, in Jib's order and then some, on projects shaped like real ones. */
class MainClassResolverTest {
  @TempDir Path tmp;

  private static final String JAR = MainClassResolver.JAR_PLUGIN;
  private static final String MANIFEST_START_CLASS =
      "<archive><manifest><mainClass>${start-class}</mainClass>"
          + "<addDefaultImplementationEntries>true</addDefaultImplementationEntries></manifest></archive>";

  private ClassFiles classes(String... mains) throws Exception {
    Map<String, String> sources = new java.util.TreeMap<>();
    sources.put("app.Service", "package app; public class Service { void main(String[] a) {} }");
    for (String m : mains) {
      String pkg = m.substring(0, m.lastIndexOf('.'));
      String cls = m.substring(m.lastIndexOf('.') + 1);
      sources.put(m, "package " + pkg + "; public class " + cls
          + " { public static void main(String[] args) {} }");
    }
    return new ClassFiles(Poms.compile(tmp.resolve("classes"), 17, sources));
  }

  private static Choice<String> resolve(String configured, MavenProject p, ClassFiles c)
      throws PlinthException {
    return MainClassResolver.resolve(configured, new PomView(p, Map.of()), c);
  }

  /** spring-boot-starter-parent: jar and spring-boot plugins say ${start-class}, set by no one. */
  private static MavenProject springBootParentShaped(Map<String, String> properties)
      throws Exception {
    return Poms.project(properties,
        Poms.plugin(JAR, MANIFEST_START_CLASS),
        Poms.plugin(MainClassResolver.SPRING_BOOT_PLUGIN, "<mainClass>${start-class}</mainClass>"));
  }

  @Test
  void configured_winsOverEverything() throws Exception {
    MavenProject p = springBootParentShaped(Map.of("start-class", "app.Other"));
    assertEquals(new Choice<>("app.Given", "plinth-maven-plugin's mainClass"),
        resolve(" app.Given ", p, classes("app.Application")));
  }

  @Test
  void springBootParent_unresolvedStartClass_isNotUsed_theScanFindsTheApplication()
      throws Exception {
    Choice<String> c = resolve(null, springBootParentShaped(Map.of("java.version", "17")),
        classes("com.example.demo.DemoApplication"));
    assertEquals("com.example.demo.DemoApplication", c.value());
    assertEquals("the one class with a main method in classes; maven-jar-plugin's mainClass"
        + " '${start-class}', spring-boot-maven-plugin's mainClass '${start-class}' are not a"
        + " class name", c.why());
  }

  @Test
  void springBootParent_withStartClassSet_resolvesIt_withoutScanning() throws Exception {
    Choice<String> c = resolve(null, springBootParentShaped(Map.of("start-class",
        "com.example.demo.DemoApplication")), classes("a.One", "b.Two"));
    assertEquals(new Choice<>("com.example.demo.DemoApplication",
        "maven-jar-plugin's manifest mainClass"), c);
  }

  @Test
  void micronautParent_execMainClass_winsOverSeveralMains() throws Exception {
    // micronaut-parent: the project sets exec.mainClass; exec-maven-plugin is configured with it
    MavenProject p = Poms.project(Map.of("exec.mainClass", "example.micronaut.Application",
            "micronaut.version", "4.7.6"),
        Poms.plugin(JAR, null),
        Poms.plugin(MainClassResolver.EXEC_PLUGIN,
            "<executable>java</executable><mainClass>${exec.mainClass}</mainClass>"));
    assertEquals(new Choice<>("example.micronaut.Application", "the property exec.mainClass"),
        resolve(null, p, classes("example.micronaut.Application", "example.micronaut.Tool")));
  }

  @Test
  void jarPluginManifest_fromItsDefaultJarExecution_resolvingNestedProperties() throws Exception {
    MavenProject p = Poms.project(Map.of("app.package", "dev.app", "main.class",
            "${app.package}.Main"),
        Poms.withExecution(Poms.plugin(JAR, "<archive><manifest><mainClass>wrong.Main"
            + "</mainClass></manifest></archive>"), "default-jar",
            "<archive><manifest><mainClass>${main.class}</mainClass></manifest></archive>"));
    assertEquals(new Choice<>("dev.app.Main", "maven-jar-plugin's manifest mainClass"),
        resolve(null, p, classes()));
  }

  @Test
  void userProperty_overridesTheProjects_asMavenInterpolates() throws Exception {
    MavenProject p = Poms.project(Map.of("start-class", "a.FromPom"));
    assertEquals("a.FromCommandLine", MainClassResolver.resolve(null,
        new PomView(p, Map.of("start-class", "a.FromCommandLine")), classes()).value());
  }

  @Test
  void springBootPluginMainClass_whenNothingElseSaysIt() throws Exception {
    MavenProject p = Poms.project(Map.of(),
        Poms.plugin(MainClassResolver.SPRING_BOOT_PLUGIN, "<mainClass>app.Boot</mainClass>"));
    assertEquals(new Choice<>("app.Boot", "spring-boot-maven-plugin's mainClass"),
        resolve(null, p, classes("a.One", "b.Two")));
  }

  @Test
  void noMain_failsSayingWhereItLookedAndWhatToSet() throws Exception {
    ClassFiles none = classes();
    PlinthException e = assertThrows(PlinthException.class,
        () -> resolve(null, springBootParentShaped(Map.of()), none));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertEquals("no main class: no class in " + none.dir() + " has a main method, and the"
        + " project names none; maven-jar-plugin's mainClass '${start-class}',"
        + " spring-boot-maven-plugin's mainClass '${start-class}' are not a class name; set"
        + " <mainClass> in plinth-maven-plugin's <configuration> (or -Dplinth.mainClass=...)",
        e.getMessage());
  }

  @Test
  void severalMains_failsListingThem() throws Exception {
    ClassFiles two = classes("b.Second", "a.First");
    PlinthException e = assertThrows(PlinthException.class,
        () -> resolve(null, Poms.project(Map.of()), two));
    assertEquals("no main class: 2 classes in " + two.dir() + " have a main method (a.First,"
        + " b.Second); pick one with <mainClass>a.First</mainClass> in plinth-maven-plugin's"
        + " <configuration> (or -Dplinth.mainClass=...)", e.getMessage());
  }

  @Test
  void propertyCycle_staysUnresolved_andIsNotUsed() throws Exception {
    MavenProject p = Poms.project(Map.of("start-class", "${exec.mainClass}",
        "exec.mainClass", "${start-class}"));
    assertEquals("app.Only", resolve(null, p, classes("app.Only")).value());
  }
}
