package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.Index;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a CI job sees of plinth's outputs: files as readable as its umask says (a later step may
 * run as another user), four plinth processes writing to one oci: layout at once keeping all
 * four tags, and builds at once sharing one cache.
 */
class OutputFilesIT {
  @TempDir Path tmp;

  private Process plinth(String shell, String... args) throws Exception {
    return plinth(java.util.Map.of(), shell, args);
  }

  /** plinth ARGS as a process, after {@code shell}, with {@code env} over the tests' own. */
  private Process plinth(java.util.Map<String, String> env, String shell, String... args)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("sh", "-c", shell + "; exec \"$0\" \"$@\"",
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        System.getProperty("plinth.jar")));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("log-" + System.nanoTime()).toFile());
    pb.environment().putAll(Peers.env(env));
    return pb.start();
  }

  private static void waitOk(Process p, String what) throws Exception {
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), what + " did not finish in 5 minutes");
    assertEquals(0, p.exitValue(), what);
  }

  @Test
  void outputsFollowTheUmask() throws Exception {
    for (String[] c : new String[][] {{"022", "rw-r--r--"}, {"027", "rw-r-----"}}) {
      Path archive = tmp.resolve("base-" + c[0] + ".tar");
      Path layout = tmp.resolve("layout-" + c[0]);
      waitOk(plinth("umask " + c[0], "base", "--to", "oci-archive:" + archive), "archive");
      waitOk(plinth("umask " + c[0], "base", "--to", "oci:" + layout + ":1"), "layout");
      for (Path p : List.of(archive, layout.resolve("index.json"), layout.resolve("oci-layout"))) {
        assertEquals(c[1], PosixFilePermissions.toString(Files.getPosixFilePermissions(p)),
            "umask " + c[0] + ": " + p);
      }
    }
  }

  @Test
  void fourProcessesWritingOneLayout_keepEveryTag() throws Exception {
    for (int round = 0; round < 2; round++) {
      Path layout = tmp.resolve("shared-" + round);
      List<Process> ps = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        // different times, different images: each writer adds blobs of its own
        ps.add(plinth("export SOURCE_DATE_EPOCH=" + (1700000000 + w), "base", "--to",
            "oci:" + layout + ":t" + w));
      }
      for (int w = 0; w < 4; w++) {
        waitOk(ps.get(w), "writer " + w + " of round " + round);
      }
      Set<String> tags = new TreeSet<>(Index.parse(Files.readAllBytes(
          layout.resolve("index.json")), "index.json").refNames());
      assertEquals(Set.of("t0", "t1", "t2", "t3"), tags, "round " + round);
      for (int w = 0; w < 4; w++) {
        RegistryCliIT.ok("inspect", "oci:" + layout + ":t" + w);
      }
    }
  }

  /**
   * BAD-INPUTS case 58: two, then four builds at once with one new cache, fetching the same
   * Debian packages from one mirror (a TestRepo on 127.0.0.1): all succeed, with one digest, and
   * leave the cache whole (no temp file).
   */
  @Test
  void twoThenFourBuildsSharingOneCache_allSucceed_withOneDigest() throws Exception {
    try (TestRepo repo = TestRepo.tzdataAndLibc(tmp.resolve("repo"))) {
      Path yaml = DebianProject.write(tmp.resolve("proj"), repo, repo.start().toString(),
          "packages: [tzdata, libc6]\n");
      Set<String> digests = new TreeSet<>();
      for (int builds : new int[] {2, 4}) {
        Path cache = tmp.resolve("cache-" + builds);
        List<Process> ps = new ArrayList<>();
        for (int b = 0; b < builds; b++) {
          ps.add(plinth(java.util.Map.of("XDG_CACHE_HOME", cache.toString()), "true", "build",
              "-f", yaml.toString(), "--to",
              "oci:" + tmp.resolve("out-" + builds + "-" + b) + ":1"));
        }
        for (int b = 0; b < builds; b++) {
          waitOk(ps.get(b), "build " + b + " of " + builds);
          digests.add(Index.parse(Files.readAllBytes(tmp.resolve("out-" + builds + "-" + b)
              .resolve("index.json")), "index.json").manifests().get(0).digest().toString());
        }
        try (var files = Files.walk(cache)) {
          List<Path> temps = files.filter(f -> f.getFileName().toString().contains("tmp"))
              .toList();
          assertEquals(List.of(), temps, builds + " builds left temp files in the cache");
        }
      }
      assertEquals(1, digests.size(), "one image, whichever build made it: " + digests);
    }
  }
}
