package dev.plinth.audit;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Sizes;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** An {@link AuditReport} as a table for a person, JSON, or SARIF 2.1.0 for code scanning. */
public final class ReportFormats {
  /** Prints the report as a table, findings on every platform folded into one row "all". */
  public static void text(AuditReport r, PrintWriter out) {
    int platforms = r.images().size();
    out.println("plinth audit " + r.reference() + " ("
        + dev.plinth.oci.MediaTypes.kind(r.mediaType()) + " "
        + r.digest() + ", " + platforms + " platform" + (platforms == 1 ? "" : "s") + ")");
    for (String n : r.notes()) {
      out.println("  note: " + n);
    }
    out.println();
    if (!table(r, false, out)) {
      out.println("No findings.");
    }
    if (r.suppressed() > 0) {
      out.println();
      out.println("Suppressed (accepted on purpose; they fail nothing):");
      table(r, true, out);
    }
    out.println();
    for (AuditReport.ImageSummary s : r.images()) {
      out.println(String.format(Locale.ROOT, "%-14s %s compressed, %s uncompressed, %d layer%s,"
              + " %d files (%s)", s.platform(), Sizes.decimal(s.compressedBytes()),
          Sizes.decimal(s.uncompressedBytes()), s.layers(), s.layers() == 1 ? "" : "s", s.files(),
          Sizes.decimal(s.fileBytes())));
    }
    Map<Severity, Integer> counts = r.counts();
    out.println(counts.get(Severity.ERROR) + " error" + plural(counts.get(Severity.ERROR)) + ", "
        + counts.get(Severity.WARNING) + " warning" + plural(counts.get(Severity.WARNING)) + ", "
        + counts.get(Severity.INFO) + " info"
        + (r.suppressed() == 0 ? "" : ", " + r.suppressed() + " suppressed") + ": "
        + (r.failOn() == null ? "report only"
            : (r.failed() ? "FAILED" : "passed") + " (--fail-on " + r.failOn().label() + ")")
        + ". Each rule is explained in docs/audit.md.");
  }

  /**
   * Prints the findings (the suppressed ones, or the others) as a table, a finding on every
   * platform folded into one row "all"; false when there are none.
   */
  private static boolean table(AuditReport r, boolean suppressed, PrintWriter out) {
    int platforms = r.images().size();
    Map<List<Object>, Set<String>> rows = new LinkedHashMap<>();
    for (Finding f : r.findings()) {
      if (f.suppressed() == suppressed) {
        rows.computeIfAbsent(List.of(f.rule(), f.severity(), f.path() == null ? "" : f.path(),
            f.message(), suppressed ? f.suppression().reason() + " (" + f.suppression().source()
                + ")" : ""), k -> new LinkedHashSet<>())
            .add(f.platform() == null ? "-" : f.platform());
      }
    }
    if (rows.isEmpty()) {
      return false;
    }
    List<String[]> table = new ArrayList<>();
    table.add(new String[] {"RULE", "SEVERITY", "PLATFORM", "FINDING", "PATH / DETAIL"});
    for (Map.Entry<List<Object>, Set<String>> e : rows.entrySet()) {
      Rule rule = (Rule) e.getKey().get(0);
      Severity severity = (Severity) e.getKey().get(1);
      String path = (String) e.getKey().get(2);
      String message = (String) e.getKey().get(3);
      String reason = (String) e.getKey().get(4);
      Set<String> on = e.getValue();
      String platform = platforms > 1 && on.size() == platforms ? "all" : String.join(",", on);
      table.add(new String[] {rule.id(), severity.label(), platform, rule.title(),
          (path.isEmpty() ? message : path + ": " + message)
              + (reason.isEmpty() ? "" : "; suppressed: " + reason)});
    }
    int[] width = new int[4];
    for (String[] row : table) {
      for (int i = 0; i < 4; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    for (String[] row : table) {
      out.println(String.format(Locale.ROOT, "%-" + width[0] + "s  %-" + width[1] + "s  %-"
          + width[2] + "s  %-" + width[3] + "s  %s", (Object[]) row).stripTrailing());
    }
    return true;
  }

  /** The report as one JSON document. */
  public static Map<String, Object> json(AuditReport r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("reference", r.reference());
    m.put("mediaType", r.mediaType());
    m.put("digest", r.digest());
    m.put("failOn", r.failOn() == null ? "none" : r.failOn().label());
    m.put("passed", !r.failed());
    Map<String, Object> counts = new LinkedHashMap<>();
    r.counts().forEach((s, n) -> counts.put(s.label(), n));
    counts.put("suppressed", r.suppressed());
    m.put("counts", counts);
    List<Object> images = new ArrayList<>();
    for (AuditReport.ImageSummary s : r.images()) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("platform", s.platform());
      i.put("manifest", s.manifest());
      i.put("layers", s.layers());
      i.put("compressedBytes", s.compressedBytes());
      i.put("uncompressedBytes", s.uncompressedBytes());
      i.put("files", s.files());
      i.put("fileBytes", s.fileBytes());
      images.add(i);
    }
    m.put("images", images);
    List<Object> findings = new ArrayList<>();
    for (Finding f : r.findings()) {
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("rule", f.rule().id());
      j.put("name", f.rule().slug());
      j.put("severity", f.severity().label());
      j.put("platform", f.platform());
      j.put("path", f.path());
      j.put("title", f.rule().title());
      j.put("message", f.message());
      j.put("fix", f.rule().fix());
      if (f.suppressed()) {
        j.put("suppressed", Map.of("reason", f.suppression().reason(), "source",
            f.suppression().source(), "match", f.suppression().describe()));
      }
      findings.add(j);
    }
    m.put("findings", findings);
    m.put("notes", r.notes());
    return m;
  }

  /** The report as a SARIF 2.1.0 log: every rule in the driver, one result per finding. */
  public static Map<String, Object> sarif(AuditReport r) {
    List<Object> rules = new ArrayList<>();
    Map<Rule, Integer> index = new LinkedHashMap<>();
    for (Rule rule : Rule.values()) {
      index.put(rule, rules.size());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("id", rule.id());
      d.put("name", rule.slug());
      d.put("shortDescription", Map.of("text", capitalize(rule.title())));
      d.put("fullDescription", Map.of("text", capitalize(rule.title()) + ". See "
          + rule.docsAnchor() + "."));
      d.put("help", Map.of("text", capitalize(rule.fix()) + ".", "markdown",
          "**Fix:** " + rule.fix() + ". See [" + rule.id() + "](" + rule.docsAnchor() + ")."));
      d.put("defaultConfiguration", Map.of("level", rule.severity().sarifLevel()));
      d.put("properties", Map.of("tags", List.of("container", "image", "plinth")));
      rules.add(d);
    }
    List<Object> results = new ArrayList<>();
    for (Finding f : r.findings()) {
      Map<String, Object> res = new LinkedHashMap<>();
      res.put("ruleId", f.rule().id());
      res.put("ruleIndex", index.get(f.rule()));
      res.put("level", f.severity().sarifLevel());
      res.put("message", Map.of("text", (f.platform() == null ? "" : f.platform() + ": ")
          + f.message()));
      String uri = f.path() != null ? f.path().substring(1) : r.reference();
      Map<String, Object> artifact = new LinkedHashMap<>();
      artifact.put("uri", uri.replace(" ", "%20"));
      Map<String, Object> physical = new LinkedHashMap<>();
      physical.put("artifactLocation", artifact);
      physical.put("region", Map.of("startLine", 1));
      res.put("locations", List.of(Map.of("physicalLocation", physical)));
      String key = f.rule().id() + "|" + f.platform() + "|" + f.path() + "|" + f.message();
      res.put("partialFingerprints", Map.of("plinthFinding/v1",
          Digest.of(key.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 32)));
      Map<String, Object> props = new LinkedHashMap<>();
      props.put("platform", f.platform());
      props.put("image", r.reference());
      res.put("properties", props);
      if (f.suppressed()) {
        // SARIF 2.1.0 §3.35: accepted outside the analysed artifact, with the reason
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("kind", "external");
        s.put("status", "accepted");
        s.put("justification", f.suppression().reason());
        s.put("properties", Map.of("source", f.suppression().source(), "match",
            f.suppression().describe()));
        res.put("suppressions", List.of(s));
      }
      results.add(res);
    }
    Map<String, Object> driver = new LinkedHashMap<>();
    driver.put("name", "plinth");
    driver.put("version", dev.plinth.oci.Version.PLINTH);
    driver.put("semanticVersion", dev.plinth.oci.Version.PLINTH);
    driver.put("rules", rules);
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("tool", Map.of("driver", driver));
    run.put("results", results);
    List<Object> warnings = new ArrayList<>();
    for (String n : r.notes()) {
      if (n.startsWith("warning: ")) {
        warnings.add(Map.of("level", "warning", "message",
            Map.of("text", n.substring("warning: ".length()))));
      }
    }
    if (!warnings.isEmpty()) {
      run.put("invocations", List.of(Map.of("executionSuccessful", true,
          "toolExecutionNotifications", warnings)));
    }
    Map<String, Object> props = new LinkedHashMap<>();
    props.put("reference", r.reference());
    props.put("digest", r.digest());
    props.put("platforms", r.images().stream().map(AuditReport.ImageSummary::platform).toList());
    run.put("properties", props);
    Map<String, Object> log = new LinkedHashMap<>();
    log.put("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    log.put("version", "2.1.0");
    log.put("runs", List.of(run));
    return log;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static String plural(int n) {
    return n == 1 ? "" : "s";
  }

  private ReportFormats() {}
}
