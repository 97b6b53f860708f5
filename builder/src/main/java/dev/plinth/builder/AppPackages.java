package dev.plinth.builder;

import dev.plinth.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The app's jars as Maven packages for the SBOM: each META-INF/maven/GROUP/ARTIFACT/pom.properties
 * (groupId, artifactId, version) that Maven writes into a jar it builds. A jar with one such file
 * is that package, its sha256 the jar's; a shaded jar lists several, without a checksum. A jar
 * without one (or that cannot be read) is not listed: nothing says what it is.
 */
final class AppPackages {
  /** The largest pom.properties read. */
  private static final int MAX_PROPERTIES = 64 * 1024;

  private AppPackages() {}

  static List<Sbom.Item> of(Collection<Path> jars) {
    TreeMap<String, Sbom.Item> items = new TreeMap<>();
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
        continue;
      }
      try {
        List<Properties> poms = poms(jar);
        Digest sha = poms.size() == 1 ? Digest.of(jar) : null;
        for (Properties p : poms) {
          String g = p.getProperty("groupId");
          String a = p.getProperty("artifactId");
          String v = p.getProperty("version");
          if (g != null && a != null && v != null) {
            items.putIfAbsent(g + ":" + a + ":" + v, Sbom.maven(g, a, v, sha));
          }
        }
      } catch (IOException e) {
        // not a readable zip: nothing to say about it (jdeps and the layers read it too)
      }
    }
    return new ArrayList<>(items.values());
  }

  private static List<Properties> poms(Path jar) throws IOException {
    List<Properties> out = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String n = e.getName();
        if (n.startsWith("META-INF/maven/") && n.endsWith("/pom.properties")
            && n.split("/").length == 5) {
          try (InputStream in = zip.getInputStream(e)) {
            byte[] bytes = in.readNBytes(MAX_PROPERTIES);
            Properties p = new Properties();
            p.load(new java.io.StringReader(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)));
            out.add(p);
          }
        }
      }
    }
    return out;
  }
}
