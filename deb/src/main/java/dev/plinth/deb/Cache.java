package dev.plinth.deb;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Downloaded files by content: {@code blobs/sha256/<hex>} under {@code $XDG_CACHE_HOME/plinth}
 * (or {@code ~/.cache/plinth}). An entry is written to a temp file beside it, checked against the
 * size and sha256 it must have while it streams in, and renamed into place only then, so
 * concurrent builds never see half an entry; an entry is checked again each time it is read.
 *
 * <p>Also remembers the newest Release Date accepted per repository, so an older InRelease
 * served later (a rollback) is refused.
 */
public final class Cache {
  private final Path root;

  public Cache(Path root) {
    this.root = root.toAbsolutePath();
  }

  /**
   * Where the user's cache is: {@code $XDG_CACHE_HOME/plinth}, else {@code $HOME/.cache/plinth},
   * else {@code home/.cache/plinth}; null with none of them. From the environment a front end
   * read, never the process's own.
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  public static Path userRoot(Map<String, String> env, Path home) {
    String xdg = env.get("XDG_CACHE_HOME");
    // The XDG spec says relative values are to be ignored.
    if (xdg != null && !xdg.isEmpty() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "plinth");
    }
    String h = env.get("HOME");
    Path user = h != null && !h.isEmpty() ? Path.of(h) : home;
    return user == null ? null : user.resolve(".cache").resolve("plinth");
  }

  public Path root() {
    return root;
  }

  /** Where the entry for this digest lives (whether or not it exists). */
  public Path path(Digest digest) {
    return root.resolve("blobs").resolve("sha256").resolve(digest.hex());
  }

  /**
   * The entry for this digest if it is there and still has this size and digest. A damaged entry
   * is deleted and reported absent, so the caller fetches it again.
   */
  public Optional<Path> get(Digest digest, long size) throws PlinthException {
    Path p = path(digest);
    try {
      if (!Files.isRegularFile(p)) {
        return Optional.empty();
      }
      if (Files.size(p) == size && Digest.of(p).equals(digest)) {
        dev.plinth.oci.LayerCache.markUsed(p);
        return Optional.of(p);
      }
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // unreadable: treat as damaged and replace it below
    }
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cache entry " + p + " is damaged and cannot be"
          + " deleted (" + e + "); delete " + root + " and try again", e);
    }
    return Optional.empty();
  }

  /** {@link #put(Digest, long, InputStream, String)} naming the blob by its digest. */
  public Path put(Digest expected, long expectedSize, InputStream in)
      throws PlinthException, IOException {
    return put(expected, expectedSize, in, expected.toString());
  }

  /**
   * Streams {@code in} into the cache, checking size and sha256 as it goes; reads at most one byte
   * more than {@code expectedSize}. On a mismatch nothing is kept and BAD_INPUT names {@code
   * what}, the expected and the actual values. Safe when several processes put the same entry.
   *
   * @throws IOException when reading {@code in} fails (the caller may retry)
   * @throws PlinthException BAD_INPUT on a mismatch, OUTPUT when the cache cannot be written
   */
  public Path put(Digest expected, long expectedSize, InputStream in, String what)
      throws PlinthException, IOException {
    Path target = path(expected);
    try (AtomicFile f = new AtomicFile(target)) {
      MessageDigest md = Digest.sha256();
      long n = 0;
      try (OutputStream out = f.open()) {
        byte[] buf = new byte[1 << 16];
        while (true) {
          int r = read(in, buf, (int) Math.min(buf.length, expectedSize - n + 1));
          if (r < 0) {
            break;
          }
          n += r;
          if (n > expectedSize) {
            throw new PlinthException(Kind.BAD_INPUT, what + " is larger than expected: expected "
                + expectedSize + " bytes, got more");
          }
          md.update(buf, 0, r);
          out.write(buf, 0, r);
        }
      }
      if (n != expectedSize) {
        throw new PlinthException(Kind.BAD_INPUT, what + " has the wrong size: expected "
            + expectedSize + " bytes, got " + n);
      }
      Digest actual = Digest.of(md);
      if (!actual.equals(expected)) {
        throw new PlinthException(Kind.BAD_INPUT, what + " has the wrong sha256: expected "
            + expected + ", got " + actual);
      }
      f.commit();
      return target;
    } catch (SourceFailure e) {
      throw e.getCause();
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot write " + target + " in the cache " + root
          + ": " + e.getMessage(), e);
    }
  }

  /** A failure reading the source, told apart from failures writing the cache. */
  private static final class SourceFailure extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    SourceFailure(IOException cause) {
      super(cause);
    }
  }

  private static int read(InputStream in, byte[] buf, int len) {
    try {
      return in.read(buf, 0, Math.max(len, 1));
    } catch (IOException e) {
      throw new SourceFailure(e);
    }
  }

  /**
   * The newest Release Date accepted for this repository (e.g. its base URI and suite), if any.
   * BAD_INPUT naming the file if the record is damaged: rollback protection is not dropped
   * silently.
   */
  public Optional<Instant> lastSeenDate(String repository) throws PlinthException {
    Path p = datePath(repository);
    String text;
    try {
      text = Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot read " + p + ": " + e.getMessage(), e);
    }
    try {
      String[] lines = text.split("\n");
      if (lines.length < 2 || !lines[1].equals(repository)) {
        throw new DateTimeParseException("not a record for " + repository, text, 0);
      }
      return Optional.of(Instant.parse(lines[0]));
    } catch (DateTimeParseException e) {
      throw new PlinthException(Kind.BAD_INPUT, "the record of the last Release Date seen for "
          + repository + " (" + p + ") is damaged; delete it to start over", e);
    }
  }

  /** Records a Release Date as accepted, unless a newer one is recorded already. */
  public void recordDate(String repository, Instant date) throws PlinthException {
    Optional<Instant> seen = lastSeenDate(repository);
    if (seen.isPresent() && !seen.get().isBefore(date)) {
      return;
    }
    Path p = datePath(repository);
    try {
      AtomicFile.write(p, (date + "\n" + repository + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot write " + p + ": " + e.getMessage(), e);
    }
  }

  private Path datePath(String repository) {
    return root.resolve("release-dates")
        .resolve(Digest.of(repository.getBytes(StandardCharsets.UTF_8)).hex());
  }
}
