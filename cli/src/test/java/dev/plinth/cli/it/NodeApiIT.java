package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/node-api (docs/apps.md): server.js on Debian's nodejs from its plinth.lock, glibc's
 * gconv modules and TypeScript declarations trimmed, run by podman on both architectures.
 */
class NodeApiIT {
  @TempDir static Path tmp;
  static Recipes.Built built;

  @BeforeAll
  static void build() throws Exception {
    built = Recipes.build(Recipes.copy("node-api", tmp), tmp.resolve("layout"));
  }

  @Test
  void bothPlatforms_trimmedUnder105MB() {
    built.assertEachUnder(105);
  }

  @Test
  void audit_findsNothingMissing() {
    BaseImageIT.plinth("audit", built.image());   // exit 0: the trims left no ELF file broken
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void answers_asNonrootUnderTheInit_andStopsWithExitZero(String arch) throws Exception {
    try (Recipes.Running r = Recipes.start(built.image(), arch, "/")) {
      HttpResponse<String> root = Recipes.get(r, "/");
      assertEquals("application/json", root.headers().firstValue("Content-Type").orElse(""));
      JsonNode body = new ObjectMapper().readTree(root.body());
      assertEquals("alice", body.path("name").asText(), root.body());
      assertEquals("alice@outlook.com", body.path("email").asText(), root.body());
      assertTrue(body.path("node").asText().startsWith("v18."), "Debian's nodejs: " + root.body());
      assertEquals(404, Recipes.get(r, "/nothing").statusCode());

      Recipes.assertNonrootUnderTheInit(r, List.of("/usr/bin/node", "/app/server.js"));
      Recipes.assertStopsWithExitZero(r);
      String logs = Peers.podman().logs(r.id());
      assertTrue(logs.contains("GET / 200"), "access log on stdout: " + logs);
      assertTrue(logs.contains("SIGTERM: stopping"), logs);
    }
  }
}
