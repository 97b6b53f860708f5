package dev.plinth.cli;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import java.nio.file.Path;

final class BuildCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth build",
      "Builds the image a plinth.yaml describes.",
      "Debian packages come from plinth.lock next to the build file when it is current;"
          + " otherwise they are resolved afresh (--locked makes that an error).",
      "Example: plinth build -f plinth.yaml --to oci:out/layout:v1");

  private final Cli.Arg file = cli.option("-f, --file", "FILE",
      "The build file (default: plinth.yaml).")
      .defaultValue("plinth.yaml");

  private final Cli.Arg to = Targets.to(cli);

  private final Cli.Arg platform = cli.option("--platform", "LIST",
      "Comma-separated platforms, overriding the file's 'platforms'.");

  private final Cli.Arg locked = cli.flag("--locked",
      "Fail unless plinth.lock (next to the build file) is current, instead of resolving"
          + " packages again; for CI and reproducible builds.");

  private final Cli.Arg compression = cli.option("--compression", "gzip|zstd|zstd:LEVEL",
      "How the layers plinth builds are compressed, overriding the file's 'compression'"
          + " (default gzip; zstd is level 6, LEVEL 1-19). zstd is smaller and faster to unpack"
          + " (a Java runtime's module image is then stored uncompressed); podman, containerd and"
          + " skopeo read it, docker-archive and the Docker daemon do not.");
  private final Cli.Arg allowMissingLibraries = cli.flag("--allow-missing-libraries",
      "Build even when an ELF file in the image needs a library or program interpreter the"
          + " image lacks (the build lists them as notes); as allowMissingLibraries: true.");

  private final Cli.Arg timeFromCommit = cli.flag("--time-from-commit",
      "Date the files and the image by the last commit of the git repository the build file is"
          + " in, instead of 1970 (SOURCE_DATE_EPOCH, when set, stays the rule).");

  private final BuildFileFlags buildFile = new BuildFileFlags(cli);

  private final Cli.Arg format = Targets.format(cli);

  private final RegistryFlags registry = new RegistryFlags(cli);

  private final SignFlags sign = new SignFlags(cli);

  private final AttestFlags attest = new AttestFlags(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    ImageRef target = ImageRef.parse(to.value());
    Path yaml = Path.of(file.value());
    BuildSpec spec = buildFile.load(yaml);
    if (platform.value() != null) {
      spec = spec.withPlatforms(Targets.platforms(platform.value()));
    }
    if (allowMissingLibraries.on()) {
      spec = spec.withAllowMissingLibraries(true);
    }
    var kinds = attest.kinds(sign, target);
    java.security.PrivateKey key = sign.open(target, context, !kinds.isEmpty());
    Plinth.Options options = registry.apply(context.options().withLocked(locked.on()), context);
    String sourceDate = context.env().get("SOURCE_DATE_EPOCH");
    if (timeFromCommit.on() && (sourceDate == null || sourceDate.isBlank())) {
      Path dir = yaml.toAbsolutePath().getParent();
      options = options.withEpochSeconds(dev.plinth.builder.SourceDates.lastCommit(dir));
    }
    if (compression.value() != null) {
      options = options.withCompression(dev.plinth.oci.Compression.parse(compression.value(),
          options.gzipLevel(), "--compression"));
    }
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
    AttestFlags.attest(kinds, key, result, yaml,
        spec.packages() != null && spec.packages().lockFile() != null ? spec.packages().lockFile()
        : yaml.resolveSibling("plinth.lock"), options.epochSeconds(),
        options.registry(), fmt.equals("json") ? context.err() : context.out());
    return 0;
  }
}
