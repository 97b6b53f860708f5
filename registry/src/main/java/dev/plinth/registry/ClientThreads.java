package dev.plinth.registry;

/**
 * Ends the JDK HTTP client's selector threads when a command-line process is done with them.
 *
 * <p>On JDK 17 the JVM's exit waits up to 300 ms for threads blocked in native code, and the
 * HTTP client's selector thread always is (in epoll_wait); HttpClient has no close() before JDK
 * 21. Interrupting the selector thread wakes it, and it stops. Only for a process that is about
 * to exit (the CLI), never inside a host JVM such as Maven's.
 */
public final class ClientThreads {
  public static void releaseBeforeExit() {
    ThreadGroup g = Thread.currentThread().getThreadGroup();
    while (g.getParent() != null) {
      g = g.getParent();
    }
    Thread[] all = new Thread[g.activeCount() + 16];
    int count = g.enumerate(all, true); // no stack traces taken, unlike Thread.getAllStackTraces
    for (int i = 0; i < count; i++) {
      Thread t = all[i];
      String n = t.getName();
      if (t.isDaemon() && n.startsWith("HttpClient-") && n.endsWith("-SelectorManager")) {
        t.interrupt();
        try {
          t.join(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private ClientThreads() {}
}
