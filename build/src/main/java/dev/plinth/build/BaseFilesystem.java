package dev.plinth.build;

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
    layer.directory("/bin", 0755, 0, 0);
    layer.directory("/sbin", 0755, 0, 0);
    layer.file(NOLOGIN_PATH, nologin, 0755, 0, 0);
    layer.directory("/etc", 0755, 0, 0);
    layer.file("/etc/passwd", bytes(PASSWD), 0644, 0, 0);
    layer.file("/etc/group", bytes(GROUP), 0644, 0, 0);
    layer.file("/etc/nsswitch.conf", bytes(NSSWITCH), 0644, 0, 0);
    layer.file("/etc/os-release", bytes(OS_RELEASE), 0644, 0, 0);
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
