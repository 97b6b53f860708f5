package dev.plinth.audit;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What an audit found, for every platform of the image.
 *
 * @param reference the image reference as given
 * @param mediaType what it pointed at: an index, a manifest, or "docker-archive"
 * @param digest the digest of that index or manifest
 * @param failOn the lowest severity that fails the audit; null when nothing does
 * @param images one summary per platform audited
 * @param findings sorted: severity, rule, platform, path; suppressed ones included, marked
 * @param notes what was skipped and why (attestation manifests, non-Linux images)
 */
public record AuditReport(String reference, String mediaType, String digest, Severity failOn,
    List<ImageSummary> images, List<Finding> findings, List<String> notes) {
  public AuditReport {
    images = List.copyOf(images);
    findings = List.copyOf(findings);
    notes = List.copyOf(notes);
  }

  /**
   * One platform's image.
   *
   * @param compressedBytes what a pull moves: manifest, config and layer blobs, as stored
   * @param uncompressedBytes the layers' tar bytes
   * @param files regular files in the flattened filesystem
   * @param fileBytes what they weigh
   */
  public record ImageSummary(String platform, String manifest, int layers, long compressedBytes,
      long uncompressedBytes, long files, long fileBytes) {}

  /** Whether a finding reaches {@link #failOn}: exit code 1. */
  public boolean failed() {
    return failOn != null && findings.stream().anyMatch(f -> !f.suppressed()
        && f.severity().atLeast(failOn));
  }

  /** How many findings a suppression accepts. */
  public int suppressed() {
    return (int) findings.stream().filter(Finding::suppressed).count();
  }

  /** How many findings of each severity, the suppressed ones left out. */
  public Map<Severity, Integer> counts() {
    Map<Severity, Integer> m = new EnumMap<>(Severity.class);
    for (Severity s : Severity.values()) {
      m.put(s, 0);
    }
    for (Finding f : findings) {
      if (!f.suppressed()) {
        m.merge(f.severity(), 1, Integer::sum);
      }
    }
    return m;
  }
}
