package dev.plinth.audit;

import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The config and the index as a whole: PL050-PL062 but the layer rules. */
final class ImageChecks {
  private static final Set<String> SYSTEM_DIRS = Set.of("/", "/bin", "/boot", "/dev", "/etc",
      "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var/run/docker.sock",
      "/run/docker.sock");
  private static final List<String> OCI_LABELS = List.of("org.opencontainers.image.source",
      "org.opencontainers.image.version", "org.opencontainers.image.revision",
      "org.opencontainers.image.created");

  /** PL051, PL055, PL060, PL062 for one image. */
  static void check(ImageContext c) {
    String os = c.document.os();
    String arch = c.document.architecture();
    if (!os.equals(c.platform.os()) || !arch.equals(c.platform.architecture())) {
      c.add(Rule.PL051, null, "the index lists this image as " + c.platform + ", but its config"
          + " says " + os + "/" + arch);
    }
    for (String v : c.config.volumes()) {
      String dir = v.length() > 1 && v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
      if (SYSTEM_DIRS.contains(dir)) {
        c.add(Rule.PL055, dir, "VOLUME " + v + ": a volume over a system directory hides the"
            + " image's own files and may expose the host's");
      }
    }
    List<String> health = c.config.healthcheck() == null ? List.of()
        : c.config.healthcheck().test();
    if (health.isEmpty() || health.get(0).equals("NONE")) {
      c.add(Rule.PL060, null, "the config has none (Kubernetes ignores it and uses its own"
          + " probes)");
    }
    List<String> missing = new ArrayList<>();
    for (String label : OCI_LABELS) {
      if (c.config.labels().getOrDefault(label, "").isEmpty()) {
        missing.add(label.substring("org.opencontainers.image.".length()));
      }
    }
    if (!missing.isEmpty()) {
      c.add(Rule.PL062, null, "no org.opencontainers.image." + String.join(", .", missing));
    }
  }

  /** PL050: every platform asked for has an image. */
  static void platforms(List<Platform> wanted, List<Platform> present, List<Finding> out) {
    for (Platform w : wanted) {
      if (present.stream().noneMatch(w::matches)) {
        out.add(new Finding(Rule.PL050, Rule.PL050.severity(), null, null, "no image for " + w
            + " (the index has " + (present.isEmpty() ? "none" : String.join(", ",
                present.stream().map(Platform::toString).toList())) + ")"));
      }
    }
  }

  /** PL061: the reference names :latest, explicitly or by omission. */
  static void latest(ImageRef ref, List<Finding> out) {
    String tag = ref.tag();
    if ("latest".equals(tag)) {
      out.add(new Finding(Rule.PL061, Rule.PL061.severity(), null, null, ref
          + " names the tag latest, which moves: what runs depends on when it was pulled"));
    }
  }

  private ImageChecks() {}
}
