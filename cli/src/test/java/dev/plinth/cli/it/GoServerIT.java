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
 * examples/go-server (docs/apps.md): a static Go server compiled by Debian's Go for amd64 and
 * arm64 (its build.sh), on plinth's base with ca-certificates and tzdata from its plinth.lock,
 * run by podman on both architectures.
 */
class GoServerIT {
  @TempDir static Path tmp;
  static Recipes.Built built;

  @BeforeAll
  static void compileAndBuild() throws Exception {
    built = Recipes.compileAndBuild("go-server", tmp, "go");
  }

  @Test
  void bothPlatforms_under6MB() {
    built.assertEachUnder(6);
  }

  @ParameterizedTest
  @ValueSource(strings = {"amd64", "arm64"})
  void answers_withTheImagesZonesAndCAs_asNonrootUnderTheInit_andStopsWithExitZero(String arch)
      throws Exception {
    try (Recipes.Running r = Recipes.start(built.image(), arch, "/")) {
      HttpResponse<String> root = Recipes.get(r, "/");
      assertEquals("application/json", root.headers().firstValue("Content-Type").orElse(""));
      JsonNode body = new ObjectMapper().readTree(root.body());
      // Berlin is two hours ahead in summer: only with /usr/share/zoneinfo from tzdata
      assertEquals("2026-07-01T14:00:00+02:00 CEST", body.path("berlin").asText(), root.body());
      // every certificate of the bundle SSL_CERT_FILE names, as the image has it
      int inBundle = Integer.parseInt(Recipes.probe(r,
          Recipes.PROBE + " grep -c 'BEGIN CERTIFICATE' \"$SSL_CERT_FILE\"").strip());
      assertTrue(inBundle > 100, "CA certificates in the image: " + inBundle);
      assertEquals(inBundle, body.path("caCertificates").asInt(), root.body());
      assertEquals(404, Recipes.get(r, "/nothing").statusCode());

      Recipes.assertNonrootUnderTheInit(r, List.of("/app/server"));
      Recipes.assertStopsWithExitZero(r);
      assertTrue(Peers.podman().logs(r.id()).contains("stopping"), "graceful shutdown logged");
    }
  }
}
