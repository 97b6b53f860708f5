package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/apps.md quotes each recipe's plinth.yaml as the example has it, byte for byte. */
class AppsDocTest {
  private static final Path ROOT = Path.of(System.getProperty("plinth.root", ".."));

  @Test
  void everyQuotedPlinthYaml_equalsTheExamplesFile() throws Exception {
    String doc = Files.readString(ROOT.resolve("docs/apps.md"));
    Matcher m = Pattern.compile("\\[examples/([a-z0-9-]+)/plinth\\.yaml]\\([^)]*\\):\\n\\n"
        + "```yaml\\n(.*?)```\\n", Pattern.DOTALL).matcher(doc);
    Map<String, String> quoted = new TreeMap<>();
    while (m.find()) {
      quoted.put(m.group(1), m.group(2));
    }
    assertEquals(Set.of("c-server", "flask-api", "go-server", "node-api"), quoted.keySet(),
        "the recipes docs/apps.md quotes");
    for (Map.Entry<String, String> e : quoted.entrySet()) {
      assertEquals(Files.readString(ROOT.resolve("examples").resolve(e.getKey())
          .resolve("plinth.yaml")), e.getValue(), "docs/apps.md's copy of examples/"
          + e.getKey() + "/plinth.yaml: paste the file again");
    }
  }
}
