package dev.plinth.builder;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The cache's one lock, {@code .lock} in its root: every build holds it shared while it runs,
 * and a prune holds it alone, so a prune never removes what a running build reads or writes. An
 * OS file lock (fcntl) between processes; within one JVM (the Maven plugin's parallel builds, a
 * build followed by its own bound) the holders are counted here, since the JVM gives one process
 * one lock on a file. Entries are still written temp file then rename, so a build killed
 * mid-write leaves no half entry.
 */
final class CacheLock implements AutoCloseable {
  /** The holders in this JVM of each cache's lock: one shared OS lock for all of them. */
  private static final Map<Path, Held> HELD = new HashMap<>();
  /** The caches a prune of this JVM holds alone. */
  private static final java.util.Set<Path> PRUNING = new java.util.HashSet<>();

  private static final class Held {
    final FileChannel channel;
    final FileLock lock;
    int users;

    Held(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }
  }

  private final Path root;
  private final FileChannel exclusive; // null for a shared holder
  private boolean closed;

  private CacheLock(Path root, FileChannel exclusive) {
    this.root = root;
    this.exclusive = exclusive;
  }

  /**
   * The lock shared, for a build: waits while a prune runs (a prune is short). Null when there
   * is no cache directory or it cannot be written (a build that needs it fails then, saying so;
   * one that does not, a build of files alone, runs).
   */
  static CacheLock shared(Path root) throws PlinthException {
    if (root == null) {
      return null;
    }
    Path key = root.toAbsolutePath().normalize();
    synchronized (HELD) {
      while (PRUNING.contains(key)) {
        waitForChange(key);
      }
      Held h = HELD.get(key);
      if (h == null) {
        FileChannel ch;
        try {
          ch = open(key);
        } catch (PlinthException e) {
          return null; // a cache it cannot write: a build that needs one fails saying so
        }
        try {
          h = new Held(ch, ch.lock(0, Long.MAX_VALUE, true));
        } catch (IOException e) {
          closeQuietly(ch);
          throw new PlinthException(Kind.OUTPUT, "cannot lock the cache " + key + "/.lock: "
              + e.getMessage() + "; check its permissions, or delete the cache", e);
        }
        HELD.put(key, h);
      }
      h.users++;
      return new CacheLock(key, null);
    }
  }

  /**
   * The lock alone, for a prune: null at once when a build holds it and {@code wait} is false;
   * with {@code wait}, once every build that holds it has ended.
   */
  static CacheLock exclusive(Path root, boolean wait) throws PlinthException {
    Path key = root.toAbsolutePath().normalize();
    while (true) {
      synchronized (HELD) {
        if (!HELD.containsKey(key) && !PRUNING.contains(key)) {
          FileChannel ch = open(key);
          try {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, false);
            if (l != null) {
              PRUNING.add(key);
              return new CacheLock(key, ch);
            }
          } catch (IOException e) {
            closeQuietly(ch);
            throw new PlinthException(Kind.OUTPUT, "cannot lock the cache " + key + "/.lock: "
                + e.getMessage(), e);
          }
          closeQuietly(ch);
        }
        if (!wait) {
          return null;
        }
        waitForChange(key);
      }
    }
  }

  /** Waits (holding HELD's monitor) for a holder in this JVM to let go, or polls another's. */
  private static void waitForChange(Path key) throws PlinthException {
    try {
      HELD.wait(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.OUTPUT, "interrupted while waiting for the lock of the"
          + " cache " + key, e);
    }
  }

  private static FileChannel open(Path root) throws PlinthException {
    try {
      Files.createDirectories(root);
      return FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE,
          StandardOpenOption.READ, StandardOpenOption.WRITE); // a shared lock needs READ
    } catch (IOException e) {
      throw new PlinthException(Kind.OUTPUT, "cannot open the cache's lock " + root
          + "/.lock: " + e.getMessage() + "; check its permissions, or set XDG_CACHE_HOME", e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException e) {
      // closing releases the lock either way
    }
  }

  @Override
  public void close() {
    synchronized (HELD) {
      if (closed) {
        return;
      }
      closed = true;
      if (exclusive != null) {
        closeQuietly(exclusive);
        PRUNING.remove(root);
      } else {
        Held h = HELD.get(root);
        if (--h.users == 0) {
          HELD.remove(root);
          closeQuietly(h.channel); // releases h.lock
        }
      }
      HELD.notifyAll();
    }
  }
}
