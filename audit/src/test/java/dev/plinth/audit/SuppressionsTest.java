package dev.plinth.audit;

import static dev.plinth.audit.TestImages.app;
import static dev.plinth.audit.TestImages.base;
import static dev.plinth.audit.TestImages.config;
import static dev.plinth.audit.TestImages.gzipLayer;
import static dev.plinth.audit.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.oci.Json;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TestTar;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Accepted findings: a project's .plinth-audit.yaml and --ignore RULE[:PATH] mark the findings
 * they match as suppressed in every format, and those no longer fail the audit; one that matches
 * nothing is a warning.
 */
class SuppressionsTest {
  @TempDir Path tmp;

  /** An image whose one error is an optional module missing its library (PL041). */
  private static AuditReport audit(List<Suppression> suppressions) throws Exception {
    TestTar ext = new TestTar().dir("usr/lib/python3/dist-packages/PIL", 0755)
        .file("usr/lib/python3/dist-packages/PIL/_imagingtk.so", TestElf.library("libtk8.6.so")
            .build(), 0644);
    return TestImages.audit(Audit.Options.DEFAULT.withSuppressions(suppressions), image(Platform.LINUX_AMD64,
        config(), List.of(), gzipLayer(base().bytes()), app(), gzipLayer(ext.bytes())));
  }

  private static List<Suppression> file(Path dir, String yaml) throws Exception {
    Path f = dir.resolve(Suppressions.DEFAULT_FILE);
    Files.writeString(f, yaml);
    return Suppressions.load(f);
  }

  private static final String TK = """
      ignore:
        - rule: PL041
          paths: [/usr/lib/python3/dist-packages/PIL/_imagingtk*.so]
          reason: Tk is not in the image; the app never imports PIL.ImageTk
      """;

  @Test
  void unsuppressed_theMissingLibraryFails() throws Exception {
    AuditReport r = audit(List.of());
    assertTrue(r.failed());
    assertEquals(0, r.suppressed());
  }

  @Test
  void fromTheFile_theFindingIsSuppressed_andTheAuditPasses() throws Exception {
    AuditReport r = audit(file(tmp, TK));
    assertFalse(r.failed(), r.findings().toString());
    assertEquals(1, r.suppressed());
    Finding f = r.findings().stream().filter(Finding::suppressed).findFirst().orElseThrow();
    assertEquals(Rule.PL041, f.rule());
    assertEquals("Tk is not in the image; the app never imports PIL.ImageTk",
        f.suppression().reason());
    assertTrue(f.suppression().source().endsWith(".plinth-audit.yaml: ignore[0]"),
        f.suppression().source());
    assertEquals(0, r.counts().get(Severity.ERROR));
  }

  @Test
  void text_showsItUnderSuppressed_withTheReason() throws Exception {
    StringWriter s = new StringWriter();
    ReportFormats.text(audit(file(tmp, TK)), new PrintWriter(s));
    String out = s.toString();
    String after = out.substring(out.indexOf("Suppressed (accepted on purpose"));
    assertTrue(after.lines().anyMatch(l -> l.matches("PL041 +error +linux/amd64 +.*"
        + "/usr/lib/python3/dist-packages/PIL/_imagingtk.so: libtk8.6.so is not found.*"
        + "; suppressed: Tk is not in the image.*")), out);
    assertTrue(out.contains("0 errors, ") && out.contains(", 1 suppressed: passed"), out);
  }

  @Test
  void json_marksItSuppressed_andCountsIt() throws Exception {
    JsonNode j = new ObjectMapper().readTree(Json.writePretty(ReportFormats.json(
        audit(file(tmp, TK)))));
    assertTrue(j.get("passed").asBoolean());
    assertEquals(1, j.get("counts").get("suppressed").asInt());
    JsonNode f = null;
    for (JsonNode x : j.get("findings")) {
      if (x.has("suppressed")) {
        f = x;
      }
    }
    assertEquals("PL041", f.get("rule").asText());
    assertEquals("Tk is not in the image; the app never imports PIL.ImageTk",
        f.get("suppressed").get("reason").asText());
    assertEquals("PL041:/usr/lib/python3/dist-packages/PIL/_imagingtk*.so",
        f.get("suppressed").get("match").asText());
  }

  @Test
  void sarif_hasAnExternalSuppressionWithTheJustification() throws Exception {
    JsonNode s = new ObjectMapper().readTree(Json.writePretty(ReportFormats.sarif(
        audit(file(tmp, TK)))));
    JsonNode suppressed = null;
    for (JsonNode res : s.get("runs").get(0).get("results")) {
      if (res.has("suppressions")) {
        assertEquals("PL041", res.get("ruleId").asText());
        suppressed = res.get("suppressions").get(0);
      }
    }
    assertEquals("external", suppressed.get("kind").asText());
    assertEquals("accepted", suppressed.get("status").asText());
    assertEquals("Tk is not in the image; the app never imports PIL.ImageTk",
        suppressed.get("justification").asText());
  }

  @Test
  void ignoreFlag_aRuleByName_everywhere() throws Exception {
    AuditReport r = audit(List.of(Suppression.parse("elf-library-missing", "--ignore",
        "accepted with --ignore")));
    assertFalse(r.failed());
    assertEquals(1, r.suppressed());
  }

  @Test
  void ignoreFlag_atAnotherPath_matchesNothing_andSaysSo() throws Exception {
    AuditReport r = audit(List.of(Suppression.parse("PL041:/usr/lib/**/other.so",
        "--ignore PL041:/usr/lib/**/other.so", "accepted with --ignore")));
    assertTrue(r.failed(), "the finding at another path is not accepted");
    assertTrue(r.notes().contains("warning: the suppression PL041:/usr/lib/**/other.so"
        + " (--ignore PL041:/usr/lib/**/other.so) matches no finding; remove it if what it"
        + " accepted is gone"), r.notes().toString());
    JsonNode s = new ObjectMapper().readTree(Json.writePretty(ReportFormats.sarif(r)));
    assertTrue(s.get("runs").get(0).get("invocations").get(0).get("toolExecutionNotifications")
        .get(0).get("message").get("text").asText().contains("matches no finding"));
  }

  @Test
  void doubleStar_crossesDirectories_singleStarDoesNot() throws Exception {
    assertEquals(1, audit(List.of(Suppression.parse("PL041:/usr/**/_imagingtk.so", "t", "r")))
        .suppressed());
    assertEquals(0, audit(List.of(Suppression.parse("PL041:/usr/*/_imagingtk.so", "t", "r")))
        .suppressed());
  }

  @Test
  void badFiles_areUsageErrorsNamingTheEntry() throws Exception {
    PlinthException noReason = assertThrows(PlinthException.class,
        () -> file(tmp, "ignore:\n  - rule: PL041\n"));
    assertEquals(PlinthException.Kind.USAGE, noReason.kind());
    assertTrue(noReason.getMessage().endsWith(".plinth-audit.yaml: ignore[0]: reason (why the"
        + " finding is accepted) is required, as text"), noReason.getMessage());
    PlinthException badRule = assertThrows(PlinthException.class,
        () -> file(tmp, "ignore:\n  - {rule: PL999, reason: x}\n"));
    assertTrue(badRule.getMessage().contains("ignore[0]: 'PL999' is no audit rule"),
        badRule.getMessage());
    PlinthException relative = assertThrows(PlinthException.class,
        () -> Suppression.parse("PL041:usr/lib/x.so", "--ignore", "r"));
    assertTrue(relative.getMessage().contains("must be absolute"), relative.getMessage());
    assertThrows(PlinthException.class, () -> file(tmp, "ignored: [PL041]\n"));
  }
}
