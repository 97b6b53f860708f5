package dev.plinth.oci;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A file written beside its final name and renamed over it only once complete, so a reader sees
 * the old file or the new one, never half of one. Not committed → the temp file is deleted.
 */
public final class AtomicFile implements AutoCloseable {
  private final Path target;
  private final Path temp;
  private boolean committed;

  public AtomicFile(Path target) throws IOException {
    this.target = target.toAbsolutePath();
    Path dir = this.target.getParent();
    Files.createDirectories(dir);
    this.temp = create(dir, "." + this.target.getFileName() + ".");
    Cleanup.register(temp);
  }

  /**
   * A new empty file with a random name, created as any program creates a file: mode 0666 less
   * the umask (Files.createTempFile would make it 0600, and the output unreadable to the CI step
   * that runs as another user).
   */
  private static Path create(Path dir, String prefix) throws IOException {
    for (int i = 0; ; i++) {
      Path t = dir.resolve(prefix + Long.toUnsignedString(java.util.concurrent.ThreadLocalRandom.current().nextLong(), 36) + ".plinth-tmp");
      try {
        Files.newByteChannel(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return t;
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (i >= 100) {
          throw e;
        }
      }
    }
  }


  public Path temp() {
    return temp;
  }

  public OutputStream open() throws IOException {
    return Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /**
   * The temp file as a channel to write from its start (for copies the kernel makes); closing
   * it is the caller's.
   */
  public FileChannel openChannel() throws IOException {
    return FileChannel.open(temp, StandardOpenOption.WRITE);
  }

  /** Flushes the temp file to disk and renames it over the target. */
  public void commit() throws IOException {
    try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    rename();
  }

  /**
   * Renames the temp file over the target without flushing it to disk first: for big outputs
   * that the same command makes again (an image archive; Jib writes its tar without flushing,
   * and straight to its name). A reader still sees the old file or the new one, whole; only a
   * crash of the machine itself soon after can leave the file short or empty, which every reader
   * of an image refuses (its tar ends early, or a blob does not match its digest). Flushing
   * would cost about a second per GB on this project's test machine, on every build.
   */
  public void commitUnsynced() throws IOException {
    rename();
  }

  private void rename() throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    committed = true;
    Cleanup.unregister(temp);
  }

  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, true);
  }

  /**
   * As {@link #write(Path, byte[])}, not flushed to disk first ({@link #commitUnsynced}): for
   * cache entries, which are read back defensively and made again when they do not read, and for
   * the SBOM files written beside an image archive, which is not flushed either. A flush is no
   * small cost there: on ext4 it waits for the layers being written at the time.
   */
  public static void writeUnsynced(Path target, byte[] bytes) throws IOException {
    write(target, bytes, false);
  }

  private static void write(Path target, byte[] bytes, boolean sync) throws IOException {
    try (AtomicFile f = new AtomicFile(target)) {
      try (OutputStream out = f.open()) {
        out.write(bytes);
      }
      if (sync) {
        f.commit();
      } else {
        f.commitUnsynced();
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (!committed) {
      Files.deleteIfExists(temp);
      Cleanup.unregister(temp);
    }
  }
}
