package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.testing.FullDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shared/BAD-INPUTS.md case 57: the output or the cache on a full disk (a full tmpfs, {@link
 * FullDisk}), with plinth.jar run as a process of its own: exit 5, the failure in one line that
 * names what could not be written, no stack trace or JVM message, and no half-written output.
 * The launchers' side is LauncherIT's ({@code ./plinth}) and DistIT's (the release archive's).
 */
class FullDiskIT {
  @TempDir Path tmp;

  /** plinth ARGS as a process, with {@code full} a full disk; its environment {@code env}. */
  private Peers.Result plinth(Path full, Map<String, String> env, String... args) throws Exception {
    Files.createDirectories(full);
    Peers.Result r = Peers.exec(FullDisk.wrap(full, Peers.plinthCommand(List.of(args))),
        Duration.ofMinutes(3), env, false);
    assertTrue(r.exitCode() != 99, "no full disk to test with: " + r);
    return r;
  }

  /**
   * The failure's line: the last on stderr, after the build's progress lines; and no line of a
   * stack trace or the JVM's.
   */
  static String failureLine(Peers.Result r) {
    List<String> lines = r.stderr().strip().lines().toList();
    for (String l : lines) {
      assertTrue(l.startsWith("plinth: "), "not one of plinth's lines: " + l + "\n" + r);
      assertFalse(l.contains("Exception") || l.contains("VM") || l.contains("\tat "), r.toString());
    }
    return lines.get(lines.size() - 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"oci:", "oci-archive:", "docker-archive:"})
  void output_onAFullDisk_exits5_inOneLineNamingIt_leavingNothing(String transport)
      throws Exception {
    Path full = tmp.resolve("full");
    String target = transport + full.resolve("out");
    Peers.Result r = plinth(full, Peers.env(Map.of()), "base", "--platform", "linux/amd64",
        "--to", target);
    assertEquals(5, r.exitCode(), r.toString());
    assertEquals("plinth: " + target + ": writing failed: No space left on device",
        failureLine(r));
    // a layout's writers lock its oci-layout file, never replaced (an empty one is filled in by
    // the next writer): that and empty directories may stay, no blob, temp file or index.json
    List<String> lockOnly = List.of("./out", "./out/oci-layout", "./out/blobs",
        "./out/blobs/sha256");
    for (String f : FullDisk.left(full)) {
      assertTrue(transport.equals("oci:") && lockOnly.contains(f), "half-written: " + f);
    }
  }

  @Test
  void cache_onAFullDisk_exits5_inOneLineNamingTheCache() throws Exception {
    try (TestRepo repo = TestRepo.tzdataAndLibc(tmp.resolve("repo"))) {
      Path yaml = DebianProject.write(tmp.resolve("proj"), repo, repo.start().toString(),
          "packages: [tzdata]\nplatforms: [linux/amd64]\n");
      Path full = tmp.resolve("cache");
      Peers.Result r = plinth(full, Peers.env(Map.of("XDG_CACHE_HOME", full.toString())),
          "build", "-f", yaml.toString(), "--to",
          "oci:" + tmp.resolve("out") + ":1");
      assertEquals(5, r.exitCode(), r.toString());
      String line = failureLine(r);
      assertTrue(line.contains(full.resolve("plinth").toString()), line);
      assertTrue(line.endsWith("No space left on device"), line);
      assertFalse(Files.exists(tmp.resolve("out")), "no output from a failed build");
      for (String f : FullDisk.left(full)) {
        assertFalse(f.contains(".tmp") || f.contains("tmp-"), "a temp file left: " + f);
      }
    }
  }
}
