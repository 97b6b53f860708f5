package dev.plinth.builder;

import dev.plinth.oci.Digest;
import dev.plinth.oci.LayerBuilder;
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
    return of(jars, null);
  }

  /**
   * As {@link #of(Collection)}, each jar's packages kept in {@code kept} (a directory of the
   * cache; null: none) by the jar's path and {@link LayerBuilder#fileStamp} (size, times, device
   * and inode, as layers are keyed), plus plinth's version: a build whose jars did not change
   * opens none of them and hashes none (104 MB of jars cost a no-change build of the large bench
   * app 90 ms of opening alone). What does not read back is made again.
   */
  static List<Sbom.Item> of(Collection<Path> jars, Path kept) {
    TreeMap<String, Sbom.Item> items = new TreeMap<>();
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
        continue;
      }
      try {
        for (String[] gavs : packages(jar, kept)) {
          items.putIfAbsent(gavs[0] + ":" + gavs[1] + ":" + gavs[2], Sbom.maven(gavs[0],
              gavs[1], gavs[2], gavs[3].isEmpty() ? null : Digest.parse(gavs[3])));
        }
      } catch (IOException e) {
        // not a readable zip: nothing to say about it (jdeps and the layers read it too)
      }
    }
    return new ArrayList<>(items.values());
  }

  /** The jar's packages: group, artifact, version and the jar's digest (or ""), each. */
  private static List<String[]> packages(Path jar, Path kept) throws IOException {
    KeptFiles store = kept == null ? null
        : new KeptFiles(kept, "cached jar packages", MAX_PROPERTIES);
    String key = null;
    if (store != null) {
      key = Digest.of(("plinth jar packages 2\n" + dev.plinth.oci.Version.PLINTH + "\n"
          + jar.toAbsolutePath() + "\n" + LayerBuilder.fileStamp(jar))
          .getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex();
      List<String[]> back = readBack(store, key);
      if (back != null) {
        return back;
      }
    }
    List<Properties> poms = poms(jar);
    String sha = poms.size() == 1 ? Digest.of(jar).toString() : "";
    List<String[]> out = new ArrayList<>();
    StringBuilder text = new StringBuilder("plinth jar packages 1\n");
    for (Properties p : poms) {
      String g = p.getProperty("groupId");
      String a = p.getProperty("artifactId");
      String v = p.getProperty("version");
      if (g != null && a != null && v != null && (g + a + v).chars().noneMatch(c -> c < 0x20)) {
        out.add(new String[] {g, a, v, sha});
        text.append(g).append('\t').append(a).append('\t').append(v).append('\t').append(sha)
            .append('\n');
      }
    }
    if (store != null) {
      try {
        store.put(key, text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (IOException e) {
        // a cache that cannot be written only costs the next build this read again
      }
    }
    return out;
  }

  /** What {@link #packages} kept, or null when there is none or it does not read back. */
  private static List<String[]> readBack(KeptFiles store, String key) {
    byte[] bytes;
    try {
      bytes = store.get(key);
    } catch (IOException notReadable) {
      return null; // not a regular file, or too large: read the jar
    }
    if (bytes == null) {
      return null;
    }
    String[] lines = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length < 2 || !lines[0].equals("plinth jar packages 1")
        || !lines[lines.length - 1].isEmpty()) {
      return null;
    }
    List<String[]> out = new ArrayList<>();
    for (int i = 1; i < lines.length - 1; i++) {
      String[] f = lines[i].split("\t", -1);
      if (f.length != 4 || f[0].isEmpty() || f[1].isEmpty() || f[2].isEmpty()) {
        return null;
      }
      if (!f[3].isEmpty()) {
        try {
          Digest.parse(f[3]);
        } catch (RuntimeException e) {
          return null;
        }
      }
      out.add(f);
    }
    return out;
  }

  static List<Properties> poms(Path jar) throws IOException {
    List<byte[]> found = PomEntries.read(jar, MAX_PROPERTIES);
    if (found != null) {
      List<Properties> out = new ArrayList<>();
      for (byte[] bytes : found) {
        out.add(properties(bytes));
      }
      return out;
    }
    return zipFilePoms(jar);
  }

  private static Properties properties(byte[] bytes) throws IOException {
    Properties p = new Properties();
    p.load(new java.io.StringReader(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)));
    return p;
  }

  /** As {@link #poms}, through the JDK's ZipFile, which reads every entry's header. */
  static List<Properties> zipFilePoms(Path jar) throws IOException {
    List<Properties> out = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String n = e.getName();
        if (n.startsWith("META-INF/maven/") && n.endsWith("/pom.properties")
            && n.split("/").length == 5) {
          try (InputStream in = zip.getInputStream(e)) {
            out.add(properties(in.readNBytes(MAX_PROPERTIES)));
          }
        }
      }
    }
    return out;
  }
}
