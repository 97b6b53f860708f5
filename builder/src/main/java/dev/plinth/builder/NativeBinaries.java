package dev.plinth.builder;

import dev.plinth.elf.Elf;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

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

  /** A custom init binary, checked to be static and of the platform's architecture. */
  static byte[] customInit(BuildSpec.Init init, Platform platform)
      throws IOException, dev.plinth.oci.PlinthException {
    Path p = Path.of(init.binary().replace("${arch}", platform.architecture()));
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new dev.plinth.oci.PlinthException(dev.plinth.oci.PlinthException.Kind.NOT_FOUND,
          "init: " + p + " does not exist (the init binary for " + platform + ")");
    }
    byte[] bytes = dev.plinth.oci.SmallFiles.read(p, 64L << 20, "init");
    dev.plinth.elf.Elf.checkStatic(bytes, platform, "init " + p);
    return bytes;
  }

  private NativeBinaries() {}
}
