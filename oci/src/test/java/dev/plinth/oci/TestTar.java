package dev.plinth.oci;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A tar written exactly as told (names, types, order), and layers made of one; in the test-jar,
 * for other modules' tests too.
 */
public final class TestTar {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarWriter tar = new TarWriter(bytes);

  public TestTar dir(String name) {
    return entry(new TarEntry(name, TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, null, 0), null);
  }

  public TestTar dir(String name, int mode) {
    return entry(new TarEntry(name, TarEntry.Type.DIRECTORY, mode, 0, 0, 0, null, 0), null);
  }

  public TestTar dir(String name, int mode, long uid, long gid) {
    return entry(new TarEntry(name, TarEntry.Type.DIRECTORY, mode, uid, gid, 0, null, 0), null);
  }

  public TestTar file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public TestTar file(String name, byte[] content, int mode) {
    return file(name, content, mode, 0, 0);
  }

  public TestTar file(String name, byte[] content, int mode, long uid, long gid) {
    return entry(new TarEntry(name, TarEntry.Type.FILE, mode, uid, gid, content.length, null, 0),
        content);
  }

  public TestTar symlink(String name, String target) {
    return entry(new TarEntry(name, TarEntry.Type.SYMLINK, 0777, 0, 0, 0, target, 0), null);
  }

  public TestTar hardlink(String name, String target) {
    return entry(new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, target, 0), null);
  }

  public TestTar entry(TarEntry e, byte[] content) {
    try {
      tar.write(e, content == null ? null : new ByteArrayInputStream(content));
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return this;
  }

  /** The archive, with its two end blocks. */
  public byte[] bytes() {
    try {
      tar.close();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return bytes.toByteArray();
  }

  /** Recomputes the checksum of the header at offset {@code header} of {@code tar}, in place. */
  public static void fixChecksum(byte[] tar, int header) {
    java.util.Arrays.fill(tar, header + 148, header + 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += tar[header + i] & 0xff;
    }
    byte[] chk = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, tar, header + 148, 6);
    tar[header + 154] = 0;
  }

  /** An uncompressed layer of these entries. */
  public Layer layer() {
    return layer(bytes());
  }

  /** An uncompressed layer of a tar's bytes. */
  public static Layer layer(byte[] tar) {
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, tar), Digest.of(tar),
        OptionalLong.of(tar.length));
  }

  /**
   * The GNU sparse formats GNU tar writes, as its options: {@code pax} (PAX 1.0), {@code pax-0.1},
   * {@code pax-0.0}, {@code gnu} (old GNU, type 'S').
   */
  public static List<String> sparseFormats() {
    return List.of("pax", "pax-0.1", "pax-0.0", "gnu");
  }

  /**
   * A tar that GNU tar writes with {@code --sparse} in {@code format} (one of {@link
   * #sparseFormats}), of {@code dir} holding {@code dir/sparse}: "head", a 1 MiB hole, "tail".
   * The file is made in {@code work}.
   */
  public static Path gnuSparseTar(Path work, String dir, String format) throws IOException {
    Path src = Files.createDirectories(work.resolve("sparse-src-" + format).resolve(dir));
    Path f = src.resolve("sparse");
    Files.writeString(f, "head");
    try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
      r.seek(1 << 20);
      r.write("tail".getBytes(StandardCharsets.US_ASCII));
    }
    return gnuTar(src.getParent(), work.resolve("sparse-" + format + ".tar"), format);
  }

  /** {@code out}: GNU tar's {@code --sparse} archive of what {@code dir} holds, in {@code format}. */
  public static Path gnuTar(Path dir, Path out, String format) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("tar", "--sparse", "--owner=0", "--group=0"));
    String[] fv = format.split("-", 2);
    cmd.add("--format=" + fv[0]);
    if (fv.length > 1) {
      cmd.add("--sparse-version=" + fv[1]);
    }
    cmd.addAll(List.of("-cf", out.toString(), "-C", dir.toString()));
    try (java.util.stream.Stream<Path> children = Files.list(dir)) {
      children.map(c -> c.getFileName().toString()).sorted().forEach(cmd::add);
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IOException(cmd + " failed: " + said);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      p.destroyForcibly();
    }
    return out;
  }

  /** Rewrites {@code file} with the same bytes, its aligned 4 KiB runs of zeros left as holes. */
  public static void punchHoles(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    Files.delete(file);
    try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      r.setLength(b.length);
      for (int off = 0; off < b.length; off += 4096) {
        int n = Math.min(4096, b.length - off);
        boolean zero = true;
        for (int i = off; i < off + n && zero; i++) {
          zero = b[i] == 0;
        }
        if (!zero) {
          r.seek(off);
          r.write(b, off, n);
        }
      }
    }
  }
}
