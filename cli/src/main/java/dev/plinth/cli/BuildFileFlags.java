package dev.plinth.cli;

import dev.plinth.builder.BuildContext;
import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.PlinthYaml;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;

/** --context and --allow-outside-context, for the commands that read a build file. */
final class BuildFileFlags {
  private final Cli.Arg contextDir;
  private final Cli.Arg allowOutside;

  BuildFileFlags(Cli cli) {
    contextDir = cli.option("--context", "DIR",
        "The build context: the directory every path in the build file must lie in"
            + " (default: the build file's directory).");
    allowOutside = cli.flag("--allow-outside-context",
        "Let the build file read files outside the build context (through '..', absolute paths"
            + " or symlinks); never from the build file itself.");
  }

  /** Loads the build file within the context the flags name. */
  BuildSpec load(Path yaml) throws PlinthException {
    return PlinthYaml.load(yaml, new BuildContext(contextDir.value() == null
        ? yaml.toAbsolutePath().normalize().getParent() : Path.of(contextDir.value()),
        allowOutside.on()));
  }
}
