package dev.plinth.registry;

import dev.plinth.http.RequestBody;
import dev.plinth.http.Response;
import dev.plinth.oci.Blob;
import dev.plinth.oci.BulkFilterInputStream;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One blob's upload into a repository: monolithic (one PUT) up to the chunk size, in PATCH chunks
 * above it, then a PUT with the digest. Its tries share one budget ({@link Attempts#blob}): at
 * most {@link RegistryOptions#attempts()} in all, with backoff (or the registry's Retry-After)
 * between them, and none once {@link RegistryOptions.Deadlines#idle()} has passed since the
 * upload started or a chunk was last taken. A try that broke off (the connection dropped, 408,
 * 429 or 5xx, a chunk range refused with 416) resumes a chunked upload where the registry says
 * it stands, or starts a new session; when the budget is spent, the failure says how many tries
 * were made and what the last one met.
 */
final class BlobUpload {
  private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-([0-9]+)");
  private static final RegistryHttp.Payload DOCUMENT = RegistryHttp.Payload.DOCUMENT;
  private static final RegistryHttp.Payload BLOB = RegistryHttp.Payload.BLOB;

  private final RegistryHttp http;
  private final String repo;
  private final Blob blob;
  private final Descriptor d;
  private final String what;
  private final Attempts attempts;
  /** The session's Location, null before one is open or after it was lost. */
  private URI location;
  /** Where the next chunk starts. */
  private long offset;

  /** An answer that asks for another try, after {@code wait}. */
  private static final class Busy extends IOException {
    final Duration wait;

    Busy(String message, Duration wait) {
      super(message);
      this.wait = wait;
    }
  }

  /**
   * @param what the blob and where it goes, for messages
   * @param location a session the registry opened already (a mount answered 202), or null
   */
  BlobUpload(RegistryHttp http, String repo, Blob blob, String what, URI location)
      throws IOException {
    this.http = http;
    this.repo = repo;
    this.blob = blob;
    this.d = blob.descriptor();
    this.what = what;
    this.attempts = Attempts.blob(http.options);
    this.location = location;
  }

  /** Uploads the blob, trying again within the budget. */
  void run() throws IOException, PlinthException {
    boolean chunked = d.size() > http.options.chunkSize();
    while (true) {
      try {
        if (location == null) {
          location = start();
          offset = 0;
        }
        if (chunked) {
          putChunks();
        } else {
          putWhole();
        }
        return;
      } catch (StreamFailure e) { // a mismatch or a refusal: trying again does not help
        throw e;
      } catch (IOException e) {
        Duration wait = e instanceof Busy b ? b.wait : attempts.backoff();
        String why = Failures.describe(e);
        String at = chunked ? " at byte " + offset + " of " + d.size() : "";
        if (!attempts.again(wait, what, "upload broke off" + at + ": " + why)) {
          throw new PlinthException(PlinthException.Kind.OUTPUT, what + ": the upload broke off"
              + at + ": " + attempts.outcome(why) + (attempts.number() == 1 ? ""
                  : chunked ? "; each try went on where the registry said the upload stood, or"
                      + " in a new session" : "; each try in a new session"), e);
        }
        if (chunked && location != null && resume()) {
          continue;
        }
        location = null; // a fresh session: a clean state
      }
    }
  }

  private URI start() throws IOException, PlinthException {
    Response r = http.send(new RegistryHttp.Req("POST",
        http.uri("/v2/" + repo + "/blobs/uploads/"), Map.of(), RequestBody.of(new byte[0]),
        List.of(RegistryClient.pushPull(repo)), true, what, DOCUMENT));
    if (r.status() != 202) {
      throw http.fail(r, what);
    }
    RegistryHttp.discard(r);
    return location(http, r, what);
  }

  /** The upload's Location; one on another host is used without credentials. */
  static URI location(RegistryHttp http, Response r, String what) throws PlinthException {
    String loc = r.headers().firstValue("Location").orElse(null);
    if (loc == null) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, what
          + ": the registry gave no upload Location");
    }
    URI u = RegistryHttp.resolve(r.uri(), loc, what);
    String s = u.getScheme() == null ? "" : u.getScheme();
    if (!(s.equalsIgnoreCase("https") || s.equalsIgnoreCase("http")) || u.getHost() == null) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + ": the upload Location is not an http(s) URL");
    }
    if (s.equalsIgnoreCase("http") && !http.options.plainHttpAllowed(RegistryHttp.authority(u))) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + ": the upload Location is plain HTTP at " + u.getHost());
    }
    http.checkAddress(u.getHost(), "upload Location");
    return u;
  }

  private static URI withQuery(URI u, String param) {
    String s = u.toString();
    return URI.create(s + (u.getRawQuery() == null ? "?" : "&") + param);
  }

  private void putWhole() throws IOException, PlinthException {
    Response r = http.send(new RegistryHttp.Req("PUT",
        withQuery(location, "digest=" + d.digest()),
        Map.of("Content-Type", "application/octet-stream"), body(offset, d.size()),
        List.of(RegistryClient.pushPull(repo)), false, what, BLOB));
    busy(r);
    finish(r);
  }

  /** An answer worth another try (408, 429, 5xx) as a {@link Busy}. */
  private void busy(Response r) throws Busy {
    if (Attempts.retryableStatus(r.status())) {
      Duration wait = attempts.wait(r.headers());
      RegistryHttp.discard(r);
      throw new Busy("HTTP " + r.status(), wait);
    }
  }

  private void finish(Response r) throws PlinthException {
    if (r.status() != 201 && r.status() != 204 && r.status() != 200) {
      throw http.fail(r, what);
    }
    RegistryHttp.discard(r);
    RegistryClient.checkStated(r, d.digest(), what);
  }

  /** The chunks from {@link #offset}, then the PUT that ends the session. */
  private void putChunks() throws IOException, PlinthException {
    while (offset < d.size()) {
      long n = Math.min(http.options.chunkSize(), d.size() - offset);
      Response r = http.send(new RegistryHttp.Req("PATCH", location,
          Map.of("Content-Type", "application/octet-stream",
              "Content-Range", offset + "-" + (offset + n - 1)),
          body(offset, n), List.of(RegistryClient.pushPull(repo)), false, what, BLOB));
      if (r.status() == 416) {
        RegistryHttp.discard(r);
        throw new IOException("HTTP 416: the registry refused the range " + offset + "-"
            + (offset + n - 1));
      }
      busy(r);
      if (r.status() != 202 && r.status() != 204) {
        throw http.fail(r, what);
      }
      RegistryHttp.discard(r);
      location = r.headers().firstValue("Location").isPresent() ? location(http, r, what)
          : location;
      offset = rangeEnd(r.headers().firstValue("Range").orElse(null), offset + n);
      attempts.progressed();
    }
    // the registry may check it all first: tried again on its own (empty body), as a document
    Response r = http.send(new RegistryHttp.Req("PUT",
        withQuery(location, "digest=" + d.digest()),
        Map.of("Content-Type", "application/octet-stream"), RequestBody.of(new byte[0]),
        List.of(RegistryClient.pushPull(repo)), true, what, BLOB));
    finish(r);
  }

  /** The next offset an upload expects: after the end of its Range, else {@code otherwise}. */
  private static long rangeEnd(String range, long otherwise) {
    if (range == null) {
      return otherwise;
    }
    Matcher m = RANGE.matcher(range.trim());
    return m.matches() ? Long.parseLong(m.group(1)) + 1 : otherwise;
  }

  /**
   * Asks the registry where the session stands and continues from there: false when the session
   * is gone (404) or cannot say.
   */
  private boolean resume() throws PlinthException {
    Response r;
    try {
      r = http.send(new RegistryHttp.Req("GET", location, Map.of(), null,
          List.of(RegistryClient.pushPull(repo)), true, what + " (upload status)", DOCUMENT));
    } catch (IOException e) {
      return false;
    }
    RegistryHttp.discard(r);
    if (r.status() != 204 && r.status() != 200) {
      return false;
    }
    offset = rangeEnd(r.headers().firstValue("Range").orElse(null), 0);
    return true;
  }

  private RequestBody body(long from, long length) {
    Digest digest = d.digest();
    Progress progress = http.options.progress();
    return RequestBody.of(length, () -> {
      InputStream in = from == 0 ? blob.open() : blob.openAt(from);
      boolean whole = from == 0 && length == d.size();
      return new BulkFilterInputStream(in) {
        long left = length;

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left <= 0) {
            if (whole) {
              super.read(b, off, 0 < len ? 1 : 0); // reach the end: the digest is checked
            }
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
            progress.advanced(digest, n);
          }
          return n;
        }
      };
    });
  }
}
