package dev.plinth.cli;

import dev.plinth.builder.Attestations;
import dev.plinth.builder.BuildResult;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.registry.Attestations.Attestation;
import dev.plinth.registry.Referrers;
import dev.plinth.registry.RegistryOptions;
import dev.plinth.registry.RegistryRef;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.List;
import java.util.Set;

/**
 * --attest: signed in-toto attestations of what a build made (its SBOM, its SLSA provenance),
 * pushed as referrers of each platform's manifest, or written next to a file output.
 */
final class AttestFlags {
  private final Cli.Arg attest;

  AttestFlags(Cli cli) {
    attest = cli.option("--attest", "LIST",
        "Attach signed in-toto attestations to each platform's image: sbom (its SPDX"
            + " document), provenance (SLSA v1: build file, lock, plinth version, inputs'"
            + " digests), or sbom,provenance. Needs --sign-key. Pushed as OCI referrers to a"
            + " registry; written next to a file output as FILE.KIND.intoto.jsonl"
            + " (docs/signing.md).");
  }

  /**
   * The kinds asked for, validated; empty without --attest. Without --sign-key it is a usage
   * error naming the fix: an attestation plinth makes is always signed.
   */
  Set<Attestations.Kind> kinds(SignFlags sign, ImageRef target) throws PlinthException {
    if (attest.value() == null) {
      return Set.of();
    }
    Set<Attestations.Kind> kinds = Attestations.parse(attest.value(), "--attest");
    if (!sign.given()) {
      throw new PlinthException(Kind.USAGE, "--attest needs --sign-key FILE: plinth signs"
          + " every attestation it makes (make a key with 'plinth key generate')");
    }
    if (!ImageRef.REGISTRY.equals(target.transport()) && target.path() == null) {
      throw new PlinthException(Kind.USAGE, "--attest: " + target + " is neither a registry nor"
          + " a file; attestations are pushed to a registry or written next to a file output");
    }
    return kinds;
  }

  /** Makes, signs and stores the attestations of {@code result}; says what it did. */
  static void attest(Set<Attestations.Kind> kinds, PrivateKey key, BuildResult result,
      Path buildFile, Path lockFile, long epochSeconds, RegistryOptions options, PrintWriter out)
      throws IOException, PlinthException {
    if (kinds.isEmpty()) {
      return;
    }
    long start = System.nanoTime();
    List<Attestation> list = Attestations.statements(result, kinds, buildFile, lockFile,
        epochSeconds);
    ImageRef target = result.target();
    if (ImageRef.REGISTRY.equals(target.transport())) {
      List<Referrers.Pushed> pushed = dev.plinth.registry.Attestations.push(
          RegistryRef.parse(target.name()), list, key, options);
      for (int i = 0; i < list.size(); i++) {
        Referrers.Pushed p = pushed.get(i);
        out.println("attested " + list.get(i).subject().digest() + " "
            + list.get(i).statement().predicateType() + " (" + p.manifest().digest()
            + (p.tagSchema() ? ", listed in " + Referrers.tag(list.get(i).subject().digest())
                : ", indexed by the registry") + ")");
      }
    } else {
      for (Path f : Attestations.writeNextTo(target, list, key)) {
        out.println("wrote attestations " + f);
      }
    }
    out.println("attesting took " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }
}
