package dev.plinth.jvm;

import dev.plinth.http.Connector;
import dev.plinth.http.Http1;
import dev.plinth.http.Response;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A JDK AOT cache (JDK 25's -XX:AOTCacheOutput, JEP 483 and 514) made by a training run of the
 * image's own runtime and app on this machine, as a layer of its own on top of the app's.
 *
 * <p>The runtime and app layers are unpacked into a work directory with their layer times, and
 * the image's java command runs there with its paths moved under that directory: the JVM accepts
 * a cache whose JDK and class path moved together, and checks each jar's size and time, which the
 * layers keep. The image then runs java with -XX:AOTCache; a JVM that cannot use the cache (a
 * different CPU, say) starts without it. The layer is cached by everything it is made from, so a
 * build with nothing changed does not train again.
 */
public final class AotTraining {
  /** Where the cache is in the image. */
  public static final String PATH = JavaApp.APP + "/app.aot";
  /** How long the JVM may take to write the cache after it was asked to stop. */
  private static final long STOP_SECONDS = 120;

  private AotTraining() {}

  /** Whether this machine can run {@code platform}'s runtime for a training run. */
  public static boolean hostRuns(Platform platform) {
    // os.name and os.arch are facts about this machine, not settings: read where they are needed
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return false;
    }
    String arch = Jdks.hostArch();
    return platform.os().equals("linux") && platform.architecture().equals(arch);
  }

  /** The image's java command with -XX:AOTCache, for a platform that has the cache. */
  public static List<String> withCache(List<String> javaCommand) {
    List<String> out = new ArrayList<>(javaCommand);
    out.add(1, "-XX:AOTCache=" + PATH);
    return out;
  }

  /**
   * The cache layer: from the layer cache when runtime, app and training are unchanged, else
   * made by a training run.
   *
   * @param javaCommand the image's command: java (absolute, in the runtime), flags, -cp, main
   *     class, arguments
   * @param env the image's environment
   */
  public static Layer layer(AotSpec aot, List<String> javaCommand, Map<String, String> env,
      Layer runtime, List<Layer> app, Path work, long epoch, int gzipLevel, LayerCache cache)
      throws IOException, PlinthException {
    String key = key(aot, javaCommand, env, runtime, app, epoch, gzipLevel);
    Optional<Layer> hit = cache.get(key);
    if (hit.isPresent()) {
      return hit.get();
    }
    Path dir = Files.createTempDirectory(work, "aot-");
    Path root = Files.createDirectories(dir.resolve("root"));
    unpack(runtime, root);
    for (Layer l : app) {
      unpack(l, root);
    }
    Path out = dir.resolve("app.aot");
    Path log = dir.resolve("training.log");
    List<String> cmd = new ArrayList<>(DebianJdk.launcherIn(root));
    cmd.addAll(command(javaCommand, root, out));
    String how = train(aot, cmd, environment(env, aot, root, dir), root, log);
    if (!Files.isRegularFile(out) || Files.size(out) == 0) {
      throw new PlinthException(Kind.BAD_INPUT, "java.aot: the training run wrote no AOT cache ("
          + how + "); its output:\n" + tail(log));
    }
    LayerBuilder b = new LayerBuilder();
    b.file(PATH, out, 0644, 0, 0);
    return cache.put(key, b.build(work, epoch, gzipLevel));
  }

  private static String key(AotSpec aot, List<String> cmd, Map<String, String> env,
      Layer runtime, List<Layer> app, long epoch, int level) throws IOException {
    MessageDigest md = Digest.sha256();
    List<String> parts = new ArrayList<>(List.of("aot 1", LayerBuilder.FORMAT,
        runtime.blob().descriptor().digest().toString()));
    for (Layer l : app) {
      parts.add(l.blob().descriptor().digest().toString());
    }
    parts.addAll(cmd);
    parts.add(new java.util.TreeMap<>(env).toString());
    parts.addAll(aot.get());
    parts.add(new java.util.TreeMap<>(aot.env()).toString());
    parts.add(Integer.toString(aot.timeoutSeconds()));
    parts.add(Long.toString(epoch));
    parts.add(Integer.toString(level));
    for (String p : parts) {
      md.update(p.getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
    }
    return "aot-" + Digest.of(md).hex();
  }

  /**
   * The training command: java and the class path moved under {@code root}, the cache written
   * to {@code out}.
   */
  public static List<String> command(List<String> javaCommand, Path root, Path out) {
    List<String> cmd = new ArrayList<>();
    cmd.add(under(root, javaCommand.get(0)));
    cmd.add("-XX:AOTCacheOutput=" + out);
    for (int i = 1; i < javaCommand.size(); i++) {
      String a = javaCommand.get(i);
      cmd.add(a);
      if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path"))
          && i + 1 < javaCommand.size()) {
        List<String> moved = new ArrayList<>();
        for (String e : javaCommand.get(++i).split(":", -1)) {
          moved.add(e.startsWith("/") ? under(root, e) : e);
        }
        cmd.add(String.join(":", moved));
      }
    }
    return cmd;
  }

  private static String under(Path root, String absolute) {
    return root + absolute;
  }

  private static Map<String, String> environment(Map<String, String> image, AotSpec aot,
      Path root, Path dir) throws IOException {
    Map<String, String> env = new java.util.TreeMap<>(image);
    env.put("PATH", "/usr/bin:/bin");
    env.put("HOME", Files.createDirectories(dir.resolve("home")).toString());
    if (env.containsKey("JAVA_HOME") && env.get("JAVA_HOME").startsWith("/")) {
      env.put("JAVA_HOME", under(root, env.get("JAVA_HOME")));
    }
    env.putAll(aot.env());
    return env;
  }

  /** Runs the training and says how it ended: by itself, or stopped by plinth. */
  private static String train(AotSpec aot, List<String> cmd, Map<String, String> env,
      Path root, Path log) throws IOException, PlinthException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new PlinthException(Kind.BAD_INPUT, "java.aot: cannot run the image's java on this"
          + " machine for the training run: " + e.getMessage(), e);
    }
    // the app's own port on loopback (AotSpec allows nothing else): direct, no proxy, no TLS
    Http1 http = new Http1(Connector.direct(), Duration.ofSeconds(1));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(aot.timeoutSeconds());
      String how = "the app exited by itself";
      if (aot.get().isEmpty()) {
        if (!p.waitFor(aot.timeoutSeconds(), TimeUnit.SECONDS)) {
          p.destroy();   // SIGTERM: the JVM writes the cache as it exits
          how = "stopped with SIGTERM at java.aot.timeout, " + aot.timeoutSeconds() + " s";
        }
      } else {
        awaitAnswer(http, p, aot.get().get(0), deadline, log);
        for (String url : aot.get()) {
          get(http, url);
        }
        p.destroy();
        how = "stopped with SIGTERM after its requests";
      }
      if (!p.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new PlinthException(Kind.BAD_INPUT, "java.aot: the training run did not end within "
            + STOP_SECONDS + " s of SIGTERM; its output:\n" + tail(log));
      }
      return how;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PlinthException(Kind.OUTPUT, "java.aot: the training run was interrupted", e);
    } finally {
      http.closeIdle();
      if (p.isAlive()) {
        p.destroyForcibly();
        try {
          p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Polls {@code url} until the app answers it (any HTTP status), exits, or time runs out. */
  private static void awaitAnswer(Http1 http, Process p, String url, long deadline, Path log)
      throws InterruptedException, PlinthException {
    while (true) {
      if (!p.isAlive()) {
        throw new PlinthException(Kind.BAD_INPUT, "java.aot: the app exited (code "
            + p.exitValue() + ") before answering " + url + "; its output:\n" + tail(log));
      }
      try {
        get(http, url);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new PlinthException(Kind.BAD_INPUT, "java.aot: the app did not answer " + url
              + " in the training run's time (java.aot.timeout); its output:\n" + tail(log));
        }
        Thread.sleep(50);
      }
    }
  }

  /** GETs {@code url} and reads its answer, whatever the status; no redirects followed. */
  private static void get(Http1 http, String url) throws IOException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
    try (Response r = http.send("GET", uri, Map.of(), null, Duration.ofSeconds(30))) {
      r.body().transferTo(OutputStream.nullOutputStream());
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  /** Unpacks one of this build's own layers under {@code root}, keeping modes and times. */
  public static void unpack(Layer layer, Path root) throws IOException, PlinthException {
    try (InputStream in = layer.openUncompressed()) {
      TarReader r = new TarReader(in, "layer " + layer.blob().descriptor().digest());
      for (TarEntry e; (e = r.next()) != null; ) {
        Path target = root.resolve(e.name()).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
          continue;
        }
        Files.createDirectories(target.getParent());
        switch (e.type()) {
          case DIRECTORY -> Files.createDirectories(target);
          case SYMLINK -> {
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(e.linkTarget()));
          }
          case HARDLINK -> {
            Path from = root.resolve(e.linkTarget()).normalize();
            if (from.startsWith(root) && Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) {
              Files.deleteIfExists(target);
              Files.copy(from, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
          }
          case FILE -> {
            Files.deleteIfExists(target);
            Files.copy(r.content(), target);
            target.toFile().setExecutable((e.mode() & 0111) != 0, false);
            Files.setLastModifiedTime(target, FileTime.from(e.mtime(), TimeUnit.SECONDS));
          }
          default -> {}
        }
      }
    }
  }
}
