package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.audit.Audit;
import dev.plinth.audit.AuditReport;
import dev.plinth.audit.ReportFormats;
import dev.plinth.audit.Severity;
import dev.plinth.audit.Suppression;
import dev.plinth.audit.Suppressions;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class AuditCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth audit",
      "Checks an image against the production standard (non-root user, an init as PID 1, the"
          + " filesystem hierarchy, no secrets, every binary's libraries present, ...), every"
          + " platform of an index. docs/audit.md explains each rule.",
      "Exits 1 when a finding is at or above --fail-on.",
      "Examples:",
      "  plinth audit oci-archive:hello.tar",
      "  plinth audit docker-archive:app.tar --format sarif > audit.sarif");

  private final Cli.Arg ref = cli.parameter("REF",
      "oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:DIR, docker-archive:FILE[:NAME:TAG],"
          + " docker-daemon:NAME:TAG or a registry reference such as localhost:5000/app:1.")
      .required();

  private final Cli.Arg format = cli.option("--format", "text|json|sarif",
      "Output: a table (default), JSON, or SARIF 2.1.0 for code scanning.")
      .defaultValue("text");

  private final Cli.Arg failOn = cli.option("--fail-on", "error|warning|info|none",
      "The lowest severity that makes the audit fail with exit code 1 (default: error; none:"
          + " report only).")
      .defaultValue("error");

  private final Cli.Arg maxSize = cli.option("--max-size", "SIZE",
      "Size budget per platform, compressed (what a pull moves), e.g. 50MB or 48MiB; over it is"
          + " an error (PL052).");

  private final Cli.Arg platforms = cli.option("--platforms, --platform", "LIST",
      "Comma-separated platforms the index must have, e.g. linux/amd64,linux/arm64; a missing"
          + " one is an error (PL050).");

  private final Cli.Arg ignore = cli.option("--ignore", "RULE[:PATH]",
      "Accept the findings of a rule (id or name), only at PATH when given (a glob: * within a"
          + " name, ** across directories); comma-separated or repeated. They are reported as"
          + " suppressed and fail nothing.")
      .split();

  private final Cli.Arg ignoreFile = cli.option("--ignore-file", "FILE",
      "Accepted findings with their reasons (default: " + Suppressions.DEFAULT_FILE
          + " in the current directory, when it exists); see docs/audit.md.");

  @Override
  public int run(Cli.Context context) throws Exception {
    String fmt = format.value();
    if (!List.of("text", "json", "sarif").contains(fmt)) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--format must be text, json or sarif, not '" + fmt + "'");
    }
    Audit.Options options = Audit.Options.DEFAULT.withFailOn(
        failOn.value().equals("none") ? null : Severity.parse(failOn.value(), "--fail-on"));
    if (maxSize.value() != null) {
      options = options.withMaxCompressedBytes(Audit.parseSize(maxSize.value(), "--max-size"));
    }
    if (platforms.value() != null) {
      List<Platform> list = new ArrayList<>();
      for (String p : platforms.value().split(",")) {
        try {
          list.add(Platform.parse(p));
        } catch (IllegalArgumentException e) {
          throw new PlinthException(PlinthException.Kind.USAGE, "--platforms: " + e.getMessage());
        }
      }
      options = options.withPlatforms(list);
    }
    List<Suppression> suppressions = new ArrayList<>();
    Path file = Path.of(ignoreFile.value() == null ? Suppressions.DEFAULT_FILE
        : ignoreFile.value());
    if (ignoreFile.value() != null || Files.exists(file)) {
      suppressions.addAll(Suppressions.load(file));
    }
    for (String i : ignore.values()) {
      suppressions.add(Suppression.parse(i, "--ignore " + i, "accepted with --ignore"));
    }
    options = options.withSuppressions(suppressions);
    AuditReport report = Plinth.audit(ImageRef.parse(ref.value()), options,
        context.options());
    PrintWriter out = context.out();
    switch (fmt) {
      case "json" -> out.println(Json.writePretty(ReportFormats.json(report)));
      case "sarif" -> out.println(Json.writePretty(ReportFormats.sarif(report)));
      default -> ReportFormats.text(report, out);
    }
    return report.failed() ? ExitCode.FINDINGS.code : ExitCode.OK.code;
  }
}
