package dev.plinth.jvm;

import dev.plinth.deb.DebPackage;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Unpacks .deb files onto this machine's file system in one streaming pass each: the data
 * entries go to the first {@link Sink} that takes them. {@link DebPackage} has checked every
 * path already (absolute, normalized, never through a symlink, relative links inside the root).
 */
final class DebUnpack {
  /** Takes the entries it wants; an entry's content can be read once. */
  interface Sink {
    boolean take(DebPackage.DataEntry e, InputStream content) throws IOException, PlinthException;
  }

  private DebUnpack() {}

  /** Streams {@code deb}'s data through {@code sinks}. */
  static void read(Path deb, String what, List<Sink> sinks) throws IOException, PlinthException {
    DebPackage.open(deb, what).readData((e, content) -> {
      for (Sink s : sinks) {
        if (s.take(e, content)) {
          return;
        }
      }
    });
  }

  /**
   * A file tree under {@code root}, as dpkg would install it there, without documentation,
   * debug info or jmods. An absolute symlink is made relative inside {@code root} (Debian's
   * JDK links its conf files to /etc/java-N-openjdk), so the tree can be moved.
   */
  static Sink tree(Path root) {
    return (e, content) -> {
      String p = e.path();
      if (p.startsWith("/usr/share/doc/") || p.startsWith("/usr/share/man/")
          || p.startsWith("/usr/share/lintian/") || p.startsWith("/usr/share/locale/")
          || p.startsWith("/usr/lib/debug/") || p.endsWith(".debuginfo")
          || p.contains("/jmods/")) {
        return true;
      }
      Path target = root.resolve(p.substring(1));
      switch (e.type()) {
        case DIRECTORY -> Files.createDirectories(target);
        case FILE -> {
          Files.createDirectories(target.getParent());
          Files.copy(content, target);
          if ((e.mode() & 0111) != 0) {
            target.toFile().setExecutable(true, false);
          }
        }
        case SYMLINK -> {
          Files.createDirectories(target.getParent());
          String link = e.linkTarget();
          Path to = link.startsWith("/")
              ? target.getParent().relativize(root.resolve(link.substring(1)))
              : Path.of(link);
          Files.createSymbolicLink(target, to);
        }
        case HARDLINK -> {
          Path from = root.resolve(e.linkTarget().substring(1));
          if (Files.isRegularFile(from)) {   // else a link to a file left out
            Files.createDirectories(target.getParent());
            Files.copy(from, target);
          }
        }
        default -> throw new PlinthException(Kind.BAD_INPUT, p + " is a " + e.type()
            + ", which plinth does not unpack");
      }
      return true;
    };
  }

  /**
   * The jmods directly under {@code prefix}, into a temp directory beside {@code dir}, which
   * {@link #finish} renames to {@code dir}.
   */
  static final class Jmods implements Sink {
    private final String prefix;
    private final Path dir;
    private Path tmp;
    private int count;

    Jmods(String prefix, Path dir) {
      this.prefix = prefix;
      this.dir = dir;
    }

    @Override
    public boolean take(DebPackage.DataEntry e, InputStream content)
        throws IOException, PlinthException {
      String p = e.path();
      if (e.type() != TarEntry.Type.FILE || !p.startsWith(prefix) || !p.endsWith(".jmod")
          || p.indexOf('/', prefix.length()) >= 0) {
        return false;
      }
      if (tmp == null) {
        Files.createDirectories(dir.getParent());
        tmp = Files.createTempDirectory(dir.getParent(), ".jmods-");
        Cleanup.register(tmp);
      }
      Files.copy(content, tmp.resolve(p.substring(prefix.length())));
      count++;
      return true;
    }

    /** Renames the jmods into place; BAD_INPUT naming {@code what} when there were none. */
    void finish(String what) throws IOException, PlinthException {
      if (count == 0) {
        throw new PlinthException(Kind.BAD_INPUT, what + " has no jmods under " + prefix);
      }
      DebianJdk.moveInto(tmp, dir);
    }

    /** Removes what is left of the temp directory. */
    void discard() {
      if (tmp != null) {
        Cleanup.deleteTree(tmp);
        Cleanup.unregister(tmp);
      }
    }
  }
}
