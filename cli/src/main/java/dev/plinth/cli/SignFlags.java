package dev.plinth.cli;

import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;

/** --sign-key and its password: signs what a command pushed to a registry (cosign's format). */
final class SignFlags {
  /** The variable cosign reads the key's password from; plinth reads the same. */
  static final String PASSWORD_ENV = SigningKey.PASSWORD_ENV;

  private final Cli.Arg key;
  private final Cli.Arg passwordFile;

  SignFlags(Cli cli) {
    key = cli.option("--sign-key", "FILE",
        "Sign what is pushed with this cosign private key (from 'plinth key generate' or"
            + " 'cosign generate-key-pair'): the index and each platform's manifest, stored as"
            + " cosign stores signatures (docs/signing.md). Registry targets only.");
    passwordFile = passwordFile(cli);
  }

  /** Whether --sign-key was given. */
  boolean given() {
    return key.value() != null;
  }

  static Cli.Arg passwordFile(Cli cli) {
    return cli.option("--key-password-file", "FILE",
        "The private key's password: the file's first line (else $" + PASSWORD_ENV
            + ", else a prompt on the terminal).");
  }

  /**
   * The private key, opened before any work (a wrong password fails fast); null without
   * --sign-key. A target other than a registry is a usage error: a signature lives in a registry.
   */
  PrivateKey open(ImageRef target, Cli.Context context) throws PlinthException {
    return open(target, context, false);
  }

  /**
   * As {@link #open(ImageRef, Cli.Context)}; when {@code attesting}, a file target is allowed
   * too: its attestations are signed and written next to it (and no image signature is made).
   */
  PrivateKey open(ImageRef target, Cli.Context context, boolean attesting)
      throws PlinthException {
    if (key.value() == null) {
      if (passwordFile.value() != null) {
        throw new PlinthException(Kind.USAGE, "--key-password-file is for --sign-key");
      }
      return null;
    }
    Path file = Path.of(key.value());
    if (attesting && target.path() != null) {
      // attestations of a file output are signed and written next to it; no image signature
      return SigningKey.decrypt(file, password(passwordFile.value(), context, false),
          "--sign-key");
    }
    SigningKey.requireRegistry(target, file, "--sign-key");
    return SigningKey.open(target, file, password(passwordFile.value(), context, false),
        "--sign-key");
  }

  /** Signs what was pushed to {@code target} (its top manifest {@code top}) and says so. */
  static void sign(PrivateKey k, ImageRef target, dev.plinth.oci.Digest top,
      RegistryOptions options, PrintWriter out) throws IOException, PlinthException {
    if (k != null && ImageRef.REGISTRY.equals(target.transport())) {
      SigningKey.sign(k, target, top, options).forEach(out::println);
    }
  }

  /**
   * A key's password: the first line of {@code file}, else $COSIGN_PASSWORD, else typed at the
   * terminal without echo (twice when {@code confirm}).
   */
  static byte[] password(String file, Cli.Context context, boolean confirm)
      throws PlinthException {
    byte[] given = SigningKey.password(file == null ? null : Path.of(file), context.env(),
        "--key-password-file");
    if (given != null) {
      return given;
    }
    java.io.Console console = System.console();
    if (console == null) {
      throw new PlinthException(Kind.USAGE, "the key's password: no terminal to ask on; give"
          + " --key-password-file FILE or set " + PASSWORD_ENV);
    }
    char[] typed = console.readPassword("Password for the private key: ");
    if (confirm) {
      char[] again = console.readPassword("Again: ");
      if (typed == null || !Arrays.equals(typed, again)) {
        throw new PlinthException(Kind.USAGE, "the two passwords differ");
      }
    }
    if (typed == null) {
      throw new PlinthException(Kind.USAGE, "no password typed");
    }
    byte[] b = new String(typed).getBytes(StandardCharsets.UTF_8);
    Arrays.fill(typed, ' ');
    return b;
  }

  static String read(Path file, String option) throws PlinthException {
    return SigningKey.read(file, option);
  }
}
