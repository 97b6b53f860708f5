package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.Manifest;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Sizes;
import dev.plinth.registry.Attestations;
import dev.plinth.registry.RegistryRef;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class InspectCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth inspect",
      "Shows an image's platforms, layers, config and sizes, and the artifacts (signatures,"
          + " SBOMs, attestations) an index lists.",
      "Example: plinth inspect oci-archive:base.tar");

  private final Cli.Arg ref = cli.parameter("REF",
      "oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:DIR, docker-archive:FILE[:NAME:TAG],"
          + " docker-daemon:NAME:TAG, or a registry reference HOST[:PORT]/REPO[:TAG|@DIGEST]"
          + " (read without its layers).")
      .required();

  private final Cli.Arg format = cli.option("--format", "text|json",
      "Output format (default: text).")
      .defaultValue("text");

  private final RegistryFlags registry = new RegistryFlags(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    String fmt = registry.textOrJson(format);
    ImageRef r = ImageRef.parse(ref.value());
    Plinth.Options options = registry.apply(context.options(), context);
    ImageIndex index = Plinth.read(r, options);
    List<ImageReport> images = new ArrayList<>();
    List<Digest> subjects = new ArrayList<>(List.of(index.top().digest()));
    for (Image image : index.images()) {
      images.add(ImageReport.of(r, image));
      subjects.add(image.manifest().descriptor().digest());
    }
    // what refers to them in the registry or layout: signatures, attestations, other
    // referrers (an archive holds none: nothing more is loaded for it, StartupIT counts)
    List<Attestations.Found> referrers = List.of();
    if (ImageRef.REGISTRY.equals(r.transport()) || ImageRef.OCI.equals(r.transport())) {
      List<Digest> distinct = new ArrayList<>(new java.util.LinkedHashSet<>(subjects));
      referrers = ImageRef.REGISTRY.equals(r.transport())
          ? Attestations.find(RegistryRef.parse(r.name()), distinct, null, true,
              options.registry())
          : Attestations.findInLayout(r.path(), distinct, null);
    }
    PrintWriter out = context.out();
    if (fmt.equals("json")) {
      Map<String, Object> m = json(r, index, images);
      m.put("referrers", referrersJson(referrers));
      out.println(Json.writePretty(m));
    } else {
      printText(r, index, images, out);
      printReferrers(referrers, out);
    }
    return 0;
  }

  /**
   * Referrers as JSON: subject, manifest, kind (a predicate type, an artifact type or "cosign
   * signature"), signed, and with a key verified and problem.
   */
  static List<Object> referrersJson(List<Attestations.Found> found) {
    List<Object> list = new ArrayList<>();
    for (Attestations.Found f : found) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("subject", f.subject().toString());
      m.put("manifest", f.manifest().toString());
      m.put("kind", f.kind());
      m.put("signed", f.signed());
      if (f.verified() != null) {
        m.put("verified", f.verified());
      }
      if (f.problem() != null) {
        m.put("problem", f.problem());
      }
      list.add(m);
    }
    return list;
  }

  /** Referrers as text, a line each (and its problem under it). */
  static void printReferrers(List<Attestations.Found> found, PrintWriter out) {
    if (!found.isEmpty()) {
      out.println();
      out.println("  referrers");
    }
    for (Attestations.Found f : found) {
      String state = f.verified() != null ? (f.verified() ? "verified" : "NOT verified")
          : f.signed() ? "signed" : "unsigned";
      out.println("    " + f.manifest() + "  " + f.kind() + "  of " + f.subject() + ": "
          + state);
      if (f.problem() != null) {
        out.println("      " + f.problem());
      }
    }
  }

  /** One image as inspect shows it: its config read, its size added up. */
  private record ImageReport(Image image, ImageConfig config, long size) {
    static ImageReport of(ImageRef ref, Image image) throws Exception {
      ImageConfig config = ImageConfig.parse(image.config().readAllBytes(),
          ref + " (" + image.platform() + ") config");
      long size = image.config().descriptor().size() + image.manifest().descriptor().size();
      for (Layer l : image.layers()) {
        size += l.blob().descriptor().size();
      }
      return new ImageReport(image, config, size);
    }
  }

  private static Map<String, Object> json(ImageRef ref, ImageIndex index,
      List<ImageReport> images) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", ref.toString());
    m.put("mediaType", index.top().mediaType());
    m.put("digest", index.top().digest().toString());
    List<Object> list = new ArrayList<>();
    for (ImageReport r : images) {
      Image image = r.image();
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("platform", image.platform().toString());
      i.put("manifest", image.manifest().descriptor().digest().toString());
      i.put("configDigest", image.config().descriptor().digest().toString());
      i.put("created", r.config().created());
      i.put("config", r.config().runConfig().toJson());
      List<Object> layers = new ArrayList<>();
      for (Layer l : image.layers()) {
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("digest", l.blob().descriptor().digest().toString());
        lm.put("mediaType", l.blob().descriptor().mediaType());
        lm.put("size", l.blob().descriptor().size());
        lm.put("diffId", l.diffId().toString());
        layers.add(lm);
      }
      i.put("layers", layers);
      i.put("size", r.size());
      list.add(i);
    }
    m.put("images", list);
    List<Object> artifacts = new ArrayList<>();
    for (Artifact a : index.artifacts()) {
      artifacts.add(artifact(a));
    }
    m.put("artifacts", artifacts);
    return m;
  }

  private static Map<String, Object> artifact(Artifact a) throws Exception {
    Manifest doc = a.document();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("manifest", a.manifest().descriptor().digest().toString());
    m.put("artifactType", doc.kind());
    if (doc.subject() != null) {
      m.put("subject", doc.subject().digest().toString());
    }
    long size = a.manifest().descriptor().size();
    List<Object> blobs = new ArrayList<>();
    for (Descriptor d : doc.layers()) {
      blobs.add(Map.of("digest", d.digest().toString(), "mediaType", d.mediaType(),
          "size", d.size()));
      size += d.size();
    }
    m.put("blobs", blobs);
    m.put("size", size + doc.config().size());
    if (!doc.annotations().isEmpty()) {
      m.put("annotations", new java.util.TreeMap<>(doc.annotations()));
    }
    return m;
  }

  private static void printText(ImageRef ref, ImageIndex index, List<ImageReport> images,
      PrintWriter out) throws Exception {
    out.println(ref);
    out.println("  " + MediaTypes.kind(index.top().mediaType()) + " " + index.top().digest());
    for (ImageReport r : images) {
      Image image = r.image();
      ImageConfig.Config c = r.config().runConfig();
      out.println();
      out.println("  " + image.platform());
      out.println("    manifest    " + image.manifest().descriptor().digest());
      out.println("    config      " + image.config().descriptor().digest());
      out.println("    created     " + r.config().created());
      line(out, "user", c.user());
      line(out, "entrypoint", c.entrypoint().isEmpty() ? null : Json.write(c.entrypoint()));
      line(out, "cmd", c.cmd().isEmpty() ? null : Json.write(c.cmd()));
      line(out, "workdir", c.workingDir());
      line(out, "stop signal", c.stopSignal());
      line(out, "ports", c.exposedPorts().isEmpty() ? null
          : new String(Json.write(c.toJson().get("ExposedPorts")), java.nio.charset.StandardCharsets.UTF_8));
      for (String e : c.env()) {
        out.println("    env         " + e);
      }
      c.labels().forEach((k, v) -> out.println("    label       " + k + "=" + v));
      out.println("    layers      " + image.layers().size());
      for (Layer l : image.layers()) {
        out.println("      " + l.blob().descriptor().digest() + "  "
            + Sizes.decimal(l.blob().descriptor().size()));
      }
      out.println("    size        " + Sizes.decimal(r.size()) + " compressed");
    }
    for (Artifact a : index.artifacts()) {
      Map<String, Object> m = artifact(a);
      out.println();
      out.println("  artifact " + m.get("artifactType"));
      out.println("    manifest    " + m.get("manifest"));
      if (m.containsKey("subject")) {
        out.println("    subject     " + m.get("subject"));
      }
      out.println("    size        " + Sizes.decimal((Long) m.get("size")));
    }
  }

  private static void line(PrintWriter out, String name, Object value) {
    if (value == null) {
      return;
    }
    String text = value instanceof byte[] b
        ? new String(b, StandardCharsets.UTF_8) : value.toString();
    out.printf("    %-11s %s%n", name, text);
  }
}
