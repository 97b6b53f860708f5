package dev.plinth.cli.it;

import static dev.plinth.cli.it.RegistryCliIT.plinthWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.registry.TestRegistry;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CI job's registry password piped in, never on the command line. */
class PasswordStdinIT {
  @TempDir Path tmp;

  @Test
  void passwordFromStdin_pushes_andBadUseIsAUsageError() throws Exception {
    Path archive = RegistryCliIT.baseArchive(tmp.resolve("base.tar"));
    try (TestRegistry reg = TestRegistry.tlsBasic()) {
      Map<String, String> env = Map.of("PLINTH_REGISTRY_CA", reg.caFile.toString());
      String ref = reg.host() + "/team/base:1";
      RegistryCliIT.Run ok = plinthWithStdin(env, TestRegistry.PASSWORD + "\n", "copy",
          "oci-archive:" + archive, ref, "--creds", TestRegistry.USER, "--password-stdin", "-q");
      assertEquals(0, ok.code(), ok.err());
      RegistryCliIT.Run wrong = plinthWithStdin(env, "not it\n", "copy",
          "oci-archive:" + archive, ref, "--creds", TestRegistry.USER, "--password-stdin");
      assertEquals(5, wrong.code(), wrong.err());
      assertFalse(wrong.err().contains("not it"), wrong.err());
      RegistryCliIT.Run empty = plinthWithStdin(env, "", "copy", "oci-archive:" + archive, ref,
          "--creds", TestRegistry.USER, "--password-stdin");
      assertEquals(2, empty.code(), empty.err());
      assertTrue(empty.err().contains("standard input is empty"), empty.err());
      RegistryCliIT.Run both = plinthWithStdin(env, "x\n", "copy", "oci-archive:" + archive, ref,
          "--creds", "u:p", "--password-stdin");
      assertEquals(2, both.code(), both.err());
      RegistryCliIT.Run noUser = plinthWithStdin(env, "x\n", "copy", "oci-archive:" + archive, ref,
          "--creds", "u");
      assertEquals(2, noUser.code(), noUser.err());
      assertTrue(noUser.err().contains("--password-stdin"), noUser.err());
    }
  }
}
