package dev.plinth.jvm;

import dev.plinth.oci.Digest;
import dev.plinth.oci.HostTree;
import dev.plinth.oci.LayerBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;

/**
 * What an app's class directories made, remembered by what find listed of them: a no-change build
 * of an app with thousands of class files takes its resources and classes layers from the layer
 * cache without reading a record of that listing, adding a file to a layer or keying one (the
 * large bench app: some 60 ms of a 350 ms build).
 *
 * <p>An entry is named by a digest of every class directory's {@link HostTree.Listing#identity}
 * (each entry's name, type, size, times, device and inode, as find printed them), in classpath
 * order, and of {@link #FORMAT}; it holds each layer's {@link LayerBuilder#entriesKey} and content
 * bytes. It is written only when each directory was listed by find without a symlink (whose
 * target's stamp a listing does not hold) and no file had changed too recently for its stamp to
 * settle its content: then the same listing means the same entries with the same stamps, and the
 * same key. A layer gone from the cache, or anything unexpected in an entry, means the directories
 * are listed file by file as without it.
 */
final class ClassDirKeys {
  /**
   * Bump when what {@link JavaApp} puts in the resources or classes layer for the same files
   * changes (their paths in the image, mode, owner): an entry names the layers by what went in.
   */
  static final String FORMAT = "plinth-class-dirs-1";

  /** The cache's directory of these entries. */
  static final String DIR = "class-dirs";

  /** An entry's longest form, read whole (two lines of about 90 bytes). */
  private static final int MAX_BYTES = 1024;

  /** One layer as an entry remembers it. */
  record Known(Digest key, long bytes) {}

  /** An entry: each layer's key, or null when that layer is empty. */
  record Entry(Known resources, Known classes) {}

  private ClassDirKeys() {}

  /**
   * The entry's file for these listings (the class directories of the classpath, in its order),
   * in {@code dir}; null when a listing has no identity (the JDK listed it, or find failed).
   */
  static Path file(Path dir, List<HostTree.Listing> listings) throws IOException {
    MessageDigest md = Digest.sha256();
    md.update((FORMAT + "\n" + LayerBuilder.FORMAT + "\n").getBytes(StandardCharsets.UTF_8));
    for (HostTree.Listing l : listings) {
      Digest id = l.identity();
      if (id == null) {
        return null;
      }
      md.update((id.hex() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return dir.resolve(Digest.of(md).hex());
  }

  /** The entry in {@code file}; null when there is none, or it is not in the form written. */
  static Entry read(Path file) {
    byte[] bytes;
    try {
      // bounded, and a regular file only (a FIFO there would block a plain read)
      bytes = dev.plinth.oci.SmallFiles.read(file, MAX_BYTES, "class-dirs entry");
    } catch (IOException | dev.plinth.oci.PlinthException | RuntimeException e) {
      return null; // none, or not one this wrote
    }
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    if (lines.length != 4 || !lines[0].equals(FORMAT) || !lines[3].isEmpty()) {
      return null;
    }
    try {
      Known resources = known(lines[1], JavaApp.RESOURCES);
      Known classes = known(lines[2], JavaApp.CLASSES);
      return new Entry(resources, classes);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** "NAME -" (empty) or "NAME SHA256HEX BYTES". */
  private static Known known(String line, String name) {
    String[] f = line.split(" ");
    if (f.length == 2 && f[0].equals(name) && f[1].equals("-")) {
      return null;
    }
    if (f.length != 3 || !f[0].equals(name)) {
      throw new IllegalArgumentException(line);
    }
    long bytes = Long.parseLong(f[2]);
    if (bytes < 0) {
      throw new IllegalArgumentException(line);
    }
    return new Known(Digest.parse("sha256:" + f[1]), bytes);
  }

  /**
   * Writes the entry for layers just built (null: empty), when each was keyed with settled
   * stamps; a failure to write only costs the next build a listing.
   */
  static void write(Path file, LayerBuilder resources, LayerBuilder classes) {
    try {
      String r = line(JavaApp.RESOURCES, resources);
      String c = line(JavaApp.CLASSES, classes);
      if (r == null || c == null) {
        return;
      }
      dev.plinth.oci.AtomicFile.writeUnsynced(file, // (makes the directory if missing)
          (FORMAT + "\n" + r + "\n" + c + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      // a read-only or full cache: the next build lists the directories again
    }
  }

  /** A layer's line; null when it was not keyed, or not with settled stamps. */
  private static String line(String name, LayerBuilder layer) throws IOException {
    if (layer == null || layer.isEmpty()) {
      return name + " -";
    }
    Digest key = layer.entriesKey();
    return key == null ? null : name + " " + key.hex() + " " + layer.contentBytes();
  }
}
