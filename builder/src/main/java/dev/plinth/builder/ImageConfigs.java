package dev.plinth.builder;

import dev.plinth.oci.Layer;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Maps a {@link BuildSpec} onto the OCI image config, in one straight-line place. */
final class ImageConfigs {
  static final String CUSTOM_INIT_PATH = "/sbin/init";
  static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  static final String CREATED = "org.opencontainers.image.created";
  static final String TITLE = "org.opencontainers.image.title";

  static byte[] config(
      BuildSpec spec, Platform platform, List<Layer> layers, List<String> history,
      Plinth.Options options, Map<String, String> imageEnv)
      throws IOException {
    return config(spec, platform, layers, history, options, imageEnv, null);
  }

  /**
   * The config of an image built on {@code from} (null: from nothing). From the base image come:
   * Env (under the build file's env and what plinth's own layers call for), User (unless the build
   * file names one), WorkingDir (unless it names one), Entrypoint (unless it names one; plinth's
   * init goes before it) and Cmd (unless it names an entrypoint or a cmd), and its history, first.
   * Nothing else: labels, ports, volumes, stop signal and health check are the build file's alone.
   */
  static byte[] config(
      BuildSpec spec, Platform platform, List<Layer> layers, List<String> history,
      Plinth.Options options, Map<String, String> imageEnv, BaseImage from)
      throws IOException {
    String created = Plinth.iso(options.epochSeconds());
    Map<String, Object> c = new LinkedHashMap<>();
    boolean inheritUser = from != null && spec.from() != null && spec.from().inheritUser();
    if (inheritUser) {
      if (!from.user().isEmpty()) {
        c.put("User", from.user());
      }
    } else {
      c.put("User", spec.user().configValue());
    }
    if (!spec.exposedPorts().isEmpty()) {
      Map<String, Object> ports = new TreeMap<>();
      for (String p : spec.exposedPorts()) {
        ports.put(p, Map.of());
      }
      c.put("ExposedPorts", ports);
    }
    c.put("Env", env(spec, imageEnv, from));
    List<String> entrypoint = entrypoint(spec);
    if (from != null && spec.entrypoint().isEmpty()) {
      List<String> inherited = from.entrypoint();
      if (!entrypoint.isEmpty() && !inherited.isEmpty()
          && inherited.get(0).equals(entrypoint.get(0))) {
        // built on an image with the same init (a plinth image): not wrapped twice
        int dd = inherited.indexOf("--");
        inherited = dd >= 0 ? inherited.subList(dd + 1, inherited.size()) : List.of();
      }
      entrypoint.addAll(inherited);
    }
    if (!entrypoint.isEmpty()) {
      c.put("Entrypoint", entrypoint);
    }
    if (!spec.cmd().isEmpty()) {
      c.put("Cmd", spec.cmd());
    } else if (from != null && spec.entrypoint().isEmpty() && !from.cmd().isEmpty()) {
      c.put("Cmd", from.cmd());
    }
    if (spec.workdir() != null) {
      c.put("WorkingDir", spec.workdir());
    } else if (from != null && !from.workdir().isEmpty()) {
      c.put("WorkingDir", from.workdir());
    } else {
      c.put("WorkingDir", inheritUser ? "/" : spec.user().home());
    }
    c.put("Labels", labels(spec, options));
    if (spec.stopSignal() != null) {
      c.put("StopSignal", spec.stopSignal());
    }

    Map<String, Object> root = new LinkedHashMap<>();
    root.put("created", created);
    root.put("architecture", platform.architecture());
    if (platform.variant() != null) {
      root.put("variant", platform.variant());
    }
    root.put("os", platform.os());
    root.put("config", c);
    List<String> diffIds = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(l.diffId().toString());
    }
    Map<String, Object> rootfs = new LinkedHashMap<>();
    rootfs.put("type", "layers");
    rootfs.put("diff_ids", diffIds);
    root.put("rootfs", rootfs);
    List<Object> hist = new ArrayList<>();
    if (from != null) {
      hist.addAll(from.history());
    }
    for (String h : history) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("created", created);
      e.put("created_by", h);
      e.put("comment", "plinth " + Plinth.VERSION);
      hist.add(e);
    }
    root.put("history", hist);
    return Json.write(root);
  }

  /** ENTRYPOINT: the init and its options, then the app's own entrypoint. */
  static List<String> entrypoint(BuildSpec spec) {
    List<String> e = new ArrayList<>();
    BuildSpec.Init init = spec.init();
    switch (init.kind()) {
      // tini takes the same options as plinth's init: -g (group), -e CODE (exit code 0), --
      case PLINTH, TINI -> {
        e.add(init.kind() == BuildSpec.Init.Kind.PLINTH
            ? BaseFilesystem.INIT_PATH : DebianPackages.TINI_STATIC);
        if (init.group()) {
          e.add("-g");
        }
        for (int code : init.exitZero()) {
          e.add("-e");
          e.add(Integer.toString(code));
        }
        e.add("--");
      }
      case CUSTOM -> {
        e.add(CUSTOM_INIT_PATH);
        e.addAll(init.args());
      }
      case NONE -> {}
    }
    e.addAll(spec.entrypoint());
    return e;
  }

  /**
   * PATH, HOME and USER for the image's user, what the image's contents call for (SSL_CERT_FILE),
   * then the spec's env, which wins; sorted by name.
   */
  static List<String> env(BuildSpec spec, Map<String, String> imageEnv) {
    return env(spec, imageEnv, null);
  }

  static List<String> env(BuildSpec spec, Map<String, String> imageEnv, BaseImage from) {
    Map<String, String> env = new TreeMap<>();
    env.put("PATH", PATH);
    if (from == null || spec.from() == null || !spec.from().inheritUser()) {
      env.put("HOME", spec.user().home());
      if (spec.user().name() != null) {
        env.put("USER", spec.user().name());
      }
    }
    if (from != null) {
      env.putAll(from.env());
    }
    env.putAll(imageEnv);
    env.putAll(spec.env());
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  static Map<String, String> labels(BuildSpec spec, Plinth.Options options) {
    Map<String, String> l = new TreeMap<>();
    l.put(CREATED, Plinth.iso(options.epochSeconds()));
    if (spec.name() != null) {
      l.put(TITLE, spec.name());
    }
    l.putAll(spec.labels());
    return l;
  }

  /** Manifest and index annotations: created, title, then the spec's own. */
  static Map<String, String> annotations(BuildSpec spec, Plinth.Options options) {
    Map<String, String> a = new TreeMap<>();
    a.put(CREATED, Plinth.iso(options.epochSeconds()));
    if (spec.name() != null) {
      a.put(TITLE, spec.name());
    }
    a.putAll(spec.annotations());
    return a;
  }

  /**
   * What a build takes from its {@code from:} image's config.
   *
   * @param user "" when the image names none
   * @param history its history entries, as they are
   */
  record BaseImage(Map<String, String> env, String user, String workdir, List<String> entrypoint,
      List<String> cmd, List<Object> history) {
    static BaseImage of(com.fasterxml.jackson.databind.JsonNode config) {
      com.fasterxml.jackson.databind.JsonNode c = config.path("config");
      Map<String, String> env = new LinkedHashMap<>();
      for (com.fasterxml.jackson.databind.JsonNode e : c.path("Env")) {
        String kv = e.asText();
        int eq = kv.indexOf('=');
        if (eq > 0) {
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
      List<Object> history = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode h : config.path("history")) {
        Map<String, Object> m = new LinkedHashMap<>();
        h.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue()));
        history.add(m);
      }
      return new BaseImage(env, c.path("User").asText(""), c.path("WorkingDir").asText(""),
          strings(c.path("Entrypoint")), strings(c.path("Cmd")), history);
    }

    private static List<String> strings(com.fasterxml.jackson.databind.JsonNode n) {
      List<String> out = new ArrayList<>();
      for (com.fasterxml.jackson.databind.JsonNode x : n) {
        out.add(x.asText());
      }
      return out;
    }
  }

  private ImageConfigs() {}
}
