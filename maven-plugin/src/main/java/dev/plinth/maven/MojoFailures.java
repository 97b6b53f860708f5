package dev.plinth.maven;

import dev.plinth.oci.Failure;
import java.io.IOException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;

/**
 * What a goal's failure becomes in Maven, by its type alone, as the CLI's exit codes are: a
 * {@link Failure} of the project's making (a bad configuration or input, something named that is
 * not there) a {@link MojoFailureException}, "BUILD FAILURE"; one of writing the output, another
 * IOException, or a bug or an Error such as OutOfMemoryError a {@link MojoExecutionException}.
 */
final class MojoFailures {
  private MojoFailures() {}

  /** Throws {@code e} as the Maven exception its type says. */
  static void raise(Throwable e) throws MojoExecutionException, MojoFailureException {
    if (e instanceof Failure f) {
      switch (f.kind()) {
        case USAGE, BAD_INPUT, NOT_FOUND -> throw new MojoFailureException(f.getMessage(), e);
        case OUTPUT -> throw new MojoExecutionException(f.getMessage(), e);
      }
    }
    if (e instanceof IOException) {
      throw new MojoExecutionException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
    String hint = e instanceof OutOfMemoryError ? "; give Maven's JVM more memory (e.g."
        + " MAVEN_OPTS=-Xmx4g)" : e instanceof StackOverflowError ? "; give Maven's JVM more"
        + " stack (e.g. MAVEN_OPTS=-Xss8m)" : "; please report it, with mvn -e's stack trace";
    throw new MojoExecutionException("plinth: internal error: " + e + hint, e);
  }
}
