package dev.plinth.registry;

import dev.plinth.http.TestRequest;
import dev.plinth.http.TestSockets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server on 127.0.0.1 that answers each request from a script, byte for byte, where {@link
 * FakeRegistry} cannot: a head sent one byte at a time, a body shorter than its Content-Length on
 * a connection held open. Each connection has a thread; at most 50 connections, and every answer
 * ends when the server is closed.
 */
final class ScriptedServer implements AutoCloseable {
  /** What to send: {@code now} at once, then {@code trickle} a byte every 50 ms, then hold or close. */
  record Answer(String now, String trickle, boolean hold) {
    static Answer of(String now) {
      return new Answer(now, "", false);
    }
  }

  /** The answer to a request (its head: request line and fields). */
  interface Script {
    Answer answer(String head);
  }

  private final ServerSocket server;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
  /** The request lines seen, in order. */
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  ScriptedServer(Script script) throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    TestSockets.acceptEach(server, 50, "scripted-server", sockets, s -> serve(s, script));
  }

  int port() {
    return server.getLocalPort();
  }

  String host() {
    return "127.0.0.1:" + port();
  }

  private void serve(Socket s, Script script) {
    try (s) {
      TestRequest.serve(s.getInputStream(), s.getOutputStream(), (req, out) -> {
        requests.add(req.line());
        Answer a = script.answer(req.head());
        out.write(a.now().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        byte[] t = a.trickle().getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < Math.min(t.length, 2000); i++) {
          if (closed.await(50, TimeUnit.MILLISECONDS)) {
            return false;
          }
          out.write(t[i]);
          out.flush();
        }
        if (a.hold()) {
          closed.await(120, TimeUnit.SECONDS);
          return false;
        }
        return true;
      });
    } catch (IOException | InterruptedException e) {
      // closed, or the client went away
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    synchronized (sockets) {
      for (Socket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }
}
