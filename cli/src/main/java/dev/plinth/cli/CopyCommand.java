package dev.plinth.cli;

import dev.plinth.build.Plinth;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "copy", mixinStandardHelpOptions = true,
    description = {"Copies an image (every platform of an index) from any source to any"
        + " destination: a registry, oci:DIR[:TAG], oci-archive:FILE[:TAG] or"
        + " docker-archive:FILE[:NAME:TAG]. Blobs a registry has are not sent again; digests are"
        + " checked on the way.",
        "Example: plinth copy oci-archive:hello.tar registry.example/app:1.2",
        "         plinth copy registry.example/app:1.2 oci:local-layout:1.2"})
final class CopyCommand implements java.util.concurrent.Callable<Integer> {
  @ParentCommand Main main;

  @Mixin RegistryFlags registry;

  @Parameters(index = "0", paramLabel = "SRC", description = "The image to copy.")
  String source;

  @Parameters(index = "1", paramLabel = "DST", description = "Where to copy it.")
  String target;

  @Option(names = "--platform", paramLabel = "LIST",
      description = "Comma-separated platforms to copy (default: all the source has).")
  String platform;

  @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
      description = "How to report what was written (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  public Integer call() throws Exception {
    String fmt = registry.format(format);
    if (!fmt.equals("text") && !fmt.equals("json")) {
      throw new PlinthException(PlinthException.Kind.USAGE,
          "--format must be text or json, not '" + format + "'");
    }
    ImageRef src = ImageRef.parse(source);
    ImageRef dst = ImageRef.parse(target);
    PrintWriter err = main.spec.commandLine().getErr();
    Plinth.Options options = registry.apply(Plinth.Options.fromEnvironment(main.env), main.env, err);
    Plinth.CopyResult r;
    try {
      r = Plinth.copy(src, dst, platform == null ? List.of() : Targets.platforms(platform), options);
    } finally {
      registry.done();
    }
    PrintWriter out = main.spec.commandLine().getOut();
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
      out.println(Json.writePretty(m));
    } else {
      out.println("copied " + r.source() + " to " + r.target() + " ("
          + Targets.kind(r.top().mediaType()) + " " + r.top().digest() + ")");
      for (Image i : r.images()) {
        out.printf("  %-14s %s%n", i.platform(), i.manifest().descriptor().digest());
      }
    }
    return 0;
  }
}
