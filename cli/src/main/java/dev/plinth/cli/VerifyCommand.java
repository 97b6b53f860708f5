package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.registry.Attestations;
import dev.plinth.registry.CosignKeys;
import dev.plinth.registry.CosignSignatures;
import dev.plinth.registry.RegistryRef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code plinth verify}: checks an image's cosign signatures against a public key. */
final class VerifyCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth verify",
      "Checks that an image in a registry is signed by the key: a cosign signature"
          + " (sha256-HEX.sig in its repository, as plinth, cosign and skopeo write them) over"
          + " the manifest digest the reference names, for an image of that repository. For an"
          + " index, each platform's manifest is listed too (signed or not). Exits 0 when"
          + " verified, 6 when not (docs/exit-codes.md).",
      "Example:",
      "  plinth verify registry.example/app:1 --key cosign.pub");

  private final Cli.Arg image = cli.parameter("IMAGE",
      "The image, in a registry: HOST/REPO:TAG or HOST/REPO@sha256:DIGEST.").required();

  private final Cli.Arg key = cli.option("--key", "FILE",
      "The public key (PEM) signatures must verify with, e.g. cosign.pub.").required();

  private final Cli.Arg signedRepository = cli.option("--signed-repository", "HOST/REPO",
      "The repository the signatures must name, when it is not the image's own: a copy in a"
          + " mirror keeps the signatures made where the image was pushed first (as"
          + " containers/image's remapIdentity). Default: the image's repository.");

  private final Cli.Arg format = Targets.format(cli);

  private final RegistryFlags registry = new RegistryFlags(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    String fmt = registry.textOrJson(format);
    ImageRef ref = ImageRef.parse(image.value());
    if (!ImageRef.REGISTRY.equals(ref.transport())) {
      throw new PlinthException(Kind.USAGE, "plinth verify: " + ref + " is not in a registry;"
          + " signatures are stored in a registry next to the image");
    }
    RegistryRef signedAs = null;
    if (signedRepository.value() != null) {
      signedAs = RegistryRef.parse(signedRepository.value());
      if (signedAs.digest() != null || signedAs.tag() != null
          && signedRepository.value().endsWith(":" + signedAs.tag())) {
        throw new PlinthException(Kind.USAGE, "--signed-repository: '"
            + signedRepository.value() + "' names a tag or digest; give the repository alone,"
            + " HOST/REPO (a signature for any tag of it is accepted)");
      }
    }
    Path file = Path.of(key.value());
    PublicKey pub = CosignKeys.readPublic(SignFlags.read(file, "--key"), file.toString());
    Plinth.Options options = registry.apply(context.options(), context);
    List<CosignSignatures.Check> checks;
    List<Attestations.Found> found;
    try {
      RegistryRef rr = RegistryRef.parse(ref.name());
      checks = CosignSignatures.verify(rr, pub, signedAs, options.registry());
      found = Attestations.find(rr, checks.stream().map(CosignSignatures.Check::manifest)
          .toList(), pub, false, options.registry());
    } finally {
      registry.done();
    }
    List<Attestations.Found> bad = found.stream().filter(f -> Boolean.FALSE.equals(f.verified()))
        .toList();
    boolean ok = checks.get(0).verified() && bad.isEmpty();
    PrintWriter out = context.out();
    if (fmt.equals("json")) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("reference", ref.name());
      m.put("verified", ok);
      List<Object> list = new ArrayList<>();
      for (CosignSignatures.Check c : checks) {
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("digest", c.manifest().toString());
        cm.put("verified", c.verified());
        cm.put("identities", c.identities());
        cm.put("problems", c.problems());
        list.add(cm);
      }
      m.put("manifests", list);
      m.put("attestations", InspectCommand.referrersJson(found));
      out.println(Json.writePretty(m));
    } else {
      for (int i = 0; i < checks.size(); i++) {
        CosignSignatures.Check c = checks.get(i);
        String label = i == 0 ? ref.name() : "  manifest";
        if (c.verified()) {
          out.println(label + " " + c.manifest() + ": verified, signed as "
              + String.join(", ", c.identities()));
        } else {
          out.println(label + " " + c.manifest() + ": NOT verified");
        }
        for (String p : c.problems()) {
          out.println("    " + p);
        }
      }
      InspectCommand.printReferrers(found, out);
    }
    if (!checks.get(0).verified()) {
      context.err().println("plinth: " + ref.name() + " is not signed by " + file
          + " (exit " + ExitCode.NOT_VERIFIED.code + ")");
    }
    for (Attestations.Found f : bad) {
      context.err().println("plinth: " + f.problem() + " (exit " + ExitCode.NOT_VERIFIED.code
          + ")");
    }
    return ok ? 0 : ExitCode.NOT_VERIFIED.code;
  }
}
