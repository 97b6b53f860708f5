package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where plinth looks for a JDK of the build's version, and what the suite defaults to. */
class JdksTest {
  @TempDir Path tmp;

  /** A JDK home as its release file and tools describe it (nothing is run). */
  private Path jdk(String name, String version, String implementor) throws Exception {
    Path home = Files.createDirectories(tmp.resolve("jvm").resolve(name));
    String osArch = Jdks.hostArch().equals("arm64") ? "aarch64" : "x86_64";
    Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"" + implementor + "\"\n"
        + "JAVA_RUNTIME_VERSION=\"" + version + "+1\"\nJAVA_VERSION=\"" + version + "\"\n"
        + "OS_ARCH=\"" + osArch + "\"\n");
    Files.createDirectories(home.resolve("bin"));
    for (String tool : List.of("jlink", "jdeps", "java")) {
      Path t = Files.writeString(home.resolve("bin").resolve(tool), "#!/bin/sh\n");
      t.toFile().setExecutable(true);
    }
    return home;
  }

  @Test
  void find_takesTheFirstJdkOfTheVersion_inADirectoryOfJdksOrAHome() throws Exception {
    Path j17 = jdk("a-17", "17.0.15", "Debian");
    jdk("b-25", "25.0.3", "Eclipse Adoptium");
    JavaRuntime.Jdk found = Jdks.find(25, List.of(j17, tmp.resolve("jvm")));
    assertEquals(tmp.resolve("jvm/b-25").toRealPath(), found.home());
    assertEquals("25.0.3", found.version());
    assertEquals(List.of(found.home().resolve("bin/jlink").toString()), found.command("jlink"));
    assertEquals("host JDK Eclipse Adoptium 25.0.3+1 (" + Jdks.hostArch() + ")",
        found.identity(), "what it is, not where");
  }

  @Test
  void aMachineWhoseOnlyJdkIs17_hasNoJdk25() throws Exception {
    Path j17 = jdk("17", "17.0.15", "Debian");
    assertNull(Jdks.find(25, List.of(j17)));
    assertEquals(17, Jdks.find(17, List.of(j17)).feature());
    assertNull(Jdks.find(17, List.of(tmp.resolve("nowhere"))));
  }

  @Test
  void aJdkWithoutJlink_isNotTaken() throws Exception {
    Path j = jdk("jre-25", "25.0.5", "Debian");
    Files.delete(j.resolve("bin/jlink"));
    assertNull(Jdks.find(25, List.of(j)));
  }

  @Test
  void defaultSuite_followsTheVersion_anotherVersionNeedsASuite() throws Exception {
    assertEquals("bookworm", JavaSpec.defaultSuite(17));
    assertEquals("trixie", JavaSpec.defaultSuite(21));
    assertEquals("trixie", JavaSpec.defaultSuite(25));
    PlinthException e = org.junit.jupiter.api.Assertions.assertThrows(PlinthException.class,
        () -> JavaSpec.defaultSuite(22));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertNotEquals(-1, e.getMessage().indexOf("java.suite"), e.getMessage());
    JavaSpec given = new JavaSpec(null, "M", List.of(), JavaSpec.UNSET, List.of(), List.of(),
        null, "forky");
    assertEquals("forky", given.resolved(26).suite(), "a given suite stays");
    assertEquals(26, given.resolved(26).version());
  }
}
