package dev.plinth.deb;

import static dev.plinth.oci.Fuzzing.onlyFailures;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.plinth.deb.testing.TestKeys;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzing of what deb reads from a repository: control files and Packages indexes, InRelease
 * (its clearsigned structure, its signatures, the Release text) and .deb files. Seeds: the head of
 * a real Packages index, a trimmed real InRelease, and .debs dpkg-deb built in each compression.
 */
class DebianFuzzTest {
  /** The runs of one fuzzing execution in the build; see docs/architecture.md to fuzz longer. */
  static final long RUNS = 10_000;
  private static final Instant NOW = Instant.parse("2026-12-05T00:00:00Z");
  private static Keyring keyring;

  @BeforeAll
  static void keys(@TempDir Path dir) throws Exception {
    keyring = Keyring.load(List.of(TestKeys.archive().write(dir.resolve("archive.gpg"))));
  }

  @FuzzTest(maxExecutions = RUNS)
  void packages(byte[] data) throws Exception {
    onlyFailures(() -> {
      Map<String, List<PackageRecord.Relation>> seen = new HashMap<>();
      PackageIndex index = new PackageIndex();
      List<String> names = new java.util.ArrayList<>();
      for (Control.Paragraph p : Control.parse(new ByteArrayInputStream(data), "Packages")) {
        index.add(p, "Packages", seen);
        names.add(p.get("Package").trim());
      }
      for (String name : names) { // each packed paragraph unpacks to a record of its name
        if (index.versions(name).isEmpty()) {
          throw new AssertionError("no record for " + name);
        }
      }
    });
  }

  @FuzzTest(maxExecutions = RUNS)
  void inRelease(byte[] data) throws Exception {
    onlyFailures(() -> InRelease.verify(data, keyring, NOW, null, "InRelease"));
    onlyFailures(() -> Release.parse(new String(data, StandardCharsets.UTF_8), "Release"));
  }

  @FuzzTest(maxExecutions = RUNS / 5)
  void deb(byte[] data) throws Exception {
    Path file = Files.createTempFile("plinth-fuzz", ".deb");
    try {
      Files.write(file, data);
      onlyFailures(() -> DebPackage.open(file, "fuzzed.deb")
          .readData((e, in) -> in.transferTo(OutputStream.nullOutputStream())));
    } finally {
      Files.delete(file);
    }
  }
}
