package dev.plinth.cli;

import dev.plinth.build.BuildSpec;
import dev.plinth.build.Plinth;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "base", mixinStandardHelpOptions = true,
    description = {"Builds the minimal production image: plinth's init as PID 1, user nonroot"
        + " (65532), the filesystem hierarchy and a static nologin.",
        "Example: plinth base --to oci-archive:base.tar"})
final class BaseCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--to", required = true, paramLabel = "REF",
      description = "Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG] or"
          + " docker-archive:FILE[:NAME:TAG] (one platform).")
  String to;

  @Option(names = "--platform", paramLabel = "LIST", defaultValue = "linux/amd64,linux/arm64",
      description = "Comma-separated platforms (default: ${DEFAULT-VALUE}).")
  String platform;

  @Option(names = "--init", paramLabel = "plinth|none", defaultValue = "plinth",
      description = "The PID 1 init: plinth's own (default) or none.")
  String init;

  @Option(names = "--arbitrary-user",
      description = "Home and writable directories group 0 and group-writable, for platforms"
          + " that run an arbitrary uid in group 0 (OpenShift).")
  boolean arbitraryUser;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "How to report what was written (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    BuildSpec spec = BuildSpec.base(Targets.platforms(platform)).withArbitraryUser(arbitraryUser);
    spec = switch (init) {
      case "plinth" -> spec;
      case "none" -> spec.withInit(BuildSpec.Init.NONE);
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "--init must be plinth or none, not '" + init + "'");
    };
    ImageRef target = ImageRef.parse(to);
    Targets.print(Plinth.build(spec, target, Plinth.Options.fromEnvironment(main.env)),
        format, main.spec.commandLine().getOut());
    return 0;
  }
}
