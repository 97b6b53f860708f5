package dev.plinth.cli;

import dev.plinth.build.BuildSpec;
import dev.plinth.build.Plinth;
import dev.plinth.build.PlinthYaml;
import dev.plinth.oci.ImageRef;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "build", mixinStandardHelpOptions = true,
    description = {"Builds the image a plinth.yaml describes.",
        "Debian packages come from plinth.lock next to the build file when it is current;"
            + " otherwise they are resolved afresh (--locked makes that an error).",
        "Example: plinth build -f plinth.yaml --to oci:out/layout:v1"})
final class BuildCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RegistryFlags registry;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", defaultValue = "plinth.yaml",
      description = "The build file (default: ${DEFAULT-VALUE}).")
  Path file;

  @Option(names = "--to", required = true, paramLabel = "REF",
      description = "Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG],"
          + " docker-archive:FILE[:NAME:TAG] (one platform), docker-daemon:NAME:TAG (loads the"
          + " daemon's own platform into Docker or Podman at $DOCKER_HOST), or a registry:"
          + " HOST[:PORT]/REPO[:TAG] (docker:// before it is accepted).")
  String to;

  @Option(names = "--platform", paramLabel = "LIST",
      description = "Comma-separated platforms, overriding the file's 'platforms'.")
  String platform;

  @Option(names = "--locked",
      description = "Fail unless plinth.lock (next to the build file) is current, instead of"
          + " resolving packages again; for CI and reproducible builds.")
  boolean locked;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "How to report what was written (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    ImageRef target = ImageRef.parse(to);
    BuildSpec spec = PlinthYaml.load(file);
    if (platform != null) {
      spec = spec.withPlatforms(Targets.platforms(platform));
    }
    Plinth.Options options = registry.apply(
        Plinth.Options.fromEnvironment(main.env).withLocked(locked), main.env,
        main.spec.commandLine().getErr());
    dev.plinth.build.BuildResult result;
    try {
      result = Plinth.build(spec, target, options);
    } finally {
      registry.done();
    }
    Targets.print(result, registry.format(format), main.spec.commandLine().getOut());
    return 0;
  }
}
