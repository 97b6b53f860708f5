package dev.plinth.oci;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

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

  /** An uncompressed layer of these entries. */
  public Layer layer() {
    byte[] b = bytes();
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, b), Digest.of(b),
        OptionalLong.of(b.length));
  }
}
