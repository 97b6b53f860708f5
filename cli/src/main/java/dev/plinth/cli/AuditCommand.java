package dev.plinth.cli;

import dev.plinth.build.Plinth;
import dev.plinth.build.audit.Audit;
import dev.plinth.build.audit.AuditReport;
import dev.plinth.build.audit.ReportFormats;
import dev.plinth.build.audit.Severity;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "audit", mixinStandardHelpOptions = true,
    description = {"Checks an image against the production standard (non-root user, an init as"
        + " PID 1, the filesystem hierarchy, no secrets, every binary's libraries present, ...),"
        + " every platform of an index. docs/audit.md explains each rule.",
        "Exits 1 when a finding is at or above --fail-on.",
        "Example: plinth audit oci-archive:hello.tar",
        "         plinth audit docker-archive:app.tar --format sarif > audit.sarif"})
final class AuditCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "REF",
      description = "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or a"
          + " registry reference such as localhost:5000/app:1.")
  String ref;

  @Option(names = "--format", paramLabel = "text|json|sarif", defaultValue = "text",
      description = "Output: a table (default), JSON, or SARIF 2.1.0 for code scanning.")
  String format;

  @Option(names = "--fail-on", paramLabel = "error|warning|info|none", defaultValue = "error",
      description = "The lowest severity that makes the audit fail with exit code 1"
          + " (default: ${DEFAULT-VALUE}; none: report only).")
  String failOn;

  @Option(names = "--max-size", paramLabel = "SIZE",
      description = "Size budget per platform, compressed (what a pull moves), e.g. 50MB or"
          + " 48MiB; over it is an error (PL052).")
  String maxSize;

  @Option(names = {"--platforms", "--platform"}, paramLabel = "LIST",
      description = "Comma-separated platforms the index must have, e.g."
          + " linux/amd64,linux/arm64; a missing one is an error (PL050).")
  String platforms;

  @Override
  public Integer call() throws Exception {
    if (!List.of("text", "json", "sarif").contains(format)) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--format must be text, json or sarif, not '" + format + "'");
    }
    Audit.Options options = Audit.Options.DEFAULT.withFailOn(
        failOn.equals("none") ? null : Severity.parse(failOn, "--fail-on"));
    if (maxSize != null) {
      options = options.withMaxCompressedBytes(Audit.parseSize(maxSize, "--max-size"));
    }
    if (platforms != null) {
      List<Platform> list = new ArrayList<>();
      for (String p : platforms.split(",")) {
        try {
          list.add(Platform.parse(p));
        } catch (IllegalArgumentException e) {
          throw new PlinthException(PlinthException.Kind.USAGE, "--platforms: " + e.getMessage());
        }
      }
      options = options.withPlatforms(list);
    }
    AuditReport report = Audit.audit(ImageRef.parse(ref), options,
        Plinth.Options.fromEnvironment(main.env));
    PrintWriter out = main.spec.commandLine().getOut();
    switch (format) {
      case "json" -> out.println(Json.writePretty(ReportFormats.json(report)));
      case "sarif" -> out.println(Json.writePretty(ReportFormats.sarif(report)));
      default -> ReportFormats.text(report, out);
    }
    return report.failed() ? ExitCode.FINDINGS.code : ExitCode.OK.code;
  }
}
