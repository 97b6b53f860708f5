package dev.plinth.maven;

import dev.plinth.jvm.JavaSpec;
import dev.plinth.oci.PlinthException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java version of the image's runtime, following the project: the Java release it compiles
 * for ({@code maven.compiler.release}, maven-compiler-plugin's {@code <release>}, else {@code
 * maven.compiler.target} or {@code <target>}, 1.8 being 8; else the newest class-file version
 * among its compiled classes), run by the oldest runtime plinth links that runs it: release 8 or
 * 11 on 17. The goal's {@code javaVersion} wins over all of them.
 */
final class JavaRelease {
  static final String COMPILER_PLUGIN = "org.apache.maven.plugins:maven-compiler-plugin";
  private static final Pattern RELEASE = Pattern.compile("(?:1\\.)?([0-9]{1,3})");

  private JavaRelease() {}

  /**
   * @param configured the goal's javaVersion, or null
   * @throws PlinthException USAGE when the project's release is not a number, or is newer than
   *     every runtime plinth links
   */
  static Choice<Integer> choose(Integer configured, PomView pom, ClassFiles classes)
      throws PlinthException {
    if (configured != null) {
      return new Choice<>(configured, "plinth-maven-plugin's javaVersion");
    }
    String[][] sources = {
        {"maven.compiler.release", null},
        {"maven-compiler-plugin's <release>", "release"},
        {"maven.compiler.target", null},
        {"maven-compiler-plugin's <target>", "target"}};
    for (String[] s : sources) {
      String v = s[1] == null ? pom.property(s[0])
          : pom.pluginValue(COMPILER_PLUGIN, "default-compile", s[1]);
      if (v != null) {
        Matcher m = RELEASE.matcher(v);
        if (!m.matches()) {
          throw new PlinthException(PlinthException.Kind.USAGE, s[0] + ": '" + v + "' is not a"
              + " Java release such as 17 or 1.8; fix it, or set plinth-maven-plugin's"
              + " <javaVersion>");
        }
        return runtimeFor(Integer.parseInt(m.group(1)), s[0] + " " + v);
      }
    }
    int major = classes.scan().maxMajor();
    if (major >= 45) {
      return runtimeFor(major - 44, "class-file version " + major + " of "
          + classes.dir().getFileName() + " (no release or target set)");
    }
    return new Choice<>(JavaSpec.DEFAULT_VERSION, "plinth's default: the project sets no"
        + " release or target and has no classes");
  }

  /** The oldest runtime that runs {@code release}. */
  static Choice<Integer> runtimeFor(int release, String source) throws PlinthException {
    for (int r : JavaSpec.SUPPORTED) {
      if (r >= release) {
        return new Choice<>(r, source + (r == release ? ""
            : ": release " + release + " runs on " + r + ", the oldest runtime plinth links"));
      }
    }
    throw new PlinthException(PlinthException.Kind.USAGE, source + ": the project compiles for"
        + " Java " + release + ", newer than every runtime plinth links (" + JavaSpec.SUPPORTED + ")");
  }
}
