package dev.plinth.builder;

import dev.plinth.oci.Platform;
import java.io.IOException;
import java.io.InputStream;

/** plinth's own init and nologin, built by native/build.sh and shipped in the plinth-native jar. */
final class NativeBinaries {
  static byte[] init(Platform p) throws IOException {
    return load(p, "init");
  }

  static byte[] nologin(Platform p) throws IOException {
    return load(p, "nologin");
  }

  private static byte[] load(Platform p, String name) throws IOException {
    String resource = "/dev/plinth/native/" + p.architecture() + "/" + name;
    try (InputStream in = NativeBinaries.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("plinth has no " + name + " for " + p + " (resource " + resource
            + " is missing from plinth-native)");
      }
      return in.readAllBytes();
    }
  }

  private NativeBinaries() {}
}
