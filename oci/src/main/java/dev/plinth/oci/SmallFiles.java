package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/** Files a user names that plinth reads whole (a build file, a lock, a keyring, a CA), capped. */
public final class SmallFiles {
  private SmallFiles() {}

  /**
   * Reads the regular file {@code path} whole, refusing one over {@code max} bytes, a device, a
   * FIFO or a socket before opening it (and reading no more than {@code max + 1} bytes, for files
   * such as those of /proc that say they are empty).
   *
   * @param what what the file is to the user, for messages ("lock file", "keyring")
   * @throws PlinthException BAD_INPUT naming the file, when it is not a regular file or too large
   * @throws IOException when it cannot be read (NoSuchFileException when it does not exist)
   */
  public static byte[] read(Path path, long max, String what)
      throws IOException, PlinthException {
    BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
    if (!a.isRegularFile()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": " + path
          + " is not a regular file" + (a.isDirectory() ? " but a directory"
          : a.isSymbolicLink() ? "" : " (a device, FIFO or socket)"));
    }
    if (a.size() > max) {
      throw tooLarge(path, max, what);
    }
    try (InputStream in = Files.newInputStream(path)) {
      byte[] bytes = in.readNBytes((int) max + 1);
      if (bytes.length > max) {
        throw tooLarge(path, max, what);
      }
      return bytes;
    }
  }

  private static PlinthException tooLarge(Path path, long max, String what) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": " + path
        + " is larger than " + (max >= 1 << 20 ? (max >> 20) + " MiB" : max + " bytes"));
  }
}
