package dev.plinth.builder;

import dev.plinth.oci.Layer;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.Platform;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

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
    String created = Plinth.iso(options.createdSeconds());
    boolean inheritUser = from != null && spec.from() != null && spec.from().inheritUser();
    String user = inheritUser ? (from.user().isEmpty() ? null : from.user())
        : spec.user().configValue();
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
    List<String> cmd = !spec.cmd().isEmpty() ? spec.cmd()
        : from != null && spec.entrypoint().isEmpty() ? from.cmd() : List.of();
    String workdir = spec.workdir() != null ? spec.workdir()
        : from != null && !from.workdir().isEmpty() ? from.workdir()
        : inheritUser ? "/" : spec.user().home();
    ImageConfig.Config run = new ImageConfig.Config(user,
        new ArrayList<>(new TreeSet<>(spec.exposedPorts())), env(spec, imageEnv, from),
        entrypoint, cmd, List.of(), workdir, labels(spec, options), spec.stopSignal(), null,
        Map.of());
    List<Digest> diffIds = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(l.diffId());
    }
    List<ImageConfig.History> hist = new ArrayList<>();
    if (from != null) {
      hist.addAll(from.history());
    }
    for (String h : history) {
      hist.add(ImageConfig.History.of(created, h, "plinth " + Plinth.VERSION));
    }
    return new ImageConfig(created, null, platform.architecture(), platform.variant(),
        platform.os(), run, ImageConfig.RootFs.layers(diffIds), hist, Map.of()).bytes();
  }

  /** ENTRYPOINT: the init and its options, then the app's own entrypoint. */
  static List<String> entrypoint(BuildSpec spec) {
    List<String> e = new ArrayList<>();
    BuildSpec.Init init = spec.init();
    switch (init.kind()) {
      // tini takes the same options as plinth's init: -g (group), -v (verbose), -e CODE (exit
      // code 0), --; -t SECONDS (the group stop's grace time) is plinth's init's alone
      case PLINTH, TINI -> {
        e.add(init.kind() == BuildSpec.Init.Kind.PLINTH
            ? BaseFilesystem.INIT_PATH : DebianPackages.TINI_STATIC);
        if (init.group()) {
          e.add("-g");
        }
        if (init.grace() != null) {
          e.add("-t");
          e.add(Integer.toString(init.grace()));
        }
        if (init.verbose()) {
          e.add("-v");
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

  /** Config labels: created, title, then the spec's own. */
  static Map<String, String> labels(BuildSpec spec, Plinth.Options options) {
    return createdAndTitle(spec, options, spec.labels());
  }

  /** Manifest and index annotations: created, title, then the spec's own. */
  static Map<String, String> annotations(BuildSpec spec, Plinth.Options options) {
    return createdAndTitle(spec, options, spec.annotations());
  }

  /** The build's time as {@link #CREATED}, its name as {@link #TITLE}, then {@code own}: sorted. */
  private static Map<String, String> createdAndTitle(BuildSpec spec, Plinth.Options options,
      Map<String, String> own) {
    Map<String, String> m = new TreeMap<>();
    m.put(CREATED, Plinth.iso(options.createdSeconds()));
    if (spec.name() != null) {
      m.put(TITLE, spec.name());
    }
    m.putAll(own);
    return m;
  }

  /**
   * What a build takes from its {@code from:} image's config.
   *
   * @param user "" when the image names none
   * @param history its history entries, as they are
   */
  record BaseImage(Map<String, String> env, String user, String workdir, List<String> entrypoint,
      List<String> cmd, List<ImageConfig.History> history) {
    static BaseImage of(ImageConfig config) {
      ImageConfig.Config c = config.runConfig();
      return new BaseImage(c.envMap(), c.user() == null ? "" : c.user(),
          c.workingDir() == null ? "" : c.workingDir(), c.entrypoint(), c.cmd(),
          config.historyOrEmpty());
    }
  }

  private ImageConfigs() {}
}
