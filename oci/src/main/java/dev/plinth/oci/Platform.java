package dev.plinth.oci;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** An OCI platform: os/architecture[/variant]. plinth builds linux/amd64 and linux/arm64. */
public record Platform(String os, String architecture, String variant) {
  public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);
  public static final Platform LINUX_ARM64 = new Platform("linux", "arm64", "v8");

  public Platform {
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(architecture, "architecture");
    if (variant != null && variant.isEmpty()) {
      variant = null;
    }
  }

  // equals and hashCode of its own: a record's made ones bootstrap method handles the first time
  // they are called (some 8 ms of every build, which keys its images by platform)
  @Override
  public boolean equals(Object o) {
    return o instanceof Platform p && p.os.equals(os) && p.architecture.equals(architecture)
        && Objects.equals(p.variant, variant);
  }

  @Override
  public int hashCode() {
    return (os.hashCode() * 31 + architecture.hashCode()) * 31 + Objects.hashCode(variant);
  }

  /**
   * Parses {@code os/arch[/variant]}. {@code linux/arm64} gets variant v8 as Docker writes it.
   *
   * @throws IllegalArgumentException naming the text when it is not of that form
   */
  public static Platform parse(String text) {
    String[] parts = text.trim().split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      throw new IllegalArgumentException(
          "platform '" + text + "' is not of the form os/arch[/variant], e.g. linux/arm64");
    }
    for (String part : parts) {
      if (!part.matches("[a-z0-9_]+")) {
        throw new IllegalArgumentException(
            "platform '" + text + "' is not of the form os/arch[/variant], e.g. linux/arm64");
      }
    }
    String variant = parts.length == 3 ? parts[2] : null;
    if (parts[1].equals("arm64") && variant == null) {
      variant = "v8";
    }
    return new Platform(parts[0], parts[1], variant);
  }

  /**
   * Whether {@code have} (from an index or a config) is this platform, as a user asking for it
   * means: same os and architecture, and the same variant when both name one (arm64's variant
   * is v8 when unnamed).
   */
  public boolean matches(Platform have) {
    if (!os.equals(have.os) || !architecture.equals(have.architecture)) {
      return false;
    }
    String a = variant;
    String b = have.variant;
    if (architecture.equals("arm64")) {
      a = a == null ? "v8" : a;
      b = b == null ? "v8" : b;
    }
    return a == null || b == null || a.equals(b);
  }

  /** The ELF machine number binaries for this platform carry (EM_X86_64, EM_AARCH64), or -1. */
  public int elfMachine() {
    return switch (architecture) {
      case "amd64" -> 62;
      case "arm64" -> 183;
      default -> -1;
    };
  }

  /** As OCI JSON writes it. */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("architecture", architecture);
    m.put("os", os);
    if (variant != null) {
      m.put("variant", variant);
    }
    return m;
  }

  @Override
  public String toString() {
    return os + "/" + architecture + (variant == null ? "" : "/" + variant);
  }
}
