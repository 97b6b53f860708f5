package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * examples/c-server (docs/apps.md): a C program linked against zlib, compiled by gcc for amd64
 * and Debian's cross gcc for arm64 (its build.sh), with zlib1g and glibc from its plinth.lock
 * (the build's library check passing), run by podman on both architectures.
 */
class CServerIT {
  @TempDir static Path tmp;
  static Recipes.Built built;

  @BeforeAll
  static void compileAndBuild() throws Exception {
    built = Recipes.compileAndBuild("c-server", tmp, "gcc", "aarch64-linux-gnu-gcc");
  }

  @Test
  void bothPlatforms_under6MB() {
    built.assertEachUnder(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void answersWithZlibsCrc32_asNonrootUnderTheInit_andStopsWithExitZero(String arch)
      throws Exception {
    try (Recipes.Running r = Recipes.start(built.image(), arch, "/")) {
      HttpResponse<String> hello = Recipes.get(r, "/hello/plinth");
      assertEquals(200, hello.statusCode());
      assertEquals("application/json", hello.headers().firstValue("Content-Type").orElse(""));
      JsonNode body = new ObjectMapper().readTree(hello.body());
      CRC32 crc = new CRC32();
      crc.update("/hello/plinth".getBytes(StandardCharsets.US_ASCII));
      assertEquals("/hello/plinth", body.path("path").asText(), hello.body());
      assertEquals(crc.getValue(), body.path("crc32").asLong(), hello.body());

      Recipes.assertNonrootUnderTheInit(r, List.of("/app/server"));
      Recipes.assertStopsWithExitZero(r);
      String logs = Peers.podman().logs(r.id());
      assertTrue(logs.contains("c-server: zlib 1.2.13"), "Debian's zlib at run time: " + logs);
      assertTrue(logs.contains("c-server: stopped"), logs);
    }
  }
}
