package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A Micronaut 4 app (src/it/micronaut: micronaut-http-server-netty and micronaut-management on
 * micronaut-parent, as Micronaut Launch makes it; the main class in {@code exec.mainClass}) built
 * by {@code mvn package} with plinth-maven-plugin declared and nothing configured. The smallest
 * of the framework apps, so it is also run on arm64, under qemu.
 */
class MicronautIT extends FrameworkAppChecks {
  static final App APP = new App("micronaut", "micronaut", "MICRONAUT_SERVER_PORT", "/health");

  @Override
  App app() {
    return APP;
  }

  @Test
  @Order(5)
  void arm64_underQemu_answersAndStopsWithExitCode0() throws Exception {
    Podman arm64 = Podman.of("arm64");
    String id = arm64.load(project.resolve("target/micronaut-image.tar"));
    assertEquals("arm64", arm64.exec(Podman.SHORT, "image", "inspect", "--format",
        "{{.Architecture}}", id).orFail().out().strip());
    int p = freePort();
    String running = startAndAwait(arm64, id, p, Duration.ofMinutes(8));
    try {
      assertAnswers(p);
      assertEquals(200, get(p, app().health()).statusCode(), app().health());
      assertEquals(0, arm64.stop(running, 60), "exit code after podman stop; logs:\n"
          + arm64.logs(running));
    } finally {
      arm64.rm(running);
    }
  }
}
