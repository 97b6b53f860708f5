package dev.plinth.registry;

import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Signing what a front end pushed, the same from the CLI ({@code --sign-key},
 * {@code --key-password-file}) and the Maven plugin ({@code signKey}, {@code keyPasswordFile}):
 * the key opened before any work (a wrong password fails fast), only for a registry target, and
 * the index and each platform's manifest signed after the push ({@link CosignSignatures}).
 */
public final class SigningKey {
  /** The variable cosign reads the key's password from; plinth reads the same. */
  public static final String PASSWORD_ENV = "COSIGN_PASSWORD";

  /** The largest key or password file read. */
  private static final long MAX_FILE = 1 << 20;

  private SigningKey() {}

  /**
   * The private key in {@code keyFile}, decrypted with {@code password} (then zeroed), for a push
   * to {@code target}; anything but a registry target is a usage error: a signature lives in a
   * registry next to the image.
   *
   * @param option how the front end names the key, in errors ("--sign-key", "signKey")
   */
  public static PrivateKey open(ImageRef target, Path keyFile, byte[] password, String option)
      throws PlinthException {
    try {
      requireRegistry(target, keyFile, option);
    } catch (PlinthException e) {
      Arrays.fill(password, (byte) 0);
      throw e;
    }
    return decrypt(keyFile, password, option);
  }

  /**
   * The private key in {@code keyFile}, decrypted with {@code password} (then zeroed), whatever
   * the target: for attestations, which are signed next to a file output too.
   */
  public static PrivateKey decrypt(Path keyFile, byte[] password, String option)
      throws PlinthException {
    try {
      return CosignKeys.decrypt(read(keyFile, option), password, keyFile.toString());
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /** A usage error unless {@code target} is a registry: a signature lives next to the image. */
  public static void requireRegistry(ImageRef target, Path keyFile, String option)
      throws PlinthException {
    if (!ImageRef.REGISTRY.equals(target.transport())) {
      throw new PlinthException(Kind.USAGE, option + ": " + target + " is not a registry;"
          + " signatures are stored in a registry next to the image. Push it to one (plinth"
          + " copy " + target + " HOST/REPO:TAG --sign-key " + keyFile + ") to sign it");
    }
  }

  /**
   * The key's password without asking anyone: the first line of {@code file} when given, else
   * {@code $COSIGN_PASSWORD} from {@code env}; null when there is neither.
   */
  public static byte[] password(Path file, Map<String, String> env, String option)
      throws PlinthException {
    if (file != null) {
      String text = read(file, option);
      int eol = text.indexOf('\n');
      return (eol >= 0 ? text.substring(0, eol) : text).replaceAll("\r$", "")
          .getBytes(StandardCharsets.UTF_8);
    }
    String value = env.get(PASSWORD_ENV);
    return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Signs the index or image {@code top} that was pushed to {@code target}; returns what a user is
   * told: each signature's manifest and tag, and the time signing took.
   */
  public static List<String> sign(PrivateKey key, ImageRef target, Digest top,
      RegistryOptions options) throws IOException, PlinthException {
    long start = System.nanoTime();
    List<CosignSignatures.Signed> signed = CosignSignatures.sign(RegistryRef.parse(target.name()),
        top, key, options);
    long ms = (System.nanoTime() - start) / 1_000_000;
    List<String> lines = new ArrayList<>();
    for (CosignSignatures.Signed s : signed) {
      lines.add("signed " + s.manifest() + " (" + s.tag() + ")");
    }
    lines.add("signing took " + ms + " ms");
    return lines;
  }

  /** A small text file (a key, a password), named by {@code option} when it cannot be read. */
  public static String read(Path file, String option) throws PlinthException {
    try {
      if (Files.size(file) > MAX_FILE) {
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
