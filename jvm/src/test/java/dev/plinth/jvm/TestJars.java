package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.plinth.oci.Layer;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.tools.ToolProvider;

/** Jars made for the tests: plain, with a manifest, with nested jars, compiled classes. */
final class TestJars {
  private TestJars() {}

  /** An ordered set of entries: name → content (null: a directory entry). */
  static Map<String, byte[]> entries() {
    return new LinkedHashMap<>();
  }

  static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Manifest manifest(Map<String, String> attributes) {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    attributes.forEach((k, v) -> mf.getMainAttributes().putValue(k, v));
    return mf;
  }

  /**
   * A jar of {@code entries} (a manifest first, when given); nested jars are stored, as Spring
   * Boot stores them.
   */
  static byte[] jar(Manifest mf, Map<String, byte[]> entries) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = mf == null ? new ZipOutputStream(bytes)
        : new JarOutputStream(bytes, mf)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry ze = new ZipEntry(e.getKey());
        ze.setTime(0);
        byte[] b = e.getValue();
        if (b != null && e.getKey().endsWith(".jar")) {
          CRC32 crc = new CRC32();
          crc.update(b);
          ze.setMethod(ZipEntry.STORED);
          ze.setSize(b.length);
          ze.setCompressedSize(b.length);
          ze.setCrc(crc.getValue());
        }
        z.putNextEntry(ze);
        if (b != null) {
          z.write(b);
        }
        z.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  static Path write(Path file, byte[] bytes) throws Exception {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.write(file, bytes);
    return file;
  }

  /** The class file of {@code className}, compiled for Java 17 from {@code source}. */
  static Map<String, byte[]> compile(Path tmp, String className, String source)
      throws Exception {
    Path dir = Files.createTempDirectory(tmp, "javac");
    Path file = dir.resolve(className.substring(className.lastIndexOf('.') + 1) + ".java");
    Files.writeString(file, source);
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
        dir.toString(), file.toString());
    assertEquals(0, rc, source);
    String entry = className.replace('.', '/') + ".class";
    return Map.of(entry, Files.readAllBytes(dir.resolve(entry)));
  }

  /** The paths of the files in a part's layer, with their content as text. */
  static Map<String, String> files(JavaApp.Part part, Path work) throws Exception {
    Layer l = part.layer().build(work, 0, 1);
    Map<String, String> out = new LinkedHashMap<>();
    try (InputStream in = l.openUncompressed()) {
      TarReader r = new TarReader(in, "layer");
      for (TarEntry e; (e = r.next()) != null; ) {
        if (!e.isDirectory()) {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          r.content().transferTo(b);
          out.put("/" + e.name(), b.toString(StandardCharsets.ISO_8859_1));
        }
      }
    }
    return out;
  }

  /** The layers' digests, built into {@code work}. */
  static List<String> digests(JavaApp.Plan plan, Path work) throws Exception {
    List<String> out = new ArrayList<>();
    for (JavaApp.Part p : plan.parts()) {
      out.add(p.layer().build(work, 0, 6).blob().descriptor().digest().toString());
    }
    return out;
  }
}
