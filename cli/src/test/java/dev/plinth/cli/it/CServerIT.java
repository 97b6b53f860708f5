package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * examples/c-server (docs/apps.md): a C program linked against zlib, compiled by gcc for amd64
 * and Debian's cross gcc for arm64 (its build.sh), with zlib1g and glibc from its plinth.lock
 * (the build's library check passing), run by podman on both architectures.
 */
class CServerIT extends CompiledServerIT {
  @Override
  String example() {
    return "c-server";
  }

  @Override
  String[] compilers() {
    return new String[] {"gcc", "aarch64-linux-gnu-gcc"};
  }

  /** JSON with the path and zlib's CRC-32 of it. */
  @Override
  void answers(Recipes.Running r) throws Exception {
    HttpResponse<String> hello = Recipes.get(r, "/hello/plinth");
    assertEquals(200, hello.statusCode());
    assertEquals("application/json", hello.headers().firstValue("Content-Type").orElse(""));
    JsonNode body = new ObjectMapper().readTree(hello.body());
    CRC32 crc = new CRC32();
    crc.update("/hello/plinth".getBytes(StandardCharsets.US_ASCII));
    assertEquals("/hello/plinth", body.path("path").asText(), hello.body());
    assertEquals(crc.getValue(), body.path("crc32").asLong(), hello.body());
  }

  @Override
  void logged(String logs) {
    assertTrue(logs.contains("c-server: zlib 1.2.13"), "Debian's zlib at run time: " + logs);
    assertTrue(logs.contains("c-server: stopped"), logs);
  }
}
