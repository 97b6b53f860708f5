package dev.plinth.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy for tests, on 127.0.0.1: CONNECT tunnels and absolute-form requests, to the
 * names of its own host table only (so a client that bypasses it cannot even resolve them).
 * It counts what it carried and what it refused: a request in origin form (a client talking to
 * it as if it were the server), a name not in its table, missing or wrong credentials (407).
 */
public final class TestProxy implements Closeable {
  private final ServerSocket server;
  private final Map<String, InetSocketAddress> hosts = new ConcurrentHashMap<>();
  private final AtomicInteger tunnels = new AtomicInteger();
  private final AtomicInteger forwarded = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();
  private final List<String> targets = Collections.synchronizedList(new ArrayList<>());
  private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
  private volatile String credentials;

  public TestProxy() throws IOException {
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    TestSockets.acceptEach(server, 10_000, "test-proxy", open, this::serve);
  }

  /** Requests for {@code name:port} go to {@code to}. */
  public TestProxy route(String name, int port, InetSocketAddress to) {
    hosts.put(name + ":" + port, to);
    return this;
  }

  /** Only requests with Basic credentials user:password are carried; others get 407. */
  public TestProxy requireCredentials(String user, String password) {
    credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
        .getBytes(StandardCharsets.UTF_8));
    return this;
  }

  public int port() {
    return server.getLocalPort();
  }

  /** http://127.0.0.1:PORT */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public int tunnels() {
    return tunnels.get();
  }

  public int forwarded() {
    return forwarded.get();
  }

  public int refused() {
    return refused.get();
  }

  /** What was carried: "CONNECT host:port" or "GET http://...", in order. */
  public List<String> targets() {
    synchronized (targets) {
      return List.copyOf(targets);
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      String head = TestRequest.head(in);
      if (head == null) {
        return;
      }
      String[] lines = head.split("\r\n");
      String[] req = lines[0].split(" ");
      String auth = null;
      StringBuilder rest = new StringBuilder();
      for (int i = 1; i < lines.length; i++) {
        if (lines[i].regionMatches(true, 0, "Proxy-Authorization:", 0, 20)) {
          auth = lines[i].substring(20).strip();
        } else {
          rest.append(lines[i]).append("\r\n");
        }
      }
      OutputStream out = client.getOutputStream();
      if (req.length != 3) {
        refuse(out, "400 Bad Request");
        return;
      }
      if (credentials != null && !credentials.equals(auth)) {
        refuse(out, "407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"t\"");
        return;
      }
      if (req[0].equals("CONNECT")) {
        InetSocketAddress to = hosts.get(req[1]);
        if (to == null) {
          refuse(out, "502 Bad Gateway");
          return;
        }
        Socket up = new Socket(to.getAddress(), to.getPort());
        open.add(up);
        tunnels.incrementAndGet();
        targets.add("CONNECT " + req[1]);
        out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        pipe(client, up);
        return;
      }
      if (!req[1].startsWith("http://")) {
        refuse(out, "400 Bad Request");   // origin form: the client took the proxy for a server
        return;
      }
      URI u = URI.create(req[1]);
      InetSocketAddress to = hosts.get(u.getHost() + ":" + (u.getPort() < 0 ? 80 : u.getPort()));
      if (to == null) {
        refuse(out, "502 Bad Gateway");
        return;
      }
      Socket up = new Socket(to.getAddress(), to.getPort());
      open.add(up);
      forwarded.incrementAndGet();
      targets.add(req[0] + " " + req[1]);
      String target = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
      // one request per connection upstream: the client's next one comes on a new connection
      String first = req[0] + " " + target + " " + req[2] + "\r\n"
          + rest.toString().replaceAll("(?im)^connection:.*\r\n", "") + "Connection: close\r\n\r\n";
      up.getOutputStream().write(first.getBytes(StandardCharsets.ISO_8859_1));
      up.getOutputStream().flush();
      pipe(client, up);
    } catch (IOException e) {
      // the client or the server went away
    }
  }

  private void refuse(OutputStream out, String status) throws IOException {
    refused.incrementAndGet();
    out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  /** Copies both ways until either side ends. */
  private static void pipe(Socket a, Socket b) throws IOException {
    Thread t = new Thread(() -> copy(b, a), "test-proxy-pipe");
    t.setDaemon(true);
    t.start();
    copy(a, b);
    try {
      t.join(60_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    b.close();
  }

  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side closed, or reset: a server that closed after its answer resets the connection
      // when a client's next request, piped on, reaches it first
    } finally {
      try {
        // the other side sees the end either way: were it left open on a reset, a client that
        // sent its next request on this connection would wait for an answer that never comes
        to.shutdownOutput();
      } catch (IOException e) {
        // already closed
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    synchronized (open) {
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
