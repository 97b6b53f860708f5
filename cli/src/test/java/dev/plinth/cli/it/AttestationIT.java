package dev.plinth.cli.it;

import static dev.plinth.cli.it.RegistryCliIT.digest;
import static dev.plinth.cli.it.RegistryCliIT.ok;
import static dev.plinth.cli.it.RegistryCliIT.plinth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.deb.testing.TestRepo;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Index;
import dev.plinth.oci.Json;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.registry.Dsse;
import dev.plinth.registry.Referrers;
import dev.plinth.registry.RegistryClient;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.RegistryRef;
import dev.plinth.registry.Statement;
import dev.plinth.registry.TestRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attestations against Debian's docker-registry on 127.0.0.1 (no referrers API: the tag schema):
 * a build with Debian packages (a TestRepo on 127.0.0.1) attests its SBOM and provenance per
 * platform; the index tagged sha256-HEX lists them, skopeo reads the referrer manifests, the
 * independent peer (cosign_peer.py: OpenSSL) verifies each envelope over DSSE's PAE, plinth
 * verify and inspect list them, copy carries them, a tampered one fails verify with exit 6.
 */
class AttestationIT {
  @TempDir static Path tmp;
  static TestRegistry reg;
  static TestRepo repo;
  static Path yaml;
  static SigningIT.Keys keys;

  @BeforeAll
  static void start() throws Exception {
    reg = TestRegistry.plain();
    repo = TestRepo.tzdataAndLibc(tmp.resolve("repo"));
    yaml = DebianProject.write(tmp.resolve("proj"), repo, repo.start().toString(),
        "name: attested\nplatforms: [linux/amd64, linux/arm64]\npackages: [tzdata, libc6]\n");
    keys = SigningIT.Keys.generate(tmp);
  }

  @AfterAll
  static void stop() throws Exception {
    reg.close();
    repo.close();
  }

  static String attest(String to) {
    return ok("build", "-f", yaml.toString(), "--to", to, "--sign-key", keys.key().toString(),
        "--key-password-file", keys.password().toString(), "--attest", "sbom,provenance");
  }

  static RegistryClient client(String ref) throws Exception {
    return RegistryClient.forPush(RegistryRef.parse(ref),
        RegistryOptions.fromEnvironment(Map.of(), null));
  }

  /** The platform manifests a build printed, in its order. */
  static List<String> platformDigests(String out) {
    return out.lines().filter(l -> l.startsWith("  linux/")).map(RegistryCliIT::digest).toList();
  }

  @Test
  void build_attests_tagSchemaListsThem_peersRead_verifyAndInspectList_copyCarries()
      throws Exception {
    String ref = reg.host() + "/team/attested:1";
    String out = attest(ref);
    List<String> platforms = platformDigests(out);
    assertEquals(2, platforms.size(), out);
    assertEquals(4, out.lines().filter(l -> l.startsWith("attested ")).count(), out);
    System.out.println("AttestationIT: " + out.lines().filter(l -> l.startsWith("attesting took")
        || l.startsWith("signing took")).collect(Collectors.joining("; ")));
    RegistryClient c = client(ref);
    for (String p : platforms) {
      Digest d = Digest.parse(p);
      String tag = Referrers.tag(d);
      Index index = Index.parse(c.manifest("team/attested", tag, null).bytes(), tag);
      Set<String> types = new TreeSet<>();
      for (Descriptor e : index.manifests()) {
        assertEquals(Dsse.IN_TOTO, e.artifactType(), e.toString());
        types.add(e.annotations().get(Statement.PREDICATE_ANNOTATION));
        // skopeo reads the referrer manifest
        Peers.Result raw = Peers.skopeo(List.of("inspect", "--tls-verify=false", "--raw",
            "docker://" + reg.host() + "/team/attested@" + e.digest()), Peers.SHORT).orFail();
        JsonNode m = Json.read(raw.stdout().getBytes(), "skopeo's output");
        assertEquals(p, m.path("subject").path("digest").asText(), raw.stdout());
        assertEquals(MediaTypes.OCI_EMPTY, m.path("config").path("mediaType").asText());
      }
      assertEquals(Set.of(Statement.SPDX, Statement.SLSA_PROVENANCE), types);
      Peers.Result peer = SigningIT.peerIn(tmp, "attestations", reg.host(), "team/attested", p,
          keys.pub().toString()).orFail();
      assertEquals(Set.of(Statement.SPDX, Statement.SLSA_PROVENANCE),
          Set.copyOf(peer.stdout().lines().toList()), peer.toString());
    }

    String verified = ok("verify", ref, "--key", keys.pub().toString());
    assertEquals(4, verified.lines().filter(l -> l.contains("https://") && l.endsWith(
        ": verified")).count(), verified);
    JsonNode json = Json.read(ok("verify", ref, "--key", keys.pub().toString(), "--format", "json")
        .getBytes(), "verify --format json");
    assertTrue(json.path("verified").asBoolean(), json.toString());
    assertEquals(4, json.path("attestations").size(), json.toString());
    String inspected = ok("inspect", ref);
    assertTrue(inspected.contains("cosign signature"), inspected);
    assertEquals(4, inspected.lines().filter(l -> l.contains("https://") && l.endsWith(
        ": signed")).count(), inspected);

    // copy to another repository carries them: the same referrer digests there (signed again:
    // the signatures carried name the first repository, which verify holds to)
    String copy = reg.host() + "/team/attested-copy:1";
    String copied = ok("copy", ref, copy, "--sign-key", keys.key().toString(), "--key-password-file",
        keys.password().toString());
    assertEquals(4 + 3, copied.lines().filter(l -> l.startsWith("copied referrer")).count(),
        copied); // 4 attestations, 3 .sig manifests
    for (String p : platforms) {
      String tag = Referrers.tag(Digest.parse(p));
      assertEquals(c.manifest("team/attested", tag, null).digest(),
          c.manifest("team/attested-copy", tag, null).digest());
    }
    JsonNode again = Json.read(ok("verify", copy, "--key", keys.pub().toString(), "--format", "json")
        .getBytes(), "verify of the copy");
    assertEquals(json.path("attestations"), again.path("attestations"));

    // to an OCI layout and back out to a third repository: the same referrers indexes
    Path layout = tmp.resolve("layout");
    String toLayout = ok("copy", ref, "oci:" + layout + ":1");
    assertEquals(7, toLayout.lines().filter(l -> l.startsWith("copied referrer")).count(),
        toLayout);
    Index layoutIndex = Index.parse(Files.readAllBytes(layout.resolve("index.json")), "index");
    assertEquals(8, layoutIndex.manifests().size(), layoutIndex.toString()); // image, 3 .sig, 4
    String back = reg.host() + "/team/attested-back:1";
    String backOut = ok("copy", "oci:" + layout + ":1", back);
    assertEquals(7, backOut.lines().filter(l -> l.startsWith("copied referrer")).count(),
        backOut);
    for (String p : platforms) {
      String tag = Referrers.tag(Digest.parse(p));
      assertEquals(c.manifest("team/attested", tag, null).digest(),
          c.manifest("team/attested-back", tag, null).digest());
    }
    // the attestations verify there as in the first repository; the signatures carried name
    // team/attested, so verify holds them to that repository (exit 6) until signed again
    RegistryCliIT.Run backVerify = plinth(Map.of(), "verify", back, "--key", keys.pub().toString(),
        "--format", "json");
    JsonNode backJson = Json.read(backVerify.out().getBytes(), "verify of the layout's copy");
    assertEquals(json.path("attestations"), backJson.path("attestations"));
    assertTrue(backJson.path("manifests").path(0).path("problems").toString()
        .contains("not an image of " + reg.host() + "/team/attested-back"), backVerify.out());
    assertEquals(6, backVerify.code(), backVerify.out() + backVerify.err());
    // ... unless told which repository the signatures name (a mirror's copy: remapIdentity)
    RegistryCliIT.Run mirrored = plinth(Map.of(), "verify", back, "--key",
        keys.pub().toString(), "--signed-repository", reg.host() + "/team/attested");
    assertEquals(0, mirrored.code(), mirrored.out() + mirrored.err());
    assertTrue(mirrored.out().contains(reg.host() + "/team/attested:1"), mirrored.out());
    RegistryCliIT.Run other = plinth(Map.of(), "verify", back, "--key",
        keys.pub().toString(), "--signed-repository", reg.host() + "/team/someone-else");
    assertEquals(6, other.code(), other.out() + other.err());
    RegistryCliIT.Run tagged = plinth(Map.of(), "verify", back, "--key",
        keys.pub().toString(), "--signed-repository", reg.host() + "/team/attested:1");
    assertEquals(2, tagged.code(), tagged.out() + tagged.err());
    assertTrue(tagged.err().contains("--signed-repository: '" + reg.host()
        + "/team/attested:1' names a tag or digest"), tagged.err());

    // a tampered attestation: its envelope's signature changed, pushed as another referrer
    Digest first = Digest.parse(platforms.get(0));
    Descriptor entry = Index.parse(c.manifest("team/attested", Referrers.tag(first), null)
        .bytes(), "index").manifests().get(0);
    Manifest m = Manifest.parse(c.manifest("team/attested", entry.digest().toString(),
        entry.digest()).bytes(), "referrer");
    Dsse env = Dsse.parse(c.blob("team/attested", m.layers().get(0)).readAllBytes(), "env");
    byte[] sig = env.signatures().get(0).sig();
    sig[sig.length - 3] ^= 1;
    Blob bad = Blob.of(Dsse.MEDIA_TYPE, new Dsse(env.payloadType(), env.payload(),
        List.of(new Dsse.Signature("", sig))).toJson());
    Manifest tampered = new Manifest(m.mediaType(), m.artifactType(), m.config(),
        List.of(bad.descriptor()), m.subject(), m.annotations());
    Referrers.Pushed pushed = Referrers.push(c, "team/attested", tampered,
        List.of(Blob.of(MediaTypes.OCI_EMPTY, "{}".getBytes()), bad));
    assertTrue(pushed.tagSchema());
    RegistryCliIT.Run v = plinth(Map.of(), "verify", ref, "--key", keys.pub().toString());
    assertEquals(6, v.code(), v.out() + v.err());
    assertTrue(v.err().contains("attestation " + pushed.manifest().digest())
        && v.err().contains("the signature does not match the key"), v.err());
  }

  @Test
  void fileOutput_envelopesNextToIt_peerVerifies() throws Exception {
    Path archive = tmp.resolve("app.tar");
    String out = attest("oci-archive:" + archive);
    List<String> platforms = platformDigests(out);
    for (String kind : List.of("sbom", "provenance")) {
      Path file = tmp.resolve("app.tar." + kind + ".intoto.jsonl");
      assertTrue(out.contains("wrote attestations " + file), out);
      assertEquals(2, Files.readAllLines(file).size());
      for (String p : platforms) {
        // each line is about one platform: the peer checks those about this one
        Peers.Result peer = SigningIT.peerIn(tmp, "dsse", file.toString(), p, keys.pub().toString());
        assertTrue(peer.stdout().contains(kind.equals("sbom") ? Statement.SPDX
            : Statement.SLSA_PROVENANCE), peer.toString());
      }
    }
  }

  @Test
  void layoutOutput_holdsThemAsReferrers_copyToARegistryCarriesThem() throws Exception {
    Path layout = tmp.resolve("built");
    String out = attest("oci:" + layout + ":1");
    assertTrue(out.contains("wrote attestations " + tmp.resolve("built.sbom.intoto.jsonl")), out);
    Index index = Index.parse(Files.readAllBytes(layout.resolve("index.json")), "index");
    assertEquals(5, index.manifests().size(), index.toString()); // the image and 4 referrers
    assertEquals(4, index.manifests().stream().filter(d -> Dsse.IN_TOTO.equals(
        d.artifactType())).count());
    // the layout still reads as its one image without a tag
    String inspected = ok("inspect", "oci:" + layout);
    assertTrue(inspected.contains(digest(out)), inspected);
    assertEquals(4, inspected.lines().filter(l -> l.contains("https://") && l.endsWith(
        ": signed")).count(), inspected); // inspect lists the layout's referrers too
    String ref = reg.host() + "/team/from-layout:1";
    String copied = ok("copy", "oci:" + layout, ref, "--sign-key", keys.key().toString(),
        "--key-password-file", keys.password().toString());
    assertEquals(4, copied.lines().filter(l -> l.startsWith("copied referrer")).count(), copied);
    String verified = ok("verify", ref, "--key", keys.pub().toString());
    assertEquals(4, verified.lines().filter(l -> l.contains("https://") && l.endsWith(
        ": verified")).count(), verified);
  }

  /**
   * The README's figure: what signing and attesting add to a push, interleaved runs of the same
   * build pushed plain and with --sign-key --attest sbom,provenance (the image's blobs are in the
   * registry after the first run, so the push is of manifests, and signing and attesting are the
   * difference). Printed, not asserted; run with PLINTH_BENCH_ATTEST=1.
   */
  @Test
  @org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable(named = "PLINTH_BENCH_ATTEST",
      matches = "1")
  void bench_signingAndAttesting() {
    ok("build", "-f", yaml.toString(), "--to", reg.host() + "/team/bench:warm");
    for (int run = 0; run < 5; run++) {
      long t0 = System.nanoTime();
      ok("build", "-f", yaml.toString(), "--to", reg.host() + "/team/bench:plain" + run);
      long t1 = System.nanoTime();
      String out = attest(reg.host() + "/team/bench:signed" + run);
      long t2 = System.nanoTime();
      System.out.println("AttestationIT bench: plain " + (t1 - t0) / 1_000_000 + " ms, signed"
          + " and attested " + (t2 - t1) / 1_000_000 + " ms; " + out.lines().filter(l ->
              l.endsWith(" ms")).collect(Collectors.joining("; ")));
    }
  }

  @Test
  void base_attestsProvenance_aHostileReferrersIndexIsExit4() throws Exception {
    String ref = reg.host() + "/team/base-attested:1";
    String out = ok("base", "--platform", "linux/amd64", "--to", ref, "--sign-key",
        keys.key().toString(), "--key-password-file", keys.password().toString(), "--attest",
        "sbom,provenance");
    // no packages, so no SBOM: the provenance alone
    List<String> attested = out.lines().filter(l -> l.startsWith("attested ")).toList();
    assertEquals(1, attested.size(), out);
    assertTrue(attested.get(0).contains(Statement.SLSA_PROVENANCE), out);
    JsonNode inspected = Json.read(ok("inspect", ref, "--format", "json").getBytes(), "json");
    assertEquals(Set.of("cosign signature", Statement.SLSA_PROVENANCE), Set.of(
        inspected.path("referrers").get(0).path("kind").asText(),
        inspected.path("referrers").get(1).path("kind").asText()), inspected.toString());
    // the referrers tag holding something other than an index (the registry takes any
    // manifest under a tag): refused, naming it
    Digest image = Digest.parse(digest(out));
    String tag = Referrers.tag(image);
    RegistryClient c = client(ref);
    c.putManifest("team/base-attested", tag, MediaTypes.OCI_MANIFEST,
        c.manifest("team/base-attested", image.toString(), image).bytes());
    RegistryCliIT.Run v = plinth(Map.of(), "verify", ref, "--key", keys.pub().toString());
    assertEquals(4, v.code(), v.out() + v.err());
    assertTrue(v.err().contains(reg.host() + "/team/base-attested:" + tag), v.err());
  }

  @Test
  void attest_usage_errors() throws Exception {
    RegistryCliIT.Run noKey = plinth(Map.of(), "build", "-f", yaml.toString(), "--to",
        "oci:" + tmp.resolve("x"), "--attest", "sbom");
    assertEquals(2, noKey.code(), noKey.err());
    assertTrue(noKey.err().contains("--attest needs --sign-key"), noKey.err());
    RegistryCliIT.Run unknown = plinth(Map.of(), "build", "-f", yaml.toString(), "--to",
        "oci:" + tmp.resolve("x"), "--attest", "sbom,vex", "--sign-key", keys.key().toString());
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("'vex' is not an attestation plinth makes; give sbom,"
        + " provenance or sbom,provenance"), unknown.err());
  }
}
