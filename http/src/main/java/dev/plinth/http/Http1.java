package dev.plinth.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The one HTTP/1.1 client of plinth, over blocking sockets: fixed-length request bodies streamed
 * from their source, Content-Length, chunked and read-to-close response bodies, keep-alive
 * connections reused per scheme, host and port. The JDK's HttpClient moves a request body
 * through its flow machinery in 16 KiB buffers and takes some 80 ms to set up; a blob upload here
 * is a plain copy from the file to the socket, as curl's is.
 *
 * <p>What is not here is in small pieces around it: where a connection goes and TLS ({@link
 * Connector}, {@link Tls}), redirects ({@link Redirects}). Authentication and retries are the
 * callers' (a registry's differ from a Debian mirror's). No cookies, no HTTP/2.
 *
 * <p>Answers are parsed defensively: a status line that is not HTTP/1.x, a header section over
 * {@link #MAX_HEAD} bytes or {@link #MAX_HEADERS} lines, a malformed length or chunk size each end
 * the exchange with an IOException (the connection is dropped, never reused).
 */
public final class Http1 {
  /** The most bytes an answer's head may have (and a chunk-size line, and trailers). */
  public static final int MAX_HEAD = 64 * 1024;
  /** The most header fields an answer may have. */
  public static final int MAX_HEADERS = 200;
  /** Idle connections kept per server. */
  public static final int MAX_IDLE = 16;
  /** How long a read may wait when the request gave no timeout: a stalled server is an error. */
  public static final Duration IDLE_READ = Duration.ofMinutes(5);
  /** What is read to the end (and the connection kept) when a body is closed early. */
  static final long DRAIN = 64 * 1024;

  private final Connector connector;
  private final Duration connectTimeout;
  private final Pool idle = new Pool();

  /**
   * @param connector where connections are opened
   * @param connectTimeout how long opening one (and its TLS handshake) may take
   */
  public Http1(Connector connector, Duration connectTimeout) {
    this.connector = connector;
    this.connectTimeout = connectTimeout;
  }

  /**
   * Direct connections ({@link Connector#direct(SSLContext)}).
   *
   * @param tls for https connections; host names are checked unless its trust says otherwise
   */
  public Http1(SSLContext tls, Duration connectTimeout) {
    this(Connector.direct(tls), connectTimeout);
  }

  /**
   * Sends one request and reads the answer's head; the body is left to the caller. A request on a
   * reused connection that the server had closed meanwhile is sent once more on a new one.
   * A request with {@code Connection: close} does not keep its connection.
   *
   * @param headers sent as given, after Host and User-Agent; IllegalArgumentException for a name
   *     that is not a token or a value with a line break
   * @param body null for none; else sent with its Content-Length
   * @param timeout how long to wait for each read (the head, then every read of the body); null
   *     for {@link #IDLE_READ}
   */
  public Response send(String method, URI uri, Map<String, String> headers, RequestBody body,
      Duration timeout) throws IOException {
    return sendWithin(method, uri, headers, body, Limits.idle(timeout));
  }

  /**
   * Sends one request as {@link #send(String, URI, Map, RequestBody, Duration)} does, within
   * {@code limits}: connecting ends by the connect timeout or the deadline, whichever is first;
   * the head by the head limit or the deadline; the body, read by the caller, by the deadline.
   * Past one of them the request fails with a {@link DeadlineException} naming it.
   */
  public Response sendWithin(String method, URI uri, Map<String, String> headers,
      RequestBody body, Limits limits) throws IOException {
    String key = uri.getScheme().toLowerCase(Locale.ROOT) + "://" + authority(uri);
    boolean keepAllowed = headers.entrySet().stream().noneMatch(e ->
        e.getKey().equalsIgnoreCase("Connection")
            && e.getValue().toLowerCase(Locale.ROOT).contains("close"));
    Duration idleRead = limits.idleOrDefault();
    Deadline whole = limits.deadline();
    while (true) {
      Conn c = idle.take(key);
      boolean reused = c != null;
      if (c == null) {
        c = new Conn(open(uri, whole), idle, key);
      }
      try {
        c.start(idleRead, null, whole);
        c.answered = false;
        c.out.write(head(method, uri, headers, body, c.connection));
        if (body != null && body.length() > 0) {
          c.writing();
          copy(body, c);
        }
        c.out.flush();
        c.sent(limits.head() == null ? null
            : Deadline.after(limits.head(), "for an answer's head"));
        return ResponseParser.read(c, method, uri, keepAllowed);
      } catch (IOException e) {
        c.close();
        IOException x = c.explain(e);
        if (x == e && reused && !c.answered
            && (e instanceof ResponseParser.StaleConnection || e instanceof SocketException)) {
          // a kept connection the server had closed meanwhile: it answered nothing, so the
          // request goes again on another (at worst a new one, which is not retried)
          continue;
        }
        throw x;
      } catch (RuntimeException | Error e) {
        c.close();
        throw e;
      }
    }
  }

  /** A new connection, by the connect timeout or the exchange's deadline, whichever is first. */
  private Connection open(URI uri, Deadline whole) throws IOException {
    Duration wait = connectTimeout;
    if (whole != null) {
      if (whole.passed()) {
        throw new DeadlineException("no complete answer within " + whole, whole);
      }
      wait = whole.left().compareTo(wait) < 0 ? whole.left() : wait;
    }
    try {
      return connector.open(uri, wait);
    } catch (java.net.SocketTimeoutException e) {
      if (whole != null && whole.passed()) {
        DeadlineException x = new DeadlineException("no complete answer within " + whole, whole);
        x.initCause(e);
        throw x;
      }
      throw e;
    }
  }

  /** Drops every idle connection (a caller done with a server, or about to be). */
  public void closeIdle() {
    idle.closeAll();
  }

  /** host:port, the port filled in from the scheme. */
  static String authority(URI uri) {
    String h = uri.getHost() == null ? "" : uri.getHost();
    return h + ":" + Uris.port(uri);
  }

  private static byte[] head(String method, URI uri, Map<String, String> headers,
      RequestBody body, Connection connection) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    StringBuilder b = new StringBuilder(256).append(method).append(' ');
    if (connection.absoluteForm()) {
      // to a plain-HTTP proxy: the whole target, without user information
      b.append(uri.getScheme().toLowerCase(Locale.ROOT)).append("://").append(uri.getRawAuthority()
          .substring(uri.getRawAuthority().lastIndexOf('@') + 1));
    }
    b.append(path);
    if (uri.getRawQuery() != null) {
      b.append('?').append(uri.getRawQuery());
    }
    b.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
    if (uri.getPort() >= 0) {
      b.append(':').append(uri.getPort());
    }
    b.append("\r\nUser-Agent: plinth\r\n");
    if (connection.viaProxy() != null) {
      b.append("Proxy-Authorization: ").append(connection.viaProxy()).append("\r\n");
    }
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

  private static void copy(RequestBody body, Conn c) throws IOException {
    OutputStream out = c.out;
    long left = body.length();
    byte[] buf = new byte[128 * 1024];
    try (InputStream in = body.open()) {
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new EOFException("the request body ended " + left + " bytes early");
        }
        out.write(buf, 0, n);
        c.wrote();
        left -= n;
      }
      // a body that checks its content does so when read to its end
      if (in.read(buf, 0, 1) >= 0) {
        throw new IOException("the request body is longer than its stated length");
      }
    }
  }
}
