package dev.plinth.maven;

import dev.plinth.builder.BuildResult;
import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;

/**
 * Builds an image of the project's Java application: its classes and runtime dependencies, on a
 * Java runtime plinth links for each platform. The same build as {@code plinth build} with a
 * plinth.yaml {@code java} section; this goal only reads the project and calls {@code
 * Plinth.build}. Without configuration it finds what jib-maven-plugin finds: the main class, the
 * project's Java release, a Quarkus app's run jar.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE,
    requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class BuildMojo extends AbstractMojo {
  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  @Parameter(defaultValue = "${session}", readonly = true, required = true)
  private MavenSession session;

  @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
  private MojoExecution execution;

  /**
   * Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or a
   * registry reference such as registry.example.com/team/app:1 (Jib's to.image).
   */
  @Parameter(property = "plinth.to", required = true,
      defaultValue = "oci-archive:${project.build.directory}/${project.artifactId}-image.tar")
  private String to;

  /** More tags of the same image (Jib's to.tags): pushed too, or more names in a layout or archive. */
  @Parameter(property = "plinth.tags")
  private List<String> tags;

  /** Comma-separated platforms (default linux/amd64,linux/arm64). */
  @Parameter(property = "plinth.platforms")
  private String platforms;

  /**
   * The main class; default: maven-jar-plugin's manifest mainClass, the start-class or
   * exec.mainClass property, spring-boot-maven-plugin's or exec-maven-plugin's mainClass, else
   * the one class with a main method in target/classes.
   */
  @Parameter(property = "plinth.mainClass")
  private String mainClass;

  /** The JDK feature version of the runtime; default: the oldest of 17, 21, 25 that runs the project's release. */
  @Parameter(property = "plinth.javaVersion")
  private Integer javaVersion;

  /** The runtime's modules; empty: found with jdeps. */
  @Parameter(property = "plinth.modules")
  private List<String> modules;

  /** JVM flags, after plinth's container defaults. */
  @Parameter(property = "plinth.jvmFlags")
  private List<String> jvmFlags;

  /**
   * Bake a JDK AOT cache from a training run into the image of the host's architecture (JDK 25
   * or later): the app runs on this machine until it exits (at most a minute), or, with
   * aotGet, until those URLs were requested.
   */
  @Parameter(property = "plinth.aot", defaultValue = "false")
  private boolean aot;

  /** URLs the AOT training run requests (http on 127.0.0.1/localhost), then SIGTERM. */
  @Parameter(property = "plinth.aotGet")
  private List<String> aotGet;

  /** The Debian suite of the JDK packages and native libraries (default trixie; bookworm for Java 17). */
  @Parameter(property = "plinth.suite")
  private String suite;

  /** Debian packages to install besides the runtime. */
  @Parameter(property = "plinth.packages")
  private List<String> packages;

  /** The app's default arguments (the image's cmd). */
  @Parameter(property = "plinth.args")
  private List<String> args;

  /** Environment variables of the image: {@code <env><NAME>value</NAME></env>} (or {@code <environment>}, Jib's name). */
  @Parameter(alias = "environment")
  private Map<String, String> env;

  /** Exposed ports, e.g. 8080 or 8080/tcp. */
  @Parameter(property = "plinth.ports")
  private List<String> ports;

  /** Labels of the image's config: {@code <labels><key>value</key></labels>}. */
  @Parameter
  private Map<String, String> labels;

  /** The user the image runs as: nonroot (65532, the default), root, or a numeric uid[:gid]. */
  @Parameter(property = "plinth.user")
  private String user;

  /**
   * The image's creation time, as Jib's: EPOCH, USE_CURRENT_TIMESTAMP or an ISO-8601 time; the
   * files keep theirs. Default: the files' time (SOURCE_DATE_EPOCH, else
   * project.build.outputTimestamp, else 1970).
   */
  @Parameter(property = "plinth.creationTime")
  private String creationTime;

  /**
   * Build even when an ELF file in the image needs a library (or program interpreter) the image
   * lacks, as the CLI's --allow-missing-libraries: the build lists what is missing as notes.
   */
  @Parameter(property = "plinth.allowMissingLibraries", defaultValue = "false")
  private boolean allowMissingLibraries;

  /** The image title (org.opencontainers.image.title). */
  @Parameter(property = "plinth.name", defaultValue = "${project.artifactId}")
  private String name;

  /**
   * A ready Java runtime directory (bin/java and the rest) put in the image as is, for every
   * platform, instead of the runtime plinth links: plinth.yaml's java.runtime. No jlink, no
   * Debian packages, no modules found.
   */
  @Parameter(property = "plinth.runtime")
  private java.io.File runtime;

  /**
   * Sign the pushed image with this cosign private key (from plinth key generate or cosign
   * generate-key-pair): the index and each platform's manifest, as cosign stores signatures.
   * Registry targets only (docs/signing.md).
   */
  @Parameter(property = "plinth.signKey")
  private java.io.File signKey;

  /** The signing key's password: this file's first line, else $COSIGN_PASSWORD. */
  @Parameter(property = "plinth.keyPasswordFile")
  private java.io.File keyPasswordFile;

  /**
   * Attach signed in-toto attestations to each platform's image, as the CLI's --attest:
   * {@code sbom} (its SPDX document), {@code provenance} (SLSA v1: the pom, plinth's version,
   * the inputs' digests), or {@code sbom,provenance}. Needs signKey; pushed as OCI referrers to
   * a registry, written next to a file output (docs/signing.md).
   */
  @Parameter(property = "plinth.attest")
  private String attest;

  /**
   * How the layers plinth builds are compressed: {@code gzip} (the default), {@code zstd} (level
   * 6; smaller and faster to unpack, read by podman, containerd and skopeo, not by Docker's
   * classic store) or {@code zstd:LEVEL} (1-19), as the CLI's --compression (docs/image.md).
   */
  @Parameter(property = "plinth.compression")
  private String compression;

  /**
   * The SBOMs written next to a file output: {@code spdx} (the default), {@code cyclonedx},
   * both, or {@code none}, as plinth.yaml's sbom.
   */
  @Parameter(property = "plinth.sbom")
  private List<String> sbom;

  /** Skip this goal. */
  @Parameter(property = "plinth.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${settings}", readonly = true)
  private org.apache.maven.settings.Settings settings;

  /** Decrypts settings.xml passwords ({mvn --encrypt-password} ones). */
  @org.apache.maven.plugins.annotations.Component
  private org.apache.maven.settings.crypto.SettingsDecrypter decrypter;

  @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
  private String outputTimestamp;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("plinth: skipped (plinth.skip)");
      return;
    }
    try {
      PomView pom = new PomView(project, PomView.map(session.getUserProperties()));
      ClassFiles classes = new ClassFiles(Path.of(project.getBuild().getOutputDirectory()));
      String quarkus = QuarkusApp.plugin(pom);
      BuildParameters.App app;
      Choice<String> main;
      if (quarkus != null) {
        Path jar = QuarkusApp.runJar(pom, quarkus, Path.of(project.getBuild().getDirectory()),
            execution.getLifecyclePhase());
        main = mainClass == null || mainClass.isBlank()
            ? new Choice<>(null, "the Main-Class of " + shortName(jar) + ", a Quarkus project")
            : new Choice<>(mainClass.trim(), "plinth-maven-plugin's mainClass");
        app = new BuildParameters.App(main.value(), jar, null, List.of());
      } else {
        main = MainClassResolver.resolve(mainClass, pom, classes);
        app = BuildParameters.App.classpath(main.value(), classes.dir(), runtimeJars());
      }
      Choice<Integer> java = JavaRelease.choose(javaVersion, pom, classes);
      BuildParameters parameters = new BuildParameters(name, platforms, app, java.value(),
          modules, jvmFlags, aot, suite, packages, args, env, ports, aotGet, labels,
          user, allowMissingLibraries);
      BuildSpec spec = BuildParameters.withRuntime(parameters.toSpec(),
          runtime == null ? null : runtime.toPath());
      List<BuildSpec.SbomFormat> sbomFormats = BuildParameters.sbom(sbom);
      if (sbomFormats != null) {
        spec = spec.withSbom(sbomFormats);
      }
      ImageRef target = ImageRef.parse(target());
      java.util.Set<dev.plinth.builder.Attestations.Kind> kinds =
          BuildParameters.attestations(attest, signKey != null, target);
      java.security.PrivateKey key = BuildParameters.signingKey(
          signKey == null ? null : signKey.toPath(),
          keyPasswordFile == null ? null : keyPasswordFile.toPath(), System.getenv(), target,
          !kinds.isEmpty());
      List<String> tagList = tags == null ? List.of() : tags.stream().map(String::trim)
          .filter(t -> !t.isEmpty()).toList();
      getLog().info("plinth: image " + target() + (tagList.isEmpty() ? ""
          : " (tags " + String.join(", ", tagList) + ")") + " for " + spec.platforms().stream()
          .map(Object::toString).collect(Collectors.joining(", ")));
      getLog().info("plinth: main class " + (main.value() == null ? "as the jar says"
          : main.value()) + " (" + main.why() + ")");
      getLog().info("plinth: Java " + java.value() + " (" + java.why() + "), Debian "
          + spec.java().suite());
      getLog().info("plinth: classpath " + (app.jar() != null ? shortName(app.jar())
          : spec.java().classpath().stream().map(this::shortName)
              .collect(Collectors.joining(":"))));
      // The environment is read here, at each execution: a Maven JVM outlives settings.
      Plinth.Options options = BuildParameters.options(System.getenv(),
          Path.of(System.getProperty("user.home")), outputTimestamp, creationTime, Instant.now())
          .withListener(line -> getLog().info("plinth: " + line));
      options = withSettings(options);
      dev.plinth.oci.Compression layers = BuildParameters.compression(compression,
          options.gzipLevel());
      if (layers != null) {
        options = options.withCompression(layers);
      }
      BuildResult result = Plinth.build(spec, target, tagList, options);
      result.lines().forEach(getLog()::info);
      if (key != null && ImageRef.REGISTRY.equals(target.transport())) {
        dev.plinth.registry.SigningKey.sign(key, target, result.top().digest(),
            options.registry()).forEach(line -> getLog().info("plinth: " + line));
      }
      dev.plinth.builder.Attestations.attach(kinds, key, result, project.getFile() == null
          ? null : project.getFile().toPath(), null, options.epochSeconds(), options.registry())
          .forEach(line -> getLog().info("plinth: " + line));
    } catch (Exception | Error e) {
      MojoFailures.raise(e);
    }
  }

  /**
   * settings.xml's active proxies (over HTTPS_PROXY and the rest) and its servers' credentials
   * for registries, decrypted by Maven.
   */
  private Plinth.Options withSettings(Plinth.Options options) {
    if (settings == null) {
      return options;
    }
    List<org.apache.maven.settings.Proxy> proxies = settings.getProxies();
    List<org.apache.maven.settings.Server> servers = settings.getServers();
    if (decrypter != null && (!proxies.isEmpty() || !servers.isEmpty())) {
      org.apache.maven.settings.crypto.SettingsDecryptionResult r = decrypter.decrypt(
          new org.apache.maven.settings.crypto.DefaultSettingsDecryptionRequest(settings));
      r.getProblems().forEach(p -> getLog().warn("plinth: settings.xml: " + p.getMessage()));
      proxies = r.getProxies();
      servers = r.getServers();
    }
    dev.plinth.http.Proxies fromSettings = MavenSettings.proxies(proxies);
    if (fromSettings != null) {
      getLog().info("plinth: proxies from settings.xml: " + fromSettings);
      options = options.withProxies(fromSettings);
    }
    Map<String, dev.plinth.registry.Credentials> byHost = MavenSettings.servers(servers);
    if (!byHost.isEmpty()) {
      options = options.withRegistry(options.registry().withCredentials(
          options.registry().credentials().withServers(byHost)));
    }
    return options;
  }

  /** Where the image goes: {@code to}, or the daemon for {@link DockerBuildMojo}. */
  protected String target() {
    return to;
  }

  /** The compile and runtime dependencies' files, in Maven's classpath order. */
  private List<Path> runtimeJars() {
    List<Path> out = new ArrayList<>();
    for (Artifact a : project.getArtifacts()) {
      if ((Artifact.SCOPE_COMPILE.equals(a.getScope()) || Artifact.SCOPE_RUNTIME.equals(a.getScope()))
          && a.getArtifactHandler().isAddedToClasspath() && a.getFile() != null) {
        out.add(a.getFile().toPath());
      }
    }
    return out;
  }

  private String shortName(Path p) {
    Path base = project.getBasedir().toPath();
    return p.startsWith(base) ? base.relativize(p).toString() : p.getFileName().toString();
  }
}
