package dev.plinth.registry;

import dev.plinth.http.Deadline;
import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Blobs;
import dev.plinth.oci.BulkFilterInputStream;
import dev.plinth.oci.ContentMismatchException;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OCI distribution API on one registry: manifests (GET, HEAD, PUT) and blobs (HEAD, GET with
 * resume, cross-repository mount, monolithic or chunked upload with resume). Everything read is
 * checked: documents are capped at 4 MiB and hashed, blobs are hashed to their end.
 *
 * <p>It is the API's endpoints, one method each, in the order of the distribution spec; a blob's
 * upload, with its session, chunks and tries, is {@link BlobUpload}'s, and what is not an
 * endpoint (HTTP, auth, retries, deadlines) lives in RegistryHttp and the http module.
 */
public final class RegistryClient implements AutoCloseable {
  static final String ACCEPT = String.join(", ", MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST,
      MediaTypes.DOCKER_MANIFEST_LIST, MediaTypes.DOCKER_MANIFEST);
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes ([0-9]+)-([0-9]+)/([0-9]+|\\*)");
  private static final RegistryHttp.Payload DOCUMENT = RegistryHttp.Payload.DOCUMENT;
  private static final RegistryHttp.Payload BLOB = RegistryHttp.Payload.BLOB;

  final RegistryHttp http;
  final String host;

  private RegistryClient(RegistryHttp http, String host) {
    this.http = http;
    this.host = host;
  }

  /**
   * Closes the connections it keeps for reuse; a request after it opens a new one. A
   * try-with-resources around a client's work leaves no idle connection behind.
   */
  @Override
  public void close() {
    http.closeIdle();
  }

  /** A client for reading from the registry of {@code ref}. */
  public static RegistryClient forPull(RegistryRef ref, RegistryOptions options)
      throws PlinthException {
    return new RegistryClient(new RegistryHttp(ref.host(), ref.apiHost(), options, false),
        ref.host());
  }

  /** A client for writing to the registry of {@code ref} (it reads too). */
  public static RegistryClient forPush(RegistryRef ref, RegistryOptions options)
      throws PlinthException {
    return new RegistryClient(new RegistryHttp(ref.host(), ref.apiHost(), options, true),
        ref.host());
  }

  RegistryOptions options() {
    return http.options;
  }

  static String pull(String repo) {
    return "repository:" + repo + ":pull";
  }

  static String pushPull(String repo) {
    return "repository:" + repo + ":pull,push";
  }

  private List<String> scopes(String repo) {
    return List.of(http.push ? pushPull(repo) : pull(repo));
  }

  // ---- manifests ----

  /** A manifest or index as fetched: its bytes, media type and (computed) digest. */
  public record Manifest(byte[] bytes, String mediaType, Digest digest) {}

  /**
   * GETs a manifest or index by tag or digest, verifying it: at most 4 MiB, hashing to the digest
   * asked for (and to the Docker-Content-Digest the registry states).
   */
  public Manifest manifest(String repo, String reference, Digest expected)
      throws IOException, PlinthException {
    String what = host + "/" + repo + (reference.startsWith("sha256:") ? "@" : ":") + reference;
    Response r = http.send(new RegistryHttp.Req("GET",
        http.uri("/v2/" + repo + "/manifests/" + reference), Map.of("Accept", ACCEPT), null,
        scopes(repo), true, what, DOCUMENT));
    if (r.status() != 200) {
      throw http.fail(r, what);
    }
    long declared = r.headers().firstValueAsLong("Content-Length").orElse(-1);
    byte[] bytes;
    try (InputStream in = r.body()) {
      if (declared > ImageReader.MAX_DOCUMENT) {
        throw tooLarge(what, declared);
      }
      bytes = in.readNBytes(ImageReader.MAX_DOCUMENT + 1);
    }
    if (bytes.length > ImageReader.MAX_DOCUMENT) {
      throw tooLarge(what, bytes.length);
    }
    if (declared >= 0 && declared != bytes.length) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": the registry said "
          + declared + " bytes and sent " + bytes.length);
    }
    Digest actual = Digest.of(bytes);
    if (expected != null && !expected.equals(actual)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " hashes to " + actual
          + ", not to the digest it was asked by: the registry or something between is serving"
          + " other content");
    }
    Optional<String> stated = r.headers().firstValue("Docker-Content-Digest");
    if (stated.isPresent() && !stated.get().trim().equals(actual.toString())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " hashes to " + actual
          + " but the registry states " + RegistryHttp.clean(stated.get()));
    }
    String contentType = r.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
    return new Manifest(bytes, mediaType(bytes, contentType, what), actual);
  }

  /**
   * The media type of a manifest or index: its own {@code mediaType} field; without one, the
   * Content-Type it was served with; else what its fields show (OCI allows leaving it out).
   */
  static String mediaType(byte[] bytes, String contentType, String what) throws PlinthException {
    return ImageReader.mediaType(bytes, contentType, what);
  }

  private static PlinthException tooLarge(String what, long n) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is " + n
        + " bytes, over the " + ImageReader.MAX_DOCUMENT + "-byte limit for a manifest or index");
  }

  /** The digest the registry has under {@code reference}, empty when it has nothing there. */
  public Optional<Digest> manifestDigest(String repo, String reference)
      throws IOException, PlinthException {
    String what = host + "/" + repo + ":" + reference;
    Response r = http.send(new RegistryHttp.Req("HEAD",
        http.uri("/v2/" + repo + "/manifests/" + reference), Map.of("Accept", ACCEPT), null,
        scopes(repo), true, what, DOCUMENT));
    RegistryHttp.discard(r);
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw http.fail(r, what);
    }
    try {
      return Optional.of(Digest.parse(r.headers().firstValue("Docker-Content-Digest").orElse("")));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // no digest stated: put it again
    }
  }

  /**
   * PUTs a manifest or index under a tag or its digest; checks the digest the registry states.
   *
   * @return whether the registry answered with an {@code OCI-Subject} header: it indexed the
   *     manifest's subject for its referrers API (OCI distribution 1.1)
   */
  public boolean putManifest(String repo, String reference, String mediaType, byte[] bytes)
      throws IOException, PlinthException {
    String what = host + "/" + repo + (reference.startsWith("sha256:") ? "@" : ":") + reference;
    if (bytes.length > ImageReader.MAX_DOCUMENT) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, what + ": the manifest is "
          + bytes.length + " bytes, over the " + ImageReader.MAX_DOCUMENT + "-byte limit registries"
          + " accept");
    }
    Response r = http.send(new RegistryHttp.Req("PUT",
        http.uri("/v2/" + repo + "/manifests/" + reference), Map.of("Content-Type", mediaType),
        RequestBody.of(bytes), scopes(repo), true, what, DOCUMENT));
    if (r.status() != 201 && r.status() != 200) {
      throw http.fail(r, what);
    }
    RegistryHttp.discard(r);
    checkStated(r, Digest.of(bytes), what);
    return r.headers().firstValue("OCI-Subject").isPresent();
  }

  /**
   * The referrers API (OCI distribution 1.1): the index of the manifests whose subject is {@code
   * subject}; empty when the registry has no such API (404, as registries before 1.1 answer).
   */
  public Optional<dev.plinth.oci.Index> referrers(String repo, Digest subject)
      throws IOException, PlinthException {
    String what = host + "/" + repo + " referrers of " + subject;
    Response r = http.send(new RegistryHttp.Req("GET",
        http.uri("/v2/" + repo + "/referrers/" + subject), Map.of("Accept", MediaTypes.OCI_INDEX),
        null, scopes(repo), true, what, DOCUMENT));
    if (r.status() == 404 || r.status() == 400 || r.status() == 405) {
      RegistryHttp.discard(r);
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw http.fail(r, what);
    }
    byte[] bytes;
    try (InputStream in = r.body()) {
      bytes = in.readNBytes(ImageReader.MAX_DOCUMENT + 1);
    }
    if (bytes.length > ImageReader.MAX_DOCUMENT) {
      throw tooLarge(what, bytes.length);
    }
    return Optional.of(dev.plinth.oci.Index.parse(bytes, what));
  }

  static void checkStated(Response r, Digest mine, String what)
      throws PlinthException {
    Optional<String> stated = r.headers().firstValue("Docker-Content-Digest");
    if (stated.isPresent() && !stated.get().trim().equals(mine.toString())) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, what + ": the registry stored "
          + RegistryHttp.clean(stated.get()) + " for what plinth sent as " + mine
          + "; the registry or something between changed it");
    }
  }

  // ---- blobs: reading ----

  /** Whether the repository has the blob (HEAD). */
  public boolean blobExists(String repo, Descriptor d) throws IOException, PlinthException {
    String what = "blob " + d.digest() + " in " + host + "/" + repo;
    Response r = http.send(new RegistryHttp.Req("HEAD",
        http.uri("/v2/" + repo + "/blobs/" + d.digest()), Map.of(), null, scopes(repo), true,
        what, DOCUMENT));
    RegistryHttp.discard(r);
    if (r.status() == 200) {
      long len = r.headers().firstValueAsLong("Content-Length").orElse(d.size());
      return len == d.size();
    }
    if (r.status() == 404) {
      return false;
    }
    throw http.fail(r, what);
  }

  /**
   * Streams a blob, checked against its descriptor to the end: a Content-Length that differs from
   * the descriptor's size, more bytes than it, or a digest that differs is an error. A connection
   * dropped midway is resumed with a Range request (or read again from the start).
   */
  public InputStream openBlob(String repo, Descriptor d) throws IOException {
    return Blobs.verifying(d, new Resuming(repo, d, BLOB));
  }

  /** A blob of this registry, fetched when opened. */
  public Blob blob(String repo, Descriptor d) {
    return new RemoteBlob(this, repo, d, null);
  }

  /** A blob of this registry whose (small, verified) bytes were read already. */
  Blob blob(String repo, Descriptor d, byte[] bytes) {
    return new RemoteBlob(this, repo, d, bytes.clone());
  }

  /** Reads a small blob (a config) whole, verified, at most 4 MiB. */
  byte[] readSmallBlob(String repo, Descriptor d) throws IOException, PlinthException {
    if (d.size() > ImageReader.MAX_DOCUMENT) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, "config " + d.digest() + " of "
          + host + "/" + repo + " is " + d.size() + " bytes, over the " + ImageReader.MAX_DOCUMENT
          + "-byte limit");
    }
    try (InputStream in = Blobs.verifying(d, new Resuming(repo, d, DOCUMENT))) {
      return in.readAllBytes(); // read whole by the document deadline
    }
  }

  /** A blob that lives in a registry repository; sinks on the same registry can mount it. */
  public static final class RemoteBlob implements Blob {
    private final RegistryClient client;
    private final String repo;
    private final Descriptor descriptor;
    private final byte[] bytes;

    RemoteBlob(RegistryClient client, String repo, Descriptor descriptor, byte[] bytes) {
      this.client = client;
      this.repo = repo;
      this.descriptor = descriptor;
      this.bytes = bytes;
    }

    @Override
    public Descriptor descriptor() {
      return descriptor;
    }

    @Override
    public InputStream open() throws IOException {
      return bytes != null ? new java.io.ByteArrayInputStream(bytes)
          : client.openBlob(repo, descriptor);
    }

    /** The registry as references name it. */
    public String host() {
      return client.host;
    }

    public String repository() {
      return repo;
    }

    /** This blob with another media type (same bytes, same digest). */
    public RemoteBlob withMediaType(String mediaType) {
      return new RemoteBlob(client, repo, new Descriptor(mediaType, descriptor.digest(),
          descriptor.size(), descriptor.platform(), descriptor.annotations()), bytes);
    }
  }

  private final class Resuming extends BulkFilterInputStream {
    private final String repo;
    private final Descriptor d;
    private final RegistryHttp.Payload payload;
    private long pos;
    private int resumes;
    private long lastByte = System.nanoTime();

    Resuming(String repo, Descriptor d, RegistryHttp.Payload payload) throws IOException {
      super(null);
      this.repo = repo;
      this.d = d;
      this.payload = payload;
      this.in = open(0);
      http.options.progress().started(d.digest(), d.size());
    }

    private boolean reported;

    private InputStream open(long from) throws IOException {
      String what = "blob " + d.digest() + " of " + host + "/" + repo;
      try {
        Response r = http.send(new RegistryHttp.Req("GET",
            http.uri("/v2/" + repo + "/blobs/" + d.digest()),
            from > 0 ? Map.of("Range", "bytes=" + from + "-") : Map.of(), null, scopes(repo),
            true, what, payload));
        int s = r.status();
        if (s == 206 && from > 0) {
          Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
          if (!m.matches() || Long.parseLong(m.group(1)) != from) {
            r.body().close();
            throw new ContentMismatchException(what + ": the registry answered a resume from byte "
                + from + " with another range");
          }
          return r.body();
        }
        if (s != 200) {
          throw http.fail(r, what);
        }
        long len = r.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (len >= 0 && len != d.size()) {
          r.body().close();
          throw new ContentMismatchException(what + ": the registry sends " + len
              + " bytes, and its descriptor says " + d.size());
        }
        InputStream body = r.body();
        if (from > 0) {
          body.skipNBytes(from);
        }
        return body;
      } catch (PlinthException e) {
        throw new RegistryFailure(e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (true) {
        try {
          int n = in.read(b, off, len);
          if (n > 0) {
            pos += n;
            lastByte = System.nanoTime();
            http.options.progress().advanced(d.digest(), n);
          } else if (n < 0 && pos < d.size()) {
            throw new java.io.EOFException("the connection ended after " + pos + " of "
                + d.size() + " bytes");
          } else if (n < 0 && !reported) {
            reported = true;
            http.options.progress().finished(d.digest(), d.size(), Progress.Outcome.PULLED);
          }
          return n;
        } catch (StreamFailure e) { // a mismatch or a refusal: trying again does not help
          throw e;
        } catch (IOException e) {
          Duration idle = http.options.deadlines().idle();
          boolean stalled = System.nanoTime() - lastByte >= idle.toNanos();
          if (++resumes >= http.options.attempts() || stalled) {
            throw new RegistryFailure(new PlinthException(http.access(), "blob " + d.digest()
                + " of " + host + "/" + repo + ": the download broke off " + resumes
                + (resumes == 1 ? " time" : " times") + "; last: " + RegistryHttp.describe(e)
                + (stalled ? "; not resumed: no byte came for " + Deadline.format(idle) : ""),
                e));
          }
          try {
            in.close();
          } catch (IOException ignored) {
            // it is broken already
          }
          http.options.progress().retrying("blob " + d.digest().shortHex(), resumes,
              Duration.ZERO, "resuming at byte " + pos + ": " + RegistryHttp.describe(e));
          in = open(pos);
        }
      }
    }

    @Override
    public int available() {
      return 0;
    }
  }

  // ---- blobs: writing ----

  /**
   * Puts a blob into {@code repo}: nothing when it is there (one HEAD); a mount from {@code
   * mountFrom} (another repository of this registry), falling back to an upload when the registry
   * answers 202 (in the session it opened) or refuses the mount with any other status (in a new
   * one); else an upload, monolithic up to the chunk size and in PATCH chunks above it.
   */
  public Progress.Outcome pushBlob(String repo, Blob blob, String mountFrom)
      throws IOException, PlinthException {
    Descriptor d = blob.descriptor();
    if (blobExists(repo, d)) {
      return Progress.Outcome.EXISTS;
    }
    String what = "blob " + d.digest() + " to " + host + "/" + repo;
    URI location = null;
    if (mountFrom != null && !mountFrom.equals(repo)) {
      Response r = http.send(new RegistryHttp.Req("POST",
          http.uri("/v2/" + repo + "/blobs/uploads/?mount=" + d.digest() + "&from=" + mountFrom),
          Map.of(), RequestBody.of(new byte[0]), List.of(pushPull(repo), pull(mountFrom)), true, what,
          DOCUMENT));
      RegistryHttp.discard(r);
      if (r.status() == 201) {
        return Progress.Outcome.MOUNTED;
      }
      if (r.status() == 202) {
        location = BlobUpload.location(http, r, what);
      }
      // refused some other way (401, 403, 404, 405, 5xx...): an ordinary upload, below
    }
    http.options.progress().started(d.digest(), d.size());
    new BlobUpload(http, repo, blob, what, location).run();
    return Progress.Outcome.PUSHED;
  }
}
