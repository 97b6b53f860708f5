package dev.plinth.cli;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.registry.CosignKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** {@code plinth key generate}: a signing key pair in cosign's formats. */
final class KeyCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth key",
      "Generates a key pair for signing images: PREFIX.key, the ECDSA P-256 private key"
          + " encrypted with a password (cosign's format: cosign, skopeo and podman use it too),"
          + " and PREFIX.pub, the public key (PEM) that verifies signatures: 'plinth verify',"
          + " cosign, or a policy.json 'sigstoreSigned' requirement (docs/signing.md).",
      "Example:",
      "  plinth key generate --out cosign      # cosign.key + cosign.pub");

  private final Cli.Arg action = cli.parameter("generate", "What to do.").required();

  private final Cli.Arg out = cli.option("--out", "PREFIX",
      "Where to write: PREFIX.key and PREFIX.pub (default: cosign).").defaultValue("cosign");

  private final Cli.Arg passwordFile = SignFlags.passwordFile(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    if (!action.value().equals("generate")) {
      throw new PlinthException(Kind.USAGE, "plinth key: unknown action '" + action.value()
          + "'; the one action is generate");
    }
    Path priv = Path.of(out.value() + ".key");
    Path pub = Path.of(out.value() + ".pub");
    for (Path p : new Path[] {priv, pub}) {
      if (Files.exists(p)) {
        throw new PlinthException(Kind.USAGE, p + " exists; plinth does not overwrite a key:"
            + " remove it or pick another --out");
      }
    }
    byte[] password = SignFlags.password(passwordFile.value(), context, true);
    CosignKeys.Pair pair;
    try {
      pair = CosignKeys.generate(password);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
    AtomicFile.write(priv, pair.privatePem().getBytes(StandardCharsets.US_ASCII));
    try {
      Files.setPosixFilePermissions(priv, java.nio.file.attribute.PosixFilePermissions
          .fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: its own permissions
    }
    AtomicFile.write(pub, pair.publicPem().getBytes(StandardCharsets.US_ASCII));
    context.out().println("wrote " + priv + " (private, encrypted) and " + pub + " (public)");
    return 0;
  }
}
