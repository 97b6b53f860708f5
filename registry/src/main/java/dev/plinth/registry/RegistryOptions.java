package dev.plinth.registry;

import dev.plinth.http.Proxies;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
 * @param deadlines how long each wait on a registry may be
 * @param credsRealms token realm hosts (host or host:port) that get the registry's credentials
 *     although they are not the registry's host ({@code --creds-realm}); see {@link
 *     TokenClient#credentialsGo}
 * @param proxies which HTTP proxy a request to a registry (or its token realm) goes through
 * @param certDirs the certs.d directories, in order, whose {@code HOST[:PORT]/} subdirectory
 *     holds a registry's CA certificates ({@code *.crt}) and client certificate ({@code *.cert}
 *     with its {@code *.key}), as podman and docker read them: the first that has one is used
 */
public record RegistryOptions(
    CredentialStore credentials, Set<String> insecure, Path caFile, int parallel, long chunkSize,
    int attempts, Duration backoff, Duration maxWait, Progress progress,
    ManifestFormat manifestFormat, Deadlines deadlines, Set<String> credsRealms,
    Proxies proxies, List<Path> certDirs) {

  public static final int DEFAULT_PARALLEL = 4;
  public static final long DEFAULT_CHUNK = 32L << 20;

  /**
   * How long the waits on a registry may be: deadlines that a registry sending a byte now and then
   * cannot put off, besides the idle time that a big blob's body may stay silent.
   *
   * @param connect a TCP connection and its TLS handshake, together
   * @param document all of a small document's request (the {@code /v2/} ping, a token, a
   *     manifest, an index, a config, an upload session): every attempt of it, each redirect, and
   *     the waits between attempts; its body read to the end included
   * @param head a blob request's answer head, from the request (and its body) sent, per attempt
   * @param idle the longest a blob's body may stay silent (or the registry may take none of an
   *     upload); a blob request is not tried again once this long has passed since its start or
   *     its last byte
   */
  public record Deadlines(Duration connect, Duration document, Duration head, Duration idle) {
    /** 30 s to connect, 60 s for a document, 2 min for a blob's answer head, 5 min of silence. */
    public static final Deadlines DEFAULT = new Deadlines(Duration.ofSeconds(30),
        Duration.ofSeconds(60), Duration.ofMinutes(2), Duration.ofMinutes(5));

    public Deadlines {
      for (Duration d : new Duration[] {connect, document, head, idle}) {
        if (d == null || d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("deadlines must be positive");
        }
      }
    }
  }

  public RegistryOptions {
    insecure = Set.copyOf(insecure);
    credsRealms = Set.copyOf(credsRealms);
    if (parallel < 1 || chunkSize < 1 || attempts < 1) {
      throw new IllegalArgumentException("parallel, chunkSize and attempts must be positive");
    }
    if (deadlines == null) {
      deadlines = Deadlines.DEFAULT;
    }
    if (proxies == null) {
      proxies = Proxies.NONE;
    }
    certDirs = certDirs == null ? List.of() : List.copyOf(certDirs);
  }

  /** With the default deadlines and no extra token realms. */
  public RegistryOptions(CredentialStore credentials, Set<String> insecure, Path caFile,
      int parallel, long chunkSize, int attempts, Duration backoff, Duration maxWait,
      Progress progress, ManifestFormat manifestFormat) {
    this(credentials, insecure, caFile, parallel, chunkSize, attempts, backoff, maxWait, progress,
        manifestFormat, Deadlines.DEFAULT, Set.of(), Proxies.NONE, List.of());
  }

  /**
   * From the environment a front end read: PLINTH_INSECURE_REGISTRIES (comma-separated hosts),
   * PLINTH_REGISTRY_CA (a PEM file), PLINTH_CERTS_D (see {@link #certDirs}),
   * PLINTH_REGISTRY_USER/PASSWORD, DOCKER_CONFIG, HOME, PATH (for
   * credential helpers).
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  public static RegistryOptions fromEnvironment(Map<String, String> env, Path home) {
    Set<String> insecure = hosts(env.getOrDefault("PLINTH_INSECURE_REGISTRIES", ""));
    String ca = env.get("PLINTH_REGISTRY_CA");
    return new RegistryOptions(new CredentialStore(null, env, home), insecure,
        ca == null || ca.isBlank() ? null : Path.of(ca), DEFAULT_PARALLEL, DEFAULT_CHUNK, 5,
        Duration.ofMillis(500), Duration.ofSeconds(30), Progress.NONE, null)
        .withCertDirs(certDirs(env, home));
  }

  /** Parses a comma-separated host list. */
  public static Set<String> hosts(String csv) {
    Set<String> out = new TreeSet<>();
    Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(s -> s.toLowerCase(Locale.ROOT)).forEach(out::add);
    return out;
  }

  /**
   * This RegistryOptions's fields, to change one or two of and {@link #build} anew: the withers'
   * one list of every field (a new field is added here, not to each wither).
   */
  private final class Edit {
    private CredentialStore credentials = RegistryOptions.this.credentials;
    private Set<String> insecure = RegistryOptions.this.insecure;
    private Path caFile = RegistryOptions.this.caFile;
    private int parallel = RegistryOptions.this.parallel;
    private long chunkSize = RegistryOptions.this.chunkSize;
    private int attempts = RegistryOptions.this.attempts;
    private Duration backoff = RegistryOptions.this.backoff;
    private Duration maxWait = RegistryOptions.this.maxWait;
    private Progress progress = RegistryOptions.this.progress;
    private ManifestFormat manifestFormat = RegistryOptions.this.manifestFormat;
    private Deadlines deadlines = RegistryOptions.this.deadlines;
    private Set<String> credsRealms = RegistryOptions.this.credsRealms;
    private Proxies proxies = RegistryOptions.this.proxies;
    private List<Path> certDirs = RegistryOptions.this.certDirs;

    private Edit credentials(CredentialStore v) {
      credentials = v;
      return this;
    }

    private Edit insecure(Set<String> v) {
      insecure = v;
      return this;
    }

    private Edit progress(Progress v) {
      progress = v;
      return this;
    }

    private Edit chunkSize(long v) {
      chunkSize = v;
      return this;
    }

    private Edit parallel(int v) {
      parallel = v;
      return this;
    }

    private Edit attempts(int v) {
      attempts = v;
      return this;
    }

    private Edit backoff(Duration v) {
      backoff = v;
      return this;
    }

    private Edit maxWait(Duration v) {
      maxWait = v;
      return this;
    }

    private Edit caFile(Path v) {
      caFile = v;
      return this;
    }

    private Edit manifestFormat(ManifestFormat v) {
      manifestFormat = v;
      return this;
    }

    private Edit deadlines(Deadlines v) {
      deadlines = v;
      return this;
    }

    private Edit credsRealms(Set<String> v) {
      credsRealms = v;
      return this;
    }

    private Edit proxies(Proxies v) {
      proxies = v;
      return this;
    }

    private Edit certDirs(List<Path> v) {
      certDirs = v;
      return this;
    }

    private RegistryOptions build() {
      return new RegistryOptions(credentials, insecure, caFile, parallel, chunkSize, attempts,
          backoff, maxWait, progress, manifestFormat, deadlines, credsRealms, proxies, certDirs);
    }
  }

  public RegistryOptions withCredentials(CredentialStore c) {
    return new Edit().credentials(c).build();
  }

  /** With these hosts also insecure. */
  public RegistryOptions withInsecure(Set<String> more) {
    return new Edit().insecure(union(insecure, more)).build();
  }

  public RegistryOptions withProgress(Progress p) {
    return new Edit().progress(p).build();
  }

  public RegistryOptions withChunkSize(long c) {
    return new Edit().chunkSize(c).build();
  }

  public RegistryOptions withParallel(int p) {
    return new Edit().parallel(p).build();
  }

  public RegistryOptions withRetries(int a, Duration first, Duration max) {
    return new Edit().attempts(a).backoff(first).maxWait(max).build();
  }

  public RegistryOptions withCaFile(Path f) {
    return new Edit().caFile(f).build();
  }

  public RegistryOptions withManifestFormat(ManifestFormat f) {
    return new Edit().manifestFormat(f).build();
  }

  public RegistryOptions withDeadlines(Deadlines d) {
    return new Edit().deadlines(d).build();
  }

  /** With these token realm hosts (host or host:port) also getting credentials. */
  public RegistryOptions withCredsRealms(Set<String> more) {
    return new Edit().credsRealms(union(credsRealms, more)).build();
  }

  /** The hosts of {@code known} and {@code more}, lower-cased and sorted. */
  private static Set<String> union(Set<String> known, Set<String> more) {
    Set<String> all = new TreeSet<>(known);
    for (String h : more) {
      all.add(h.toLowerCase(Locale.ROOT));
    }
    return all;
  }

  /** With requests going through these proxies. */
  public RegistryOptions withProxies(Proxies p) {
    return new Edit().proxies(p).build();
  }

  /** With these certs.d directories (in order) instead. */
  public RegistryOptions withCertDirs(List<Path> dirs) {
    return new Edit().certDirs(dirs).build();
  }

  /**
   * The certs.d directories container tools read, in their order: PLINTH_CERTS_D
   * (colon-separated) if set, else $HOME/.config/containers/certs.d, /etc/containers/certs.d,
   * /etc/docker/certs.d.
   */
  static List<Path> certDirs(Map<String, String> env, Path home) {
    String given = env.get("PLINTH_CERTS_D");
    List<Path> out = new java.util.ArrayList<>();
    if (given != null && !given.isBlank()) {
      for (String d : given.split(":")) {
        if (!d.isBlank()) {
          out.add(Path.of(d.strip()));
        }
      }
      return out;
    }
    String h = env.get("HOME");
    Path userHome = h != null && !h.isBlank() ? Path.of(h) : home;
    if (userHome != null) {
      out.add(userHome.resolve(".config/containers/certs.d"));
    }
    out.add(Path.of("/etc/containers/certs.d"));
    out.add(Path.of("/etc/docker/certs.d"));
    return out;
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
