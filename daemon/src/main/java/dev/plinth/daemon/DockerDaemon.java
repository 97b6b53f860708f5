package dev.plinth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.BulkInputStream;
import dev.plinth.oci.Json;
import dev.plinth.oci.LimitedInputStream;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.PlinthException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Docker Engine API over its unix socket ({@code $DOCKER_HOST}, else {@code
 * /var/run/docker.sock}); Podman's Docker-compatible service speaks the same. Images go in and
 * out as docker-archive tar streams: a load streams a file to the socket, a save streams the
 * socket to a file; neither holds an image in memory. No {@code docker} program is run.
 */
public final class DockerDaemon {
  /** The socket Docker listens on by default. */
  public static final String DEFAULT_SOCKET = "/var/run/docker.sock";
  private static final String API = "/v1.41";
  private static final int MAX_HEADER = 64 * 1024;
  private static final long MAX_JSON = 16L << 20;

  private final Path socket;
  private final String where;

  private DockerDaemon(Path socket, String where) {
    this.socket = socket;
    this.where = where;
  }

  /** The daemon $DOCKER_HOST names (unix:// only), else the default socket. */
  public static DockerDaemon fromEnvironment(Map<String, String> env) throws PlinthException {
    String host = env.get("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      return new DockerDaemon(Path.of(DEFAULT_SOCKET), "unix://" + DEFAULT_SOCKET);
    }
    if (!host.startsWith("unix://") || host.length() <= "unix://".length()) {
      throw new PlinthException(Kind.USAGE, "DOCKER_HOST=" + host + ": plinth talks to a daemon"
          + " over a unix socket only (unix:///path/to/docker.sock)");
    }
    return new DockerDaemon(Path.of(host.substring("unix://".length())), host);
  }

  /** The daemon at this socket. */
  public static DockerDaemon at(Path socket) {
    return new DockerDaemon(socket, "unix://" + socket);
  }

  /** Where the daemon is, for messages. */
  public String where() {
    return where;
  }

  /** The daemon's architecture as OCI names it (amd64, arm64, …). */
  public String architecture() throws PlinthException {
    JsonNode version = json("GET", API + "/version");
    String arch = version.path("Arch").asText("");
    return switch (arch) {
      case "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  /**
   * Loads a docker-archive into the daemon and returns what it reports it loaded ("Loaded image:
   * NAME"); BAD_INPUT with the daemon's message when it refuses the archive.
   */
  public String load(Path dockerArchive) throws PlinthException {
    long size;
    try {
      size = Files.size(dockerArchive);
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, dockerArchive + ": " + e.getMessage(), e);
    }
    try (SocketChannel ch = connect()) {
      OutputStream out = Channels.newOutputStream(ch);
      String head = "POST " + API + "/images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\n"
          + "Content-Type: application/x-tar\r\nContent-Length: " + size + "\r\n"
          + "Connection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      try (InputStream in = Files.newInputStream(dockerArchive)) {
        in.transferTo(out);
      }
      out.flush();
      Response r = read(Channels.newInputStream(ch), "POST /images/load");
      String body = new String(r.body().readNBytes((int) MAX_JSON), StandardCharsets.UTF_8);
      if (r.status() != 200) {
        throw new PlinthException(Kind.BAD_INPUT, where + " refused the image (HTTP " + r.status()
            + "): " + message(body));
      }
      StringBuilder loaded = new StringBuilder();
      for (String line : body.split("\n")) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode n = Json.read(line.getBytes(StandardCharsets.UTF_8), "the daemon's answer");
        if (n.has("errorDetail") || n.has("error")) {
          throw new PlinthException(Kind.BAD_INPUT, where + " refused the image: "
              + n.path("error").asText(n.path("errorDetail").path("message").asText()));
        }
        String s = n.path("stream").asText("").strip();
        if (!s.isEmpty()) {
          loaded.append(loaded.length() == 0 ? "" : "; ").append(s);
        }
      }
      return loaded.toString();
    } catch (IOException e) {
      throw lost(e);
    }
  }

  /**
   * Saves an image of the daemon ({@code name:tag} or an ID) as a docker-archive into {@code
   * target}, streaming; NOT_FOUND when the daemon has no such image.
   */
  public void save(String name, Path target) throws PlinthException {
    try (SocketChannel ch = connect()) {
      OutputStream out = Channels.newOutputStream(ch);
      String path = API + "/images/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/get";
      out.write(("GET " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response r = read(Channels.newInputStream(ch), "GET /images/" + name + "/get");
      if (r.status() == 404) {
        throw new PlinthException(Kind.NOT_FOUND, where + " has no image " + name);
      }
      if (r.status() != 200) {
        throw new PlinthException(Kind.BAD_INPUT, where + " cannot save " + name + " (HTTP "
            + r.status() + "): " + message(new String(r.body().readNBytes(65536),
                StandardCharsets.UTF_8)));
      }
      try (OutputStream file = Files.newOutputStream(target)) {
        r.body().transferTo(file);
      }
    } catch (IOException e) {
      throw lost(e);
    }
  }

  private JsonNode json(String method, String path) throws PlinthException {
    try (SocketChannel ch = connect()) {
      OutputStream out = Channels.newOutputStream(ch);
      out.write((method + " " + path + " HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Response r = read(Channels.newInputStream(ch), method + " " + path);
      byte[] body = r.body().readNBytes((int) MAX_JSON);
      if (r.status() != 200) {
        throw new PlinthException(Kind.BAD_INPUT, where + " answered HTTP " + r.status() + " to "
            + method + " " + path + ": " + message(new String(body, StandardCharsets.UTF_8)));
      }
      return Json.read(body, where + " " + path);
    } catch (IOException e) {
      throw lost(e);
    }
  }

  private SocketChannel connect() throws PlinthException {
    if (!Files.exists(socket)) {
      throw new PlinthException(Kind.NOT_FOUND, "no Docker daemon at " + where + ": the socket"
          + " does not exist. Start Docker, or Podman's compatible service (podman system service"
          + " unix://" + socket + "), or point DOCKER_HOST at a running one");
    }
    try {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      return ch;
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, "no Docker daemon answers at " + where + " ("
          + e.getMessage() + "). Start Docker or Podman's service, or set DOCKER_HOST", e);
    }
  }

  private PlinthException lost(IOException e) {
    return new PlinthException(Kind.OUTPUT, "the connection to the daemon at " + where
        + " failed: " + e.getMessage(), e);
  }

  private static String message(String body) {
    try {
      JsonNode n = Json.read(body.getBytes(StandardCharsets.UTF_8), "error");
      if (n.has("message")) {
        return n.path("message").asText();
      }
    } catch (PlinthException | RuntimeException e) {
      // not JSON: show it as text
    }
    String s = body.strip();
    return s.length() > 500 ? s.substring(0, 500) + "…" : s;
  }

  /** A response: status and a body stream (de-chunked, bounded by Content-Length). */
  record Response(int status, Map<String, String> headers, InputStream body) {}

  static Response read(InputStream raw, String what) throws IOException {
    InputStream in = new BufferedInputStream(raw, 65536);
    String status = line(in, what);
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer to " + what + ": '" + status + "'");
    }
    int code;
    try {
      code = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status to " + what + ": '" + status + "'");
    }
    Map<String, String> headers = new LinkedHashMap<>();
    int total = 0;
    for (String h; !(h = line(in, what)).isEmpty(); ) {
      total += h.length();
      if (total > MAX_HEADER) {
        throw new IOException("headers too large in the answer to " + what);
      }
      int c = h.indexOf(':');
      if (c > 0) {
        headers.put(h.substring(0, c).strip().toLowerCase(Locale.ROOT), h.substring(c + 1).strip());
      }
    }
    InputStream body;
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = new Chunked(in, what);
    } else if (headers.containsKey("content-length")) {
      body = new LimitedInputStream(in, Long.parseLong(headers.get("content-length")),
          "the daemon's answer ended early", null);
    } else {
      body = in;
    }
    return new Response(code, headers, body);
  }

  private static String line(InputStream in, String what) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c; (c = in.read()) != '\n'; ) {
      if (c < 0) {
        throw new EOFException("the daemon closed the connection during " + what);
      }
      if (b.size() > MAX_HEADER) {
        throw new IOException("an overlong line in the answer to " + what);
      }
      b.write(c);
    }
    String s = b.toString(StandardCharsets.ISO_8859_1);
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  private static final class Chunked extends BulkInputStream {
    private final InputStream in;
    private final String what;
    private long left;
    private boolean done;

    Chunked(InputStream in, String what) {
      this.in = in;
      this.what = what;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) {
        return -1;
      }
      if (left == 0) {
        String size = line(in, what);
        int semi = size.indexOf(';');
        try {
          left = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size in the answer to " + what);
        }
        if (left < 0) {
          throw new IOException("bad chunk size in the answer to " + what);
        }
        if (left == 0) {
          done = true;
          while (!line(in, what).isEmpty()) {
            // trailers
          }
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the daemon's answer ended inside a chunk");
      }
      left -= n;
      if (left == 0) {
        line(in, what);
      }
      return n;
    }
  }
}
