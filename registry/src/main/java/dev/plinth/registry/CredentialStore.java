package dev.plinth.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where registry credentials come from, in this order: {@code --creds USER:PASSWORD}; the
 * environment ({@code PLINTH_REGISTRY_USER} and {@code PLINTH_REGISTRY_PASSWORD}); Docker's
 * {@code config.json} ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}):
 * {@code credHelpers} for the host, else {@code credsStore}, else {@code auths} (base64 {@code
 * auth} or {@code username}/{@code password}, or an OAuth2 {@code identitytoken}). A helper is the
 * program {@code
 * docker-credential-NAME}, run as {@code docker-credential-NAME get} with the server on stdin; it
 * answers {@code {"Username":..,"Secret":..}}. No credentials: anonymous.
 */
public final class CredentialStore {
  /** How long a credential helper may take. */
  static final long HELPER_SECONDS = 30;

  private final Credentials flag;
  private final Map<String, String> env;
  private final Path home;

  /**
   * @param flag from {@code --creds}, or null
   * @param env the environment (PLINTH_REGISTRY_USER/PASSWORD, DOCKER_CONFIG, HOME, PATH); only
   *     this is read, never the process's own
   * @param home the user's home directory, for {@code ~/.docker} when HOME is unset; or null
   */
  public CredentialStore(Credentials flag, Map<String, String> env, Path home) {
    this.flag = flag;
    this.env = Map.copyOf(env);
    this.home = home;
  }

  /** These credentials from {@code --creds} (or none: null) before the rest. */
  public CredentialStore withFlag(Credentials f) {
    return new CredentialStore(f, env, home);
  }

  /** The credentials for {@code host} (as named in references, e.g. docker.io), if any. */
  public Optional<Credentials> lookup(String host) throws PlinthException {
    if (flag != null) {
      return Optional.of(flag);
    }
    String user = env.get("PLINTH_REGISTRY_USER");
    String password = env.get("PLINTH_REGISTRY_PASSWORD");
    if (user != null && !user.isEmpty()) {
      if (password == null) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "PLINTH_REGISTRY_USER is set but PLINTH_REGISTRY_PASSWORD is not");
      }
      return Optional.of(new Credentials(user, password, "PLINTH_REGISTRY_USER/PASSWORD"));
    }
    Path config = configFile();
    if (config == null || !Files.isRegularFile(config)) {
      return Optional.empty();
    }
    JsonNode root;
    try {
      byte[] bytes = Files.readAllBytes(config);
      if (bytes.length > (1 << 20)) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, config + " is over 1 MiB");
      }
      root = readJson(bytes, config.toString());
    } catch (IOException e) {
      // the parser's message may quote the file, which holds secrets: say only where it failed
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          config + " is not valid JSON; fix or move it (plinth reads registry credentials from it)");
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    List<String> keys = keys(host);
    for (String k : keys) {
      String helper = root.path("credHelpers").path(k).asText(null);
      if (helper != null) {
        return helper(helper, host, config);
      }
    }
    JsonNode auths = root.path("auths");
    for (String k : keys) {
      JsonNode a = auths.get(k);
      if (a != null && a.isObject()) {
        Optional<Credentials> c = fromAuth(a, config);
        if (c.isPresent()) {
          return c;
        }
      }
    }
    String store = root.path("credsStore").asText(null);
    if (store != null && !store.isEmpty()) {
      return helper(store, host, config);
    }
    return Optional.empty();
  }

  Path configFile() {
    String dir = env.get("DOCKER_CONFIG");
    if (dir != null && !dir.isEmpty()) {
      return Path.of(dir, "config.json");
    }
    String h = env.get("HOME");
    Path user = h != null && !h.isEmpty() ? Path.of(h) : home;
    return user == null ? null : user.resolve(".docker").resolve("config.json");
  }

  /** The keys config.json may file a host under. */
  static List<String> keys(String host) {
    List<String> k = new ArrayList<>();
    if (host.equals(RegistryRef.DOCKER_HUB)) {
      k.add("https://index.docker.io/v1/");
      k.add("index.docker.io");
      k.add("docker.io");
      k.add("registry-1.docker.io");
    }
    k.add(host);
    k.add("https://" + host);
    k.add("http://" + host);
    k.add("https://" + host + "/v1/");
    k.add("https://" + host + "/v2/");
    return k;
  }

  private static Optional<Credentials> fromAuth(JsonNode a, Path config) throws PlinthException {
    String where = config.toString();
    String identity = a.path("identitytoken").asText("");
    if (!identity.isEmpty()) {
      // docker login stored an OAuth2 refresh token: it is used instead of any password
      return Optional.of(new Credentials(Credentials.IDENTITY_TOKEN_USER, identity,
          where + " (identitytoken)"));
    }
    String auth = a.path("auth").asText("");
    if (!auth.isEmpty()) {
      String decoded;
      try {
        decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            config + ": an 'auth' entry is not base64 of USER:PASSWORD");
      }
      int c = decoded.indexOf(':');
      if (c <= 0) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            config + ": an 'auth' entry is not base64 of USER:PASSWORD");
      }
      return Optional.of(new Credentials(decoded.substring(0, c), decoded.substring(c + 1), where));
    }
    String user = a.path("username").asText("");
    String password = a.path("password").asText("");
    if (!user.isEmpty()) {
      return Optional.of(new Credentials(user, password, where));
    }
    return Optional.empty();
  }

  private Optional<Credentials> helper(String name, String host, Path config)
      throws PlinthException {
    if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          config + ": credential helper '" + name + "' is not a valid helper name");
    }
    String program = "docker-credential-" + name;
    Path exe = which(program);
    if (exe == null) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          config + " names the credential helper " + program + ", which is not on PATH; install"
              + " it, or give --creds USER:PASSWORD");
    }
    String server = host.equals(RegistryRef.DOCKER_HUB) ? "https://index.docker.io/v1/" : host;
    ProcessBuilder pb = new ProcessBuilder(exe.toString(), "get");
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    Process p;
    try {
      p = pb.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(server.getBytes(StandardCharsets.UTF_8));
      }
      byte[] out;
      try (InputStream o = p.getInputStream()) {
        out = o.readNBytes(1 << 16);
      }
      if (!p.waitFor(HELPER_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new PlinthException(PlinthException.Kind.NOT_FOUND,
            program + " get did not answer within " + HELPER_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        // "credentials not found in native keychain": anonymous
        return Optional.empty();
      }
      JsonNode j = readJson(out, program + " get");
      String user = j == null ? "" : j.path("Username").asText("");
      String secret = j == null ? "" : j.path("Secret").asText("");
      if (secret.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Credentials(user.isEmpty() ? "<token>" : user, secret, program));
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          program + " get failed or answered something other than its JSON");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(PlinthException.Kind.NOT_FOUND, program + " get was interrupted");
    }
  }

  private Path which(String program) {
    String path = env.get("PATH");
    if (path == null) {
      return null;
    }
    for (String d : path.split(":")) {
      if (!d.isEmpty()) {
        Path p = Path.of(d, program);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** Parses JSON that may hold secrets: the parser's message, which may quote it, is dropped. */
  private static JsonNode readJson(byte[] bytes, String what) throws IOException {
    try {
      return Json.readAny(bytes, what);
    } catch (PlinthException e) {
      throw new IOException(what + " is not valid JSON");
    }
  }
}
