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
  private final Cli.Arg passwordStdin;
  private final Cli.Arg insecure;
  private final Cli.Arg credsRealm;
  private final Cli.Arg manifestFormat;
  private final Cli.Arg quiet;
  private final Cli.Arg json;

  /** Declares the options on a command's command line. */
  RegistryFlags(Cli cli) {
    creds = cli.option("--creds", "USER[:PASSWORD]",
        "Registry credentials (else PLINTH_REGISTRY_USER and PLINTH_REGISTRY_PASSWORD,"
            + " else Docker's config.json: auths, credsStore, credHelpers). Never printed."
            + " With --password-stdin, USER alone.");
    passwordStdin = cli.flag("--password-stdin",
        "Read the registry password (or token) from standard input, for --creds USER: it"
            + " stays out of the command line, the shell history and the process list.");
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
  Plinth.Options apply(Plinth.Options o, Cli.Context context)
      throws PlinthException {
    PrintWriter err = context.err();
    Credentials c = null;
    if (passwordStdin.on()) {
      c = fromStdin(context);
    } else if (creds.value() != null) {
      try {
        c = Credentials.parse(creds.value(), "--creds");
      } catch (IllegalArgumentException e) {
        throw new PlinthException(PlinthException.Kind.USAGE, e.getMessage()
            + " (or --creds USER --password-stdin, with the password on standard input)");
      }
    }
    RegistryOptions r = o.registry().withCredentials(o.registry().credentials().withFlag(c))
        .withInsecure(RegistryOptions.hosts(String.join(",", insecure.values())))
        .withCredsRealms(RegistryOptions.hosts(String.join(",", credsRealm.values())))
        .withProgress(display = TransferDisplay.choose(quiet.on(), json.on(), err,
            context.env().get("COLUMNS")));
    if (manifestFormat.value() != null) {
      r = r.withManifestFormat(ManifestFormat.parse(manifestFormat.value()));
    }
    Plinth.Listener steps = Plinth.Listener.NONE;
    if (display instanceof TransferDisplay t) {
      steps = t.listener();
    }
    return o.withRegistry(r).withListener(steps);
  }

  /** --creds USER with the password read from standard input (its first line, at most 64 KiB). */
  private Credentials fromStdin(Cli.Context context) throws PlinthException {
    String user = creds.value();
    if (user == null || user.isEmpty() || user.contains(":")) {
      throw new PlinthException(PlinthException.Kind.USAGE, "--password-stdin takes the user"
          + " from --creds USER (without a password), e.g. echo \"$TOKEN\" | plinth copy"
          + " --creds ci --password-stdin SRC DEST");
    }
    byte[] bytes;
    try {
      bytes = context.in().readNBytes(64 * 1024 + 1);
    } catch (java.io.IOException e) {
      throw new PlinthException(PlinthException.Kind.USAGE, "--password-stdin: standard input"
          + " cannot be read: " + e.getMessage());
    }
    if (bytes.length > 64 * 1024) {
      throw new PlinthException(PlinthException.Kind.USAGE, "--password-stdin: more than 64 KiB"
          + " on standard input; give the password alone");
    }
    String password = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    int eol = password.indexOf('\n');
    password = (eol >= 0 ? password.substring(0, eol) : password).replaceAll("\r$", "");
    if (password.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.USAGE, "--password-stdin: standard input"
          + " is empty; pipe the password in, e.g. echo \"$TOKEN\" | plinth ...");
    }
    return new Credentials(user, password, "--password-stdin");
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
