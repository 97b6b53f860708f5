package dev.plinth.cli.it;

import static dev.plinth.cli.it.RegistryCliIT.plinthWithStdin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.registry.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pushes of plinth's base image to TLS registries, with access set up as users set it up: a
 * private CA that requires a client certificate, in {@code certs.d/HOST:PORT/} as podman and
 * docker read it ({@code ca.crt}, {@code client.cert}, {@code client.key}; no
 * PLINTH_REGISTRY_CA, no flags); a CI job's registry password piped in, never on the command
 * line.
 */
class TlsRegistryIT {
  @TempDir static Path tmp;
  static Path archive;

  @BeforeAll
  static void base() {
    archive = RegistryCliIT.baseArchive(tmp.resolve("base.tar"));
  }

  @Test
  void certsD_givesTheCaAndTheClientCertificate() throws Exception {
    try (TestRegistry reg = TestRegistry.tlsClientCert()) {
      Path root = tmp.resolve("certs.d");
      Path dir = Files.createDirectories(root.resolve(reg.host()));
      Files.copy(reg.caFile, dir.resolve("ca.crt"));
      Map<String, String> env = new HashMap<>();
      env.put("PLINTH_CERTS_D", tmp.resolve("empty") + ":" + root);
      env.put("PLINTH_REGISTRY_USER", TestRegistry.USER);
      env.put("PLINTH_REGISTRY_PASSWORD", TestRegistry.PASSWORD);
      String ref = reg.host() + "/team/base:1";

      RegistryCliIT.Run noClient = RegistryCliIT.plinth(env, "copy", "oci-archive:" + archive,
          ref);
      assertNotEquals(0, noClient.code(), "the registry took a push without a client certificate");
      assertTrue(noClient.err().contains("client.cert"), noClient.err());

      Files.copy(reg.clientCert(), dir.resolve("client.cert"));
      Files.copy(reg.clientKey(), dir.resolve("client.key"));
      RegistryCliIT.Run push = RegistryCliIT.plinth(env, "copy", "oci-archive:" + archive, ref);
      assertEquals(0, push.code(), push.err());
      String pushed = RegistryCliIT.digest(push.out() + push.err());

      // an RSA key as `openssl genrsa -traditional` writes it
      Files.copy(reg.clientKeyPkcs1(), dir.resolve("client.key"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Path pulled = tmp.resolve("pulled");
      RegistryCliIT.Run pull = RegistryCliIT.plinth(env, "copy", ref, "oci:" + pulled + ":1");
      assertEquals(0, pull.code(), pull.err());
      assertEquals(pushed, RegistryCliIT.digest(RegistryCliIT.ok("inspect", "oci:" + pulled
          + ":1")));

      Files.move(dir.resolve("client.cert"), dir.resolve("other.crt.bak"));
      RegistryCliIT.Run lone = RegistryCliIT.plinth(env, "copy", ref, "oci:" + pulled + ":2");
      assertEquals(2, lone.code(), lone.err());
      assertTrue(lone.err().contains(dir.resolve("client.key").toString())
          && lone.err().contains("no certificate beside it"), lone.err());

      Map<String, String> without = new HashMap<>(env);
      without.put("PLINTH_CERTS_D", tmp.resolve("empty").toString());
      RegistryCliIT.Run untrusted = RegistryCliIT.plinth(without, "copy", ref,
          "oci:" + pulled + ":3");
      assertEquals(4, untrusted.code(), untrusted.err());
      assertTrue(untrusted.err().contains("certs.d/" + reg.host() + "/ca.crt"), untrusted.err());
    }
  }

  /** The password from standard input, never the command line. */
  @Test
  void passwordFromStdin_pushes_andBadUseIsAUsageError() throws Exception {
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
