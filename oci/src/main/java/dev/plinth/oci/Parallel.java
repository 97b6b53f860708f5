package dev.plinth.oci;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A pool for a build's layers, and joining a task with the exception it threw.
 */
public final class Parallel {
  private Parallel() {}

  /**
   * A thread for every task: a build has a few (each app layer, each platform's image), and they
   * wait on each other (a platform's image joins the app's layers). A pool of one thread per core
   * queued each platform, and with it the runtime's compression, the most CPU of a cold build,
   * behind the app's layers, which mostly copy jars; now they overlap (a cold build of a large app
   * on two cores: 3.9 s before). The CPU used stays bounded: a big layer compresses on a pool of
   * its own, one thread per core.
   */
  public static ExecutorService pool() {
    return Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "plinth-layers");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Stops the pool and waits (boundedly) for running tasks, so none writes into the work
   * directory after the build has returned or failed.
   */
  public static void stop(ExecutorService pool) {
    pool.shutdownNow();
    try {
      pool.awaitTermination(2, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The task's result, or what it threw, as it threw it: its IOException (a {@link StreamFailure}
   * among them), PlinthException, RuntimeException or Error (an OutOfMemoryError stays one).
   */
  public static <T> T join(Future<T> f) throws IOException, PlinthException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PlinthException p) {
        throw p;
      }
      throw thrown(e);
    }
  }

  /**
   * What the task of {@code e} threw, for a task that throws no PlinthException: its
   * RuntimeException or Error is thrown from here, its IOException returned to be thrown. A task
   * of ours throws no other checked exception; one that did comes back wrapped.
   */
  public static IOException thrown(ExecutionException e) {
    Throwable c = e.getCause();
    if (c instanceof RuntimeException r) {
      throw r;
    }
    if (c instanceof Error err) {
      throw err;
    }
    return c instanceof IOException io ? io : new IOException(c);
  }
}
