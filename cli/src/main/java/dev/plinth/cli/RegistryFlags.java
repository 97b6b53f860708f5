package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.oci.PlinthException;
import dev.plinth.registry.Credentials;
import dev.plinth.registry.ManifestFormat;
import dev.plinth.registry.RegistryOptions;
import java.io.PrintWriter;

/** The options of every command that may read from or write to a registry. */
final class RegistryFlags {
  private final Cli.Arg creds;
  private final Cli.Arg insecure;
  private final Cli.Arg credsRealm;
  private final Cli.Arg manifestFormat;
  private final Cli.Arg quiet;
  private final Cli.Arg json;

  /** Declares the options on a command's command line. */
  RegistryFlags(Cli cli) {
    creds = cli.option("--creds", "USER:PASSWORD",
        "Registry credentials (else PLINTH_REGISTRY_USER and PLINTH_REGISTRY_PASSWORD,"
            + " else Docker's config.json: auths, credsStore, credHelpers). Never printed.");
    insecure = cli.option("--insecure", "HOST[:PORT]",
        "Registries that may be spoken to over plain HTTP or unverified TLS (also"
            + " PLINTH_INSECURE_REGISTRIES). Loopback registries may use plain HTTP anyway.")
        .split();
    credsRealm = cli.option("--creds-realm", "HOST[:PORT]",
        "Token servers on another host that get the registry's credentials (by default only"
            + " the registry's own host and port, and Docker Hub's auth.docker.io, do).")
        .split();
    manifestFormat = cli.option("--manifest-format", "oci|v2s2",
        "Push OCI manifests and index (default for what plinth builds), or Docker v2"
            + " schema 2 manifests and a manifest list.");
    quiet = cli.flag("-q, --quiet", "No progress on stderr.");
    json = cli.flag("--json",
        "For machines: progress as JSON lines on stderr, the result as JSON on stdout"
            + " (as --format json).");
  }

  /** The build options with the registry settings of the flags and the environment. */
  Plinth.Options apply(Plinth.Options o, PrintWriter err)
      throws PlinthException {
    Credentials c = null;
    if (creds.value() != null) {
      try {
        c = Credentials.parse(creds.value(), "--creds");
      } catch (IllegalArgumentException e) {
        throw new PlinthException(PlinthException.Kind.USAGE, e.getMessage());
      }
    }
    RegistryOptions r = o.registry().withCredentials(o.registry().credentials().withFlag(c))
        .withInsecure(RegistryOptions.hosts(String.join(",", insecure.values())))
        .withCredsRealms(RegistryOptions.hosts(String.join(",", credsRealm.values())))
        .withProgress(display = TransferDisplay.choose(quiet.on(), json.on(), err));
    if (manifestFormat.value() != null) {
      r = r.withManifestFormat(ManifestFormat.parse(manifestFormat.value()));
    }
    java.util.function.Consumer<String> status = line -> {};
    if (display instanceof TransferDisplay t) {
      status = t::status;
    }
    return o.withRegistry(r).withStatus(status);
  }

  private dev.plinth.registry.Progress display;

  /** Ends the progress display (the status line on a terminal). */
  void done() {
    if (display instanceof TransferDisplay t) {
      t.close();
    }
  }

  /** The result format: json with --json, else the command's --format. */
  String format(String format) {
    return json.on() ? "json" : format;
  }

  /** The result format of a command that reports text or JSON: refused (usage) if neither. */
  String textOrJson(Cli.Arg format) throws PlinthException {
    String f = format(format.value());
    if (!f.equals("text") && !f.equals("json")) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--format must be text or json, not '" + f + "'");
    }
    return f;
  }
}
