package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** certs.d files are read whole, so each is read with a cap and only when it is a regular file. */
class RegistryTrustTest {
  @TempDir Path tmp;

  private RegistryOptions options() {
    return RegistryOptions.fromEnvironment(Map.of(), tmp).withCertDirs(List.of(tmp.resolve("d")));
  }

  @Test
  void aFifoNamedCaCrt_isRefusedNamingIt_insteadOfBlocking() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d/registry.test:5000"));
    Path fifo = dir.resolve("ca.crt");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistryTrust.of(options(), "registry.test:5000", false));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(fifo.toString()) && e.getMessage().contains("FIFO"),
        e.getMessage());
  }

  @Test
  void aCaCrtOverOneMiB_isRefusedNamingIt() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("d/registry.test"));
    Path big = dir.resolve("ca.crt");
    try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
      f.setLength(2L << 20); // sparse: no bytes written
    }
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistryTrust.of(options(), "registry.test", false));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(big.toString()) && e.getMessage().contains("1 MiB"),
        e.getMessage());
  }
}
