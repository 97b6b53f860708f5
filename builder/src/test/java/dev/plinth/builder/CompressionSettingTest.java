package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Compression;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plinth.yaml's {@code compression:}: gzip, zstd at its default level, or zstd at a level. */
class CompressionSettingTest {
  @TempDir Path tmp;

  private Compression load(String value) throws Exception {
    Path f = tmp.resolve("plinth.yaml");
    Files.writeString(f, "entrypoint: [/app]\ncompression: " + value + "\n");
    return PlinthYaml.load(f).compression();
  }

  @Test
  void gzip_zstd_andZstdAtALevel() throws Exception {
    assertNull(load("gzip"), "gzip: at the build options' gzip level");
    assertEquals(Compression.ZSTD, load("zstd"));
    assertEquals(Compression.ZSTD_LEVEL, load("zstd").level());
    assertEquals(new Compression("zstd", 1), load("zstd:1"));
    assertEquals(new Compression("zstd", 19), load("\"zstd:19\""));
  }

  @Test
  void anythingElse_namesTheFileLineAndField() throws Exception {
    for (String bad : new String[] {"zstd:0", "zstd:20", "zstd:", "zstd:9x", "brotli", "ZSTD"}) {
      PlinthException e = assertThrows(PlinthException.class, () -> load("\"" + bad + "\""), bad);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().contains("plinth.yaml:2") && e.getMessage().contains(
          "compression: must be 'gzip', 'zstd' or 'zstd:LEVEL' (1-19)"), e.getMessage());
    }
  }
}
