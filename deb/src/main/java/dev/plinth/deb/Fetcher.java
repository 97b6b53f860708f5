package dev.plinth.deb;

import dev.plinth.http.Connector;
import dev.plinth.http.Proxies;
import dev.plinth.http.ProxyRefusedException;
import dev.plinth.http.Tls;
import dev.plinth.http.Trust;
import dev.plinth.http.Deadline;
import dev.plinth.http.DeadlineException;
import dev.plinth.http.Headers;
import dev.plinth.http.Http1;
import dev.plinth.http.Limits;
import dev.plinth.http.RedirectException;
import dev.plinth.http.Redirects;
import dev.plinth.http.Response;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Fetches files from one Debian mirror over HTTP(S), redirects followed (mirror networks
 * redirect; never from HTTPS to plain HTTP). Plain HTTP is normal for Debian mirrors: integrity
 * comes from the signed InRelease, and every other file is checked against the size and sha256 it
 * lists, while it streams, before it is used. Failed connections, stalled reads and 5xx/408/429
 * answers are retried a few times with a short backoff, honouring Retry-After up to a cap.
 *
 * <p>A small file (the InRelease) must be fetched whole by one deadline, every try and wait
 * included ({@link #SMALL_DEADLINE}): a mirror that sends a byte now and then, which resets every
 * read timeout, cannot hold a build up. A large one (an index, a .deb) may take what it takes, as
 * long as no read waits longer than the read timeout.
 */
public final class Fetcher {
  /** Retries after the first attempt. */
  public static final int RETRIES = 3;
  /** The most an InRelease may weigh (Debian's are about 150 KiB). */
  public static final long MAX_IN_RELEASE = 16L << 20;
  /** All of a small file's fetch, its tries and the waits between them included. */
  public static final Duration SMALL_DEADLINE = Duration.ofSeconds(60);

  private static final Pattern SAFE_PATH =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]*(/[A-Za-z0-9._+~-]+)*");

  private final URI base;
  private final Cache cache;
  private final Redirects client;
  private final Duration readTimeout;
  private final Duration maxRetryAfter;
  private final Duration backoff;
  private final Duration smallDeadline;
  private final Status status;

  /** Where a fetcher says what it downloads. */
  public interface Status {
    /** A line saying what is about to take long: a download, what it is and its size. */
    void step(String line);

    /**
     * {@code done} of {@code total} bytes of {@code what} (a file name) have come, told as they
     * come: a terminal draws them; a log has the step's line alone.
     */
    default void moved(String what, long done, long total) {}
  }

  /** Fetches below this base (an archive root with {@code dists/} under it) into this cache. */
  public Fetcher(URI base, Cache cache) {
    this(base, cache, Proxies.NONE);
  }

  /** Fetches below this base into this cache, through the proxies named for its URLs. */
  public Fetcher(URI base, Cache cache, Proxies proxies) {
    this(base, cache, proxies, line -> {});
  }

  /**
   * As {@link #Fetcher(URI, Cache, Proxies)}, announcing each download on {@code status}
   * before it starts: what is fetched and its size (a first build fetches hundreds of MB).
   */
  public Fetcher(URI base, Cache cache, Proxies proxies,
      Status status) {
    this(base, cache, Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30),
        Duration.ofMillis(500), SMALL_DEADLINE, proxies, status);
  }

  Fetcher(URI base, Cache cache, Duration connectTimeout, Duration readTimeout,
      Duration maxRetryAfter, Duration backoff) {
    this(base, cache, connectTimeout, readTimeout, maxRetryAfter, backoff, SMALL_DEADLINE,
        Proxies.NONE, line -> {});
  }

  Fetcher(URI base, Cache cache, Duration connectTimeout, Duration readTimeout,
      Duration maxRetryAfter, Duration backoff, Duration smallDeadline, Proxies proxies,
      Status status) {
    this.smallDeadline = smallDeadline;
    this.status = status;
    String b = base.toString();
    this.base = URI.create(b.endsWith("/") ? b : b + "/");
    this.cache = cache;
    this.readTimeout = readTimeout;
    this.maxRetryAfter = maxRetryAfter;
    this.backoff = backoff;
    // the JDK's CAs are loaded on the first https connection: most mirrors are plain HTTP
    this.client = new Redirects(new Http1(Connector.tcp(Tls.lazy(Trust.system()), proxies),
        connectTimeout));
  }

  public URI base() {
    return base;
  }

  public Cache cache() {
    return cache;
  }

  /** The URI of a path below the base; BAD_INPUT for anything that could leave it. */
  public URI uri(String path) throws PlinthException {
    if (path == null || !SAFE_PATH.matcher(path).matches()
        || List.of(path.split("/")).contains("..") || List.of(path.split("/")).contains(".")) {
      throw new PlinthException(Kind.BAD_INPUT, "refusing to fetch '" + path + "' from " + base
          + ": not a plain relative path in the archive");
    }
    return base.resolve(path);
  }

  /**
   * A small file, read into memory: the InRelease. BAD_INPUT if it is (or announces itself as)
   * larger than {@code max} bytes; NOT_FOUND for 404 or an unreachable mirror.
   */
  public byte[] small(String path, long max) throws PlinthException {
    URI uri = uri(path);
    Deadline deadline = Deadline.after(smallDeadline, "for small files");
    return withRetries(uri, deadline, (response, body) -> {
      OptionalLong length = response.headers().firstValueAsLong("content-length");
      if (length.isPresent() && length.getAsLong() > max) {
        throw new PlinthException(Kind.BAD_INPUT, uri + " is " + length.getAsLong()
            + " bytes, more than the " + max + " allowed; refused before reading it");
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[1 << 16];
      for (int r; (r = body.read(buf)) >= 0; ) {
        out.write(buf, 0, r);
        if (out.size() > max) {
          throw new PlinthException(Kind.BAD_INPUT, uri + " is more than the " + max
              + " bytes allowed");
        }
      }
      return out.toByteArray();
    });
  }

  /**
   * A file the signed indexes describe (a Packages index, a .deb), from the cache or the mirror.
   * It is checked while it streams: a Content-Length other than {@code size} is refused before
   * the body is read; a wrong size or sha256 is BAD_INPUT naming the URL, expected and actual,
   * and nothing is kept.
   */
  public Path blob(String path, Digest sha256, long size) throws PlinthException {
    return blob(path, sha256, size, path);
  }

  /**
   * As {@link #blob(String, Digest, long)}, a download named {@code shown} on the status (an
   * index's path rather than its by-hash one).
   */
  public Path blob(String path, Digest sha256, long size, String shown) throws PlinthException {
    URI uri = uri(path);
    Optional<Path> hit = cache.get(sha256, size);
    if (hit.isPresent()) {
      return hit.get();
    }
    status.step("fetching " + base + shown + " (" + dev.plinth.oci.Sizes.decimal(size) + ")");
    String name = shown.substring(shown.lastIndexOf('/') + 1);
    return withRetries(uri, null, (response, body) -> {
      OptionalLong length = response.headers().firstValueAsLong("content-length");
      if (length.isPresent() && length.getAsLong() != size) {
        throw new PlinthException(Kind.BAD_INPUT, uri + " has the wrong size: expected " + size
            + " bytes (" + sha256 + "), the server announces Content-Length "
            + length.getAsLong() + "; refused before reading it");
      }
      return cache.put(sha256, size, new Counting(body, name, size), uri.toString());
    });
  }

  /** Stores a derived file's content (see {@link #derived}). */
  public interface Store {
    Path put(InputStream content) throws IOException, PlinthException;
  }

  /** Makes a derived file's content and hands it to the store. */
  public interface Derivation {
    Path make(Store store) throws PlinthException;
  }

  /**
   * A file made from fetched ones (an index's decompressed text) whose size and sha256 a signed
   * Release lists: from the cache, checked against them, else made by {@code make} and checked
   * as it is stored (never more than {@code size} bytes are read of it). BAD_INPUT naming {@code
   * what} on a mismatch.
   */
  public Path derived(Digest sha256, long size, String what, Derivation make)
      throws PlinthException {
    Optional<Path> hit = cache.get(sha256, size);
    if (hit.isPresent()) {
      return hit.get();
    }
    return make.make(content -> cache.put(sha256, size, content, what));
  }

  /** A download's body, telling {@link Status#moved} how much of it has come. */
  private final class Counting extends java.io.FilterInputStream {
    private final String name;
    private final long size;
    private long done;

    Counting(InputStream in, String name, long size) {
      super(in);
      this.name = name;
      this.size = size;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      moved(b < 0 ? 0 : 1);
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = super.read(b, off, len);
      moved(Math.max(r, 0));
      return r;
    }

    private void moved(int n) {
      if (n > 0) {
        done += n;
        status.moved(name, done, size);
      }
    }
  }

  /**
   * Fetches and verifies {@code dists/SUITE/InRelease} (see {@link InRelease#verify}), refusing
   * one dated before the newest already accepted from this mirror, and records its Date.
   */
  public Release release(String suite, Keyring keyring) throws PlinthException {
    return release(suite, keyring, Instant.now());
  }

  Release release(String suite, Keyring keyring, Instant now) throws PlinthException {
    String path = "dists/" + suite + "/InRelease";
    URI uri = uri(path);
    String repository = base + "dists/" + suite;
    Release r = InRelease.verify(small(path, MAX_IN_RELEASE), keyring, now,
        cache.lastSeenDate(repository).orElse(null), uri.toString());
    if (!suite.equals(r.suite()) && !suite.equals(r.codename())) {
      // A validly signed Release of another suite (say, oldstable's for stable) is a downgrade.
      throw new PlinthException(Kind.BAD_INPUT, uri + " is the Release of suite '" + r.suite()
          + "' (codename '" + r.codename() + "'), not of '" + suite + "' that was asked for");
    }
    cache.recordDate(repository, r.date());
    return r;
  }

  /** Reads a 200 response's body; IOException means "try again", PlinthException "stop". */
  private interface BodyReader<T> {
    T read(Response response, InputStream body) throws IOException, PlinthException;
  }

  /** Tries a GET a few times; all of it by {@code deadline}, if there is one. */
  private <T> T withRetries(URI uri, Deadline deadline, BodyReader<T> reader)
      throws PlinthException {
    String last = "";
    Limits limits = new Limits(readTimeout, null, deadline);
    int tries = 0;
    boolean cut = false;
    for (int attempt = 0; attempt <= RETRIES; attempt++) {
      tries = attempt + 1;
      Duration wait = backoff.multipliedBy(1L << attempt);
      try (Response response = client.sendWithin("GET", uri, Map.of(), null, limits)) {
        int status = response.status();
        if (status == 200) {
          return reader.read(response, response.body());
        }
        if (status == 404 || status == 410) {
          throw new PlinthException(Kind.NOT_FOUND, uri + " does not exist on the mirror (HTTP "
              + status + "); check the suite, architecture and mirror");
        }
        if (status == 407) {
          throw new PlinthException(Kind.NOT_FOUND, uri + ": the HTTP proxy answered 407 Proxy"
              + " Authentication Required; put its user and password in the proxy URL"
              + " (http_proxy=http://user:password@host:port)");
        }
        if (status != 408 && status != 429 && status < 500) {
          throw new PlinthException(Kind.NOT_FOUND, uri + " answered HTTP " + status
              + "; the mirror refuses the request");
        }
        last = "HTTP " + status;
        Optional<Duration> asked = retryAfter(response.headers());
        if (asked.isPresent()) {
          if (asked.get().compareTo(maxRetryAfter) > 0) {
            throw new PlinthException(Kind.NOT_FOUND, uri + " answered HTTP " + status
                + " and asks to retry after " + asked.get().toSeconds() + " s, more than the "
                + maxRetryAfter.toSeconds() + " s plinth waits; try again later");
          }
          wait = asked.get();
        }
      } catch (RedirectException e) {
        // the same answer every time: not retried
        throw new PlinthException(Kind.NOT_FOUND, "cannot fetch " + uri + ": " + e.getMessage()
            + ". Choose another mirror with " + Mirrors.ENV, e);
      } catch (DeadlineException e) {
        last = e.getMessage();
        if (e.deadline() == deadline) {
          cut = true;
          break;
        }
      } catch (SocketTimeoutException e) {
        last = "timed out (no data for " + seconds(readTimeout) + ")";
      } catch (ProxyRefusedException e) {
        if (!e.isTransient()) {
          throw new PlinthException(Kind.NOT_FOUND, "cannot fetch " + uri + ": "
              + e.getMessage(), e);
        }
        last = e.getMessage();
      } catch (IOException e) {
        last = e.toString();
      }
      if (attempt < RETRIES) {
        if (deadline != null && deadline.nanosLeft() <= wait.toNanos()) {
          cut = true; // the next try would start past the deadline
          break;
        }
        sleep(wait, uri);
      }
    }
    String why = !cut ? " after " + tries + " attempts; last: " + last
        : ": no complete answer within " + deadline + " (" + tries
            + (tries == 1 ? " attempt" : " attempts")
            + (last.startsWith("no complete answer") ? "" : "; last: " + last) + ")";
    throw new PlinthException(Kind.NOT_FOUND, "cannot fetch " + uri + why
        + ". Check the network, or choose another mirror with " + Mirrors.ENV);
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return (ms % 1000 == 0 ? String.valueOf(ms / 1000) : String.valueOf(ms / 1000.0)) + " s";
  }

  private static void sleep(Duration d, URI uri) throws PlinthException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.NOT_FOUND, "interrupted while fetching " + uri, e);
    }
  }

  /** Retry-After as seconds or as an HTTP date (RFC 9110 §10.2.3). */
  static Optional<Duration> retryAfter(Headers headers) {
    Optional<String> v = headers.firstValue("retry-after");
    if (v.isEmpty()) {
      return Optional.empty();
    }
    String s = v.get().trim();
    if (s.matches("[0-9]{1,9}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(s)));
    }
    try {
      Duration d = Duration.between(Instant.now(),
          ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      return Optional.of(d.isNegative() ? Duration.ZERO : d);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
