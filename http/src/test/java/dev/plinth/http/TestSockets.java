package dev.plinth.http;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.function.Consumer;

/** The accept loop of a test's TCP server (proxies, scripted registries, trickling servers). */
public final class TestSockets {
  private TestSockets() {}

  /**
   * Accepts up to {@code max} connections on {@code server}, on a daemon thread named {@code
   * name}, until the server is closed. Each connection is added to {@code accepted} (for the test
   * to count or close) and handed to {@code serve} on a daemon thread of its own.
   */
  public static void acceptEach(ServerSocket server, int max, String name,
      List<? super Socket> accepted,
      Consumer<Socket> serve) {
    Thread loop = new Thread(() -> {
      for (int c = 0; c < max && !server.isClosed(); c++) {
        try {
          Socket s = server.accept();
          accepted.add(s);
          Thread conn = new Thread(() -> serve.accept(s), name + "-connection");
          conn.setDaemon(true);
          conn.start();
        } catch (IOException e) {
          return; // the test closed the server
        }
      }
    }, name);
    loop.setDaemon(true);
    loop.start();
  }
}
