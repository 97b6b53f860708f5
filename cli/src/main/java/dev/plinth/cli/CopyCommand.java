package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.oci.Artifact;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.MediaTypes;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class CopyCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth copy",
      "Copies an image (every platform of an index, and the artifacts it lists: signatures,"
          + " SBOMs, attestations) from any source to any destination: a registry, oci:DIR[:TAG],"
          + " oci-archive:FILE[:TAG], dir:DIR, docker-archive:FILE[:NAME:TAG] or"
          + " docker-daemon:NAME:TAG. Without --platform and --compression an index is copied"
          + " byte for byte (the same digest). Blobs a registry has are not sent again; digests"
          + " are checked on the way.",
      "Examples:",
      "  plinth copy oci-archive:hello.tar registry.example/app:1.2",
      "  plinth copy registry.example/app:1.2 oci:local-layout:1.2",
      "  plinth copy --compression zstd oci:layout:1 registry.example/app:1-zstd");

  private final Cli.Arg source = cli.parameter("SRC", "The image to copy.").required();

  private final Cli.Arg target = cli.parameter("DST", "Where to copy it.").required();

  private final Cli.Arg platform = cli.option("--platform", "LIST",
      "Comma-separated platforms to copy (default: all the source has).");

  private final Cli.Arg compression = cli.option("--compression", "gzip|zstd|zstd:LEVEL",
      "Recompress the layers that are compressed otherwise (the configs and diff ids stay; the"
          + " manifests and the index get new digests). zstd cannot go to docker-archive or the"
          + " Docker daemon.");

  private final Cli.Arg format = Targets.format(cli);

  private final RegistryFlags registry = new RegistryFlags(cli);

  private final SignFlags sign = new SignFlags(cli);

  @Override
  public int run(Cli.Context context) throws Exception {
    String fmt = registry.textOrJson(format);
    ImageRef src = ImageRef.parse(source.value());
    ImageRef dst = ImageRef.parse(target.value());
    java.security.PrivateKey key = sign.open(dst, context);
    Plinth.Options options = registry.apply(context.options(), context);
    if (compression.value() != null) {
      options = options.withCompression(dev.plinth.oci.Compression.parse(compression.value(),
          options.gzipLevel(), "--compression"));
    }
    Plinth.CopyResult r;
    try {
      r = Plinth.copy(src, dst,
          platform.value() == null ? List.of() : Targets.platforms(platform.value()), options);
    } finally {
      registry.done();
    }
    PrintWriter out = context.out();
    if (fmt.equals("json")) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("source", r.source().toString());
      m.put("reference", r.target().toString());
      m.put("mediaType", r.top().mediaType());
      m.put("digest", r.top().digest().toString());
      List<Object> images = new ArrayList<>();
      for (Image i : r.images()) {
        Map<String, Object> im = new LinkedHashMap<>();
        im.put("platform", i.platform().toString());
        im.put("manifest", i.manifest().descriptor().digest().toString());
        images.add(im);
      }
      m.put("images", images);
      List<Object> artifacts = new ArrayList<>();
      for (Artifact a : r.artifacts()) {
        Map<String, Object> am = new LinkedHashMap<>();
        am.put("artifactType", a.document().kind());
        am.put("manifest", a.manifest().descriptor().digest().toString());
        artifacts.add(am);
      }
      m.put("artifacts", artifacts);
      m.put("notes", r.notes());
      out.println(Json.writePretty(m));
    } else {
      for (String n : r.notes()) {
        out.println(n);
      }
      out.println("copied " + r.source() + " to " + r.target() + " ("
          + MediaTypes.kind(r.top().mediaType()) + " " + r.top().digest() + ")");
      for (Image i : r.images()) {
        out.printf("  %-14s %s%n", i.platform(), i.manifest().descriptor().digest());
      }
      for (Artifact a : r.artifacts()) {
        out.printf("  %-14s %s  %s%n", "artifact", a.manifest().descriptor().digest(),
            a.document().kind());
      }
    }
    for (var d : dev.plinth.builder.Attestations.carry(r, options.registry())) {
      (fmt.equals("json") ? context.err() : out).println("copied referrer " + d);
    }
    SignFlags.sign(key, dst, r.top().digest(), options.registry(),
        fmt.equals("json") ? context.err() : out);
    return 0;
  }
}
