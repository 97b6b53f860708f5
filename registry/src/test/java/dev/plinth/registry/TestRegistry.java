package dev.plinth.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's docker-registry (distribution 2.8) served for a test on 127.0.0.1 at a free port, with
 * its storage in a temp directory: plain HTTP, TLS with a test CA and htpasswd (bcrypt) basic
 * auth, or bearer tokens from a {@link TokenServer}. Fails (never skips) when docker-registry,
 * htpasswd or openssl is missing: scripts/test installs them.
 */
public final class TestRegistry implements AutoCloseable {
  public static final String USER = "plinth";
  public static final String PASSWORD = "correct horse battery";

  private final Path dir;
  private final Process process;
  public final int port;
  /** The CA certificate (PEM) of a TLS registry, else null. */
  public final Path caFile;
  private final TokenServer tokens;

  private TestRegistry(Path dir, Process process, int port, Path caFile, TokenServer tokens) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.caFile = caFile;
    this.tokens = tokens;
  }

  public String host() {
    return "127.0.0.1:" + port;
  }

  public Path storage() {
    return dir.resolve("data");
  }

  /** A registry over plain HTTP, anonymous. */
  public static TestRegistry plain() throws IOException {
    return start(false, false, false);
  }

  /**
   * A registry over TLS (a test CA) that requires a client certificate signed by that CA, with
   * basic auth for USER/PASSWORD; the client's certificate and key are {@link #clientCert()} and
   * {@link #clientKey()} (PKCS#8) or {@link #clientKeyPkcs1()}.
   */
  public static TestRegistry tlsClientCert() throws IOException {
    return start(true, false, true);
  }

  public Path clientCert() {
    return dir.resolve("client.cert");
  }

  public Path clientKey() {
    return dir.resolve("client.key");
  }

  public Path clientKeyPkcs1() {
    return dir.resolve("client-pkcs1.key");
  }

  /** A registry over TLS (a test CA; see {@link #caFile}) with basic auth for USER/PASSWORD. */
  public static TestRegistry tlsBasic() throws IOException {
    return start(true, false, false);
  }

  /** A registry over plain HTTP whose bearer tokens come from a TokenServer for USER/PASSWORD. */
  public static TestRegistry token() throws IOException {
    return start(false, true, false);
  }

  private static TestRegistry start(boolean tls, boolean token, boolean clientCert)
      throws IOException {
    String exe = which("docker-registry");
    Path dir = Files.createTempDirectory("plinth-registry-");
    int port = freePort();
    StringBuilder cfg = new StringBuilder();
    cfg.append("version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("data"))
        .append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: 127.0.0.1:").append(port).append("\n");
    Path ca = null;
    if (tls) {
      ca = dir.resolve("ca.crt");
      exec(dir, which("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
          "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=plinth test CA");
      exec(dir, which("openssl"), "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key",
          "-out", "server.csr", "-subj", "/CN=127.0.0.1");
      Files.writeString(dir.resolve("san.ext"),
          "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:registry.proxy.test\n"
          + "basicConstraints=CA:FALSE\n");
      exec(dir, which("openssl"), "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey",
          "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "san.ext");
      cfg.append("  tls:\n    certificate: ").append(dir.resolve("server.crt"))
          .append("\n    key: ").append(dir.resolve("server.key")).append("\n");
      if (clientCert) {
        exec(dir, which("openssl"), "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
            "client.key", "-out", "client.csr", "-subj", "/CN=plinth test client");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        exec(dir, which("openssl"), "x509", "-req", "-in", "client.csr", "-CA", "ca.crt",
            "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.cert", "-days", "2",
            "-extfile", "client.ext");
        exec(dir, which("openssl"), "rsa", "-in", "client.key", "-traditional", "-out",
            "client-pkcs1.key");
        cfg.append("    clientcas:\n      - ").append(ca).append("\n");
      }
      String line = exec(dir, which("htpasswd"), "-Bbn", USER, PASSWORD).strip();
      Files.writeString(dir.resolve("htpasswd"), line + "\n");
      cfg.append("auth:\n  htpasswd:\n    realm: plinth-test\n    path: ")
          .append(dir.resolve("htpasswd")).append("\n");
    }
    TokenServer tokens = null;
    if (token) {
      tokens = TokenServer.start(dir, USER, PASSWORD);
      cfg.append("auth:\n  token:\n    realm: ").append(tokens.realm())
          .append("\n    service: ").append(TokenServer.SERVICE)
          .append("\n    issuer: ").append(TokenServer.ISSUER)
          .append("\n    rootcertbundle: ").append(tokens.certificate()).append("\n");
    }
    Files.writeString(dir.resolve("config.yml"), cfg.toString());
    Process p = new ProcessBuilder(exe, "serve", dir.resolve("config.yml").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
    TestRegistry r = new TestRegistry(dir, p, port, ca, tokens);
    r.awaitUp(tls);
    return r;
  }

  private void awaitUp(boolean tls) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited: " + log());
      }
      try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    close();
    throw new IllegalStateException("docker-registry did not listen on " + port + ": " + log());
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("registry.log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** The blobs the registry stores, by digest hex (its filesystem layout). */
  public List<String> storedBlobs() throws IOException {
    Path blobs = storage().resolve("docker/registry/v2/blobs/sha256");
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(blobs)) {
      return out;
    }
    try (Stream<Path> s = Files.walk(blobs)) {
      s.filter(p -> p.getFileName().toString().equals("data"))
          .forEach(p -> out.add(p.getParent().getFileName().toString()));
    }
    return out;
  }

  /** The token server's host:port, to be named with RegistryOptions.withCredsRealms. */
  public String tokenRealm() {
    return java.net.URI.create(tokens.realm()).getAuthority();
  }

  public TokenServer tokenServer() {
    return tokens;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (tokens != null) {
      tokens.close();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  static String which(String tool) {
    for (String d : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/usr/bin:/sbin:/bin")
        .split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return Path.of(d, tool).toString();
      }
    }
    throw new AssertionError(tool + " not found: run scripts/test as root (it installs"
        + " docker-registry, apache2-utils and openssl)");
  }

  static String exec(Path dir, String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + new String(out));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return new String(out);
  }
}
