package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.cli.Main;
import dev.plinth.registry.TestRegistry;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CI job's registry password piped in, never on the command line. */
class PasswordStdinIT {
  @TempDir Path tmp;

  private static RegistryCliIT.Run plinth(Map<String, String> env, String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Peers.env(env), null,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    return new RegistryCliIT.Run(code, out.toString(), err.toString());
  }

  @Test
  void passwordFromStdin_pushes_andBadUseIsAUsageError() throws Exception {
    Path archive = tmp.resolve("base.tar");
    RegistryCliIT.ok("base", "--to", "oci-archive:" + archive);
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      Map<String, String> env = Map.of("PLINTH_REGISTRY_CA", reg.caFile.toString());
      String ref = reg.host() + "/team/base:1";
      RegistryCliIT.Run ok = plinth(env, TestRegistry.PASSWORD + "\n", "copy",
          "oci-archive:" + archive, ref, "--creds", TestRegistry.USER, "--password-stdin", "-q");
      assertEquals(0, ok.code(), ok.err());
      RegistryCliIT.Run wrong = plinth(env, "not it\n", "copy", "oci-archive:" + archive, ref,
          "--creds", TestRegistry.USER, "--password-stdin");
      assertEquals(5, wrong.code(), wrong.err());
      assertFalse(wrong.err().contains("not it"), wrong.err());
      RegistryCliIT.Run empty = plinth(env, "", "copy", "oci-archive:" + archive, ref, "--creds",
          TestRegistry.USER, "--password-stdin");
      assertEquals(2, empty.code(), empty.err());
      assertTrue(empty.err().contains("standard input is empty"), empty.err());
      RegistryCliIT.Run both = plinth(env, "x\n", "copy", "oci-archive:" + archive, ref,
          "--creds", "u:p", "--password-stdin");
      assertEquals(2, both.code(), both.err());
      RegistryCliIT.Run noUser = plinth(env, "x\n", "copy", "oci-archive:" + archive, ref,
          "--creds", "u");
      assertEquals(2, noUser.code(), noUser.err());
      assertTrue(noUser.err().contains("--password-stdin"), noUser.err());
    }
  }
}
