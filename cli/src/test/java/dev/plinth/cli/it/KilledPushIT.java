package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.OciLayoutWriter;
import dev.plinth.registry.TestImages;
import dev.plinth.registry.TestRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * shared/BAD-INPUTS.md case 59: {@code kill -9} of a {@code plinth copy} in the middle of a layer's
 * upload to Debian's docker-registry, then the same copy again. The killed push leaves no tag (a
 * tag is written only after every blob and manifest it needs), the registry keeps serving, and
 * the second push completes with the source's digests, which skopeo checks as it copies the image
 * back out.
 */
class KilledPushIT {
  @TempDir Path tmp;

  /** How much of a layer the registry must have taken in before the push is killed. */
  private static final long SEEN = 1 << 20;

  @Test
  void killedMidUpload_leavesNoTag_andAPushAgainCompletes_withTheSourcesDigests()
      throws Exception {
    Path layout = tmp.resolve("layout");
    // one layer of 128 MiB (random bytes: registries never look inside), pushed in 32 MiB chunks
    OciLayoutWriter.write(layout, "1", TestImages.single(59, 128 << 20));
    String source = "oci:" + layout + ":1";
    try (TestRegistry reg = TestRegistry.plain()) {
      String target = reg.host() + "/killed/app:1";
      Path repo = reg.storage().resolve("docker/registry/v2/repositories/killed/app");

      Push first = start("copy", "-q", source, target);
      Process push = first.process();
      try {
        long seen = awaitUploadOf(repo, push);
        assertTrue(seen >= SEEN, "the push ended before it could be killed mid-upload ("
            + seen + " bytes seen): " + first);
      } finally {
        push.destroyForcibly(); // SIGKILL
        assertTrue(push.waitFor(1, TimeUnit.MINUTES), "the killed push did not end");
      }
      assertEquals(137, push.exitValue(), "killed by SIGKILL: " + first);
      assertEquals(List.of(), tags(repo), "a tag after a push killed mid-upload");
      Peers.Result none = Peers.skopeo(List.of("inspect", "--tls-verify=false",
          "docker://" + target), Peers.SHORT);
      assertTrue(none.exitCode() != 0 && none.stderr().contains("manifest unknown"),
          none.toString());

      Push again = start("copy", "-q", source, target);
      assertTrue(again.process().waitFor(5, TimeUnit.MINUTES), "the second push did not end");
      assertEquals(0, again.process().exitValue(), again.toString());
      assertEquals(List.of("1"), tags(repo));

      // skopeo copies it out, checking every blob against its digest; the same layers as the source
      Path out = tmp.resolve("out");
      Peers.skopeo(List.of("copy", "--preserve-digests", "--src-tls-verify=false",
          "docker://" + target,
          "oci:" + out + ":1"), Peers.SHORT).orFail();
      String format = "{{.Digest}} {{.Layers}}";
      String pushed = Peers.skopeo(List.of("inspect", "--format", format, "oci:" + out + ":1"),
          Peers.SHORT).orFail().stdout().strip();
      String original = Peers.skopeo(List.of("inspect", "--format", format, source), Peers.SHORT)
          .orFail().stdout().strip();
      assertEquals(original, pushed);
      String remote = Peers.skopeo(List.of("inspect", "--tls-verify=false", "--format", format,
          "docker://" + target), Peers.SHORT).orFail().stdout().strip();
      assertEquals(original, remote);
      Digest layer = Digest.parse(original.replaceAll(".*\\[(sha256:[0-9a-f]{64})\\]", "$1"));
      assertTrue(reg.storedBlobs().contains(layer.hex()), reg.storedBlobs().toString());
    }
  }

  /** A plinth process and the file its output goes to. */
  private record Push(Process process, Path log) {
    @Override
    public String toString() {
      try {
        return "exit " + (process.isAlive() ? "(running)" : process.exitValue()) + "\n"
            + Files.readString(log);
      } catch (IOException e) {
        return e.toString();
      }
    }
  }

  /** plinth ARGS as a process of its own (to be killed). */
  private Push start(String... args) throws IOException {
    Path log = Files.createTempFile(tmp, "plinth", ".log");
    ProcessBuilder pb = new ProcessBuilder(Peers.plinthCommand(List.of(args)))
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(log.toFile());
    pb.environment().putAll(Peers.env(Map.of()));
    return new Push(pb.start(), log);
  }

  /**
   * Waits until an upload session of the repository holds {@link #SEEN} bytes or the push ends;
   * returns the most any session held. The push bounds the wait (its own deadlines end it), not a
   * clock: a loaded machine may take its time to send the first MiB.
   */
  private static long awaitUploadOf(Path repo, Process push) throws Exception {
    long most = 0;
    while (push.isAlive() && most < SEEN) {
      most = Math.max(most, largestUpload(repo));
      Thread.sleep(5);
    }
    return Math.max(most, largestUpload(repo));
  }

  private static long largestUpload(Path repo) throws IOException {
    Path uploads = repo.resolve("_uploads");
    if (!Files.isDirectory(uploads)) {
      return 0;
    }
    long most = 0;
    try (Stream<Path> s = Files.list(uploads)) {
      for (Path session : s.toList()) {
        try {
          most = Math.max(most, Files.size(session.resolve("data")));
        } catch (IOException gone) {
          // not written yet, or finished and removed meanwhile
        }
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      return most;
    }
    return most;
  }

  /** The repository's tags, as the registry stores them. */
  private static List<String> tags(Path repo) throws IOException {
    Path tags = repo.resolve("_manifests/tags");
    if (!Files.isDirectory(tags)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(tags)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
