package dev.plinth.cli;

import dev.plinth.build.Plinth;
import dev.plinth.oci.PlinthException;
import dev.plinth.registry.CredentialStore;
import dev.plinth.registry.Credentials;
import dev.plinth.registry.ManifestFormat;
import dev.plinth.registry.RegistryOptions;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of every command that may read from or write to a registry. */
final class RegistryFlags {
  @Option(names = "--creds", paramLabel = "USER:PASSWORD",
      description = "Registry credentials (else PLINTH_REGISTRY_USER and PLINTH_REGISTRY_PASSWORD,"
          + " else Docker's config.json: auths, credsStore, credHelpers). Never printed.")
  String creds;

  @Option(names = "--insecure", paramLabel = "HOST[:PORT]", split = ",",
      description = "Registries that may be spoken to over plain HTTP or unverified TLS (also"
          + " PLINTH_INSECURE_REGISTRIES). Loopback registries may use plain HTTP anyway.")
  List<String> insecure = new ArrayList<>();

  @Option(names = "--manifest-format", paramLabel = "oci|v2s2",
      description = "Push OCI manifests and index (default for what plinth builds), or Docker v2"
          + " schema 2 manifests and a manifest list.")
  String manifestFormat;

  @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
  boolean quiet;

  @Option(names = "--json",
      description = "For machines: progress as JSON lines on stderr, the result as JSON on stdout"
          + " (as --format json).")
  boolean json;

  /** The build options with the registry settings of the flags and the environment. */
  Plinth.Options apply(Plinth.Options o, Map<String, String> env, PrintWriter err)
      throws PlinthException {
    Credentials c = null;
    if (creds != null) {
      try {
        c = Credentials.parse(creds, "--creds");
      } catch (IllegalArgumentException e) {
        throw new PlinthException(PlinthException.Kind.USAGE, e.getMessage());
      }
    }
    RegistryOptions r = o.registry().withCredentials(new CredentialStore(c, env))
        .withInsecure(RegistryOptions.hosts(String.join(",", insecure)))
        .withProgress(display = TransferDisplay.choose(quiet, json, err));
    if (manifestFormat != null) {
      r = r.withManifestFormat(ManifestFormat.parse(manifestFormat));
    }
    return o.withRegistry(r);
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
    return json ? "json" : format;
  }
}
