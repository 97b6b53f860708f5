package dev.plinth.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.TestTar;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The ELF closure's cache of what was found in each layer: a second check of the same layers
 * reads none of them and answers the same; other layers in the same store get their own answer;
 * kept bytes that are damaged are read from the layer again.
 */
class LayerFactsTest {
  private final AtomicInteger opened = new AtomicInteger();
  private final KeptInMemory store = new KeptInMemory();
  private final Map<String, byte[]> kept = store.kept;

  /** A gzip layer of {@code tar} that counts how often it is opened. */
  private Layer counted(TestTar tar) throws IOException {
    Layer l = TestImages.gzipLayer(tar.bytes());
    Blob b = l.blob();
    return new Layer.Value(Blob.of(b.descriptor(), () -> {
      opened.incrementAndGet();
      return b.open();
    }), l.diffId(), l.uncompressedSize());
  }

  private static TestTar loaderAndLibc() {
    return new TestTar().dir("lib64/", 0755)
        .file("lib64/ld-linux-x86-64.so.2", TestElf.library().build(), 0755)
        .dir("usr/lib/x86_64-linux-gnu/", 0755)
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", TestElf.library().build(), 0755);
  }

  private List<LibraryClosure.Missing> check(Image image) throws Exception {
    return LibraryClosure.check(image, "the built image", Limits.DEFAULT, store);
  }

  @Test
  void secondCheck_readsNoLayer_andAnswersTheSame() throws Exception {
    Layer libs = counted(loaderAndLibc().dir("opt/lib/", 0755)
        .file("opt/lib/libfoo.so.1", TestElf.library().build(), 0644)
        .file("etc/ld.so.conf", "/opt/lib\n"));
    Layer app = counted(new TestTar().file("app/tool",
        TestElf.program("libfoo.so.1", "libc.so.6").build(), 0755));
    Image image = TestImages.image(TestImages.config(), libs, app);
    assertEquals(List.of(), check(image));
    int first = opened.get();
    assertTrue(first >= 2, "each layer read once: " + first);
    assertEquals(3, kept.size(), "each layer's facts and the image's answer");

    assertEquals(List.of(), check(image));
    assertEquals(first, opened.get(), "no layer was opened again");
  }

  @Test
  void otherLayersInTheSameStore_getTheirOwnAnswer() throws Exception {
    Layer withLib = counted(loaderAndLibc().dir("opt/lib/", 0755)
        .file("opt/lib/libfoo.so.1", TestElf.library().build(), 0644)
        .file("etc/ld.so.conf", "/opt/lib\n"));
    Layer withoutLib = counted(loaderAndLibc().file("etc/ld.so.conf", "/opt/lib\n"));
    Layer app = counted(new TestTar().file("app/tool",
        TestElf.program("libfoo.so.1", "libc.so.6").build(), 0755));
    assertEquals(List.of(), check(TestImages.image(TestImages.config(), withLib, app)));
    List<LibraryClosure.Missing> missing =
        check(TestImages.image(TestImages.config(), withoutLib, app));
    assertEquals(1, missing.size(), missing.toString());
    assertEquals("libfoo.so.1", missing.get(0).name());
    assertEquals(List.of("/app/tool"), missing.get(0).files());
    // and the first answer still stands, from the store alone
    int before = opened.get();
    assertEquals(List.of(), check(TestImages.image(TestImages.config(), withLib, app)));
    assertEquals(before, opened.get());
  }

  @Test
  void theSameLayersWithAnotherConfig_getTheirOwnAnswer() throws Exception {
    Layer libs = counted(loaderAndLibc().dir("opt/lib/", 0755)
        .file("opt/lib/libfoo.so.1", TestElf.library().build(), 0644));
    Layer app = counted(new TestTar().file("app/tool",
        TestElf.program("libfoo.so.1", "libc.so.6").build(), 0755));
    List<LibraryClosure.Missing> missing =
        check(TestImages.image(TestImages.config(), libs, app));
    assertEquals("libfoo.so.1", missing.get(0).name(), missing.toString());
    // the loader reads LD_LIBRARY_PATH from the config's Env: the answer the store kept for the
    // same layers is not this image's
    Map<String, Object> withPath = TestImages.config();
    @SuppressWarnings("unchecked")
    List<String> env = (List<String>) withPath.get("Env");
    env.add("LD_LIBRARY_PATH=/opt/lib");
    assertEquals(List.of(), check(TestImages.image(withPath, libs, app)));
    assertEquals(missing, check(TestImages.image(TestImages.config(), libs, app)));
  }

  @Test
  void wholeAnswer_readsBackAsWritten_andForeignBytesAreRefused() throws Exception {
    List<LibraryClosure.Missing> missing = List.of(
        new LibraryClosure.Missing("/lib64/ld-linux-x86-64.so.2", true, List.of("/app/a", "/b")),
        new LibraryClosure.Missing("libfoo.so.1", false, List.of("/app/tool")));
    assertEquals(missing, LayerFacts.readMissing(LayerFacts.writeMissing(missing)));
    assertEquals(List.of(), LayerFacts.readMissing(LayerFacts.writeMissing(List.of())));
    byte[] b = LayerFacts.writeMissing(missing);
    assertThrows(IOException.class, () -> LayerFacts.readMissing(
        java.util.Arrays.copyOf(b, b.length - 1)));
    assertThrows(IOException.class, () -> LayerFacts.readMissing(
        java.util.Arrays.copyOf(b, b.length + 1)));
    assertThrows(IOException.class, () -> LayerFacts.readMissing(new byte[0]));
    byte[] facts = LayerFacts.write(LayerReader.read(TestImages.gzipLayer(loaderAndLibc()
        .bytes()), "layer", Limits.DEFAULT));
    assertThrows(IOException.class, () -> LayerFacts.readMissing(facts));
  }

  @Test
  void damagedKeptBytes_areReadFromTheLayerAgain() throws Exception {
    Layer libs = counted(loaderAndLibc());
    Layer app = counted(new TestTar().file("app/tool",
        TestElf.program("libfoo.so.1", "libc.so.6").build(), 0755));
    Image image = TestImages.image(TestImages.config(), libs, app);
    List<LibraryClosure.Missing> first = check(image);
    assertEquals(1, first.size());
    for (Map.Entry<String, byte[]> e : kept.entrySet()) {
      byte[] b = e.getValue().clone();
      b[b.length / 2] ^= 0x55;
      e.setValue(java.util.Arrays.copyOf(b, b.length - 3)); // flipped and truncated
    }
    int before = opened.get();
    assertEquals(first, check(image));
    assertTrue(opened.get() > before, "the layers were read again");
  }

  @Test
  void keptBytes_readBackToTheSameFacts() throws Exception {
    TestTar tar = loaderAndLibc().symlink("lib/libx.so", "libx.so.1")
        .hardlink("lib64/ld-copy", "lib64/ld-linux-x86-64.so.2")
        .file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
        .file("usr/bin/run", "#!/bin/sh\necho hi\n".getBytes(), 0755)
        .file("usr/bin/run", "#!/bin/sh\necho again\n".getBytes(), 0755) // a duplicate: a note
        .file("old/.wh.gone", "").file("keep/.wh..wh..opq", "")
        .file("app/tool", TestElf.program("libfoo.so.1").runpath("$ORIGIN/lib").build(), 0755);
    LayerChanges read = LayerReader.read(TestImages.gzipLayer(tar.bytes()), "layer",
        Limits.DEFAULT);
    byte[] bytes = LayerFacts.write(read);
    LayerChanges back = LayerFacts.read(bytes);
    assertArrayEquals(bytes, LayerFacts.write(back));
    assertEquals(read.diff().entries().size(), back.diff().entries().size());
    assertEquals(read.diff().whiteouts(), back.diff().whiteouts());
    assertEquals(read.diff().opaqueDirs(), back.diff().opaqueDirs());
    assertEquals(read.notes(), back.notes());
    assertTrue(!back.notes().isEmpty(), "the duplicate's note is kept");
    assertEquals(read.uncompressedBytes(), back.uncompressedBytes());
  }

  @Test
  void secretsInTheLayer_areNotWrittenToTheCache_theLoadersConfigIs() throws Exception {
    TestTar tar = new TestTar().dir("etc/", 0755)
        .file("etc/shadow", "root:$6$secret-hash:19000:0:99999:7:::\n")
        .dir("root/", 0700).file("root/.netrc", "machine example login me password hunter2\n")
        .file("etc/ld.so.conf", "/opt/lib-from-conf\n");
    byte[] bytes = LayerFacts.write(LayerReader.read(TestImages.gzipLayer(tar.bytes()), "layer",
        Limits.DEFAULT));
    String kept = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(!kept.contains("secret-hash") && !kept.contains("hunter2"), kept);
    assertTrue(kept.contains("/opt/lib-from-conf"), kept);
  }

  @Test
  void aStoreThatFails_onlyCostsARead() throws Exception {
    LibraryClosure.Store failing = new LibraryClosure.Store() {
      @Override
      public byte[] get(String key) throws IOException {
        throw new IOException("Permission denied");
      }

      @Override
      public void put(String key, byte[] value) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    Layer libs = counted(loaderAndLibc());
    Layer app = counted(new TestTar().file("app/tool",
        TestElf.program("libfoo.so.1", "libc.so.6").build(), 0755));
    List<LibraryClosure.Missing> missing = LibraryClosure.check(
        TestImages.image(TestImages.config(), libs, app), "the built image", Limits.DEFAULT,
        failing);
    assertEquals("libfoo.so.1", missing.get(0).name());
  }

  @Test
  void foreignBytes_areRefused() {
    assertThrows(IOException.class, () -> LayerFacts.read(new byte[0]));
    assertThrows(IOException.class, () -> LayerFacts.read("not facts at all".getBytes()));
    byte[] huge = new byte[64];
    java.nio.ByteBuffer.wrap(huge).putInt(0x504c4643).putInt(1).putInt(Integer.MAX_VALUE);
    assertThrows(IOException.class, () -> LayerFacts.read(huge));
  }

  @Test
  void theKey_holdsTheLayerAndTheLimits() {
    Digest a = Digest.of(new byte[] {1});
    Digest b = Digest.of(new byte[] {2});
    assertNotEquals(LayerFacts.key(a, Limits.DEFAULT), LayerFacts.key(b, Limits.DEFAULT));
    Limits other = new Limits(1000, Limits.DEFAULT.maxMetadataBytes(),
        Limits.DEFAULT.maxLayerBytes(), Limits.DEFAULT.headBytes(),
        Limits.DEFAULT.elfWholeBytes(), Limits.DEFAULT.keepBytes());
    assertNotEquals(LayerFacts.key(a, Limits.DEFAULT), LayerFacts.key(a, other));
    assertEquals(LayerFacts.key(a, Limits.DEFAULT), LayerFacts.key(a, Limits.DEFAULT));
  }
}
