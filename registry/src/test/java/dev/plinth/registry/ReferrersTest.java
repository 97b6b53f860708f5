package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Index;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DSSE's PAE and envelopes, in-toto statements, and attestations pushed as referrers to the
 * in-process registry: by the tag schema (read-modify-write keeping foreign entries) when it
 * has no referrers API, by the API alone when it has one; hostile referrers indexes fail closed.
 */
class ReferrersTest {
  static final Digest SUBJECT = Digest.of("the image's manifest".getBytes());
  static final Descriptor SUBJECT_DESC = new Descriptor(MediaTypes.OCI_MANIFEST, SUBJECT, 20);
  FakeRegistry fake;
  RegistryClient client;
  RegistryRef ref;

  @BeforeEach
  void start() throws Exception {
    fake = new FakeRegistry();
    ref = RegistryRef.parse(fake.host() + "/team/app:1");
    client = RegistryClient.forPush(ref, RegistryOptions.fromEnvironment(Map.of(), null));
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  static KeyPair keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static Statement statement(Digest about) throws PlinthException {
    return new Statement(List.of(new Statement.Subject("linux/amd64", about)),
        Statement.SLSA_PROVENANCE, Json.read("{\"buildDefinition\":{}}".getBytes(), "p"));
  }

  @Test
  void pae_isTheSpecsEncoding() {
    // the DSSE spec's example (protocol.md): type http://example.com/HelloWorld, body hello world
    assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world", new String(
        Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes()),
        StandardCharsets.UTF_8));
    // lengths are of bytes, not characters
    assertEquals("DSSEv1 1 t 2 \u00e9", new String(Dsse.pae("t", "\u00e9".getBytes(
        StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
  }

  @Test
  void envelope_signsThePae_roundTrips_tamperedFails() throws Exception {
    KeyPair k = keys();
    byte[] payload = statement(SUBJECT).toJson();
    Dsse env = Dsse.sign(Dsse.IN_TOTO, payload, k.getPrivate());
    Dsse read = Dsse.parse(env.toJson(), "envelope");
    assertTrue(read.verifies(k.getPublic()));
    assertTrue(CosignSignatures.verifyBytes(k.getPublic(), Dsse.pae(Dsse.IN_TOTO, payload),
        read.signatures().get(0).sig()), "over the PAE");
    assertFalse(CosignSignatures.verifyBytes(k.getPublic(), payload,
        read.signatures().get(0).sig()), "not over the payload alone");
    assertFalse(new Dsse(Dsse.IN_TOTO, statement(Digest.of(new byte[1])).toJson(),
        read.signatures()).verifies(k.getPublic()));
    assertFalse(read.verifies(keys().getPublic()));
    assertNull(Attestations.check(read, SUBJECT, Statement.SLSA_PROVENANCE, k.getPublic()));
    assertTrue(Attestations.check(read, Digest.of(new byte[2]), null, k.getPublic())
        .startsWith("the statement is about " + SUBJECT));
    PlinthException notB64 = assertThrows(PlinthException.class, () -> Dsse.parse(
        "{\"payloadType\":\"x\",\"payload\":\"%%\",\"signatures\":[]}".getBytes(), "env.json"));
    assertTrue(notB64.getMessage().startsWith("env.json: the payload"), notB64.getMessage());
  }

  @Test
  void statement_json_isInTotoV1() throws Exception {
    assertEquals("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":"
        + "\"linux/amd64\",\"digest\":{\"sha256\":\"" + SUBJECT.hex() + "\"}}],\"predicateType\":"
        + "\"https://slsa.dev/provenance/v1\",\"predicate\":{\"buildDefinition\":{}}}",
        new String(statement(SUBJECT).toJson(), StandardCharsets.UTF_8));
    Statement back = Statement.parse(statement(SUBJECT).toJson(), "st");
    assertTrue(back.about(SUBJECT));
    assertThrows(PlinthException.class, () -> Statement.parse(
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}".getBytes(), "st"));
  }

  @Test
  void noReferrersApi_tagSchema_keepsForeignEntries() throws Exception {
    // a referrer someone else listed already (another tool's SBOM)
    Descriptor foreign = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of("theirs".getBytes()),
        6, null, Map.of("x", "y"), "application/spdx+json", List.of(), null);
    byte[] old = Index.of(MediaTypes.OCI_INDEX, List.of(foreign), Map.of()).bytes();
    fake.putManifest("team/app", Referrers.tag(SUBJECT), MediaTypes.OCI_INDEX, old);
    KeyPair k = keys();
    List<Referrers.Pushed> pushed = Attestations.push(ref, List.of(new Attestations.Attestation(
        SUBJECT_DESC, statement(SUBJECT))), k.getPrivate(), RegistryOptions.fromEnvironment(
            Map.of(), null));
    assertTrue(pushed.get(0).tagSchema());
    Index index = Index.parse((byte[]) fake.manifests.get("team/app:" + Referrers.tag(SUBJECT))[1],
        "tag index");
    assertEquals(2, index.manifests().size());
    assertEquals(foreign, index.manifests().get(0));
    Descriptor mine = index.manifests().get(1);
    assertEquals(Dsse.IN_TOTO, mine.artifactType());
    assertEquals(Statement.SLSA_PROVENANCE, mine.annotations().get(
        Statement.PREDICATE_ANNOTATION));
    // pushing the same again lists it once
    Referrers.addToTag(client, "team/app", SUBJECT, mine);
    assertEquals(2, Index.parse((byte[]) fake.manifests.get("team/app:"
        + Referrers.tag(SUBJECT))[1], "tag index").manifests().size());
    List<Attestations.Found> found = Attestations.find(ref, List.of(SUBJECT), k.getPublic(),
        false, RegistryOptions.fromEnvironment(Map.of(), null));
    assertEquals(2, found.size());
    assertEquals("application/spdx+json", found.get(0).kind());
    assertNull(found.get(0).verified(), "not an in-toto attestation: listed, not checked");
    assertEquals(Boolean.TRUE, found.get(1).verified(), found.toString());
  }

  @Test
  void referrersApi_noTagSchemaWritten() throws Exception {
    fake.referrersApi = true;
    KeyPair k = keys();
    List<Referrers.Pushed> pushed = Attestations.push(ref, List.of(new Attestations.Attestation(
        SUBJECT_DESC, statement(SUBJECT))), k.getPrivate(), RegistryOptions.fromEnvironment(
            Map.of(), null));
    assertFalse(pushed.get(0).tagSchema());
    assertFalse(fake.manifests.containsKey("team/app:" + Referrers.tag(SUBJECT)),
        "no sha256-HEX tag with the referrers API");
    assertEquals(0, fake.count("PUT", "/manifests/" + Referrers.tag(SUBJECT)));
    List<Descriptor> listed = Referrers.list(client, "team/app", SUBJECT);
    assertEquals(List.of(pushed.get(0).manifest()), listed);
    List<Attestations.Found> found = Attestations.find(ref, List.of(SUBJECT), keys()
        .getPublic(), false, RegistryOptions.fromEnvironment(Map.of(), null));
    assertEquals(Boolean.FALSE, found.get(0).verified());
    assertTrue(found.get(0).problem().endsWith("the signature does not match the key"),
        found.get(0).problem());
  }

  @Test
  void hostileTagIndex_failsClosed_namingTheReference() throws Exception {
    String tag = Referrers.tag(SUBJECT);
    fake.putManifest("team/app", tag, MediaTypes.OCI_INDEX, "not json".getBytes());
    PlinthException e = assertThrows(PlinthException.class,
        () -> Referrers.list(client, "team/app", SUBJECT));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(fake.host() + "/team/app:" + tag), e.getMessage());
    byte[] big = new byte[5 << 20];
    java.util.Arrays.fill(big, (byte) ' ');
    fake.putManifest("team/app", tag, MediaTypes.OCI_INDEX, big);
    PlinthException over = assertThrows(PlinthException.class,
        () -> Referrers.addToTag(client, "team/app", SUBJECT, SUBJECT_DESC));
    assertEquals(PlinthException.Kind.BAD_INPUT, over.kind());
    assertTrue(over.getMessage().contains(fake.host() + "/team/app:" + tag)
        && over.getMessage().contains("limit"), over.getMessage());
  }
}
