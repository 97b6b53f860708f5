package dev.plinth.http;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;

/**
 * What the tests against a local server share: the server, the thread that accepts its
 * connections, and the connections it accepted. When a test ends, {@link #testOver} is counted
 * down (a connection held open until then lets go), the server and its connections are closed,
 * and the thread is waited for.
 */
abstract class LocalServerTest<S extends Closeable> {
  final CountDownLatch testOver = new CountDownLatch(1);
  final List<Closeable> accepted = Collections.synchronizedList(new ArrayList<>());
  S server;
  Thread thread;

  @AfterEach
  void stop() throws Exception {
    testOver.countDown();
    if (server != null) {
      server.close();
      synchronized (accepted) {
        for (Closeable c : accepted) {
          c.close();
        }
      }
      thread.join(5000);
    }
  }

  /** Runs {@code loop}, which accepts the server's connections, on a daemon thread. */
  void accepting(String name, Runnable loop) {
    thread = new Thread(loop, name);
    thread.setDaemon(true);
    thread.start();
  }
}
