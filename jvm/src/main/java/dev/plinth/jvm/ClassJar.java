package dev.plinth.jvm;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A reproducible jar of an app's class or resource files, for the JDK's AOT cache, which takes
 * jars only on the class path (a non-empty directory stops the training run). Its bytes depend
 * on nothing but the entries' names and content and the manifest: entries in name order, each
 * directory above a file given its own entry (Spring's classpath scanning finds a package in a
 * jar by its directory entry), stored (not deflated: the layer's gzip compresses the classes side
 * by side, and no zlib version changes the bytes), with one fixed time.
 *
 * <p>A jar is written once into a store directory under a name made of its content's hash (read
 * from the files on every call, which also checks them), so a rebuild with the same files finds
 * the same file, its layer cached by its attributes; a changed class makes a new one.
 */
final class ClassJar {
  /** Bump when the bytes written for the same input change. */
  private static final String RECIPE = "plinth-class-jar-1";
  /** The time of every entry: DOS time with no extended field, the same in every time zone. */
  private static final LocalDateTime TIME = LocalDateTime.of(1980, 2, 1, 0, 0);

  private ClassJar() {}

  private record Sum(long size, long crc) {}

  /**
   * The jar of {@code files} (entry name → the file with its bytes) with {@code manifest} (null:
   * none) in {@code store}, written unless a jar of the same content is there.
   */
  static Path write(Path store, SortedMap<String, Path> files, Manifest manifest)
      throws IOException {
    byte[] mf = null;
    if (manifest != null) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      manifest.write(b);
      mf = b.toByteArray();
    }
    MessageDigest key = Digest.sha256();
    key.update((RECIPE + "\n").getBytes(StandardCharsets.UTF_8));
    if (mf != null) {
      key.update(mf);
    }
    List<Sum> sums = new ArrayList<>();
    byte[] buf = new byte[65536];
    for (Map.Entry<String, Path> e : files.entrySet()) {
      MessageDigest md = Digest.sha256();
      CRC32 crc = new CRC32();
      long size = 0;
      try (InputStream in = Files.newInputStream(e.getValue())) {
        for (int n; (n = in.read(buf)) > 0; ) {
          md.update(buf, 0, n);
          crc.update(buf, 0, n);
          size += n;
        }
      }
      sums.add(new Sum(size, crc.getValue()));
      key.update(("\0" + e.getKey() + "\0" + size + " " + Digest.of(md).hex())
          .getBytes(StandardCharsets.UTF_8));
    }
    Files.createDirectories(store);
    Path jar = store.resolve("classes-" + Digest.of(key).hex() + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    try (AtomicFile out = new AtomicFile(jar)) {
      try (OutputStream os = out.open(); ZipOutputStream z = new ZipOutputStream(os)) {
        z.setMethod(ZipOutputStream.STORED);
        Set<String> dirs = new HashSet<>();
        if (mf != null) {
          directory(z, "META-INF/", dirs);
          put(z, JarFile.MANIFEST_NAME, mf.length, crc(mf));
          z.write(mf);
          z.closeEntry();
        }
        int i = 0;
        for (Map.Entry<String, Path> e : files.entrySet()) {
          String name = e.getKey();
          Sum s = sums.get(i++);
          if (name.equals(JarFile.MANIFEST_NAME) && mf != null) {
            continue;
          }
          for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            directory(z, name.substring(0, slash + 1), dirs);
          }
          put(z, name, s.size(), s.crc());
          // the entry's size and CRC were read above: a file changed since fails the write
          Files.copy(e.getValue(), z);
          z.closeEntry();
        }
      }
      out.commit();
    }
    return jar;
  }

  private static void directory(ZipOutputStream z, String name, Set<String> dirs)
      throws IOException {
    if (dirs.add(name)) {
      put(z, name, 0, 0);
      z.closeEntry();
    }
  }

  private static void put(ZipOutputStream z, String name, long size, long crc)
      throws IOException {
    ZipEntry e = new ZipEntry(name);
    e.setTimeLocal(TIME);
    e.setMethod(ZipEntry.STORED);
    e.setSize(size);
    e.setCompressedSize(size);
    e.setCrc(crc);
    z.putNextEntry(e);
  }

  private static long crc(byte[] b) {
    CRC32 c = new CRC32();
    c.update(b);
    return c.getValue();
  }
}
