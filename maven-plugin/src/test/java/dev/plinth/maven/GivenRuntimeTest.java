package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.BuildSpec;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The goal's {@code runtime}: a ready runtime directory in place of the linked one. */
class GivenRuntimeTest {
  @TempDir Path tmp;

  private static BuildSpec spec() throws PlinthException {
    return new BuildParameters("hello", "linux/amd64", BuildParameters.App.classpath("hello.Main",
        Path.of("/p/target/classes"), List.of()), 17, List.of("java.base"), null, false, null,
        null, null, null, null, null, null, null, false).toSpec();
  }

  @Test
  void noRuntime_leavesTheLinkedOne() throws Exception {
    BuildSpec spec = spec();
    assertSame(spec, BuildParameters.withRuntime(spec, null));
    assertNull(spec.java().runtime());
  }

  @Test
  void aRuntimeDirectory_isUsedAsIs_theRestUnchanged() throws Exception {
    Path runtime = tmp.resolve("runtime");
    Files.createDirectories(runtime.resolve("bin"));
    Files.writeString(runtime.resolve("bin/java"), "");
    BuildSpec spec = spec();
    BuildSpec given = BuildParameters.withRuntime(spec, tmp.resolve("x/../runtime"));
    assertEquals(runtime, given.java().runtime());
    assertEquals(spec.java().withRuntime(runtime), given.java());
    assertEquals(spec.withJava(given.java()), given);
  }

  @Test
  void aDirectoryWithoutJava_isAUsageErrorNamingTheParameterAndTheDirectory() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> BuildParameters.withRuntime(spec(), tmp));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith("runtime: " + tmp + " has no bin/java"), e.getMessage());
  }
}
