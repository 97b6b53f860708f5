package dev.plinth.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP CONNECT tunnel through a proxy: {@code CONNECT host:port}, with the proxy's
 * Proxy-Authorization, and its answer's head read byte by byte (so nothing of the origin's TLS
 * is read ahead), at most {@link #MAX_HEAD} bytes. A 2xx opens the tunnel; anything else fails
 * naming the proxy, the origin and the proxy's status.
 */
final class ProxyTunnel {
  /** The most bytes of the proxy's answer head. */
  static final int MAX_HEAD = 16 * 1024;

  private ProxyTunnel() {}

  /** Asks the proxy on {@code s} for a tunnel to host:port; returns when it is open. */
  static void open(Socket s, Proxies.Proxy via, String host, int port) throws IOException {
    String authority = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    StringBuilder b = new StringBuilder("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
        .append("Host: ").append(authority).append("\r\nUser-Agent: plinth\r\n");
    if (via.authorization() != null) {
      b.append("Proxy-Authorization: ").append(via.authorization()).append("\r\n");
    }
    OutputStream out = s.getOutputStream();
    out.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    String status = statusLine(s.getInputStream(), via);
    String[] f = status.split(" ", 3);
    int code = -1;
    if (f.length >= 2 && f[0].startsWith("HTTP/1.") && f[1].matches("\\d{3}")) {
      code = Integer.parseInt(f[1]);
    }
    if (code < 0) {
      throw new IOException("the proxy " + via + " did not answer CONNECT with HTTP: "
          + Uris.clean(status));
    }
    if (code / 100 != 2) {
      String reason = f.length > 2 ? " " + Uris.clean(f[2]) : "";
      throw new ProxyRefusedException("the proxy " + via + " refused the tunnel to " + authority
          + ": " + code + reason + (code == 407 ? (via.authorization() == null
              ? "; it wants credentials: put them in the proxy URL (http://user:password@host:port)"
              : "; it did not accept the proxy URL's user and password") : ""), code);
    }
  }

  /** The status line; the rest of the head is read and dropped. */
  private static String statusLine(InputStream in, Proxies.Proxy via) throws IOException {
    byte[] head = new byte[MAX_HEAD];
    int n = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("the proxy " + via + " closed the connection without answering"
            + " CONNECT");
      }
      if (n == head.length) {
        throw new IOException("the proxy " + via + "'s answer to CONNECT is longer than "
            + MAX_HEAD + " bytes");
      }
      head[n++] = (byte) c;
      if (n >= 4 && head[n - 4] == '\r' && head[n - 3] == '\n' && head[n - 2] == '\r'
          && head[n - 1] == '\n') {
        break;
      }
    }
    String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
    int eol = text.indexOf("\r\n");
    return text.substring(0, eol);
  }
}
