package dev.plinth.http;

import dev.plinth.oci.BulkInputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A small HTTP/1.1 client over blocking sockets: what a registry exchange needs
 * (fixed-length request bodies streamed from their source, Content-Length, chunked and
 * read-to-close response bodies, keep-alive connections reused per host) and nothing more: no
 * redirects, cookies, proxies or HTTP/2. The JDK's HttpClient moves a request body through its
 * flow machinery in 16 KiB buffers and takes some 80 ms to set up; a blob upload here is a plain
 * copy from the file to the socket, as curl's is.
 *
 * <p>Answers are parsed defensively: a status line that is not HTTP/1.x, a header section over
 * {@link #MAX_HEAD} bytes or {@link #MAX_HEADERS} lines, a malformed length or chunk size each end
 * the exchange with an IOException (the connection is dropped, never reused).
 */
public final class Http1 {
  static final int MAX_HEAD = 64 * 1024;
  static final int MAX_HEADERS = 200;
  /** Idle connections kept per host. */
  static final int MAX_IDLE = 16;
  /** How long a read may wait when the request gave no timeout: a stalled server is an error. */
  static final Duration IDLE_READ = Duration.ofMinutes(5);
  /** What is read to the end (and the connection kept) when a body is closed early. */
  private static final long DRAIN = 64 * 1024;

  private final SSLContext tls;
  private final Duration connectTimeout;
  private final Map<String, ArrayDeque<Conn>> idle = new HashMap<>();

  /** @param tls for https connections; host names are checked unless its trust says otherwise */
  public Http1(SSLContext tls, Duration connectTimeout) {
    this.tls = tls;
    this.connectTimeout = connectTimeout;
  }

  /** A response's header fields, names compared without case. */
  public static final class Headers {
    private final Map<String, List<String>> map;

    Headers(Map<String, List<String>> map) {
      this.map = map;
    }

    public Optional<String> firstValue(String name) {
      List<String> v = map.get(name);
      return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public OptionalLong firstValueAsLong(String name) {
      Optional<String> v = firstValue(name);
      if (v.isEmpty()) {
        return OptionalLong.empty();
      }
      try {
        return OptionalLong.of(Long.parseLong(v.get().trim()));
      } catch (NumberFormatException e) {
        return OptionalLong.empty();
      }
    }

    public List<String> allValues(String name) {
      List<String> v = map.get(name);
      return v == null ? List.of() : Collections.unmodifiableList(v);
    }
  }

  /** A response: its status and headers, read; its body, to read and close. */
  public static final class Response {
    private final int status;
    private final Headers headers;
    private final URI uri;
    private final InputStream body;

    Response(int status, Headers headers, URI uri, InputStream body) {
      this.status = status;
      this.headers = headers;
      this.uri = uri;
      this.body = body;
    }

    public int statusCode() {
      return status;
    }

    public Headers headers() {
      return headers;
    }

    /** The request's URI (redirects are not followed here). */
    public URI uri() {
      return uri;
    }

    public InputStream body() {
      return body;
    }
  }

  /**
   * Sends one request and reads the answer's head; the body is left to the caller. A request on a
   * reused connection that the server had closed meanwhile is sent once more on a new one.
   *
   * @param body null for none; else sent with its Content-Length
   * @param timeout how long to wait for each read (the head, then every read of the body); null
   *     for {@link #IDLE_READ}
   */
  public Response send(String method, URI uri, Map<String, String> headers, RequestBody body,
      Duration timeout) throws IOException {
    String key = key(uri);
    byte[] head = head(method, uri, headers, body);
    int readTimeout = (int) Math.min(Integer.MAX_VALUE,
        (timeout == null ? IDLE_READ : timeout).toMillis());
    while (true) {
      Conn c = take(key);
      boolean reused = c != null;
      if (c == null) {
        c = connect(uri);
      }
      try {
        c.socket.setSoTimeout(Math.max(1, readTimeout));
        c.answered = false;
        c.out.write(head);
        if (body != null && body.length() > 0) {
          copy(body, c.out);
        }
        c.out.flush();
        return read(c, key, method, uri);
      } catch (IOException | RuntimeException | Error e) {
        c.close();
        if (reused && !c.answered
            && (e instanceof StaleConnection || e instanceof java.net.SocketException)) {
          // a kept connection the server had closed meanwhile: it answered nothing, so the
          // request goes again on another (at worst a new one, which is not retried)
          continue;
        }
        throw e;
      }
    }
  }

  /** Drops every idle connection. */
  public void closeIdle() {
    List<Conn> all = new ArrayList<>();
    synchronized (idle) {
      idle.values().forEach(all::addAll);
      idle.clear();
    }
    all.forEach(Conn::close);
  }

  private static String key(URI uri) {
    return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + authority(uri);
  }

  /** host:port, the port filled in from the scheme. */
  static String authority(URI uri) {
    String h = uri.getHost() == null ? "" : uri.getHost();
    return h + ":" + port(uri);
  }

  /** Printable ASCII only, at most 200 characters: a server's text in a one-line message. */
  static String clean(String s) {
    String c = s.replaceAll("[^\\x20-\\x7e]", "?");
    return c.length() > 200 ? c.substring(0, 200) + "..." : c;
  }

  private static int port(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort()
        : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static byte[] head(String method, URI uri, Map<String, String> headers,
      RequestBody body) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    StringBuilder b = new StringBuilder(256).append(method).append(' ').append(path);
    if (uri.getRawQuery() != null) {
      b.append('?').append(uri.getRawQuery());
    }
    b.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() >= 0) {
      b.append(':').append(uri.getPort());
    }
    b.append("\r\nUser-Agent: plinth\r\n");
    headers.forEach((k, v) -> {
      if (!token(k) || v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("an invalid header field: " + k);
      }
      b.append(k).append(": ").append(v).append("\r\n");
    });
    if (body != null) {
      b.append("Content-Length: ").append(body.length()).append("\r\n");
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      b.append("Content-Length: 0\r\n");
    }
    return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean token(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch <= ' ' || ch >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(ch) >= 0) {
        return false;
      }
    }
    return true;
  }

  private static void copy(RequestBody body, OutputStream out) throws IOException {
    long left = body.length();
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = body.open()) {
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new EOFException("the request body ended " + left + " bytes early");
        }
        out.write(buf, 0, n);
        left -= n;
      }
      // a body that checks its content does so when read to its end
      if (in.read(buf, 0, 1) >= 0) {
        throw new IOException("the request body is longer than its stated length");
      }
    }
  }

  private Conn take(String key) {
    synchronized (idle) {
      ArrayDeque<Conn> q = idle.get(key);
      return q == null ? null : q.pollLast();
    }
  }

  private void give(String key, Conn c) {
    synchronized (idle) {
      ArrayDeque<Conn> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
      if (q.size() < MAX_IDLE) {
        q.addLast(c);
        return;
      }
    }
    c.close();
  }

  private Conn connect(URI uri) throws IOException {
    String host = uri.getHost();
    if (host == null) {
      throw new IOException("no host in " + uri.getScheme() + " URL");
    }
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = port(uri);
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(bare, port), (int) connectTimeout.toMillis());
      if ("https".equalsIgnoreCase(uri.getScheme())) {
        s.setSoTimeout((int) connectTimeout.toMillis());
        SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, bare, port, true);
        SSLParameters p = t.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        t.setSSLParameters(p);
        t.startHandshake();
        s = t;
      }
      return new Conn(s);
    } catch (IOException | RuntimeException e) {
      try {
        s.close();
      } catch (IOException ignored) {
        // already failing
      }
      throw e;
    }
  }

  /** The request went unanswered on a kept connection: the server had closed it. */
  private static final class StaleConnection extends IOException {
    StaleConnection() {
      super("the kept connection was closed by the server");
    }
  }

  private Response read(Conn c, String key, String method, URI uri) throws IOException {
    while (true) {
      c.headBytes = 0;
      String status = c.line(true);
      if (status == null) {
        throw c.used ? new StaleConnection() : new EOFException("the server closed the"
            + " connection without an answer");
      }
      c.used = true;
      c.answered = true;
      if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(8) != ' '
          || (status.length() > 12 && status.charAt(12) != ' ')) {
        throw new IOException("not an HTTP/1.x answer: " + clean(
            status.length() > 40 ? status.substring(0, 40) : status));
      }
      int code;
      try {
        code = Integer.parseInt(status.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new IOException("a malformed HTTP status line");
      }
      if (code < 100 || code > 599) {
        throw new IOException("HTTP status " + code + " is out of range");
      }
      Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      int n = 0;
      for (String l; !(l = c.line(false)).isEmpty(); ) {
        if (++n > MAX_HEADERS) {
          throw new IOException("more than " + MAX_HEADERS + " header fields");
        }
        int colon = l.indexOf(':');
        if (colon <= 0) {
          throw new IOException("a malformed header field");
        }
        fields.computeIfAbsent(l.substring(0, colon).trim(), k -> new ArrayList<>(1))
            .add(l.substring(colon + 1).trim());
      }
      if (code < 200) {
        continue; // an interim answer (100 Continue): the real one follows
      }
      Headers h = new Headers(fields);
      boolean keep = status.startsWith("HTTP/1.1") && !h.allValues("Connection").stream()
          .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
      InputStream body;
      if (method.equals("HEAD") || code == 204 || code == 304) {
        body = new Body(c, key, 0, keep);
      } else if (h.allValues("Transfer-Encoding").stream()
          .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))) {
        body = new Chunked(c, key, keep);
      } else if (h.firstValue("Content-Length").isPresent()) {
        List<String> all = h.allValues("Content-Length");
        long len;
        try {
          len = Long.parseLong(all.get(0));
        } catch (NumberFormatException e) {
          throw new IOException("a malformed Content-Length");
        }
        if (len < 0 || all.stream().anyMatch(v -> !v.equals(all.get(0)))) {
          throw new IOException("a malformed Content-Length");
        }
        body = new Body(c, key, len, keep);
      } else {
        body = new Body(c, key, -1, false); // to the end of the connection
      }
      if (body instanceof Body b && b.left == 0) {
        b.close(); // nothing to read: the connection is free (or closed) now
      }
      return new Response(code, h, uri, body);
    }
  }

  /** One connection: buffered both ways. */
  private static final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    /** Whether it answered a request already (an EOF before the next answer means stale). */
    boolean used;
    /** Whether the current request got a status line. */
    boolean answered;
    int headBytes;

    Conn(Socket s) throws IOException {
      this.socket = s;
      this.in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      this.out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    /** A CRLF- (or LF-) ended line of the head; null at EOF before its first byte if allowed. */
    String line(boolean eofOk) throws IOException {
      StringBuilder b = new StringBuilder(64);
      while (true) {
        int ch = in.read();
        if (ch < 0) {
          if (eofOk && b.length() == 0) {
            return null;
          }
          throw new EOFException("the connection ended inside the answer's head");
        }
        if (++headBytes > MAX_HEAD) {
          throw new IOException("the answer's head is over " + MAX_HEAD + " bytes");
        }
        if (ch == '\n') {
          int len = b.length();
          return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
        }
        b.append((char) ch);
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // nothing to save
      }
    }
  }

  /** A body of a known length (or to the connection's end, {@code left} -1). */
  private final class Body extends BulkInputStream {
    final Conn c;
    final String key;
    long left;
    final boolean keep;
    boolean closed;

    Body(Conn c, String key, long left, boolean keep) {
      this.c = c;
      this.key = key;
      this.left = left;
      this.keep = keep;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left == 0) {
        return -1;
      }
      if (closed) {
        throw new IOException("the response body is closed");
      }
      if (len == 0) {
        return 0;
      }
      int n = c.in.read(b, off, left < 0 ? len : (int) Math.min(len, left));
      if (n < 0) {
        if (left > 0) {
          closed = true;
          c.close();
          throw new EOFException("the connection ended " + left + " bytes before the body's end");
        }
        left = 0;
        return -1;
      }
      if (left > 0) {
        left -= n;
        if (left == 0) {
          done();
        }
      }
      return n;
    }

    void done() {
      if (keep && !closed) {
        give(key, c);
        closed = true;
      }
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (keep && left == 0) {
        done();
        return;
      }
      if (keep && left > 0 && left <= DRAIN) {
        try {
          c.in.skipNBytes(left);
          left = 0;
          done();
          return;
        } catch (IOException e) {
          // drop it
        }
      }
      closed = true;
      c.close();
    }
  }

  /** A chunked body; trailers are read and dropped. */
  private final class Chunked extends BulkInputStream {
    final Conn c;
    final String key;
    final boolean keep;
    long chunk; // left in the current chunk
    boolean end;
    boolean closed;
    long drained;

    Chunked(Conn c, String key, boolean keep) {
      this.c = c;
      this.key = key;
      this.keep = keep;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (end) {
        return -1;
      }
      if (closed) {
        throw new IOException("the response body is closed");
      }
      if (len == 0) {
        return 0;
      }
      if (chunk == 0) {
        c.headBytes = 0;
        String size = c.line(false);
        int semi = size.indexOf(';');
        String hex = (semi >= 0 ? size.substring(0, semi) : size).trim();
        if (hex.isEmpty() || hex.length() > 15) {
          throw broken("a malformed chunk size");
        }
        try {
          chunk = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw broken("a malformed chunk size");
        }
        if (chunk < 0) {
          throw broken("a malformed chunk size");
        }
        if (chunk == 0) {
          while (!c.line(false).isEmpty()) {
            // trailer fields
          }
          end = true;
          if (keep) {
            c.headBytes = 0;
            closed = true;
            give(key, c);
          }
          return -1;
        }
      }
      int n = c.in.read(b, off, (int) Math.min(len, chunk));
      if (n < 0) {
        throw broken("the connection ended inside a chunk");
      }
      chunk -= n;
      if (chunk == 0) {
        c.headBytes = 0;
        if (!c.line(false).isEmpty()) {
          throw broken("a chunk is longer than its size");
        }
      }
      return n;
    }

    private IOException broken(String why) {
      closed = true;
      c.close();
      return new IOException(why);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      if (keep && !end) {
        try {
          byte[] buf = new byte[8192];
          int n;
          while (drained < DRAIN && (n = read(buf, 0, buf.length)) >= 0) {
            drained += n;
          }
          if (end) {
            return;
          }
        } catch (IOException e) {
          // drop it
        }
      }
      if (!closed) {
        closed = true;
        if (!(keep && end)) {
          c.close();
        }
      }
    }
  }
}
