package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CosignKeysTest {
  private static final byte[] PASSWORD = "s3cret pass".getBytes(StandardCharsets.UTF_8);

  @Test
  void generate_decrypt_signsWhatThePublicKeyVerifies() throws Exception {
    CosignKeys.Pair pair = CosignKeys.generate(PASSWORD);
    assertTrue(pair.privatePem().startsWith("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"));
    assertTrue(pair.publicPem().startsWith("-----BEGIN PUBLIC KEY-----\n"));
    PrivateKey key = CosignKeys.decrypt(pair.privatePem(), PASSWORD, "cosign.key");
    PublicKey pub = CosignKeys.readPublic(pair.publicPem(), "cosign.pub");
    assertEquals("EC", key.getAlgorithm());
    byte[] payload = "{\"critical\":{}}".getBytes(StandardCharsets.UTF_8);
    byte[] sig = CosignSignatures.signBytes(key, payload);
    assertTrue(CosignSignatures.verifyBytes(pub, payload, sig));
    payload[3] ^= 1;
    assertFalse(CosignSignatures.verifyBytes(pub, payload, sig));
    // another pair's public key does not verify it
    PublicKey other = CosignKeys.readPublic(CosignKeys.generate(PASSWORD).publicPem(), "o.pub");
    payload[3] ^= 1;
    assertFalse(CosignSignatures.verifyBytes(other, payload, sig));
  }

  @Test
  void privateKey_isCosignsJson_withTheFixedScryptParameters() throws Exception {
    String pem = CosignKeys.generate(PASSWORD).privatePem();
    String body = pem.replaceAll("-----[A-Z ]+-----", "").trim();
    var doc = Json.read(Base64.getMimeDecoder().decode(body), "key");
    assertEquals("scrypt", doc.path("kdf").path("name").asText());
    assertEquals(32768, doc.path("kdf").path("params").path("N").asInt());
    assertEquals(8, doc.path("kdf").path("params").path("r").asInt());
    assertEquals(1, doc.path("kdf").path("params").path("p").asInt());
    assertEquals(32, Base64.getDecoder().decode(doc.path("kdf").path("salt").asText()).length);
    assertEquals("nacl/secretbox", doc.path("cipher").path("name").asText());
    assertEquals(24, Base64.getDecoder().decode(doc.path("cipher").path("nonce").asText()).length);
  }

  @Test
  void decrypt_wrongPassword_failsCleanly() {
    String pem = CosignKeys.generate(PASSWORD).privatePem();
    PlinthException e = assertThrows(PlinthException.class, () -> CosignKeys.decrypt(pem,
        "wrong".getBytes(StandardCharsets.UTF_8), "keys/cosign.key"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("keys/cosign.key: cannot be opened with this password"),
        e.getMessage());
  }

  @Test
  void decrypt_sigstoreHeader_isReadToo() throws Exception {
    String pem = CosignKeys.generate(PASSWORD).privatePem()
        .replace("COSIGN PRIVATE KEY", "SIGSTORE PRIVATE KEY");
    assertEquals("EC", CosignKeys.decrypt(pem, PASSWORD, "k").getAlgorithm());
  }

  @Test
  void decrypt_publicKeyGivenAsPrivate_namesWhatItFound() {
    String pub = CosignKeys.generate(PASSWORD).publicPem();
    PlinthException e = assertThrows(PlinthException.class,
        () -> CosignKeys.decrypt(pub, PASSWORD, "cosign.pub"));
    assertTrue(e.getMessage().contains("found 'PUBLIC KEY'"), e.getMessage());
    PlinthException e2 = assertThrows(PlinthException.class,
        () -> CosignKeys.readPublic("not a key", "x.pub"));
    assertTrue(e2.getMessage().contains("found no PEM block"), e2.getMessage());
  }

  @Test
  void secretbox_sealOpen_roundTrip_andATamperedByteIsRefused() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[24];
    for (int i = 0; i < 32; i++) {
      key[i] = (byte) i;
    }
    byte[] plain = new byte[200];
    byte[] box = CosignKeys.seal(plain, key, nonce);
    assertEquals(216, box.length);
    assertArrayEquals(plain, CosignKeys.open(box, key, nonce));
    box[100] ^= 1;
    assertNull(CosignKeys.open(box, key, nonce));
  }

  @Test
  void payload_isSimpleSigning_andTheChecksNameWhatIsWrong() throws Exception {
    Digest d = Digest.of(new byte[] {1});
    RegistryRef ref = RegistryRef.parse("127.0.0.1:5000/team/app:1");
    byte[] p = CosignSignatures.payload(CosignSignatures.identity(ref), d);
    var doc = Json.read(p, "p");
    assertEquals("127.0.0.1:5000/team/app:1",
        doc.path("critical").path("identity").path("docker-reference").asText());
    assertEquals(d.toString(),
        doc.path("critical").path("image").path("docker-manifest-digest").asText());
    assertEquals("cosign container image signature", doc.path("critical").path("type").asText());
    assertEquals("127.0.0.1:5000/team/app:1", CosignSignatures.checkPayload(p, d, ref));
    Digest other = Digest.of(new byte[] {2});
    PlinthException e = assertThrows(PlinthException.class,
        () -> CosignSignatures.checkPayload(p, other, ref));
    assertTrue(e.getMessage().contains("not " + other), e.getMessage());
    RegistryRef elsewhere = RegistryRef.parse("127.0.0.1:5000/team/other:1");
    PlinthException e2 = assertThrows(PlinthException.class,
        () -> CosignSignatures.checkPayload(p, d, elsewhere));
    assertTrue(e2.getMessage().contains("not an image of 127.0.0.1:5000/team/other"),
        e2.getMessage());
    assertEquals("sha256-" + d.hex() + ".sig", CosignSignatures.tag(d));
  }
}
