package dev.plinth.cli.it;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A compiled example server of docs/apps.md ({@code examples/NAME}, its build.sh compiling
 * {@code /app/server} for amd64 and arm64): what each must do is be under 6 MB on both platforms,
 * and on both, run by podman, answer, run as nonroot under plinth's init and stop with exit 0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CompiledServerIT {
  Recipes.Built built;

  /** The example's directory name under examples/. */
  abstract String example();

  /** The compilers its build.sh needs on the host (the test fails without them). */
  abstract String[] compilers();

  /** Asserts what the running server answers. */
  abstract void answers(Recipes.Running r) throws Exception;

  /** Asserts what the server logged, once stopped. */
  abstract void logged(String logs);

  /** {@code dir}: the class's own, removed after its last test. */
  @BeforeAll
  void compileAndBuild(@TempDir Path dir) throws Exception {
    built = Recipes.compileAndBuild(example(), dir, compilers());
  }

  @Test
  void bothPlatforms_under6MB() {
    built.assertEachUnder(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void answers_asNonrootUnderTheInit_andStopsWithExitZero(String arch) throws Exception {
    try (Recipes.Running r = Recipes.start(built.image(), arch, "/")) {
      answers(r);
      Recipes.assertNonrootUnderTheInit(r, List.of("/app/server"));
      Recipes.assertStopsWithExitZero(r);
      logged(Peers.podman().logs(r.id()));
    }
  }
}
