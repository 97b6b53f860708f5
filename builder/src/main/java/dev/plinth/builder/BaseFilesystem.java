package dev.plinth.builder;

import dev.plinth.oci.LayerBuilder;
import java.nio.charset.StandardCharsets;

/**
 * The filesystem of the minimal production image: the hierarchy, users and groups, and the files
 * that programs and scanners look for. See docs/image.md for why each entry is there.
 */
final class BaseFilesystem {
  static final String INIT_PATH = "/sbin/plinth-init";
  static final String NOLOGIN_PATH = "/sbin/nologin";

  static final String PASSWD =
      "root:x:0:0:root:/root:/sbin/nologin\n"
          + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n";
  static final String GROUP = "root:x:0:\nnonroot:x:65532:\n";
  static final String NSSWITCH =
      "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\nnetworks: files\n"
          + "protocols: files\nservices: files\n";
  static final String OS_RELEASE =
      "PRETTY_NAME=\"plinth minimal\"\nNAME=\"plinth\"\nID=plinth\n";

  /**
   * Adds the hierarchy to {@code layer}.
   *
   * @param arbitraryUser home group 0 and group-writable, for an arbitrary uid in group 0
   */
  static void addTo(LayerBuilder layer, byte[] nologin, boolean arbitraryUser) {
    addTo(layer, nologin, arbitraryUser, OS_RELEASE);
  }

  /**
   * An os-release for an image with Debian packages: ID=debian and the release's VERSION_ID, so
   * that scanners match the packages in /var/lib/dpkg/status.d against Debian's advisories, as
   * they do for distroless.
   */
  static String debianOsRelease(String suite) {
    String version = DEBIAN_VERSIONS.get(suite);
    StringBuilder sb = new StringBuilder();
    sb.append("PRETTY_NAME=\"plinth (Debian GNU/Linux ")
        .append(version == null ? suite : version + " (" + suite + ")").append(" packages)\"\n");
    sb.append("NAME=\"Debian GNU/Linux\"\nID=debian\n");
    if (version != null) {
      sb.append("VERSION_ID=\"").append(version).append("\"\n");
      sb.append("VERSION=\"").append(version).append(" (").append(suite).append(")\"\n");
    }
    sb.append("VERSION_CODENAME=").append(suite).append('\n');
    return sb.toString();
  }

  /** The distro qualifier of a package URL: debian-12, or debian-SUITE when unknown. */
  static String debianDistro(String suite) {
    return "debian-" + DEBIAN_VERSIONS.getOrDefault(suite, suite);
  }

  /** Debian's release numbers by codename. */
  static final java.util.Map<String, String> DEBIAN_VERSIONS = java.util.Map.of(
      "buster", "10", "bullseye", "11", "bookworm", "12", "trixie", "13", "forky", "14");

  static void addTo(LayerBuilder layer, byte[] nologin, boolean arbitraryUser, String osRelease) {
    layer.directory("/bin", 0755, 0, 0);
    layer.directory("/sbin", 0755, 0, 0);
    layer.file(NOLOGIN_PATH, nologin, 0755, 0, 0);
    layer.directory("/etc", 0755, 0, 0);
    layer.file("/etc/passwd", bytes(PASSWD), 0644, 0, 0);
    layer.file("/etc/group", bytes(GROUP), 0644, 0, 0);
    layer.file("/etc/nsswitch.conf", bytes(NSSWITCH), 0644, 0, 0);
    layer.file("/etc/os-release", bytes(osRelease), 0644, 0, 0);
    layer.directory("/home", 0755, 0, 0);
    if (arbitraryUser) {
      layer.directory("/home/nonroot", 0770, 65532, 0);
    } else {
      layer.directory("/home/nonroot", 0750, 65532, 65532);
    }
    layer.directory("/root", 0700, 0, 0);
    layer.directory("/tmp", 01777, 0, 0);
    layer.directory("/var", 0755, 0, 0);
    layer.directory("/var/tmp", 01777, 0, 0);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private BaseFilesystem() {}
}
