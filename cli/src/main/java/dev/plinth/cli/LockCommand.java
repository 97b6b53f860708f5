package dev.plinth.cli;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

final class LockCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth lock",
      "Resolves the Debian packages of a plinth.yaml (and its Java runtime's) for every platform and writes plinth.lock"
          + " next to it: each package's name, version, architecture, filename, size and sha256."
          + " Builds then install exactly these files.",
      "Example: plinth lock -f plinth.yaml");

  private final Cli.Arg file = cli.option("-f, --file", "FILE",
      "The build file (default: plinth.yaml).")
      .defaultValue("plinth.yaml");

  private final Cli.Arg output = cli.option("-o, --output", "FILE",
      "Where to write the lock (default: plinth.lock next to the build file).");

  private final Cli.Arg platform = cli.option("--platform", "LIST",
      "Comma-separated platforms, overriding the file's 'platforms'.");

  private final BuildFileFlags buildFile = new BuildFileFlags(cli);

  private final Cli.Arg format = cli.option("--format", "text|json",
      "How to report the result (default: text).")
      .defaultValue("text");

  @Override
  public int run(Cli.Context context) throws Exception {
    Path yaml = Path.of(file.value());
    BuildSpec spec = buildFile.load(yaml);
    if (platform.value() != null) {
      spec = spec.withPlatforms(Targets.platforms(platform.value()));
    }
    PrintWriter err = context.err();
    // a Java runtime is linked to know its libraries: say what takes long
    Plinth.LockResult r = Plinth.lock(spec, output.value() == null ? null : Path.of(output.value()),
        context.options().withListener(line -> {
          synchronized (err) {
            err.println("plinth: " + line);
            err.flush();
          }
        }));
    PrintWriter out = context.out();
    switch (format.value()) {
      case "text" -> {
        r.notes().forEach(out::println);
        out.println("wrote " + r.file());
      }
      case "json" -> out.print(new String(r.lock().toJson(), StandardCharsets.UTF_8));
      default -> throw new dev.plinth.oci.PlinthException(
          dev.plinth.oci.PlinthException.Kind.USAGE,
          "--format must be text or json, not '" + format.value() + "'");
    }
    return 0;
  }
}
