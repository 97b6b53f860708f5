package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What inspect prints of an image's config. */
class InspectCommandTest {
  @TempDir Path tmp;

  private String plinth(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err), Map.of());
    assertEquals(0, code, out + "" + err);
    return out.toString();
  }

  /** Lists and objects as compact JSON, text as it is (written without an ObjectMapper). */
  @Test
  void configListsAndObjects_printedAsCompactJson() throws Exception {
    Files.writeString(tmp.resolve("f.txt"), "hi\n");
    Files.writeString(tmp.resolve("plinth.yaml"), """
        platforms: [linux/amd64]
        files: [{src: f.txt, dest: /f.txt}]
        entrypoint: [/bin/app, "--name=\u00e9 \\"quoted\\""]
        cmd: [serve]
        ports: [8080]
        """);
    Path out = tmp.resolve("x.tar");
    plinth("build", "-f", tmp.resolve("plinth.yaml").toString(), "--to", "oci-archive:" + out);
    String text = plinth("inspect", "oci-archive:" + out);
    assertTrue(text.contains("\n    entrypoint  [\"/sbin/plinth-init\",\"--\",\"/bin/app\","
        + "\"--name=\u00e9 \\\"quoted\\\"\"]\n"), text);
    assertTrue(text.contains("\n    cmd         [\"serve\"]\n"), text);
    assertTrue(text.contains("\n    ports       {\"8080/tcp\":{}}\n"), text);
    assertTrue(text.contains("\n    user        65532:65532\n"), text);
  }
}
