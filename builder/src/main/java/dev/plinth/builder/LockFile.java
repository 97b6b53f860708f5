package dev.plinth.builder;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * plinth.lock: the packages a build resolved, per platform, with the sha256 of each .deb. A build
 * with a lock that matches its plinth.yaml installs exactly these files, offline from the cache
 * if need be, so it is reproducible byte for byte.
 *
 * @param input what was asked for; a lock whose input differs from plinth.yaml's is stale
 * @param platforms per platform ("linux/arm64"), the packages sorted by name
 * @param runtime the Java runtime's packages, or null: none locked
 */
public record LockFile(Input input, Map<String, List<Entry>> platforms, Runtime runtime) {
  public static final int VERSION = 1;

  /** A lock of Debian packages only. */
  public LockFile(Input input, Map<String, List<Entry>> platforms) {
    this(input, platforms, null);
  }

  /**
   * The packages a Java runtime is made of, per platform: the JDK whose jmods are linked
   * (openjdk-N-jdk-headless), then the packages its native libraries come from. A lock for
   * another version or suite is stale.
   */
  public record Runtime(int java, String suite, Map<String, List<Entry>> platforms) {}

  /** With the runtime's packages. */
  public LockFile withRuntime(Runtime r) {
    return new LockFile(input, platforms, r);
  }

  /**
   * What the resolution started from.
   *
   * @param init "tini" when the init is tini-static taken alone from Debian's tini package, else ""
   */
  public record Input(String suite, List<String> components, List<String> packages,
      List<String> exclude, String init) {}

  /** One locked package. */
  public record Entry(String name, String version, String architecture, String filename,
      long size, Digest sha256) {}

  public byte[] toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("lockVersion", VERSION);
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("suite", input.suite());
    in.put("components", input.components());
    in.put("packages", input.packages());
    in.put("exclude", input.exclude());
    in.put("init", input.init());
    root.put("input", in);
    root.put("platforms", json(platforms));
    if (runtime != null) {
      Map<String, Object> rt = new LinkedHashMap<>();
      rt.put("java", runtime.java());
      rt.put("suite", runtime.suite());
      rt.put("platforms", json(runtime.platforms()));
      root.put("runtime", rt);
    }
    byte[] json = Json.writePretty(root).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
    withNewline[json.length] = '\n';
    return withNewline;
  }

  private static Map<String, Object> json(Map<String, List<Entry>> platforms) {
    Map<String, Object> ps = new TreeMap<>();
    platforms.forEach((platform, entries) -> {
      List<Object> list = new ArrayList<>();
      for (Entry e : entries) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        m.put("version", e.version());
        m.put("architecture", e.architecture());
        m.put("filename", e.filename());
        m.put("size", e.size());
        m.put("sha256", e.sha256().hex());
        list.add(m);
      }
      ps.put(platform, list);
    });
    return ps;
  }

  public void write(Path file) throws IOException {
    AtomicFile.write(file, toJson());
  }

  /** Reads a lock file; null when there is none. */
  public static LockFile read(Path file) throws IOException, PlinthException {
    if (file == null || !Files.exists(file)) {
      return null;
    }
    String what = file.toString();
    JsonNode root = Json.read(dev.plinth.oci.SmallFiles.read(file, BuildContext.MAX_LOCK_BYTES, "lock file"),
        what);
    if (root.path("lockVersion").asInt(-1) != VERSION) {
      throw bad(what + ": lockVersion is not " + VERSION + "; delete it and run plinth lock");
    }
    JsonNode in = root.path("input");
    Input input = new Input(in.path("suite").asText(""), strings(in.path("components")),
        strings(in.path("packages")), strings(in.path("exclude")), in.path("init").asText(""));
    Map<String, List<Entry>> platforms = entries(root.path("platforms"), what);
    Runtime runtime = null;
    JsonNode rt = root.path("runtime");
    if (rt.isObject()) {
      String suite = rt.path("suite").asText("");
      if (!rt.path("java").canConvertToInt() || suite.isEmpty()) {
        throw bad(what + ": runtime has no java version or suite; run plinth lock");
      }
      runtime = new Runtime(rt.path("java").asInt(), suite, entries(rt.path("platforms"), what));
    }
    return new LockFile(input, platforms, runtime);
  }

  private static Map<String, List<Entry>> entries(JsonNode node, String what)
      throws PlinthException {
    Map<String, List<Entry>> platforms = new TreeMap<>();
    var it = node.fields();
    while (it.hasNext()) {
      var p = it.next();
      List<Entry> entries = new ArrayList<>();
      for (JsonNode e : p.getValue()) {
        try {
          entries.add(new Entry(text(e, "name", what), text(e, "version", what),
              text(e, "architecture", what), text(e, "filename", what),
              e.path("size").asLong(-1), new Digest(text(e, "sha256", what))));
        } catch (IllegalArgumentException ex) {
          throw bad(what + ": " + p.getKey() + ": " + ex.getMessage());
        }
      }
      platforms.put(p.getKey(), entries);
    }
    return platforms;
  }

  private static String text(JsonNode n, String field, String what) throws PlinthException {
    String v = n.path(field).asText(null);
    if (v == null || v.isEmpty()) {
      throw bad(what + ": a package entry has no " + field);
    }
    return v;
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  private static PlinthException bad(String m) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, m);
  }
}
