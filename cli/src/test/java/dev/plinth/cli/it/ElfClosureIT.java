package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A C program linked with zlib (gcc -lz), given with {@code files:}: without zlib1g in the
 * packages the build fails naming the file, the library and the package (from Debian's signed
 * Contents index); with zlib1g it builds and runs under podman; allowed, it builds.
 */
class ElfClosureIT {
  @TempDir static Path tmp;

  @BeforeAll
  static void compile() throws Exception {
    Files.writeString(tmp.resolve("x.c"), """
        #include <stdio.h>
        #include <zlib.h>
        int main(void) { printf("zlib %s\\n", zlibVersion()); return 0; }
        """);
    Peers.exec(List.of(Peers.require("gcc").toString(), "-O2", "-o", tmp.resolve("x").toString(),
        tmp.resolve("x.c").toString(), "-lz"), Duration.ofMinutes(2)).orFail();
  }

  private record Run(int code, String out, String err) {}

  private static Run plinth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Peers.env(Map.of()));
    return new Run(code, out.toString(), err.toString());
  }

  /**
   * {@code plinth build FLAGS} of the app {@code x} with {@code packages} installed, for
   * linux/amd64, into the OCI archive {@link #archive}({@code name}).
   */
  private static Run build(String name, String packages, String... flags) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve(name));
    Files.copy(tmp.resolve("x"), dir.resolve("x"));
    Files.writeString(dir.resolve("plinth.yaml"), "platforms: [linux/amd64]\n"
        + "packages: [" + packages + "]\n"
        + "files: [{src: x, dest: /app/x, mode: \"0755\"}]\n"
        + "entrypoint: [/app/x]\n");
    List<String> args = new ArrayList<>(List.of("build", "-f",
        dir.resolve("plinth.yaml").toString(), "--to", "oci-archive:" + archive(name)));
    args.addAll(List.of(flags));
    return plinth(args.toArray(new String[0]));
  }

  private static Path archive(String name) {
    return tmp.resolve(name + ".tar");
  }

  @Test
  void withoutZlib1g_theBuildFails_namingTheFileTheLibraryAndThePackage() throws Exception {
    Run r = build("missing", "libc6");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("libz.so.1, needed by /app/x (linux/amd64), is in Debian's"
        + " zlib1g"), r.err());
    assertTrue(r.err().contains("--allow-missing-libraries"), r.err());
    assertTrue(Files.notExists(archive("missing")), "nothing is written");
  }

  @Test
  void withZlib1g_itBuilds_andRunsUnderPodman() throws Exception {
    Run r = build("with", "libc6, zlib1g");
    assertEquals(0, r.code(), r.toString());
    Peers.Result run = Peers.podman().run(List.of(), "oci-archive:" + archive("with"), List.of(),
        Duration.ofMinutes(2));
    assertEquals(0, run.exitCode(), run.toString());
    assertTrue(run.stdout().startsWith("zlib 1."), run.toString());
  }

  @Test
  void allowed_itBuilds_andSaysWhatIsMissing() throws Exception {
    Run r = build("allowed", "libc6", "--allow-missing-libraries");
    assertEquals(0, r.code(), r.toString());
    assertTrue((r.out() + r.err()).contains("libz.so.1"), r.toString());
    assertTrue(Files.exists(archive("allowed")));
  }
}
