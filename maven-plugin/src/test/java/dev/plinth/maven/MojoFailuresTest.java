package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.ContentMismatchException;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.junit.jupiter.api.Test;

/** A goal's failures become Maven's exceptions by their type, as the CLI's exit codes do. */
class MojoFailuresTest {
  @Test
  void failuresOfTheProject_areMojoFailures_byTheirKindAlone() {
    for (PlinthException.Kind k : new PlinthException.Kind[] {PlinthException.Kind.USAGE,
        PlinthException.Kind.NOT_FOUND, PlinthException.Kind.BAD_INPUT}) {
      MojoFailureException e = assertThrows(MojoFailureException.class,
          () -> MojoFailures.raise(new PlinthException(k, "bad " + k)));
      assertEquals("bad " + k, e.getMessage());
    }
    // stream-borne, an IOException: still a failure of its kind, nothing unwrapped
    assertEquals("digest differs", assertThrows(MojoFailureException.class,
        () -> MojoFailures.raise(new ContentMismatchException("digest differs"))).getMessage());
    assertThrows(MojoFailureException.class, () -> MojoFailures.raise(
        new StreamFailure(PlinthException.Kind.NOT_FOUND, "401 from the registry")));
  }

  @Test
  void outputAndOtherIoFailures_areExecutionExceptions() {
    assertThrows(MojoExecutionException.class, () -> MojoFailures.raise(
        new PlinthException(PlinthException.Kind.OUTPUT, "disk full")));
    assertEquals("broken pipe", assertThrows(MojoExecutionException.class,
        () -> MojoFailures.raise(new IOException("broken pipe"))).getMessage());
  }

  @Test
  void errorsAndBugs_areInternalErrors_withAHint() {
    MojoExecutionException oom = assertThrows(MojoExecutionException.class,
        () -> MojoFailures.raise(new OutOfMemoryError("Java heap space")));
    assertTrue(oom.getMessage().startsWith("plinth: internal error: java.lang.OutOfMemoryError:"
        + " Java heap space; give Maven's JVM more memory"), oom.getMessage());
    assertTrue(assertThrows(MojoExecutionException.class,
        () -> MojoFailures.raise(new StackOverflowError())).getMessage().contains("MAVEN_OPTS"));
    assertTrue(assertThrows(MojoExecutionException.class,
        () -> MojoFailures.raise(new IllegalStateException("bug"))).getMessage()
        .startsWith("plinth: internal error: java.lang.IllegalStateException: bug"));
  }
}
