package dev.plinth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class InspectCommand implements Cli.Command {
  private final Cli cli = new Cli("plinth inspect",
      "Shows an image's platforms, layers, config and sizes.",
      "Example: plinth inspect oci-archive:base.tar");

  private final Cli.Arg ref = cli.parameter("REF",
      "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG], or a registry"
          + " reference HOST[:PORT]/REPO[:TAG|@DIGEST] (read without its layers).")
      .required();

  private final Cli.Arg format = cli.option("--format", "text|json",
      "Output format (default: text).")
      .defaultValue("text");

  private final RegistryFlags registry = new RegistryFlags(cli);

  @Override
  public Cli cli() {
    return cli;
  }

  @Override
  public int run(Cli.Context context) throws Exception {
    String fmt = registry.textOrJson(format);
    ImageRef r = ImageRef.parse(ref.value());
    ImageReader.Result result = Plinth.read(r, registry.apply(
        Plinth.Options.fromEnvironment(context.env()), context.env(), context.err()));
    Map<String, Object> report = report(r, result);
    PrintWriter out = context.out();
    if (fmt.equals("json")) {
      out.println(Json.writePretty(report));
    } else {
      printText(report, out);
    }
    return 0;
  }

  private static Map<String, Object> report(ImageRef ref, ImageReader.Result result) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", ref.toString());
    m.put("mediaType", result.topMediaType());
    m.put("digest", result.topDigest().toString());
    List<Object> images = new ArrayList<>();
    for (Image image : result.index().images()) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("platform", image.platform().toString());
      i.put("manifest", image.manifest().descriptor().digest().toString());
      i.put("configDigest", image.config().descriptor().digest().toString());
      JsonNode config = Json.read(image.config().readAllBytes(), ref + " config");
      i.put("created", config.path("created").asText(null));
      i.put("config", config.path("config"));
      List<Object> layers = new ArrayList<>();
      long compressed = image.config().descriptor().size() + image.manifest().descriptor().size();
      for (Layer l : image.layers()) {
        Map<String, Object> lm = new LinkedHashMap<>();
        lm.put("digest", l.blob().descriptor().digest().toString());
        lm.put("mediaType", l.blob().descriptor().mediaType());
        lm.put("size", l.blob().descriptor().size());
        lm.put("diffId", l.diffId().toString());
        layers.add(lm);
        compressed += l.blob().descriptor().size();
      }
      i.put("layers", layers);
      i.put("size", compressed);
      images.add(i);
    }
    m.put("images", images);
    return m;
  }

  @SuppressWarnings("unchecked")
  private static void printText(Map<String, Object> report, PrintWriter out) {
    out.println(report.get("reference"));
    out.println("  " + Targets.kind((String) report.get("mediaType")) + " " + report.get("digest"));
    for (Object o : (List<Object>) report.get("images")) {
      Map<String, Object> i = (Map<String, Object>) o;
      out.println();
      out.println("  " + i.get("platform"));
      out.println("    manifest    " + i.get("manifest"));
      out.println("    config      " + i.get("configDigest"));
      out.println("    created     " + i.get("created"));
      JsonNode c = (JsonNode) i.get("config");
      line(out, "user", c.path("User"));
      line(out, "entrypoint", c.path("Entrypoint"));
      line(out, "cmd", c.path("Cmd"));
      line(out, "workdir", c.path("WorkingDir"));
      line(out, "stop signal", c.path("StopSignal"));
      line(out, "ports", c.path("ExposedPorts"));
      for (JsonNode e : c.path("Env")) {
        out.println("    env         " + e.asText());
      }
      c.path("Labels").fields().forEachRemaining(e ->
          out.println("    label       " + e.getKey() + "=" + e.getValue().asText()));
      List<Object> layers = (List<Object>) i.get("layers");
      out.println("    layers      " + layers.size());
      for (Object lo : layers) {
        Map<String, Object> l = (Map<String, Object>) lo;
        out.println("      " + l.get("digest") + "  " + Targets.size((Long) l.get("size")));
      }
      out.println("    size        " + Targets.size((Long) i.get("size")) + " compressed");
    }
  }

  private static void line(PrintWriter out, String name, JsonNode value) {
    if (value.isMissingNode() || value.isNull()) {
      return;
    }
    // Json.write, not JsonNode.toString: that builds an ObjectMapper (some 400 classes)
    String text = value.isTextual() ? value.asText()
        : new String(Json.write(value), StandardCharsets.UTF_8);
    out.printf("    %-11s %s%n", name, text);
  }
}
