package dev.plinth.registry;

import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * How plinth talks to registries.
 *
 * @param credentials where credentials come from
 * @param insecure hosts (host or host:port) that may be spoken to over plain HTTP, or over TLS
 *     without verifying the certificate ({@code --insecure}, {@code PLINTH_INSECURE_REGISTRIES})
 * @param caFile extra PEM CA certificates trusted besides the JDK's ({@code PLINTH_REGISTRY_CA}),
 *     or null
 * @param parallel blob uploads (and downloads) at once
 * @param chunkSize blobs larger than this are uploaded in PATCH chunks of this size
 * @param attempts tries per request for 408, 429, 5xx and dropped connections
 * @param backoff the first wait between tries; it doubles each time
 * @param maxWait the longest wait between tries, Retry-After included
 * @param progress where transfers report
 * @param manifestFormat the format pushed images are written in; null: as they are (OCI for
 *     what plinth builds)
 */
public record RegistryOptions(
    CredentialStore credentials, Set<String> insecure, Path caFile, int parallel, long chunkSize,
    int attempts, Duration backoff, Duration maxWait, Progress progress,
    ManifestFormat manifestFormat) {

  public static final int DEFAULT_PARALLEL = 4;
  public static final long DEFAULT_CHUNK = 32L << 20;

  public RegistryOptions {
    insecure = Set.copyOf(insecure);
    if (parallel < 1 || chunkSize < 1 || attempts < 1) {
      throw new IllegalArgumentException("parallel, chunkSize and attempts must be positive");
    }
  }

  /**
   * From the environment a front end read: PLINTH_INSECURE_REGISTRIES (comma-separated hosts),
   * PLINTH_REGISTRY_CA (a PEM file), PLINTH_REGISTRY_USER/PASSWORD, DOCKER_CONFIG, HOME, PATH (for
   * credential helpers).
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  public static RegistryOptions fromEnvironment(Map<String, String> env, Path home) {
    Set<String> insecure = hosts(env.getOrDefault("PLINTH_INSECURE_REGISTRIES", ""));
    String ca = env.get("PLINTH_REGISTRY_CA");
    return new RegistryOptions(new CredentialStore(null, env, home), insecure,
        ca == null || ca.isBlank() ? null : Path.of(ca), DEFAULT_PARALLEL, DEFAULT_CHUNK, 5,
        Duration.ofMillis(500), Duration.ofSeconds(30), Progress.NONE, null);
  }

  /** Parses a comma-separated host list. */
  public static Set<String> hosts(String csv) {
    Set<String> out = new TreeSet<>();
    Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> s.toLowerCase(Locale.ROOT)).forEach(out::add);
    return out;
  }

  public RegistryOptions withCredentials(CredentialStore c) {
    return new RegistryOptions(c, insecure, caFile, parallel, chunkSize, attempts, backoff,
        maxWait, progress, manifestFormat);
  }

  /** With these hosts also insecure. */
  public RegistryOptions withInsecure(Set<String> more) {
    Set<String> all = new TreeSet<>(insecure);
    more.forEach(h -> all.add(h.toLowerCase(Locale.ROOT)));
    return new RegistryOptions(credentials, all, caFile, parallel, chunkSize, attempts, backoff,
        maxWait, progress, manifestFormat);
  }

  public RegistryOptions withProgress(Progress p) {
    return new RegistryOptions(credentials, insecure, caFile, parallel, chunkSize, attempts,
        backoff, maxWait, p, manifestFormat);
  }

  public RegistryOptions withChunkSize(long c) {
    return new RegistryOptions(credentials, insecure, caFile, parallel, c, attempts, backoff,
        maxWait, progress, manifestFormat);
  }

  public RegistryOptions withParallel(int p) {
    return new RegistryOptions(credentials, insecure, caFile, p, chunkSize, attempts, backoff,
        maxWait, progress, manifestFormat);
  }

  public RegistryOptions withRetries(int a, Duration first, Duration max) {
    return new RegistryOptions(credentials, insecure, caFile, parallel, chunkSize, a, first, max,
        progress, manifestFormat);
  }

  public RegistryOptions withCaFile(Path f) {
    return new RegistryOptions(credentials, insecure, f, parallel, chunkSize, attempts, backoff,
        maxWait, progress, manifestFormat);
  }

  public RegistryOptions withManifestFormat(ManifestFormat f) {
    return new RegistryOptions(credentials, insecure, caFile, parallel, chunkSize, attempts,
        backoff, maxWait, progress, f);
  }

  /** Whether {@code hostPort} was named insecure (by host:port or by host alone). */
  boolean isInsecure(String hostPort) {
    String h = hostPort.toLowerCase(Locale.ROOT);
    return insecure.contains(h) || insecure.contains(RegistryRef.hostName(h));
  }

  /** Plain HTTP is allowed: loopback, or named insecure. */
  boolean plainHttpAllowed(String hostPort) {
    return RegistryRef.isLoopback(hostPort) || isInsecure(hostPort);
  }

  static PlinthException usage(String m) {
    return new PlinthException(PlinthException.Kind.USAGE, m);
  }
}
