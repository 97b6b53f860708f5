package dev.plinth.jvm;

import dev.plinth.oci.PlinthException;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Semaphore;

/**
 * How many JVMs plinth runs beside its own at once (jlink, jdeps, the app's training runs): one
 * for each GiB of the machine's memory, or of the container's limit where the JVM sees one, at
 * least one and at most the processors. Each platform of a build links its runtime on a thread of
 * its own; in a container of 512 MB two jlinks beside a Maven JVM were more than it holds, and
 * the kernel killed the build.
 */
final class ToolSlots {
  private static final long GIB = 1L << 30;
  private static final Semaphore SLOTS = new Semaphore(
      slots(totalMemory(), Runtime.getRuntime().availableProcessors()), true);

  private ToolSlots() {}

  /** How many slots {@link #take} hands out: on {@code memory} bytes and {@code cpus}. */
  static int slots(long memory, int cpus) {
    return (int) Math.max(1, Math.min(Math.max(1, cpus), memory / GIB));
  }

  /** A slot taken: free again when closed. */
  interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for a slot, for one JVM run to its end.
   *
   * @param what names the run in the message if the wait is interrupted
   */
  static Slot take(String what) throws PlinthException {
    try {
      SLOTS.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(PlinthException.Kind.OUTPUT, what + " was interrupted", e);
    }
    boolean[] closed = {false};
    return () -> {
      if (!closed[0]) {
        closed[0] = true;
        SLOTS.release();
      }
    };
  }

  /** The slots free now, for tests. */
  static int free() {
    return SLOTS.availablePermits();
  }

  /** The machine's memory as this JVM sees it (a container's limit, if it has one). */
  private static long totalMemory() {
    try {
      return ((com.sun.management.OperatingSystemMXBean)
          ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
    } catch (RuntimeException | LinkageError e) {
      return Runtime.getRuntime().maxMemory() * 4; // the JVM's default heap is a quarter of it
    }
  }
}
