package dev.plinth.cli;

import dev.plinth.build.BuildSpec;
import dev.plinth.build.Plinth;
import dev.plinth.build.PlinthYaml;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "lock", mixinStandardHelpOptions = true,
    description = {"Resolves the Debian packages of a plinth.yaml for every platform and writes"
        + " plinth.lock next to it: each package's name, version, architecture, filename, size"
        + " and sha256. Builds then install exactly these files.",
        "Example: plinth lock -f plinth.yaml"})
final class LockCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = {"-f", "--file"}, paramLabel = "FILE", defaultValue = "plinth.yaml",
      description = "The build file (default: ${DEFAULT-VALUE}).")
  Path file;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "Where to write the lock (default: plinth.lock next to the build file).")
  Path output;

  @Option(names = "--platform", paramLabel = "LIST",
      description = "Comma-separated platforms, overriding the file's 'platforms'.")
  String platform;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "How to report the result (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    BuildSpec spec = PlinthYaml.load(file);
    if (platform != null) {
      spec = spec.withPlatforms(Targets.platforms(platform));
    }
    Plinth.LockResult r = Plinth.lock(spec, output, Plinth.Options.fromEnvironment(main.env));
    var out = main.spec.commandLine().getOut();
    switch (format) {
      case "text" -> {
        r.notes().forEach(out::println);
        out.println("wrote " + r.file());
      }
      case "json" -> out.print(new String(r.lock().toJson(), java.nio.charset.StandardCharsets.UTF_8));
      default -> throw new dev.plinth.oci.PlinthException(
          dev.plinth.oci.PlinthException.Kind.USAGE,
          "--format must be text or json, not '" + format + "'");
    }
    return 0;
  }
}
