package dev.plinth.maven.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's first-ever build on a machine of 512 MB: {@code mvn package} of the Micronaut
 * sample (nothing configured: both platforms) in a memory cgroup of 512 MB without swap, what a
 * CI container with that limit is (scripts/in-memory-limit makes it), plinth's cache empty, so
 * it fetches Debian's packages, unpacks the jmods and links both runtimes beside Maven's own JVM.
 * The kernel kills a group that needs more, as it did before plinth bounded its tool JVMs.
 * Skipped where this machine gives no memory cgroup to make (the script exits 125).
 */
class MicronautSmallMachineIT {
  @TempDir Path tmp;

  @Test
  void aFirstBuildOfBothPlatforms_inA512MbContainer_passes() throws Exception {
    Path project = Processes.copySample("micronaut", tmp);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("plinth.repo", ".."),
        "scripts", "in-memory-limit").toString(), "512"));
    cmd.addAll(Processes.mvnCommand());
    cmd.add("package");
    Path cache = Files.createDirectories(tmp.resolve("empty-cache"));
    Processes.Result r = Processes.run(cmd, project, FrameworkAppChecks.BUILD,
        Map.of("XDG_CACHE_HOME", cache.toString()));
    assumeTrue(r.exit() != 125, r.toString());
    assertEquals(0, r.exit(), "mvn package in a 512 MB group (137: killed by the kernel): " + r);
    assertTrue(r.out().contains("linking the linux/arm64/v8 runtime")
        && r.out().contains("linking the linux/amd64 runtime"), r.toString());
    System.out.println(r.err().lines().filter(l -> l.startsWith("in-memory-limit:"))
        .findFirst().orElse(""));
    String index = ItMaven.skopeo(project, "inspect", "--raw",
        "oci-archive:" + project.resolve("target/micronaut-image.tar"));
    assertTrue(index.contains("\"amd64\"") && index.contains("\"arm64\""), index);
  }
}
