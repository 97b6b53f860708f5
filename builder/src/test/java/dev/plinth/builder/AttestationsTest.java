package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Version;
import dev.plinth.registry.Attestations.Attestation;
import dev.plinth.registry.Statement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spdx.tools.SpdxToolsHelper;
import org.spdx.tools.Verify;

/** The statements a build attests: their shape, their inputs, nothing of the host in them. */
class AttestationsTest {
  @TempDir Path tmp;

  static final Set<Attestations.Kind> BOTH = EnumSet.allOf(Attestations.Kind.class);

  @Test
  void parse_namesTheAllowedOnes() throws Exception {
    assertEquals(BOTH, Attestations.parse("provenance,sbom", "--attest"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> Attestations.parse("sbom,slsa", "--attest"));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertEquals("--attest: 'slsa' is not an attestation plinth makes; give sbom, provenance or"
        + " sbom,provenance", e.getMessage());
  }

  @Test
  void provenance_namesInputsRelativeToTheContext_sameWherever() throws Exception {
    Digest base = Digest.of("base manifest".getBytes());
    byte[] sbom = ("{\"packages\":[{\"name\":\"zlib1g\",\"externalRefs\":[{\"referenceType\":"
        + "\"purl\",\"referenceLocator\":\"pkg:deb/debian/zlib1g@1:1.2.13?arch=amd64\"}],"
        + "\"checksums\":[{\"algorithm\":\"SHA256\",\"checksumValue\":\""
        + Digest.of("deb".getBytes()).hex() + "\"}]}]}").getBytes(StandardCharsets.UTF_8);
    String first = null;
    for (String where : List.of("one", "two/deeper")) {
      Path dir = Files.createDirectories(tmp.resolve(where));
      Files.writeString(dir.resolve("plinth.yaml"), "name: x\n");
      Files.writeString(dir.resolve("plinth.lock"), "{}\n");
      BuildResult r = result(sbom, Map.of("registry.example/base:1", base));
      List<Attestation> list = Attestations.statements(r, BOTH, dir.resolve("plinth.yaml"),
          dir.resolve("plinth.lock"), 1700000000);
      assertEquals(2, list.size());
      String json = new String(list.get(1).statement().toJson(), StandardCharsets.UTF_8);
      assertFalse(json.contains(tmp.toString()), "no host path: " + json);
      if (first == null) {
        first = json;
      }
      assertEquals(first, json, "the same statement from another directory");
    }
    JsonNode st = Json.read(first.getBytes(StandardCharsets.UTF_8), "provenance");
    assertEquals(Statement.TYPE, st.path("_type").asText());
    assertEquals(Statement.SLSA_PROVENANCE, st.path("predicateType").asText());
    JsonNode def = st.path("predicate").path("buildDefinition");
    assertEquals(Attestations.BUILD_TYPE, def.path("buildType").asText());
    assertEquals("plinth.yaml", def.path("externalParameters").path("buildFile").asText());
    assertEquals("plinth.lock", def.path("externalParameters").path("lockFile").asText());
    assertEquals(1700000000, def.path("internalParameters").path("SOURCE_DATE_EPOCH").asLong());
    JsonNode deps = def.path("resolvedDependencies");
    assertEquals("file:plinth.yaml", deps.get(0).path("uri").asText());
    assertEquals(Digest.of("name: x\n".getBytes()).hex(),
        deps.get(0).path("digest").path("sha256").asText());
    assertEquals("registry.example/base:1", deps.get(2).path("uri").asText());
    assertEquals(base.hex(), deps.get(2).path("digest").path("sha256").asText());
    assertEquals("pkg:deb/debian/zlib1g@1:1.2.13?arch=amd64", deps.get(3).path("uri").asText());
    assertEquals(Version.PLINTH, st.path("predicate").path("runDetails").path("builder")
        .path("version").path("plinth").asText());
    assertFalse(first.contains("startedOn") || first.contains("finishedOn"), "no clock");
  }

  static BuildResult result(byte[] sbom, Map<String, Digest> inputs) throws Exception {
    Digest m = Digest.of("manifest".getBytes());
    return new BuildResult(ImageRef.parse("oci:out"), new Descriptor(MediaTypes.OCI_MANIFEST, m,
        8), List.of(new BuildResult.PlatformImage(Platform.LINUX_AMD64, m, 1, 1, 1, 1, 8, sbom,
            inputs)), List.of(), List.of());
  }

  /**
   * Checks the statements of a real build ({@code DebianBuildTest}'s Java app with Debian
   * packages): the SBOM statement's predicate is the platform's SPDX document, valid by SPDX
   * tools' Verify; the provenance names the jar by purl and digest.
   */
  static void checkBuild(BuildResult result, Path tmp, Path jar) throws Exception {
    List<Attestation> list = Attestations.statements(result, BOTH, null, null, 0);
    Attestation sbom = list.get(0);
    assertEquals(Statement.SPDX, sbom.statement().predicateType());
    assertTrue(sbom.statement().about(result.images().get(0).manifest()));
    Path predicate = tmp.resolve("predicate.spdx.json");
    Files.write(predicate, Json.write(sbom.statement().predicate()));
    org.spdx.library.SpdxModelFactory.init();
    assertEquals(List.of(), Verify.verify(predicate.toString(), SpdxToolsHelper.SerFileType.JSON));
    String provenance = new String(list.get(1).statement().toJson(), StandardCharsets.UTF_8);
    assertTrue(provenance.contains("\"uri\":\"pkg:maven/org.eclipse.jetty/jetty-server@12.0.15\""
        + ",\"digest\":{\"sha256\":\"" + Digest.of(jar).hex() + "\"}"), provenance);
  }
}
