package dev.plinth.registry;

import dev.plinth.http.TestRequest;
import dev.plinth.http.TestSockets;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 in front of a real registry that injects faults: it can
 * answer a request itself (429 or 503 with Retry-After), drop the connection part way into a
 * request body (a dropped upload), or corrupt a response body. It logs every request it sees, so
 * tests can count them.
 */
public final class FaultProxy implements AutoCloseable {
  /** A request as it arrived. */
  public record Request(String method, String target, Map<String, String> headers) {
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  /** What to do with a request. */
  public sealed interface Action {}

  /** Forward it (and the answer) unchanged. */
  public record Pass() implements Action {}

  /** Answer it here, with this status, headers and body. */
  public record Respond(int status, Map<String, String> headers, String body) implements Action {}

  /** Read this many bytes of its body, then close the connection without an answer. */
  public record DropAfter(long bytes) implements Action {}

  /** Forward it, but flip a byte in the middle of the answer's body. */
  public record Corrupt() implements Action {}

  /** Decides per request; {@code nth} counts the requests seen so far, from 0. */
  public interface Rule {
    Action decide(Request r, int nth);
  }

  private final ServerSocket server;
  private final String upstreamHost;
  private final int upstreamPort;
  private final List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
  public final List<String> log = Collections.synchronizedList(new ArrayList<>());
  public volatile Rule rule = (r, n) -> new Pass();

  public FaultProxy(String upstreamHost, int upstreamPort) throws IOException {
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    TestSockets.acceptEach(server, 10_000, "fault-proxy", accepted, this::serve);
  }

  public int port() {
    return server.getLocalPort();
  }

  public String host() {
    return "127.0.0.1:" + port();
  }

  public long count(String method, String pathPart) {
    synchronized (log) {
      return log.stream().filter(l -> l.startsWith(method + " ") && l.contains(pathPart)).count();
    }
  }

  private void serve(Socket client) {
    try (client) {
      client.setSoTimeout(120_000);
      InputStream in = new BufferedInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        String[] lines = head.split("\r\n");
        String[] first = lines[0].split(" ");
        Map<String, String> headers = headers(lines);
        Request req = new Request(first[0], first[1], headers);
        int nth;
        synchronized (log) {
          nth = log.size();
          log.add(first[0] + " " + first[1]);
        }
        Action a = rule.decide(req, nth);
        long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        if (a instanceof DropAfter d) {
          in.readNBytes((int) Math.min(length, d.bytes()));
          client.setSoLinger(true, 0); // a reset, as a dropped connection looks
          return;
        }
        byte[] body = in.readNBytes((int) length);
        if (a instanceof Respond r) {
          write(out, r.status(), r.headers(), r.body().getBytes(StandardCharsets.UTF_8), false);
          continue;
        }
        forward(req, head, body, out, a instanceof Corrupt);
      }
    } catch (IOException e) {
      // the client went away
    }
  }

  private void forward(Request req, String head, byte[] body, OutputStream out, boolean corrupt)
      throws IOException {
    try (Socket up = new Socket(upstreamHost, upstreamPort)) {
      up.setSoTimeout(120_000);
      OutputStream uo = up.getOutputStream();
      StringBuilder h = new StringBuilder();
      for (String line : head.split("\r\n")) {
        if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
          h.append(line).append("\r\n");
        }
      }
      h.append("Connection: close\r\n\r\n");
      uo.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
      uo.write(body);
      uo.flush();
      InputStream ui = new BufferedInputStream(up.getInputStream());
      String rh = readHead(ui);
      if (rh == null) {
        throw new IOException("upstream closed");
      }
      String[] lines = rh.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> hs = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int c = lines[i].indexOf(':');
        hs.put(lines[i].substring(0, c).trim(), lines[i].substring(c + 1).trim());
      }
      boolean head0 = req.method().equals("HEAD");
      byte[] rb;
      String te = get(hs, "transfer-encoding");
      String cl = get(hs, "content-length");
      if (head0 || status == 204 || status == 304 || status / 100 == 1) {
        rb = new byte[0];
      } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
        rb = dechunk(ui);
      } else if (cl != null) {
        rb = ui.readNBytes(Integer.parseInt(cl));
      } else {
        rb = ui.readAllBytes();
      }
      if (corrupt && rb.length > 0) {
        rb[rb.length / 2] ^= 0x55;
      }
      hs.keySet().removeIf(k -> k.equalsIgnoreCase("transfer-encoding")
          || k.equalsIgnoreCase("connection") || (!head0 && k.equalsIgnoreCase("content-length")));
      write(out, status, hs, rb, head0);
    }
  }

  private static String get(Map<String, String> hs, String name) {
    for (Map.Entry<String, String> e : hs.entrySet()) {
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static void write(OutputStream out, int status, Map<String, String> headers, byte[] body,
      boolean head) throws IOException {
    StringBuilder sb = new StringBuilder("HTTP/1.1 " + status + " X\r\n");
    headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    if (!head) {
      sb.append("Content-Length: ").append(body.length).append("\r\n");
    }
    sb.append("\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    if (!head) {
      out.write(body);
    }
    out.flush();
  }

  private static byte[] dechunk(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int n = Integer.parseInt(size.split(";")[0].trim(), 16);
      if (n == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return all.toByteArray();
      }
      all.write(in.readNBytes(n));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  /** A head without its empty line; null when the stream ends first (or it is over 64 KiB). */
  private static String readHead(InputStream in) throws IOException {
    String head = TestRequest.head(in);
    return head == null ? null : head.substring(0, head.length() - 4);
  }

  private static Map<String, String> headers(String[] lines) {
    Map<String, String> h = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int c = lines[i].indexOf(':');
      if (c > 0) {
        h.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(c + 1).trim());
      }
    }
    return h;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
