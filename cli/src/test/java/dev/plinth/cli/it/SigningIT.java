package dev.plinth.cli.it;

import static dev.plinth.cli.it.RegistryCliIT.digest;
import static dev.plinth.cli.it.RegistryCliIT.ok;
import static dev.plinth.cli.it.RegistryCliIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import dev.plinth.registry.CosignSignatures;
import dev.plinth.registry.RegistryClient;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.RegistryRef;
import dev.plinth.registry.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing against Debian's docker-registry on 127.0.0.1, checked by skopeo (containers/image,
 * the library podman and CRI-O verify with) and by plinth verify: plinth signs and skopeo's
 * sigstoreSigned policy accepts it, refuses an unsigned image and a tampered signature; skopeo
 * signs with a key plinth generated and plinth verifies it.
 */
class SigningIT {
  @TempDir static Path tmp;
  static TestRegistry reg;
  static Keys keys;
  static Path registriesD;

  @BeforeAll
  static void start() throws Exception {
    reg = TestRegistry.plain();
    keys = Keys.generate(tmp);
    registriesD = tmp.resolve("registries.d");
    Files.createDirectories(registriesD);
    Files.writeString(registriesD.resolve("default.yaml"),
        "default-docker:\n  use-sigstore-attachments: true\n");
  }

  /** A key pair plinth generated (cosign.key, cosign.pub) and the file with its password. */
  record Keys(Path key, Path pub, Path password) {
    /** Writes DIR/password.txt and, with it, DIR/cosign.key and DIR/cosign.pub. */
    static Keys generate(Path dir) throws Exception {
      Path password = dir.resolve("password.txt");
      Files.writeString(password, "correct horse\n");
      ok("key", "generate", "--out", dir.resolve("cosign").toString(), "--key-password-file",
          password.toString());
      return new Keys(dir.resolve("cosign.key"), dir.resolve("cosign.pub"), password);
    }
  }

  @AfterAll
  static void stop() {
    reg.close();
  }

  /**
   * skopeo copies {@code ref} under a policy that requires plinth's key for it. Debian's
   * skopeo 1.9.3 (containers/image 5.23) is built with sigstore disabled: it refuses every
   * sigstoreSigned requirement and cannot sign either, so where it says so the check is left to
   * the independent peer; a skopeo with sigstore gets the real check.
   */
  static Peers.Result skopeoWithPolicy(String ref) throws Exception {
    Path policy = tmp.resolve("policy.json");
    Files.writeString(policy, """
        {"default": [{"type": "reject"}],
         "transports": {"docker": {"%s": [{"type": "sigstoreSigned", "keyPath": "%s"}]}}}
        """.formatted(reg.host(), keys.pub()));
    Path out = Files.createTempDirectory(tmp, "pulled");
    return Peers.exec(List.of(Peers.require("skopeo").toString(), "--policy", policy.toString(),
        "--registries.d", registriesD.toString(), "copy", "--src-tls-verify=false",
        "docker://" + ref, "oci:" + out + ":x"), Peers.SHORT);
  }

  static boolean sigstoreDisabled(Peers.Result r) {
    if (r.stderr().contains("sigstore disabled")) {
      System.out.println("SigningIT: this skopeo has sigstore disabled (Debian); not its check");
      return true;
    }
    return false;
  }

  /** The independent peer (libsodium, OpenSSL; cosign_peer.py) with {@code args}. */
  static Peers.Result peer(String... args) throws Exception {
    return peerIn(tmp, args);
  }

  /** The independent peer, its script copied into {@code dir}. */
  static Peers.Result peerIn(Path dir, String... args) throws Exception {
    Path script = dir.resolve("cosign_peer.py");
    if (!Files.exists(script)) {
      try (var in = SigningIT.class.getResourceAsStream("cosign_peer.py")) {
        Files.copy(in, script);
      }
    }
    List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/python3", script.toString()));
    cmd.addAll(List.of(args));
    Peers.Result r = Peers.exec(cmd, Peers.SHORT);
    if (r.stderr().contains("ModuleNotFoundError")) {
      throw new AssertionError("python3-nacl and python3-cryptography are needed: run"
          + " scripts/test as root\n" + r);
    }
    return r;
  }

  @Test
  void plinthSigns_peersAccept_unsignedAndTamperedAreRefused() throws Exception {
    String ref = reg.host() + "/team/signed:1";
    String out = ok("base", "--to", ref, "--sign-key", keys.key().toString(), "--key-password-file",
        keys.password().toString());
    String index = digest(out);
    // the index and both platforms' manifests
    List<String> signed = out.lines().filter(l -> l.startsWith("signed sha256:")).toList();
    assertEquals(3, signed.size(), out);
    System.out.println("SigningIT: " + out.lines().filter(l -> l.startsWith("signing took"))
        .findFirst().orElse("") + " (index + 2 manifests)");
    for (String line : signed) {
      String d = digest(line);
      Peers.Result p = peer("check", reg.host(), "team/signed", d, keys.pub().toString()).orFail();
      assertEquals(ref, p.stdout().trim(), p.toString());
    }
    Peers.Result accepted = skopeoWithPolicy(ref);
    assertTrue(sigstoreDisabled(accepted) || accepted.ok(), accepted.toString());
    String verified = ok("verify", ref, "--key", keys.pub().toString());
    assertTrue(verified.contains(index + ": verified, signed as " + ref), verified);
    assertEquals(3, verified.lines().filter(l -> l.contains(": verified")).count(), verified);

    // an image of the same repository no one signed: refused
    String unsigned = reg.host() + "/team/signed:unsigned";
    ok("base", "--platform", "linux/amd64", "--init", "none", "--to", unsigned);
    Peers.Result refused = skopeoWithPolicy(unsigned);
    assertFalse(refused.ok(), refused.toString());
    RegistryCliIT.Run v = plinth(Map.of(), "verify", unsigned, "--key", keys.pub().toString());
    assertEquals(6, v.code(), v.out() + v.err());
    assertTrue(v.out().contains("no signature"), v.out());

    // the index's signature with one byte of it changed: refused
    tamper(ref, Digest.parse(index));
    assertFalse(peer("check", reg.host(), "team/signed", index, keys.pub().toString()).ok());
    Peers.Result tampered = skopeoWithPolicy(ref);
    assertFalse(tampered.ok(), tampered.toString());
    RegistryCliIT.Run t = plinth(Map.of(), "verify", ref, "--key", keys.pub().toString());
    assertEquals(6, t.code(), t.out() + t.err());
    assertTrue(t.out().contains("the signature does not match the key"), t.out());
  }

  /** Flips a byte of the signature annotation of {@code d}'s .sig manifest and pushes it back. */
  static void tamper(String ref, Digest d) throws Exception {
    RegistryRef r = RegistryRef.parse(ref);
    RegistryClient c = RegistryClient.forPush(r, RegistryOptions.fromEnvironment(Map.of(), null));
    String tag = CosignSignatures.tag(d);
    ObjectNode m = (ObjectNode) Json.read(c.manifest(r.repository(), tag, null).bytes(), tag);
    ObjectNode annotations = (ObjectNode) m.path("layers").path(0).path("annotations");
    byte[] sig = Base64.getDecoder().decode(annotations.path(CosignSignatures.SIGNATURE).asText());
    sig[sig.length - 5] ^= 1;
    annotations.put(CosignSignatures.SIGNATURE, Base64.getEncoder().encodeToString(sig));
    c.putManifest(r.repository(), tag, MediaTypes.OCI_MANIFEST, Json.write(m));
  }

  @Test
  void keys_interoperate_withAnIndependentImplementation() throws Exception {
    // the peer opens plinth's key: the same public key
    Peers.Result opened = peer("decrypt", keys.key().toString(), keys.password().toString()).orFail();
    assertEquals(Files.readString(keys.pub()), opened.stdout(), opened.toString());
    // plinth signs with a key the peer made (newer cosign's SIGSTORE header); both verify
    Path theirs = tmp.resolve("theirs");
    peer("generate", theirs.toString(), keys.password().toString()).orFail();
    Path archive = tmp.resolve("one.tar");
    ok("base", "--platform", "linux/amd64", "--to", "oci-archive:" + archive);
    String ref = reg.host() + "/team/their-key:1";
    String out = ok("copy", "oci-archive:" + archive, ref, "--sign-key", theirs + ".key",
        "--key-password-file", keys.password().toString());
    String d = digest(out);
    Peers.Result p = peer("check", reg.host(), "team/their-key", d, theirs + ".pub").orFail();
    assertEquals(ref, p.stdout().trim(), p.toString());
    assertTrue(ok("verify", ref, "--key", theirs + ".pub").contains(": verified"));
    // plinth's key does not verify it
    RegistryCliIT.Run wrong = plinth(Map.of(), "verify", ref, "--key", keys.pub().toString());
    assertEquals(6, wrong.code(), wrong.out() + wrong.err());
    assertTrue(wrong.out().contains("does not match the key"), wrong.out());
    // skopeo signing with plinth's key, where its sigstore is enabled: plinth verifies
    String bySkopeo = reg.host() + "/team/by-skopeo:1";
    Peers.Result s = Peers.skopeo(List.of("--registries.d", registriesD.toString(), "copy",
        "--dest-tls-verify=false", "--sign-by-sigstore-private-key", keys.key().toString(),
        "--sign-passphrase-file", keys.password().toString(), "oci-archive:" + archive,
        "docker://" + bySkopeo), Peers.SHORT);
    if (!sigstoreDisabled(s)) {
      s.orFail();
      assertTrue(ok("verify", bySkopeo, "--key", keys.pub().toString()).contains(": verified"));
    }
  }

  @Test
  void signKey_failures_areClear() throws Exception {
    Path wrongPassword = tmp.resolve("wrong.txt");
    Files.writeString(wrongPassword, "nope\n");
    RegistryCliIT.Run bad = plinth(Map.of(), "copy", "oci-archive:/nonexistent.tar",
        reg.host() + "/team/x:1", "--sign-key", keys.key().toString(), "--key-password-file",
        wrongPassword.toString());
    assertEquals(4, bad.code(), bad.err());
    assertTrue(bad.err().contains(keys.key() + ": cannot be opened with this password"), bad.err());
    RegistryCliIT.Run local = plinth(Map.of(), "copy", "oci-archive:/nonexistent.tar",
        "oci:" + tmp.resolve("layout"), "--sign-key", keys.key().toString());
    assertEquals(2, local.code(), local.err());
    assertTrue(local.err().contains("is not a registry"), local.err());
    RegistryCliIT.Run viaEnv = plinth(Map.of("COSIGN_PASSWORD", "x"), "key", "generate",
        "--out", tmp.resolve("env").toString());
    assertEquals(0, viaEnv.code(), viaEnv.err());
    RegistryCliIT.Run exists = plinth(Map.of("COSIGN_PASSWORD", "x"), "key", "generate",
        "--out", tmp.resolve("cosign").toString());
    assertEquals(2, exists.code(), exists.err());
    assertTrue(exists.err().contains("cosign.key exists"), exists.err());
  }
}
