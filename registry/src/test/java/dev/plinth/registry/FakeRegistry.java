package dev.plinth.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.plinth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small in-memory registry for hostile-input tests: the distribution API plinth uses, on
 * 127.0.0.1, with a hook that answers any request first, and a log of every request (method, path,
 * whether it carried credentials).
 */
public final class FakeRegistry implements AutoCloseable {
  /** One request as the server saw it. */
  public record Seen(String method, String path, String query, String authorization,
      Map<String, List<String>> headers) {
    public String line() {
      return method + " " + path + (query == null ? "" : "?" + query);
    }
  }

  /** Answers a request instead of the registry; returns false to let the registry answer. */
  public interface Hook {
    boolean handle(HttpExchange ex, Seen seen) throws IOException;
  }

  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
  private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/(sha256:[0-9a-f]{64})");
  private static final Pattern UPLOADS = Pattern.compile("/v2/(.+)/blobs/uploads/?");
  private static final Pattern REFERRERS =
      Pattern.compile("/v2/(.+)/referrers/(sha256:[0-9a-f]{64})");
  private static final Pattern UPLOAD = Pattern.compile("/v2/(.+)/blobs/uploads/([0-9a-z-]+)");

  private final HttpServer server;
  /** Blob contents by digest (the registry's storage). */
  public final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  /** repo@digest: which repositories hold which blob. */
  public final java.util.Set<String> links = ConcurrentHashMap.newKeySet();
  /** repo:reference → {mediaType, bytes}. */
  public final Map<String, Object[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, java.io.ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
  public final List<Seen> log = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger ids = new AtomicInteger();
  public volatile Hook hook = (ex, s) -> false;
  /** "Basic xyz" or "Bearer xyz" the registry wants, or null for anonymous. */
  public volatile String requiredAuth;
  /** The WWW-Authenticate challenge sent with a 401. */
  public volatile String challenge;
  /**
   * Whether it has the referrers API of OCI distribution 1.1: a manifest with a subject is
   * answered with OCI-Subject and listed by GET /v2/NAME/referrers/DIGEST. Off: 404 there.
   */
  public volatile boolean referrersApi;
  /** repo@subject → the descriptors of the manifests referring to it (with the API on). */
  public final Map<String, List<dev.plinth.oci.Descriptor>> referrers = new ConcurrentHashMap<>();

  public FakeRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "fake-registry");
      t.setDaemon(true);
      return t;
    }));
    server.createContext("/", this::serve);
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** host:port for references, e.g. 127.0.0.1:41234. */
  public String host() {
    return "127.0.0.1:" + port();
  }

  public String url() {
    return "http://" + host();
  }

  public List<String> lines() {
    synchronized (log) {
      return log.stream().map(Seen::line).toList();
    }
  }

  public long count(String method, String pathPart) {
    synchronized (log) {
      return log.stream().filter(s -> s.method().equals(method) && s.path().contains(pathPart))
          .count();
    }
  }

  public void putBlob(String repo, byte[] b) {
    blobs.put(Digest.of(b).toString(), b);
    links.add(repo + "@" + Digest.of(b));
  }

  public void putManifest(String repo, String reference, String mediaType, byte[] b) {
    manifests.put(repo + ":" + reference, new Object[] {mediaType, b});
    manifests.put(repo + ":" + Digest.of(b), new Object[] {mediaType, b});
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      Seen seen = new Seen(ex.getRequestMethod(), ex.getRequestURI().getPath(),
          ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Authorization"),
          Map.copyOf(ex.getRequestHeaders()));
      log.add(seen);
      if (hook.handle(ex, seen)) {
        return;
      }
      if (requiredAuth != null && !requiredAuth.equals(seen.authorization())) {
        if (challenge != null) {
          ex.getResponseHeaders().set("WWW-Authenticate", challenge);
        }
        send(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
        return;
      }
      registry(ex, seen);
    } catch (IOException | RuntimeException e) {
      // the client went away, or a hook dropped the connection
    }
  }

  private void registry(HttpExchange ex, Seen seen) throws IOException {
    String m = seen.method();
    String p = seen.path();
    Matcher x;
    if (p.equals("/v2/") || p.equals("/v2")) {
      send(ex, 200, "{}");
    } else if ((x = MANIFEST.matcher(p)).matches()) {
      String key = x.group(1) + ":" + x.group(2);
      if (m.equals("PUT")) {
        byte[] b = ex.getRequestBody().readAllBytes();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        putManifest(x.group(1), x.group(2), type, b);
        if (referrersApi && dev.plinth.oci.MediaTypes.isManifest(type)) {
          try {
            dev.plinth.oci.Manifest mf = dev.plinth.oci.Manifest.parse(b, "PUT " + p);
            if (mf.subject() != null) {
              referrers.computeIfAbsent(x.group(1) + "@" + mf.subject().digest(),
                  k -> Collections.synchronizedList(new ArrayList<>())).add(Referrers.entry(mf,
                      new dev.plinth.oci.Descriptor(type, Digest.of(b), b.length)));
              ex.getResponseHeaders().set("OCI-Subject", mf.subject().digest().toString());
            }
          } catch (dev.plinth.oci.PlinthException e) {
            send(ex, 400, "{\"errors\":[{\"code\":\"MANIFEST_INVALID\"}]}");
            return;
          }
        }
        ex.getResponseHeaders().set("Docker-Content-Digest", Digest.of(b).toString());
        ex.getResponseHeaders().set("Location", p);
        ex.sendResponseHeaders(201, -1);
        return;
      }
      Object[] mf = manifests.get(key);
      if (mf == null) {
        send(ex, 404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
        return;
      }
      byte[] b = (byte[]) mf[1];
      ex.getResponseHeaders().set("Content-Type", (String) mf[0]);
      ex.getResponseHeaders().set("Docker-Content-Digest", Digest.of(b).toString());
      body(ex, 200, b, m.equals("HEAD"));
    } else if ((x = REFERRERS.matcher(p)).matches() && referrersApi && m.equals("GET")) {
      List<dev.plinth.oci.Descriptor> list = referrers.getOrDefault(x.group(1) + "@"
          + x.group(2), List.of());
      byte[] b = dev.plinth.oci.Index.of(dev.plinth.oci.MediaTypes.OCI_INDEX, List.copyOf(list),
          Map.of()).bytes();
      ex.getResponseHeaders().set("Content-Type", dev.plinth.oci.MediaTypes.OCI_INDEX);
      body(ex, 200, b, false);
    } else if ((x = BLOB.matcher(p)).matches()) {
      byte[] b = links.contains(x.group(1) + "@" + x.group(2)) ? blobs.get(x.group(2)) : null;
      if (b == null) {
        send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown\"}]}");
        return;
      }
      String range = ex.getRequestHeaders().getFirst("Range");
      if (range != null && range.matches("bytes=[0-9]+-")) {
        int from = Integer.parseInt(range.substring(6, range.length() - 1));
        byte[] rest = java.util.Arrays.copyOfRange(b, from, b.length);
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (b.length - 1) + "/" + b.length);
        body(ex, 206, rest, false);
        return;
      }
      body(ex, 200, b, m.equals("HEAD"));
    } else if ((x = UPLOADS.matcher(p)).matches() && m.equals("POST")) {
      Map<String, String> q = query(seen.query());
      if (q.containsKey("mount") && links.contains(q.get("from") + "@" + q.get("mount"))) {
        links.add(x.group(1) + "@" + q.get("mount"));
        ex.getResponseHeaders().set("Docker-Content-Digest", q.get("mount"));
        ex.sendResponseHeaders(201, -1);
        return;
      }
      String id = "u" + ids.incrementAndGet();
      uploads.put(id, new java.io.ByteArrayOutputStream());
      ex.getResponseHeaders().set("Location", "/v2/" + x.group(1) + "/blobs/uploads/" + id);
      ex.getResponseHeaders().set("Range", "0-0");
      ex.sendResponseHeaders(202, -1);
    } else if ((x = UPLOAD.matcher(p)).matches()) {
      java.io.ByteArrayOutputStream buf = uploads.get(x.group(2));
      if (buf == null) {
        send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_UNKNOWN\"}]}");
        return;
      }
      String loc = "/v2/" + x.group(1) + "/blobs/uploads/" + x.group(2);
      switch (m) {
        case "GET" -> {
          ex.getResponseHeaders().set("Location", loc);
          ex.getResponseHeaders().set("Range", "0-" + (buf.size() - 1));
          ex.sendResponseHeaders(204, -1);
        }
        case "PATCH" -> {
          String cr = ex.getRequestHeaders().getFirst("Content-Range");
          byte[] b = ex.getRequestBody().readAllBytes();
          if (cr != null && Long.parseLong(cr.split("-")[0]) != buf.size()) {
            ex.sendResponseHeaders(416, -1);
            return;
          }
          buf.write(b);
          ex.getResponseHeaders().set("Location", loc);
          ex.getResponseHeaders().set("Range", "0-" + (buf.size() - 1));
          ex.sendResponseHeaders(202, -1);
        }
        case "PUT" -> {
          buf.write(ex.getRequestBody().readAllBytes());
          String digest = query(seen.query()).get("digest");
          byte[] all = buf.toByteArray();
          if (!Digest.of(all).toString().equals(digest)) {
            send(ex, 400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}");
            return;
          }
          blobs.put(digest, all);
          links.add(x.group(1) + "@" + digest);
          uploads.remove(x.group(2));
          ex.getResponseHeaders().set("Docker-Content-Digest", digest);
          ex.sendResponseHeaders(201, -1);
        }
        default -> send(ex, 405, "");
      }
    } else {
      send(ex, 404, "{}");
    }
  }

  public static Map<String, String> query(String q) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    if (q == null) {
      return out;
    }
    for (String kv : q.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(java.net.URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
            java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  public static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    body(ex, status, b, false);
  }

  public static void body(HttpExchange ex, int status, byte[] b, boolean head) throws IOException {
    if (head) {
      ex.getResponseHeaders().set("Content-Length", Integer.toString(b.length));
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  /** Drains the request body (so the client can read an early answer). */
  public static void drain(HttpExchange ex) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
