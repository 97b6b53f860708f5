package dev.plinth.oci;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/** A tar written exactly as told (names, types, order), and layers made of one. */
final class TestTar {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarWriter tar = new TarWriter(bytes);

  TestTar dir(String name) {
    return entry(new TarEntry(name, TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, null, 0), null);
  }

  TestTar dir(String name, int mode) {
    return entry(new TarEntry(name, TarEntry.Type.DIRECTORY, mode, 0, 0, 0, null, 0), null);
  }

  TestTar file(String name, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return entry(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, b.length, null, 0), b);
  }

  TestTar symlink(String name, String target) {
    return entry(new TarEntry(name, TarEntry.Type.SYMLINK, 0777, 0, 0, 0, target, 0), null);
  }

  TestTar hardlink(String name, String target) {
    return entry(new TarEntry(name, TarEntry.Type.HARDLINK, 0644, 0, 0, 0, target, 0), null);
  }

  TestTar entry(TarEntry e, byte[] content) {
    try {
      tar.write(e, content == null ? null : new ByteArrayInputStream(content));
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return this;
  }

  /** The archive, with its two end blocks. */
  byte[] bytes() {
    try {
      tar.close();
    } catch (IOException x) {
      throw new UncheckedIOException(x);
    }
    return bytes.toByteArray();
  }

  /** An uncompressed layer of these entries. */
  Layer layer() {
    byte[] b = bytes();
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, b), Digest.of(b),
        OptionalLong.of(b.length));
  }
}
