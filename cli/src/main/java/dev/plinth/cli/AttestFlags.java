package dev.plinth.cli;

import dev.plinth.builder.Attestations;
import dev.plinth.builder.BuildResult;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.PlinthException;
import dev.plinth.registry.RegistryOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
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
    return Attestations.requested(attest.value(), "--attest", "--attest", sign.given(),
        "--sign-key FILE", target);
  }

  /** Makes, signs and stores the attestations of {@code result}; says what it did. */
  static void attest(Set<Attestations.Kind> kinds, PrivateKey key, BuildResult result,
      Path buildFile, Path lockFile, long epochSeconds, RegistryOptions options, PrintWriter out)
      throws IOException, PlinthException {
    Attestations.attach(kinds, key, result, buildFile, lockFile, epochSeconds, options)
        .forEach(out::println);
  }
}
