package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first-ever build on a machine of 512 MB: plinth as a process of its own in a memory cgroup
 * of 512 MB without swap (what a CI container with that limit is), every cache empty, so it
 * fetches Debian's packages, unpacks the jmods and links the runtime of both platforms. The
 * kernel kills a group that needs more; before plinth bounded its tool JVMs, two jlinks beside
 * it were more, and the build died. Skipped where this machine gives no memory cgroup to make.
 */
class SmallMachineIT {
  private static final long LIMIT = 512L << 20;

  @TempDir Path tmp;
  private Path group;

  /**
   * Removes the group once it is empty: a build the kernel killed may leave its jlinks running a
   * while, so what is still in it is killed first (a bounded wait).
   */
  @AfterEach
  void removeGroup() throws Exception {
    if (group == null) {
      return;
    }
    for (int i = 0; i < 100; i++) {
      List<String> left = Files.readAllLines(group.resolve("cgroup.procs")).stream()
          .filter(l -> !l.isBlank()).toList();
      if (left.isEmpty()) {
        break;
      }
      for (String pid : left) {
        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
      }
      Thread.sleep(100);
    }
    Files.deleteIfExists(group);   // rmdir: a group's own files go with it
  }

  /**
   * A memory cgroup of {@link #LIMIT} bytes without swap (v1, or v2 with the memory controller):
   * the file to write a process id into, or null if this machine gives none.
   */
  private Path memoryGroup() {
    Path v1 = Path.of("/sys/fs/cgroup/memory");
    Path v2 = Path.of("/sys/fs/cgroup");
    try {
      if (Files.isWritable(v1.resolve("cgroup.procs"))) {
        group = Files.createDirectory(v1.resolve("plinth-it-" + ProcessHandle.current().pid()));
        Files.writeString(group.resolve("memory.limit_in_bytes"), Long.toString(LIMIT));
        if (Files.exists(group.resolve("memory.memsw.limit_in_bytes"))) {
          Files.writeString(group.resolve("memory.memsw.limit_in_bytes"), Long.toString(LIMIT));
        }
      } else if (Files.isReadable(v2.resolve("cgroup.controllers"))
          && Files.readString(v2.resolve("cgroup.controllers")).contains("memory")) {
        group = Files.createDirectory(v2.resolve("plinth-it-" + ProcessHandle.current().pid()));
        Files.writeString(group.resolve("memory.max"), Long.toString(LIMIT));
        if (Files.exists(group.resolve("memory.swap.max"))) {
          Files.writeString(group.resolve("memory.swap.max"), "0");
        }
      } else {
        return null;
      }
      return group.resolve("cgroup.procs");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  @Test
  void aFirstBuildOfBothPlatforms_inA512MbContainer_passes() throws Exception {
    Path procs = memoryGroup();
    assumeTrue(procs != null, "no memory cgroup to make here (needs root and cgroup v1, or v2"
        + " with the memory controller)");
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
    List<String> cmd = new ArrayList<>(List.of("sh", "-c",
        "echo $$ > \"$0\" && exec \"$@\"", procs.toString()));
    cmd.addAll(Peers.plinthCommand(List.of("build", "-f", app.resolve("plinth.yaml").toString(),
        "--to", "oci:" + layout + ":t")));
    Map<String, String> env = Peers.env(Map.of("XDG_CACHE_HOME",
        Files.createDirectories(tmp.resolve("empty-cache")).toString()));
    Peers.Result r = Peers.exec(cmd, Duration.ofMinutes(15), env, true);
    assertEquals(0, r.exitCode(), "the build in a 512 MB group (137: killed by the kernel): "
        + r.stdout());
    assertTrue(r.stdout().contains("linking the linux/arm64/v8 runtime")
        && r.stdout().contains("linking the linux/amd64 runtime"), r.stdout());
    assertTrue(JavaRuntimeIT.runs(layout).startsWith("java 17 17."), "the image runs");
  }
}
