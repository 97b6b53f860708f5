package dev.plinth.cli;

import dev.plinth.builder.BuildResult;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Shared bits of the commands: platform lists and printing results. */
final class Targets {
  /** --to, the image a command writes. */
  static Cli.Arg to(Cli cli) {
    return cli.option("--to", "REF",
        "Where to write: oci:DIR[:TAG], oci-archive:FILE[:TAG], dir:DIR (skopeo's directory),"
            + " docker-archive:FILE[:NAME:TAG] (one platform), docker-daemon:NAME:TAG (loads the"
            + " daemon's own platform into Docker or Podman at $DOCKER_HOST), or a registry:"
            + " HOST[:PORT]/REPO[:TAG] (docker:// before it is accepted).")
        .required();
  }

  /** --format, how a command that writes an image reports it. */
  static Cli.Arg format(Cli cli) {
    return cli.option("--format", "text|json", "How to report what was written (default: text).")
        .defaultValue("text");
  }

  static List<Platform> platforms(String csv) throws PlinthException {
    List<Platform> out = new ArrayList<>();
    for (String s : csv.split(",")) {
      Platform p;
      try {
        p = Platform.parse(s);
      } catch (IllegalArgumentException e) {
        throw new PlinthException(PlinthException.Kind.USAGE, "--platform: " + e.getMessage());
      }
      if (!p.os().equals("linux") || p.elfMachine() < 0) {
        throw new PlinthException(PlinthException.Kind.USAGE,
            "--platform: '" + s + "' is not supported: use linux/amd64 or linux/arm64");
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** Prints what a build wrote, as text or (format "json") as one JSON document. */
  static void print(BuildResult r, String format, PrintWriter out) throws PlinthException {
    switch (format) {
      case "text" -> r.lines().forEach(out::println);
      case "json" -> {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("reference", r.target().toString());
        m.put("mediaType", r.top().mediaType());
        m.put("digest", r.top().digest().toString());
        List<Object> images = new ArrayList<>();
        for (BuildResult.PlatformImage i : r.images()) {
          java.util.Map<String, Object> im = new java.util.LinkedHashMap<>();
          im.put("platform", i.platform().toString());
          im.put("manifest", i.manifest().toString());
          im.put("layers", i.layers());
          im.put("fileBytes", i.fileBytes());
          im.put("tarBytes", i.tarBytes());
          im.put("compressedBytes", i.compressedBytes());
          images.add(im);
        }
        m.put("images", images);
        List<String> sboms = new ArrayList<>();
        r.sboms().forEach(f -> sboms.add(f.toString()));
        m.put("sboms", sboms);
        m.put("notes", r.notes());
        out.println(dev.plinth.oci.Json.writePretty(m));
      }
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "--format must be text or json, not '" + format + "'");
    }
  }

  private Targets() {}
}
