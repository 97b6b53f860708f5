package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;

/**
 * examples/go-server (docs/apps.md): a static Go server compiled by Debian's Go for amd64 and
 * arm64 (its build.sh), on plinth's base with ca-certificates and tzdata from its plinth.lock,
 * run by podman on both architectures.
 */
class GoServerIT extends CompiledServerIT {
  @Override
  String example() {
    return "go-server";
  }

  @Override
  String[] compilers() {
    return new String[] {"go"};
  }

  /** The time in Berlin and the count of CA certificates, both as the image has them. */
  @Override
  void answers(Recipes.Running r) throws Exception {
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
  }

  @Override
  void logged(String logs) {
    assertTrue(logs.contains("stopping"), "graceful shutdown logged");
  }
}
