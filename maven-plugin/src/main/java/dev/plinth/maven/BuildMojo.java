package dev.plinth.maven;

import dev.plinth.builder.BuildResult;
import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.maven.artifact.Artifact;
import org.apache.maven.model.Plugin;
import org.apache.maven.model.PluginExecution;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;
import org.codehaus.plexus.util.xml.Xpp3Dom;

/**
 * Builds an image of the project's Java application: its classes and runtime dependencies, on a
 * Java runtime plinth links for each platform. The same build as {@code plinth build} with a
 * plinth.yaml {@code java} section; this goal only reads the project and calls {@code
 * Plinth.build}.
 */
@Mojo(name = "build", defaultPhase = LifecyclePhase.PACKAGE,
    requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class BuildMojo extends AbstractMojo {
  private static final String JAR_PLUGIN = "org.apache.maven.plugins:maven-jar-plugin";

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  /** Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]. */
  @Parameter(property = "plinth.to", required = true,
      defaultValue = "oci-archive:${project.build.directory}/${project.artifactId}-image.tar")
  private String to;

  /** Comma-separated platforms (default linux/amd64,linux/arm64). */
  @Parameter(property = "plinth.platforms")
  private String platforms;

  /** The main class; default: maven-jar-plugin's archive/manifest/mainClass. */
  @Parameter(property = "plinth.mainClass")
  private String mainClass;

  /** The JDK feature version of the runtime (default 25). */
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

  /** The Debian suite of the JDK packages and native libraries (default trixie). */
  @Parameter(property = "plinth.suite")
  private String suite;

  /** Debian packages to install besides the runtime. */
  @Parameter(property = "plinth.packages")
  private List<String> packages;

  /** The app's default arguments (the image's cmd). */
  @Parameter(property = "plinth.args")
  private List<String> args;

  /** Environment variables of the image: {@code <env><NAME>value</NAME></env>}. */
  @Parameter
  private Map<String, String> env;

  /** Exposed ports, e.g. 8080 or 8080/tcp. */
  @Parameter(property = "plinth.ports")
  private List<String> ports;

  /** The image title (org.opencontainers.image.title). */
  @Parameter(property = "plinth.name", defaultValue = "${project.artifactId}")
  private String name;

  /** Skip this goal. */
  @Parameter(property = "plinth.skip", defaultValue = "false")
  private boolean skip;

  @Parameter(defaultValue = "${project.build.outputTimestamp}", readonly = true)
  private String outputTimestamp;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("plinth: skipped (plinth.skip)");
      return;
    }
    String main = mainClass != null && !mainClass.isBlank() ? mainClass.trim() : jarMainClass();
    if (main == null) {
      throw new MojoExecutionException("no main class: set <mainClass> in plinth-maven-plugin's"
          + " configuration (or -Dplinth.mainClass=...), or <archive><manifest><mainClass> in"
          + " maven-jar-plugin's");
    }
    BuildParameters parameters = new BuildParameters(name, platforms, main,
        Path.of(project.getBuild().getOutputDirectory()), runtimeJars(), javaVersion, modules,
        jvmFlags, aot, suite, packages, args, env, ports, aotGet);
    try {
      BuildSpec spec = parameters.toSpec();
      getLog().info("plinth: building " + target() + " for " + spec.platforms().stream()
          .map(Object::toString).collect(Collectors.joining(", ")) + ": " + main + ", classpath "
          + spec.java().classpath().stream().map(this::shortName).collect(Collectors.joining(":")));
      // The environment is read here, at each execution: a Maven JVM outlives settings.
      BuildResult result = Plinth.build(spec, ImageRef.parse(target()), BuildParameters.options(
          System.getenv(), Path.of(System.getProperty("user.home")), outputTimestamp));
      ResultLines.of(result).forEach(getLog()::info);
    } catch (Exception | Error e) {
      MojoFailures.raise(e);
    }
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

  /** maven-jar-plugin's archive/manifest/mainClass: its default-jar execution's, else its own. */
  private String jarMainClass() {
    Plugin jar = project.getPlugin(JAR_PLUGIN);
    if (jar == null) {
      return null;
    }
    List<Object> configurations = new ArrayList<>();
    for (PluginExecution e : jar.getExecutions()) {
      if (e.getId().equals("default-jar")) {
        configurations.add(e.getConfiguration());
      }
    }
    configurations.add(jar.getConfiguration());
    for (Object c : configurations) {
      Xpp3Dom node = c instanceof Xpp3Dom dom ? dom : null;
      for (String child : List.of("archive", "manifest", "mainClass")) {
        node = node == null ? null : node.getChild(child);
      }
      if (node != null && node.getValue() != null && !node.getValue().isBlank()) {
        return node.getValue().trim();
      }
    }
    return null;
  }

  private String shortName(Path p) {
    Path base = project.getBasedir().toPath();
    return p.startsWith(base) ? base.relativize(p).toString() : p.getFileName().toString();
  }
}
