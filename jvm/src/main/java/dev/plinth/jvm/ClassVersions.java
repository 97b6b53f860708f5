package dev.plinth.jvm;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Which Java an app's class files need: the highest class-file major version among the .class
 * files in its directories and the base entries of its jars (a multi-release jar's {@code
 * META-INF/versions/} entries are for newer JVMs, which the base ones already run on), and the
 * smallest supported LTS release that runs them. Only the first 8 bytes of each class are read.
 */
public final class ClassVersions {
  /** Class-file major version of Java 1.0 to 1.1, then one more per feature release. */
  private static final int FEATURE_OFFSET = 44;

  /**
   * The highest class-file version found, and where.
   *
   * @param major 0 when there was no class file
   * @param where the class that has it ("app.jar!/com/example/Main.class"), or "" with none
   */
  public record Highest(int major, String where) {
    /** The Java feature version that major needs, e.g. 21 for 65. */
    public int feature() {
      return major - FEATURE_OFFSET;
    }
  }

  private ClassVersions() {}

  /** The highest class-file version of the jars and directories in {@code inputs}. */
  public static Highest highest(List<Path> inputs) throws IOException {
    Highest best = new Highest(0, "");
    for (Path p : inputs) {
      Highest h = Files.isDirectory(p) ? ofDirectory(p) : ofJar(p);
      if (h.major() > best.major()) {
        best = h;
      }
    }
    return best;
  }

  /**
   * The smallest of {@link JavaSpec#SUPPORTED} that runs {@code highest} (17 when there is no
   * class file, or only older ones).
   *
   * @throws PlinthException USAGE when the classes need a newer Java than plinth links
   */
  public static int smallestSupported(Highest highest) throws PlinthException {
    for (int v : JavaSpec.SUPPORTED) {
      if (highest.feature() <= v) {
        return v;
      }
    }
    int newest = JavaSpec.SUPPORTED.get(JavaSpec.SUPPORTED.size() - 1);
    throw new PlinthException(Kind.USAGE, highest.where() + " is compiled for Java "
        + highest.feature() + " (class-file version " + highest.major() + "), and plinth links"
        + " up to Java " + newest + " by default; compile for " + newest + " or older (javac"
        + " --release), or set java.version to " + highest.feature() + " and java.suite to a"
        + " Debian suite that packages openjdk-" + highest.feature());
  }

  private static Highest ofDirectory(Path dir) throws IOException {
    Highest best = new Highest(0, "");
    List<Path> classes;
    try (Stream<Path> s = Files.walk(dir)) {
      classes = s.filter(f -> f.getFileName().toString().endsWith(".class")
          && Files.isRegularFile(f)).sorted().toList();
    }
    for (Path f : classes) {
      try (InputStream in = Files.newInputStream(f)) {
        int major = major(in);
        if (major > best.major()) {
          best = new Highest(major, f.toString());
        }
      }
    }
    return best;
  }

  private static Highest ofJar(Path jar) throws IOException {
    Highest best = new Highest(0, "");
    if (!Files.isRegularFile(jar)) {
      return best;
    }
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        ZipEntry e = en.nextElement();
        String name = e.getName();
        if (e.isDirectory() || !name.endsWith(".class") || name.startsWith("META-INF/versions/")) {
          continue;
        }
        try (InputStream in = zip.getInputStream(e)) {
          int major = major(in);
          if (major > best.major()) {
            best = new Highest(major, jar + "!/" + name);
          }
        } catch (ZipException damaged) {
          // an entry that cannot be inflated is not a class this check can read; jdeps and the
          // JVM report it
        }
      }
    } catch (ZipException notAJar) {
      return best;   // not a zip: JavaApp and jdeps say so
    }
    return best;
  }

  /** The major version of a class file, or 0 when the bytes are not one. */
  static int major(InputStream in) throws IOException {
    byte[] head = in.readNBytes(8);
    if (head.length < 8 || (head[0] & 0xff) != 0xca || (head[1] & 0xff) != 0xfe
        || (head[2] & 0xff) != 0xba || (head[3] & 0xff) != 0xbe) {
      return 0;
    }
    return ((head[6] & 0xff) << 8) | (head[7] & 0xff);
  }
}
