package dev.plinth.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.BuildResult;
import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
import dev.plinth.registry.CosignKeys;
import dev.plinth.registry.CosignSignatures;
import dev.plinth.registry.RegistryRef;
import dev.plinth.registry.SigningKey;
import dev.plinth.registry.TestRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build goal's signKey against Debian's docker-registry on 127.0.0.1: the key opened as the
 * goal opens it (password from COSIGN_PASSWORD), the pushed index and each manifest signed as the
 * goal signs them, and the signatures verified with the public key as {@code plinth verify} does.
 */
class SignKeyIT {
  @TempDir Path tmp;

  @Test
  void signKey_signsThePushedIndex_verifiedWithThePublicKey_otherKeyRefused() throws Exception {
    CosignKeys.Pair pair = CosignKeys.generate("s3cret".getBytes(StandardCharsets.UTF_8));
    Path key = Files.writeString(tmp.resolve("cosign.key"), pair.privatePem());
    try (TestRegistry registry = TestRegistry.plain()) {
      ImageRef target = ImageRef.parse(registry.host() + "/signed:1");
      PrivateKey k = BuildParameters.signingKey(key, null,
          Map.of(SigningKey.PASSWORD_ENV, "s3cret"), target);
      Plinth.Options options = Plinth.Options.of(tmp.resolve("cache"));
      BuildResult built = Plinth.build(BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS), target,
          List.of(), options);
      List<String> lines = SigningKey.sign(k, target, built.top().digest(), options.registry());
      assertEquals(4, lines.size(), "the index, two manifests, the time: " + lines);
      assertTrue(lines.get(0).startsWith("signed " + built.top().digest()), lines.toString());

      List<CosignSignatures.Check> checks = CosignSignatures.verify(
          RegistryRef.parse(target.name()), CosignKeys.readPublic(pair.publicPem(), "cosign.pub"),
          options.registry());
      assertEquals(3, checks.size(), checks.toString());
      assertTrue(checks.stream().allMatch(CosignSignatures.Check::verified), checks.toString());

      // attest: the provenance of each platform (plinth base has no packages: no SBOM), pushed
      // as referrers (the tag schema: docker-registry has no referrers API) and verified
      Path pom = Files.writeString(tmp.resolve("pom.xml"), "<project/>");
      List<String> attested = dev.plinth.builder.Attestations.attach(
          BuildParameters.attestations("sbom,provenance", true, target), k, built, pom, null,
          options.epochSeconds(), options.registry());
      assertEquals(3, attested.size(), "two platforms' provenance, the time: " + attested);
      List<dev.plinth.oci.Digest> platforms = built.images().stream()
          .map(BuildResult.PlatformImage::manifest).toList();
      List<dev.plinth.registry.Attestations.Found> found = dev.plinth.registry.Attestations.find(
          RegistryRef.parse(target.name()), platforms,
          CosignKeys.readPublic(pair.publicPem(), "cosign.pub"), false, options.registry());
      assertEquals(2, found.size(), found.toString());
      assertTrue(found.stream().allMatch(f -> Boolean.TRUE.equals(f.verified())
          && f.kind().contains("slsa.dev/provenance")), found.toString());

      String other = CosignKeys.generate("x".getBytes(StandardCharsets.UTF_8)).publicPem();
      assertFalse(CosignSignatures.verify(RegistryRef.parse(target.name()),
          CosignKeys.readPublic(other, "other.pub"), options.registry()).get(0).verified());
    }
  }
}
