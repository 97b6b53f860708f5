package dev.plinth.builder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Project trees the tests build from, written into a temp directory: builder's tests and the
 * cli's golden digests use the same files (builder publishes a test-jar).
 */
public final class TestProjects {
  /**
   * The plinth.yaml of {@link #demo}: files, a symlink, init options, env, ports, labels and
   * annotations. The cli's GoldenDigestTest pins the digest of its build: a change here changes
   * that digest.
   */
  public static final String DEMO_YAML = """
      name: demo
      init: {group: true, exitZero: [143]}
      files:
        - {src: "bin/app-${arch}", dest: /app/server, mode: "0755"}
        - {src: static, dest: /app/static, uid: 65532, gid: 65532}
      entrypoint: [/app/server]
      cmd: [--port, "8080"]
      env: {LOGLEVEL: debug, HOME: /app}
      workdir: /app
      labels: {team: core}
      ports: [8080]
      stopSignal: SIGINT
      annotations: {org.opencontainers.image.source: "git"}
      """;

  private TestProjects() {}

  /**
   * Writes each of {@code files} (a path relative to {@code dir}, and its text) with its parent
   * directories, in the order of the paths; returns {@code dir}.
   */
  public static Path write(Path dir, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      Files.writeString(p, f.getValue());
    }
    return dir;
  }

  /**
   * A build with files, in {@code dir}: an app per architecture ({@code bin/app-amd64}, {@code
   * bin/app-arm64}), a stylesheet ({@code static/css/site.css}), a relative symlink to it ({@code
   * static/latest.css}), and {@code plinth.yaml}: {@link #DEMO_YAML} then {@code moreYaml}.
   *
   * @return the plinth.yaml
   */
  public static Path demo(Path dir, String moreYaml) throws IOException {
    write(dir, Map.of("bin/app-amd64", "amd64 app", "bin/app-arm64", "arm64 app",
        "static/css/site.css", "body{}", "plinth.yaml", DEMO_YAML + moreYaml));
    Files.createSymbolicLink(dir.resolve("static/latest.css"), Path.of("css/site.css"));
    return dir.resolve("plinth.yaml");
  }
}
