package dev.plinth.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The JDKs installed on this machine that plinth may run jlink and jdeps of: those found on a
 * search path (JDK homes, and directories holding JDK homes, in order), described by their
 * {@code release} file.
 */
public final class Jdks {
  private Jdks() {}

  /**
   * The default search path: JAVA_HOME (when the front end read one), the JDK running plinth,
   * then every JDK under /usr/lib/jvm.
   */
  public static List<Path> defaultSearch(Path javaHome) {
    List<Path> out = new ArrayList<>();
    if (javaHome != null) {
      out.add(javaHome);
    }
    // java.home is a fact about the JVM running plinth, not a setting
    out.add(Path.of(System.getProperty("java.home")));
    out.add(Path.of("/usr/lib/jvm"));
    return out;
  }

  /** The variable that sets the search path: colon-separated JDK homes and their directories. */
  public static final String PATH_ENV = "PLINTH_JDK_PATH";

  /** The search path a {@link #PATH_ENV} value gives (empty: none), or null when it is unset. */
  public static List<Path> searchPath(String value) {
    if (value == null) {
      return null;
    }
    List<Path> out = new ArrayList<>();
    for (String p : value.split(":")) {
      if (!p.isBlank()) {
        out.add(Path.of(p));
      }
    }
    return out;
  }

  /** Debian's name of this machine's architecture (amd64, arm64), or the JVM's when unknown. */
  public static String hostArch() {
    // os.arch is a fact about this machine, not a setting
    return debianArch(System.getProperty("os.arch", ""));
  }

  /** Debian's name of an architecture as a JVM or a JDK's release file names it. */
  private static String debianArch(String a) {
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> a;
    };
  }

  /**
   * The first JDK on {@code search} of feature version {@code feature} and this machine's
   * architecture that has jlink and jdeps, or null.
   */
  public static JavaRuntime.Jdk find(int feature, List<Path> search) {
    for (Path entry : search) {
      for (Path home : candidates(entry)) {
        JavaRuntime.Jdk jdk = describe(home);
        if (jdk == null) {
          continue;
        }
        if (jdk.feature() == feature && jdk.arch().equals(hostArch())
            && Files.isExecutable(jdk.home().resolve("bin/jlink"))
            && Files.isExecutable(jdk.home().resolve("bin/jdeps"))) {
          return jdk;
        }
      }
    }
    return null;
  }

  private static List<Path> candidates(Path entry) {
    if (Files.isRegularFile(entry.resolve("release")) || !Files.isDirectory(entry)) {
      return List.of(entry);
    }
    try (Stream<Path> s = Files.list(entry)) {
      return s.sorted().toList();
    } catch (IOException e) {
      return List.of();   // an unreadable directory holds no candidate
    }
  }

  /** The JDK at {@code home} as its release file describes it, or null when it has none. */
  static JavaRuntime.Jdk describe(Path home) {
    try {
      Map<String, String> r = release(home);
      String v = r.get("JAVA_VERSION");
      if (v == null) {
        return null;
      }
      int feature = Integer.parseInt(v.split("[.+-]")[0]);
      String arch = debianArch(r.getOrDefault("OS_ARCH", ""));
      String identity = "host JDK " + r.getOrDefault("IMPLEMENTOR", "unknown") + " "
          + r.getOrDefault("JAVA_RUNTIME_VERSION", v) + " (" + arch + ")";
      return new JavaRuntime.Jdk(home.toRealPath(), feature, v, arch, List.of(), identity);
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /**
   * The {@code KEY="value"} lines of the {@code release} file a JDK or a linked runtime has at
   * its top, quotes taken off; empty when there is none.
   */
  static Map<String, String> release(Path home) throws IOException {
    Path release = home.resolve("release");
    Map<String, String> r = new TreeMap<>();
    if (Files.isRegularFile(release)) {
      for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          r.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", "").strip());
        }
      }
    }
    return r;
  }
}
