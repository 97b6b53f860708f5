package dev.plinth.audit;

import static dev.plinth.audit.TestImages.app;
import static dev.plinth.audit.TestImages.audit;
import static dev.plinth.audit.TestImages.base;
import static dev.plinth.audit.TestImages.config;
import static dev.plinth.audit.TestImages.gzipLayer;
import static dev.plinth.audit.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.TestTar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The three report formats: a table, JSON, SARIF 2.1.0. */
class ReportFormatsTest {
  private static AuditReport twoPlatforms() throws Exception {
    Map<String, Object> c = config();
    c.put("User", "");
    TestTar extra = new TestTar().file("app/helper", new byte[] {1}, 04755);
    return audit(image(Platform.LINUX_AMD64, c, List.of(), gzipLayer(base().bytes()), app(),
        gzipLayer(extra.bytes())), image(Platform.LINUX_ARM64, c, List.of(),
        gzipLayer(base().bytes()), gzipLayer(new TestTar().file("app/server", TestElf.program()
            .interpreter(null).machine(183).build(), 0755).bytes())));
  }

  @Test
  void text_isATable_foldingFindingsOnEveryPlatform() throws Exception {
    StringWriter s = new StringWriter();
    ReportFormats.text(twoPlatforms(), new PrintWriter(s));
    String out = s.toString();
    assertTrue(out.startsWith("plinth audit oci-archive:test.tar:v1 (index sha256:"), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("RULE +SEVERITY +PLATFORM +FINDING +PATH / DETAIL")), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("PL001 +error +all +runs as root +User is"
        + " not set.*")), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("PL016 +warning +linux/amd64 +.*"
        + "/app/helper: setuid.*")), out);
    assertTrue(out.contains("linux/arm64/v8 "), out);
    assertTrue(out.contains("FAILED (--fail-on error)"), out);
  }

  @Test
  void json_listsEveryFindingWithItsPlatform() throws Exception {
    AuditReport r = twoPlatforms();
    JsonNode j = new ObjectMapper().readTree(Json.writePretty(ReportFormats.json(r)));
    assertFalse(j.get("passed").asBoolean());
    assertEquals("error", j.get("failOn").asText());
    assertEquals(2, j.get("images").size());
    assertEquals(r.findings().size(), j.get("findings").size());
    JsonNode first = j.get("findings").get(0);
    assertEquals("PL001", first.get("rule").asText());
    assertEquals("runs-as-root", first.get("name").asText());
    assertEquals("linux/amd64", first.get("platform").asText());
    assertTrue(j.get("images").get(0).get("compressedBytes").asLong() > 0);
    assertEquals(r.counts().get(Severity.ERROR).intValue(), j.get("counts").get("error").asInt());
  }

  @Test
  void sarif_isVersion210_withEveryRuleAndAResultPerFinding() throws Exception {
    AuditReport r = twoPlatforms();
    JsonNode s = new ObjectMapper().readTree(Json.writePretty(ReportFormats.sarif(r)));
    assertEquals("2.1.0", s.get("version").asText());
    JsonNode run = s.get("runs").get(0);
    JsonNode rules = run.get("tool").get("driver").get("rules");
    assertEquals(Rule.values().length, rules.size());
    Set<String> ids = new HashSet<>();
    rules.forEach(x -> ids.add(x.get("id").asText()));
    assertEquals(Rule.values().length, ids.size(), "rule ids are unique");
    JsonNode results = run.get("results");
    assertEquals(r.findings().size(), results.size());
    for (JsonNode res : results) {
      int index = res.get("ruleIndex").asInt();
      assertEquals(rules.get(index).get("id").asText(), res.get("ruleId").asText());
      assertTrue(List.of("error", "warning", "note").contains(res.get("level").asText()));
      assertFalse(res.get("locations").get(0).get("physicalLocation").get("artifactLocation")
          .get("uri").asText().startsWith("/"));
      assertFalse(res.get("partialFingerprints").get("plinthFinding/v1").asText().isEmpty());
    }
  }

  @Test
  void everyRule_isDocumented() throws Exception {
    String docs = java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs",
        "audit.md"));
    for (Rule rule : Rule.values()) {
      assertTrue(docs.contains("### " + rule.id() + " "), rule + " has a section in docs/audit.md");
    }
  }
}
