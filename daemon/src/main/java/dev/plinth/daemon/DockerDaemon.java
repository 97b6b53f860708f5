package dev.plinth.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.http.Connector;
import dev.plinth.http.Deadline;
import dev.plinth.http.Http1;
import dev.plinth.http.Limits;
import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Docker Engine API over its unix socket ({@code $DOCKER_HOST}, else {@code
 * /var/run/docker.sock}); Podman's Docker-compatible service speaks the same. Images go in and
 * out as docker-archive tar streams: a load streams a file to the socket, a save streams the
 * socket to a file; neither holds an image in memory. No {@code docker} program is run. HTTP is
 * plinth's one client ({@link Http1} over {@link Connector#unix}), which parses the daemon's
 * answers as defensively as a registry's. Every wait has a deadline: a small exchange is done
 * within {@link #QUICK} or fails, and a load's or save's answer must begin within {@link #SLOW}
 * of the request, however the daemon trickles it.
 */
public final class DockerDaemon {
  /** The socket Docker listens on by default. */
  public static final String DEFAULT_SOCKET = "/var/run/docker.sock";
  private static final String API = "/v1.41";
  private static final long MAX_JSON = 16L << 20;
  /** All of a small exchange (the daemon's version), its answer read whole. */
  static final Duration QUICK = Duration.ofMinutes(1);
  /**
   * The answer's head to a load or save, from the request sent (a load is answered once the daemon
   * has unpacked every layer; Podman saves to a file before it answers); and the longest the
   * daemon may stay silent while the archive streams.
   */
  static final Duration SLOW = Duration.ofMinutes(30);

  private final Path socket;
  private final String where;
  private final Http1 http;
  private final Duration quick;
  private final Duration slow;

  private DockerDaemon(Path socket, String where) {
    this(socket, where, QUICK, SLOW);
  }

  /** With other deadlines (tests use short ones). */
  DockerDaemon(Path socket, String where, Duration quick, Duration slow) {
    this.socket = socket;
    this.where = where;
    this.quick = quick;
    this.slow = slow;
    this.http = new Http1(Connector.unix(socket), Duration.ofSeconds(30));
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
    RequestBody archive;
    try {
      archive = RequestBody.of(dockerArchive);
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, dockerArchive + ": " + e.getMessage(), e);
    }
    try (Response r = send("POST", API + "/images/load?quiet=1",
        Map.of("Content-Type", "application/x-tar"), archive, slowly())) {
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
    String path = API + "/images/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/get";
    try (Response r = send("GET", path, Map.of(), null, slowly())) {
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
    try (Response r = send(method, path, Map.of(), null,
        Limits.by(Deadline.after(quick, "for the daemon's small answers")))) {
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

  /**
   * One request on a connection of its own (closed after the answer: nothing is kept open
   * between calls); NOT_FOUND when no daemon listens on the socket.
   */
  /** A load or save: the head by the slow deadline, then no silence longer than it. */
  private Limits slowly() {
    return new Limits(slow, slow, null);
  }

  private Response send(String method, String path, Map<String, String> headers,
      RequestBody body, Limits limits) throws IOException, PlinthException {
    if (!Files.exists(socket)) {
      throw new PlinthException(Kind.NOT_FOUND, "no Docker daemon at " + where + ": the socket"
          + " does not exist. Start Docker, or Podman's compatible service (podman system service"
          + " unix://" + socket + "), or point DOCKER_HOST at a running one");
    }
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.put("Connection", "close");
    try {
      return http.sendWithin(method, URI.create("http://docker" + path), h, body, limits);
    } catch (ConnectException e) {
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
}
