package dev.plinth.deb.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A Debian repository for tests: a tree under a temp directory with a clearsigned {@code
 * dists/SUITE/InRelease}, {@code main/binary-ARCH/Packages} (plain, .gz, .xz) and the .debs in
 * {@code pool/}, served over HTTP on 127.0.0.1 at an ephemeral port, with hooks for hostile
 * tests: replace or tamper a served file, lie in Content-Length, answer an error status a few
 * times, stall, and count requests per path.
 *
 * <pre>{@code
 * try (TestRepo repo = new TestRepo(tempDir)) {
 *   repo.addPackage("amd64", fields, debBytes);
 *   URI base = repo.start();          // publishes, then serves
 *   Keyring keys = Keyring.load(List.of(repo.keyring()));
 * }
 * }</pre>
 *
 * Paths given to the hooks are relative to the base URI, e.g. {@link #inReleasePath()}.
 */
public final class TestRepo implements AutoCloseable {
  private static final DateTimeFormatter RELEASE_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  private final Path dir;
  private String suite = "stable";
  private String codename = "plinth-test";
  private Instant date = Instant.now().minus(Duration.ofHours(1));
  private Instant validUntil = Instant.now().plus(Duration.ofDays(7));
  private List<TestKeys.Key> keys = List.of(TestKeys.archive());
  private List<String> sums = List.of("MD5Sum", "SHA256");
  private boolean acquireByHash;
  private final Map<String, List<String>> stanzas = new TreeMap<>();
  private String releaseText;
  private final Map<String, String> contents = new TreeMap<>();

  private HttpServer server;
  private ExecutorService executor;
  private final Map<String, byte[]> served = new ConcurrentHashMap<>();
  private final Map<String, Long> contentLengths = new ConcurrentHashMap<>();
  private final Map<String, Failure> failures = new ConcurrentHashMap<>();
  private final Map<String, Boolean> stalls = new ConcurrentHashMap<>();
  private final Map<String, Boolean> trickles = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  private record Failure(int status, AtomicInteger remaining, String retryAfter) {}

  /** A repository whose files go under {@code dir} (which need not exist yet). */
  public TestRepo(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  /**
   * A "bookworm" repository (not started) of two small packages, for builds that need some:
   * tzdata (all, /usr/share/zoneinfo/Etc/UTC) and libc6 (amd64 and arm64, a libc.so.6 each).
   */
  public static TestRepo tzdataAndLibc(Path dir) throws IOException {
    TestRepo repo = new TestRepo(dir).suite("bookworm").codename("bookworm");
    TestDeb tz = TestDeb.of("tzdata", "2024a-0+deb12u1", "all")
        .file("/usr/share/zoneinfo/Etc/UTC", "TZif-utc", 0644);
    repo.addPackage("all", tz.fields(), tz.build());
    for (String arch : List.of("amd64", "arm64")) {
      TestDeb libc = TestDeb.of("libc6", "2.36-9", arch)
          .file("/usr/lib/" + arch + "/libc.so.6", "libc-" + arch, 0755);
      repo.addPackage(arch, libc.fields(), libc.build());
    }
    return repo;
  }

  public Path dir() {
    return dir;
  }

  public String suite() {
    return suite;
  }

  public TestRepo suite(String suite) {
    this.suite = suite;
    return this;
  }

  public TestRepo codename(String codename) {
    this.codename = codename;
    return this;
  }

  /** The Release's Date (default: an hour ago). */
  public TestRepo date(Instant date) {
    this.date = date;
    return this;
  }

  /** The Release's Valid-Until (default: in a week); null for none. */
  public TestRepo validUntil(Instant validUntil) {
    this.validUntil = validUntil;
    return this;
  }

  /** The keys the InRelease is signed with (default: {@link TestKeys#archive()}). */
  public TestRepo signedBy(TestKeys.Key... keys) {
    this.keys = List.of(keys);
    return this;
  }

  /** Which sums the Release lists, of MD5Sum, SHA1, SHA256 (default: MD5Sum and SHA256). */
  public TestRepo sums(String... fields) {
    this.sums = List.of(fields);
    return this;
  }

  /** Says Acquire-By-Hash: yes and writes {@code by-hash/SHA256/<hex>} copies of the indexes. */
  public TestRepo acquireByHash(boolean yes) {
    this.acquireByHash = yes;
    return this;
  }

  /**
   * Puts a .deb into {@code pool/main/} and its stanza into the Packages index of {@code arch}
   * ("all" goes into every architecture's index), with Filename, Size and SHA256 computed here.
   *
   * @param controlFields the package's control fields, in order; Package, Version and
   *     Architecture are required
   * @return the Filename, relative to the base URI
   */
  public String addPackage(String arch, Map<String, String> controlFields, byte[] debBytes)
      throws IOException {
    String name = require(controlFields, "Package");
    String version = require(controlFields, "Version");
    String debArch = require(controlFields, "Architecture");
    String source = controlFields.getOrDefault("Source", name).split(" ")[0];
    String prefix = source.startsWith("lib") && source.length() > 3 ? source.substring(0, 4)
        : source.substring(0, 1);
    String fileVersion = version.contains(":") ? version.substring(version.indexOf(':') + 1)
        : version;
    String filename = "pool/main/" + prefix + "/" + source + "/" + name + "_" + fileVersion + "_"
        + debArch + ".deb";
    Path file = dir.resolve(filename);
    Files.createDirectories(file.getParent());
    Files.write(file, debBytes);
    List<String> stanza = new ArrayList<>();
    stanza.add("Package: " + name);
    for (Map.Entry<String, String> e : controlFields.entrySet()) {
      if (!e.getKey().equalsIgnoreCase("Package")) {
        // Multi-line values as deb822 writes them: continuation lines, " ." for an empty one.
        stanza.add(e.getKey() + ": " + e.getValue().replace("\n\n", "\n.\n").replace("\n", "\n "));
      }
    }
    stanza.add("Filename: " + filename);
    stanza.add("Size: " + debBytes.length);
    stanza.add("SHA256: " + hex("SHA-256", debBytes));
    stanzas.computeIfAbsent(arch, k -> new ArrayList<>()).add(String.join("\n", stanza) + "\n");
    return filename;
  }

  private static String require(Map<String, String> f, String key) {
    String v = f.get(key);
    if (v == null) {
      throw new IllegalArgumentException("control fields need " + key + ": " + f);
    }
    return v;
  }

  /**
   * Publishes {@code main/Contents-ARCH.gz} with this text ("PATH  SECTION/PACKAGE" lines), as
   * the Release lists it.
   */
  public TestRepo contents(String arch, String text) {
    contents.put(arch, text);
    return this;
  }

  /** {@code dists/SUITE/InRelease}. */
  public String inReleasePath() {
    return "dists/" + suite + "/InRelease";
  }

  /** {@code dists/SUITE/main/binary-ARCH/Packages<ext>}, ext one of "", ".gz", ".xz". */
  public String packagesPath(String arch, String ext) {
    return "dists/" + suite + "/" + packagesIndex(arch, ext);
  }

  /** The index's path relative to {@code dists/SUITE/}, as the Release lists it. */
  public static String packagesIndex(String arch, String ext) {
    return "main/binary-" + arch + "/Packages" + ext;
  }

  /** The Release text last published (what the InRelease signs). */
  public String releaseText() {
    return releaseText;
  }

  /**
   * Writes the indexes, Release and InRelease for the packages added so far. Call again after
   * changing anything; what hooks serve instead is kept.
   */
  public void publish() throws IOException {
    Path dists = dir.resolve("dists").resolve(suite);
    TreeSet<String> arches = new TreeSet<>(stanzas.keySet());
    arches.remove("all");
    if (arches.isEmpty()) {
      arches.add("amd64");
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String arch : arches) {
      StringBuilder p = new StringBuilder();
      for (String a : List.of(arch, "all")) {
        for (String s : stanzas.getOrDefault(a, List.of())) {
          p.append(p.length() == 0 ? "" : "\n").append(s);
        }
      }
      byte[] plain = p.toString().getBytes(StandardCharsets.UTF_8);
      files.put(packagesIndex(arch, ""), plain);
      files.put(packagesIndex(arch, ".gz"), gzip(plain));
      files.put(packagesIndex(arch, ".xz"), xz(plain));
    }
    for (Map.Entry<String, String> c : contents.entrySet()) {
      files.put("main/Contents-" + c.getKey() + ".gz",
          gzip(c.getValue().getBytes(StandardCharsets.UTF_8)));
    }
    StringBuilder r = new StringBuilder();
    r.append("Origin: plinth-test\nLabel: plinth-test\nSuite: ").append(suite)
        .append("\nCodename: ").append(codename)
        .append("\nDate: ").append(RELEASE_DATE.format(date)).append('\n');
    if (validUntil != null) {
      r.append("Valid-Until: ").append(RELEASE_DATE.format(validUntil)).append('\n');
    }
    if (acquireByHash) {
      r.append("Acquire-By-Hash: yes\n");
    }
    r.append("Architectures: ").append(String.join(" ", arches))
        .append("\nComponents: main\nDescription: a repository made by plinth's tests\n");
    for (String field : sums) {
      String alg = switch (field) {
        case "MD5Sum" -> "MD5";
        case "SHA1" -> "SHA-1";
        case "SHA256" -> "SHA-256";
        default -> throw new IllegalArgumentException("unknown sum field " + field);
      };
      r.append(field).append(":\n");
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        r.append(String.format(" %s %8d %s\n", hex(alg, f.getValue()), f.getValue().length,
            f.getKey()));
      }
    }
    releaseText = r.toString();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      Path p = dists.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.write(p, f.getValue());
      if (acquireByHash) {
        Path h = p.resolveSibling("by-hash/SHA256/" + hex("SHA-256", f.getValue()));
        Files.createDirectories(h.getParent());
        Files.write(h, f.getValue());
      }
    }
    Files.createDirectories(dists);
    Files.writeString(dists.resolve("Release"), releaseText, StandardCharsets.UTF_8);
    Files.write(dists.resolve("InRelease"), sign(releaseText));
  }

  /** Clearsigns a text with this repository's keys, e.g. a Release edited by a test. */
  public byte[] sign(String text) {
    return TestKeys.clearsign(text, keys.toArray(new TestKeys.Key[0]));
  }

  /** Writes the signing keys' public keyring (binary) and returns it; outside the served tree. */
  public Path keyring() throws IOException {
    return writeKeyring(".gpg");
  }

  /** The same keyring, ASCII-armored. */
  public Path armoredKeyring() throws IOException {
    return writeKeyring(".asc");
  }

  private Path writeKeyring(String ext) throws IOException {
    Path file = dir.resolveSibling(dir.getFileName() + "-keyring" + ext);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (TestKeys.Key k : keys) {
      b.writeBytes(ext.equals(".asc") ? k.armored().getBytes(StandardCharsets.US_ASCII)
          : k.keyring());
    }
    Files.write(file, b.toByteArray());
    return file;
  }

  /** Publishes, then serves the tree on 127.0.0.1; returns the base URI (ending in '/'). */
  public URI start() throws IOException {
    publish();
    if (server == null) {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-repo");
        t.setDaemon(true);
        return t;
      });
      server.setExecutor(executor);
      server.createContext("/", this::handle);
      server.start();
    }
    return base();
  }

  /** The base URI; {@link #start()} first. */
  public URI base() {
    if (server == null) {
      throw new IllegalStateException("the test repository is not started");
    }
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  /** Serves these bytes at {@code path} instead of the file (e.g. a hostile InRelease). */
  public void serve(String path, byte[] bytes) {
    served.put(path, bytes.clone());
  }

  /** Serves the file at {@code path} with one byte flipped (same size). */
  public void tamper(String path) throws IOException {
    byte[] b = current(path);
    b[b.length / 2] ^= 0x01;
    served.put(path, b);
  }

  /** For {@link #contentLength}: send no Content-Length, use chunked transfer encoding. */
  public static final long CHUNKED = -1;

  /**
   * Announces this Content-Length for {@code path} and sends at most that many bytes of it (fewer
   * if the file is shorter, then hangs up); {@link #CHUNKED} sends it all without one.
   */
  public void contentLength(String path, long length) {
    contentLengths.put(path, length);
  }

  /**
   * Answers {@code status} to the next {@code times} requests for {@code path}, with a
   * Retry-After header if {@code retryAfter} is not null; then serves normally.
   */
  public void fail(String path, int status, int times, String retryAfter) {
    failures.put(path, new Failure(status, new AtomicInteger(times), retryAfter));
  }

  /** Sends the headers and half of {@code path}, then nothing until the server stops. */
  public void stall(String path) {
    stalls.put(path, true);
  }

  /**
   * Sends the headers of {@code path} at once, then its body a byte every 50 ms (at most 2,000
   * bytes, until the client hangs up): each byte well within any read timeout.
   */
  public void trickle(String path) {
    trickles.put(path, true);
  }

  /** How many requests {@code path} has had. */
  public int requests(String path) {
    AtomicInteger n = requests.get(path);
    return n == null ? 0 : n.get();
  }

  private byte[] current(String path) throws IOException {
    byte[] b = served.get(path);
    if (b != null) {
      return b.clone();
    }
    Path p = dir.resolve(path).normalize();
    if (!p.startsWith(dir) || !Files.isRegularFile(p)) {
      throw new NoSuchFileException(path);
    }
    return Files.readAllBytes(p);
  }

  private void handle(HttpExchange ex) {
    try {
      String path = ex.getRequestURI().getPath().replaceFirst("^/+", "");
      requests.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      Failure f = failures.get(path);
      if (f != null && f.remaining.getAndDecrement() > 0) {
        if (f.retryAfter != null) {
          ex.getResponseHeaders().add("Retry-After", f.retryAfter);
        }
        ex.sendResponseHeaders(f.status, -1);
        return;
      }
      byte[] body;
      try {
        body = current(path);
      } catch (NoSuchFileException e) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      if (Boolean.TRUE.equals(stalls.get(path))) {
        ex.sendResponseHeaders(200, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        paused(30_000);
        return;
      }
      if (Boolean.TRUE.equals(trickles.get(path))) {
        ex.sendResponseHeaders(200, body.length);
        OutputStream out = ex.getResponseBody();
        for (int i = 0; i < Math.min(body.length, 2000); i++) {
          out.write(body[i]);
          out.flush();
          if (!paused(50)) {
            return;
          }
        }
        return;
      }
      Long length = contentLengths.get(path);
      long announced = length == null ? body.length : length;
      ex.sendResponseHeaders(200, announced == CHUNKED ? 0 : announced == 0 ? -1 : announced);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body, 0, announced == CHUNKED ? body.length : (int) Math.min(body.length, announced));
      } catch (IOException e) {
        // the client hung up, or we announced more than we had: both are the point of the test
      }
    } catch (IOException | RuntimeException e) {
      // a client that refused the body early; nothing to do
    } finally {
      ex.close();
    }
  }

  /** Stops the server. The files stay (the temp dir's owner deletes them). */
  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  private static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] xz(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (XZOutputStream z = new XZOutputStream(out, new LZMA2Options())) {
      z.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String hex(String alg, byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sleeps; false when interrupted (the server is stopping). */
  private static boolean paused(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
