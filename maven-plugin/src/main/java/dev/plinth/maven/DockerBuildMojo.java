package dev.plinth.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * Builds the image as {@code build} does and loads it into the local Docker or Podman daemon
 * ($DOCKER_HOST, else /var/run/docker.sock), like jib:dockerBuild: the daemon's own platform,
 * named {@code image}. Then: {@code docker run IMAGE}.
 */
@Mojo(name = "dockerBuild", defaultPhase = LifecyclePhase.PACKAGE,
    requiresDependencyResolution = ResolutionScope.RUNTIME, threadSafe = true)
public class DockerBuildMojo extends BuildMojo {
  /** The image's name and tag in the daemon. */
  @Parameter(property = "plinth.image", defaultValue = "${project.artifactId}:${project.version}")
  private String image;

  @Override
  protected String target() {
    return "docker-daemon:" + image;
  }
}
