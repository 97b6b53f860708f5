package dev.plinth.cli;

import dev.plinth.build.BuildSpec;
import dev.plinth.build.Plinth;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "base", mixinStandardHelpOptions = true,
    description = {"Builds the minimal production image: plinth's init as PID 1, user nonroot"
        + " (65532), the filesystem hierarchy and a static nologin; optionally Debian packages.",
        "Example: plinth base --to oci-archive:base.tar",
        "         plinth base --with ca-certificates,tzdata --to oci-archive:base-full.tar"})
final class BaseCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RegistryFlags registry;

  @Option(names = "--to", required = true, paramLabel = "REF",
      description = "Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG],"
          + " docker-archive:FILE[:NAME:TAG] (one platform), docker-daemon:NAME:TAG (loads the"
          + " daemon's own platform into Docker or Podman at $DOCKER_HOST), or a registry:"
          + " HOST[:PORT]/REPO[:TAG] (docker:// before it is accepted).")
  String to;

  @Option(names = "--platform", paramLabel = "LIST", defaultValue = "linux/amd64,linux/arm64",
      description = "Comma-separated platforms (default: ${DEFAULT-VALUE}).")
  String platform;

  @Option(names = "--init", paramLabel = "plinth|tini|none", defaultValue = "plinth",
      description = "The PID 1 init: plinth's own (default), tini-static from Debian's tini"
          + " package, or none.")
  String init;

  @Option(names = "--with", paramLabel = "PACKAGES", split = ",",
      description = "Debian packages to add, with their dependencies, e.g."
          + " ca-certificates,tzdata. The mirror is $PLINTH_DEBIAN_MIRROR, else the host's apt"
          + " sources; the suite is bookworm (see --suite).")
  java.util.List<String> with = new java.util.ArrayList<>();

  @Option(names = "--suite", paramLabel = "SUITE", defaultValue = "bookworm",
      description = "The Debian suite packages come from (default: ${DEFAULT-VALUE}).")
  String suite;

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
      case "tini" -> spec.withInit(BuildSpec.Init.TINI);
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "--init must be plinth, tini or none, not '" + init + "'");
    };
    for (String name : with) {
      if (!name.matches("[a-z0-9][a-z0-9+.-]+")) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "--with: '" + name + "' is not a Debian package name");
      }
    }
    if (!suite.matches("[a-z0-9][a-z0-9_.-]*")) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--suite: '" + suite + "' is not a suite name such as bookworm");
    }
    spec = spec.withPackages(new BuildSpec.Packages(with.stream().distinct().toList(),
        java.util.List.of(), suite, java.util.List.of("main"), null, java.util.List.of(), null));
    ImageRef target = ImageRef.parse(to);
    Plinth.Options options = registry.apply(Plinth.Options.fromEnvironment(main.env), main.env,
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
