package dev.plinth.oci;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An image's config file (OCI's, which Docker's is a superset of): the platform, how to run the
 * image, its layers' diff ids and its history. Fields plinth does not model are kept in {@code
 * extra}, in their order, as plain values (maps, lists, strings, numbers, booleans).
 *
 * <p>{@link #bytes()} is what plinth writes: for a config plinth made, the bytes it made; a
 * config read from elsewhere keeps its own bytes in its blob and is never written again.
 *
 * @param created RFC 3339 time, or null
 * @param author null when not stated
 * @param variant null when not stated
 * @param config how to run the image; null when absent
 * @param history null when absent (an empty list is written as one)
 */
public record ImageConfig(String created, String author, String architecture, String variant,
    String os, Config config, RootFs rootfs, List<History> history, Map<String, Object> extra) {
  private static final Set<String> KNOWN = Set.of("created", "author", "architecture", "variant",
      "os", "config", "rootfs", "history");

  public ImageConfig {
    Objects.requireNonNull(architecture, "architecture");
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(rootfs, "rootfs");
    history = history == null ? null : List.copyOf(history);
    extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
  }

  /** How to run the image: Docker's names, as the config writes them. */
  public record Config(String user, List<String> exposedPorts, List<String> env,
      List<String> entrypoint, List<String> cmd, List<String> volumes, String workingDir,
      Map<String, String> labels, String stopSignal, Healthcheck healthcheck,
      Map<String, Object> extra) {
    private static final Set<String> KNOWN = Set.of("User", "ExposedPorts", "Env", "Entrypoint",
        "Cmd", "Volumes", "WorkingDir", "Labels", "StopSignal", "Healthcheck");

    public Config {
      exposedPorts = copy(exposedPorts);
      env = copy(env);
      entrypoint = copy(entrypoint);
      cmd = copy(cmd);
      volumes = copy(volumes);
      labels = labels == null ? Map.of()
          : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
      extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /** Lists and maps that are empty are left out, as are fields that are null. */
    public Map<String, Object> toJson() {
      Map<String, Object> c = new LinkedHashMap<>();
      putIf(c, "User", user);
      if (!exposedPorts.isEmpty()) {
        c.put("ExposedPorts", emptyObjects(exposedPorts));
      }
      putList(c, "Env", env);
      putList(c, "Entrypoint", entrypoint);
      putList(c, "Cmd", cmd);
      if (!volumes.isEmpty()) {
        c.put("Volumes", emptyObjects(volumes));
      }
      putIf(c, "WorkingDir", workingDir);
      if (!labels.isEmpty()) {
        c.put("Labels", labels);
      }
      putIf(c, "StopSignal", stopSignal);
      if (healthcheck != null) {
        c.put("Healthcheck", healthcheck.toJson());
      }
      c.putAll(extra);
      return c;
    }

    static Config parse(JsonFields f) throws PlinthException {
      JsonFields h = f.optObject("Healthcheck");
      return new Config(f.optString("User"), f.keySet("ExposedPorts"), f.strings("Env"),
          f.stringOrStrings("Entrypoint"), f.stringOrStrings("Cmd"), f.keySet("Volumes"),
          f.optString("WorkingDir"), f.stringMap("Labels"), f.optString("StopSignal"),
          h == null ? null : Healthcheck.parse(h), f.rest(KNOWN));
    }

    /** Env as a map, in order; a later duplicate wins, as runtimes do. */
    public Map<String, String> envMap() {
      Map<String, String> m = new LinkedHashMap<>();
      for (String kv : env) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      return m;
    }
  }

  /** Docker's HEALTHCHECK: the command and its timings (nanoseconds). */
  public record Healthcheck(List<String> test, Long interval, Long timeout, Long startPeriod,
      Long startInterval, Long retries) {
    public Healthcheck {
      test = copy(test);
    }

    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      putList(m, "Test", test);
      putIf(m, "Interval", interval);
      putIf(m, "Timeout", timeout);
      putIf(m, "StartPeriod", startPeriod);
      putIf(m, "StartInterval", startInterval);
      putIf(m, "Retries", retries);
      return m;
    }

    static Healthcheck parse(JsonFields f) throws PlinthException {
      return new Healthcheck(f.strings("Test"), f.optLong("Interval"), f.optLong("Timeout"),
          f.optLong("StartPeriod"), f.optLong("StartInterval"), f.optLong("Retries"));
    }
  }

  /** The layers' diff ids (sha256 of each uncompressed tar), bottom first. */
  public record RootFs(String type, List<Digest> diffIds) {
    public RootFs {
      Objects.requireNonNull(type, "type");
      diffIds = List.copyOf(diffIds);
    }

    public static RootFs layers(List<Digest> diffIds) {
      return new RootFs("layers", diffIds);
    }

    public Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", type);
      List<String> ids = new ArrayList<>();
      for (Digest d : diffIds) {
        ids.add(d.toString());
      }
      m.put("diff_ids", ids);
      return m;
    }

    static RootFs parse(JsonFields f) throws PlinthException {
      List<Digest> ids = new ArrayList<>();
      List<String> texts = f.strings("diff_ids");
      for (int i = 0; i < texts.size(); i++) {
        try {
          ids.add(Digest.parse(texts.get(i)));
        } catch (IllegalArgumentException e) {
          throw JsonFields.bad(f.where(), "diff_id " + i + " is not a sha256 digest");
        }
      }
      return new RootFs(f.string("type"), ids);
    }
  }

  /**
   * One history entry, its fields in the order they were written: a build copies its base
   * image's entries as they are, so their bytes (and the new config's digest) do not depend on
   * how plinth would order them.
   */
  public record History(Map<String, Object> fields) {
    public History {
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** An entry as plinth writes it: created, created_by, comment. */
    public static History of(String created, String createdBy, String comment) {
      Map<String, Object> m = new LinkedHashMap<>();
      putIf(m, "created", created);
      putIf(m, "created_by", createdBy);
      putIf(m, "comment", comment);
      return new History(m);
    }

    public String created() {
      return (String) fields.get("created");
    }

    /** The build step, e.g. a Dockerfile line; null when not stated. */
    public String createdBy() {
      return (String) fields.get("created_by");
    }

    public String author() {
      return (String) fields.get("author");
    }

    public String comment() {
      return (String) fields.get("comment");
    }

    public boolean emptyLayer() {
      return Boolean.TRUE.equals(fields.get("empty_layer"));
    }

    static History parse(JsonFields f) throws PlinthException {
      for (String k : List.of("created", "created_by", "author", "comment")) {
        f.optString(k);
      }
      f.optBoolean("empty_layer");
      return new History(f.all());
    }
  }

  /**
   * Parses a config, strictly: architecture, os and rootfs are required, and every field plinth
   * models must be of its type (as Docker's own decoder demands), at most {@link
   * ImageReader#MAX_DOCUMENT} bytes.
   *
   * @param where names the document in errors, e.g. "oci:out config sha256:..."
   */
  public static ImageConfig parse(byte[] bytes, String where) throws PlinthException {
    JsonFields f = JsonFields.parse(bytes, where, ImageReader.MAX_DOCUMENT);
    JsonFields c = f.optObject("config");
    List<History> history = null;
    if (f.has("history")) {
      history = new ArrayList<>();
      for (JsonFields h : f.objects("history", false)) {
        history.add(History.parse(h));
      }
    }
    return new ImageConfig(f.optString("created"), f.optString("author"),
        f.string("architecture"), f.optString("variant"), f.string("os"),
        c == null ? null : Config.parse(c), RootFs.parse(f.object("rootfs")), history,
        f.rest(KNOWN));
  }

  /**
   * What reading and copying an image needs of its config, and nothing more: its platform and its
   * layers' diff ids. The run settings and history are left unread, so an image whose config
   * another tool wrote loosely (say {@code "User": 7}) is still copied as it is, as skopeo copies
   * it; {@link #parse} (inspect, audit, {@code from:}) reports such a field.
   */
  public record Essentials(Platform platform, RootFs rootfs) {}

  /** Reads only the platform and rootfs of a config, with the same limits as {@link #parse}. */
  public static Essentials essentials(byte[] bytes, String where) throws PlinthException {
    JsonFields f = JsonFields.parse(bytes, where, ImageReader.MAX_DOCUMENT);
    return new Essentials(new Platform(f.string("os"), f.string("architecture"),
        f.optString("variant")), RootFs.parse(f.object("rootfs")));
  }

  /** The platform the config states. */
  public Platform platform() {
    return new Platform(os, architecture, variant);
  }

  /** The run settings; empty ones when the config has none. */
  public Config runConfig() {
    return config != null ? config
        : new Config(null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The history; empty when absent. */
  public List<History> historyOrEmpty() {
    return history == null ? List.of() : history;
  }

  /** As plinth writes it: created, architecture, variant, os, config, rootfs, history. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    putIf(m, "created", created);
    putIf(m, "author", author);
    m.put("architecture", architecture);
    putIf(m, "variant", variant);
    m.put("os", os);
    if (config != null) {
      m.put("config", config.toJson());
    }
    m.put("rootfs", rootfs.toJson());
    if (history != null) {
      List<Object> h = new ArrayList<>();
      for (History e : history) {
        h.add(e.fields());
      }
      m.put("history", h);
    }
    m.putAll(extra);
    return m;
  }

  /** The compact JSON: what the config's digest is of. */
  public byte[] bytes() {
    return Json.write(toJson());
  }

  private static List<String> copy(List<String> l) {
    return l == null ? List.of() : List.copyOf(l);
  }

  private static void putIf(Map<String, Object> m, String key, Object value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private static void putList(Map<String, Object> m, String key, List<String> value) {
    if (!value.isEmpty()) {
      m.put(key, value);
    }
  }

  private static Map<String, Object> emptyObjects(List<String> keys) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (String k : keys) {
      m.put(k, Map.of());
    }
    return m;
  }
}
