package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first-ever build on a machine of 512 MB: plinth as a process of its own in a memory cgroup
 * of 512 MB without swap (what a CI container with that limit is; scripts/in-memory-limit makes
 * it), every cache empty, so it fetches Debian's packages, unpacks the jmods and links the
 * runtime of both platforms. The kernel kills a group that needs more; before plinth bounded its
 * tool JVMs, two jlinks beside it were more, and the build died. Skipped where this machine gives
 * no memory cgroup to make (the script exits 125).
 */
class SmallMachineIT {
  @TempDir Path tmp;

  /** {@code command} run by scripts/in-memory-limit in a group of {@code mb} MB. */
  static List<String> inMemoryLimit(int mb, List<String> command) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("plinth.repo", ".."),
        "scripts", "in-memory-limit").toString(), Integer.toString(mb)));
    cmd.addAll(command);
    return cmd;
  }

  @Test
  void aFirstBuildOfBothPlatforms_inA512MbContainer_passes() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.copy(JavaRuntimeIT.helloJar(tmp.resolve("hello")), app.resolve("hello.jar"));
    // the modules a web framework takes; java.desktop is the largest jlink links
    Files.writeString(app.resolve("plinth.yaml"), """
        name: small-machine
        platforms: [linux/amd64, linux/arm64]
        java:
          jar: hello.jar
          modules: [java.base, java.desktop, java.logging, java.management, java.naming,
                    java.sql, java.xml, jdk.unsupported, jdk.zipfs]
        """);
    String layout = tmp.resolve("out").toString();
    List<String> cmd = inMemoryLimit(512, Peers.plinthCommand(List.of("build", "-f",
        app.resolve("plinth.yaml").toString(), "--to", "oci:" + layout + ":t")));
    Map<String, String> env = Peers.env(Map.of("XDG_CACHE_HOME",
        Files.createDirectories(tmp.resolve("empty-cache")).toString()));
    Peers.Result r = Peers.exec(cmd, Duration.ofMinutes(15), env, true);
    assumeTrue(r.exitCode() != 125, r.stdout());
    assertEquals(0, r.exitCode(), "the build in a 512 MB group (137: killed by the kernel): "
        + r.stdout());
    assertTrue(r.stdout().contains("linking the linux/arm64/v8 runtime")
        && r.stdout().contains("linking the linux/amd64 runtime"), r.stdout());
    System.out.println(r.stdout().lines().filter(l -> l.startsWith("in-memory-limit:"))
        .findFirst().orElse(""));
    assertTrue(JavaRuntimeIT.runs(layout).startsWith("java 17 17."), "the image runs");
  }
}
