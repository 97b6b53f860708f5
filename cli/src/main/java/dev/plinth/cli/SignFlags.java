package dev.plinth.cli;

import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.registry.CosignKeys;
import dev.plinth.registry.CosignSignatures;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.RegistryRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.List;

/** --sign-key and its password: signs what a command pushed to a registry (cosign's format). */
final class SignFlags {
  /** The variable cosign reads the key's password from; plinth reads the same. */
  static final String PASSWORD_ENV = "COSIGN_PASSWORD";

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
    if (!ImageRef.REGISTRY.equals(target.transport())
        && !(attesting && target.path() != null)) {
      throw new PlinthException(Kind.USAGE, "--sign-key: " + target + " is not a registry;"
          + " signatures are stored in a registry next to the image. Push it to one (plinth copy"
          + " " + target + " HOST/REPO:TAG --sign-key " + key.value() + ") to sign it");
    }
    Path file = Path.of(key.value());
    String pem = read(file, "--sign-key");
    byte[] password = password(passwordFile.value(), context, false);
    try {
      return CosignKeys.decrypt(pem, password, file.toString());
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /** Signs what was pushed to {@code target} (its top manifest {@code top}) and says so. */
  static void sign(PrivateKey k, ImageRef target, dev.plinth.oci.Digest top,
      RegistryOptions options, PrintWriter out) throws IOException, PlinthException {
    if (k == null || !ImageRef.REGISTRY.equals(target.transport())) {
      return;
    }
    long start = System.nanoTime();
    List<CosignSignatures.Signed> signed = CosignSignatures.sign(RegistryRef.parse(target.name()),
        top, k, options);
    long ms = (System.nanoTime() - start) / 1_000_000;
    for (CosignSignatures.Signed s : signed) {
      out.println("signed " + s.manifest() + " (" + s.tag() + ")");
    }
    out.println("signing took " + ms + " ms");
  }

  /**
   * A key's password: the first line of {@code file}, else $COSIGN_PASSWORD, else typed at the
   * terminal without echo (twice when {@code confirm}).
   */
  static byte[] password(String file, Cli.Context context, boolean confirm)
      throws PlinthException {
    if (file != null) {
      String text = read(Path.of(file), "--key-password-file");
      int eol = text.indexOf('\n');
      return (eol >= 0 ? text.substring(0, eol) : text).replaceAll("\r$", "")
          .getBytes(StandardCharsets.UTF_8);
    }
    String env = context.env().get(PASSWORD_ENV);
    if (env != null) {
      return env.getBytes(StandardCharsets.UTF_8);
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
    try {
      if (Files.size(file) > 1 << 20) {
        throw new PlinthException(Kind.BAD_INPUT, option + ": " + file + " is over 1 MiB;"
            + " that is not a key");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new PlinthException(Kind.NOT_FOUND, option + ": " + file + " does not exist");
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, option + ": " + file + " cannot be read: "
          + e.getMessage());
    }
  }
}
