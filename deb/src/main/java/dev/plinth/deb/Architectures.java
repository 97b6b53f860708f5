package dev.plinth.deb;

import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;

/** Debian's names of the OCI platforms' architectures. */
public final class Architectures {
  private Architectures() {}

  /** Debian's name of a platform's architecture (amd64, arm64, armhf, ...). */
  public static String debian(Platform p) throws PlinthException {
    return switch (p.architecture()) {
      case "amd64", "arm64", "s390x", "riscv64" -> p.architecture();
      case "arm" -> "v6".equals(p.variant()) ? "armel" : "armhf";
      case "386" -> "i386";
      case "ppc64le" -> "ppc64el";
      default -> throw new PlinthException(PlinthException.Kind.USAGE,
          "Debian has no packages for " + p);
    };
  }
}
