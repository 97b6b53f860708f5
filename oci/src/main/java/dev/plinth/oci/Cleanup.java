package dev.plinth.oci;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Temp files and work directories in use, deleted by a shutdown hook if the JVM is stopped
 * (Ctrl-C, SIGTERM) before their owner could, so an interrupted build leaves nothing behind.
 */
public final class Cleanup {
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::deleteAll, "plinth-cleanup"));
  }

  public static void register(Path p) {
    LIVE.add(p);
  }

  public static void unregister(Path p) {
    LIVE.remove(p);
  }

  /** Deletes a file or a directory tree, best effort. */
  public static void deleteTree(Path p) {
    try (Stream<Path> s = Files.walk(p)) {
      s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    } catch (IOException ignored) {
      // gone already, or unreadable: nothing more to do for a temp path
    }
  }

  private static void deleteAll() {
    for (Path p : LIVE) {
      deleteTree(p);
    }
  }

  private Cleanup() {}
}
