package dev.plinth.cli;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.util.List;

final class BaseCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth base",
      "Builds the minimal production image: plinth's init as PID 1, user nonroot (65532), the"
          + " filesystem hierarchy and a static nologin; optionally Debian packages.",
      "Examples:",
      "  plinth base --to oci-archive:base.tar",
      "  plinth base --with ca-certificates,tzdata --to oci-archive:base-full.tar");

  private final Cli.Arg to = Targets.to(cli);

  private final Cli.Arg platform = cli.option("--platform", "LIST",
      "Comma-separated platforms (default: linux/amd64,linux/arm64).")
      .defaultValue("linux/amd64,linux/arm64");

  private final Cli.Arg init = cli.option("--init", "plinth|tini|none",
      "The PID 1 init: plinth's own (default), tini-static from Debian's tini package, or none.")
      .defaultValue("plinth");

  private final Cli.Arg with = cli.option("--with", "PACKAGES",
      "Debian packages to add, with their dependencies, e.g. ca-certificates,tzdata. The mirror"
          + " is $PLINTH_DEBIAN_MIRROR, else the host's apt sources; the suite is bookworm (see"
          + " --suite).")
      .split();

  private final Cli.Arg suite = cli.option("--suite", "SUITE",
      "The Debian suite packages come from (default: bookworm).")
      .defaultValue("bookworm");

  private final Cli.Arg arbitraryUser = cli.flag("--arbitrary-user",
      "Home and writable directories group 0 and group-writable, for platforms that run an"
          + " arbitrary uid in group 0 (OpenShift).");

  private final Cli.Arg format = Targets.format(cli);

  private final RegistryFlags registry = new RegistryFlags(cli);

  private final SignFlags sign = new SignFlags(cli);

  private final AttestFlags attest = new AttestFlags(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    List<Platform> platforms = Targets.platforms(platform.value());
    BuildSpec.Init pid1 = switch (init.value()) {
      case "plinth" -> BuildSpec.Init.PLINTH;
      case "none" -> BuildSpec.Init.NONE;
      case "tini" -> BuildSpec.Init.TINI;
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "--init must be plinth, tini or none, not '" + init.value() + "'");
    };
    for (String name : with.values()) {
      if (!name.matches("[a-z0-9][a-z0-9+.-]+")) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "--with: '" + name + "' is not a Debian package name");
      }
    }
    if (!suite.value().matches("[a-z0-9][a-z0-9_.-]*")) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--suite: '" + suite.value() + "' is not a suite name such as bookworm");
    }
    BuildSpec spec = BuildSpec.base(platforms, pid1, arbitraryUser.on(),
        new BuildSpec.Packages(with.values().stream().distinct().toList(),
            List.of(), suite.value(), List.of("main"), null, List.of(), null));
    ImageRef target = ImageRef.parse(to.value());
    var kinds = attest.kinds(sign, target);
    java.security.PrivateKey key = sign.open(target, context, !kinds.isEmpty());
    Plinth.Options options = registry.apply(context.options(), context);
    dev.plinth.builder.BuildResult result;
    try {
      result = Plinth.build(spec, target, options);
    } finally {
      registry.done();
    }
    String fmt = registry.format(format.value());
    Targets.print(result, fmt, context.out());
    SignFlags.sign(key, target, result.top().digest(), options.registry(),
        fmt.equals("json") ? context.err() : context.out());
    AttestFlags.attest(kinds, key, result, null,
        null, options.epochSeconds(),
        options.registry(), fmt.equals("json") ? context.err() : context.out());
    return 0;
  }
}
