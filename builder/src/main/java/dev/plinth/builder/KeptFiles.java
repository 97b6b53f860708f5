package dev.plinth.builder;

import dev.plinth.audit.LibraryClosure;
import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.SmallFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/**
 * Small cache entries, one file a key in {@code dir}, written atomically; a file's time is its
 * last use, which the cache's prune goes by (least recently used first), as for layers.
 *
 * @param what names an entry in messages
 * @param max the largest entry read back; a larger one is a miss
 */
record KeptFiles(Path dir, String what, int max) implements LibraryClosure.Store {
  /**
   * The bytes kept under {@code key}, marked as used now; null when there are none. An entry
   * that is not a regular file or is over {@link #max} is an IOException: a miss.
   */
  @Override
  public byte[] get(String key) throws IOException {
    Path p = dir.resolve(key);
    byte[] b;
    try {
      b = SmallFiles.read(p, max, what);
    } catch (NoSuchFileException e) {
      return null;
    } catch (PlinthException notAFileOrTooLarge) {
      throw new IOException(notAFileOrTooLarge.getMessage());
    }
    try {
      Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException readOnly) {
      // a cache that cannot be written still serves what it holds
    }
    return b;
  }

  @Override
  public void put(String key, byte[] value) throws IOException {
    AtomicFile.writeUnsynced(dir.resolve(key), value); // (makes dir if missing)
  }
}
