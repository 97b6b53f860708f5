package dev.plinth.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Compression;
import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer read as it is written ({@link LibraryClosure#tap}) keeps the facts that reading the
 * written layer finds, byte for byte, including a large ELF file whose loader data needs a second
 * pass over the layer; the build's check then reads none of the layers again and answers as a
 * check that reads them all.
 */
class LayerTapFactsTest {
  @TempDir Path tmp;

  private final KeptInMemory store = new KeptInMemory();
  private final Map<String, byte[]> kept = store.kept;

  /** Small limits, so that app/big's string table lies past what the first pass keeps. */
  private static final Limits SMALL = new Limits(1 << 20, 1 << 26, 1L << 30, 4096, 8192, 1 << 20);

  private static LayerBuilder content() {
    TestElf big = TestElf.program("libbig.so.1");
    big.padStrings = 200_000;
    big.padDynamic = 100_000;
    return new LayerBuilder()
        .file("/lib64/ld-linux-x86-64.so.2", TestElf.library().build(), 0755, 0, 0)
        .file("/usr/lib/x86_64-linux-gnu/libc.so.6", TestElf.library().build(), 0755, 0, 0)
        .file("/opt/lib/libfoo.so.1", TestElf.library().build(), 0644, 0, 0)
        .file("/etc/ld.so.conf", "/opt/lib\n".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
        .file("/app/tool", TestElf.program("libfoo.so.1", "libc.so.6", "libgone.so.2").build(),
            0755, 0, 0)
        .file("/app/big", big.build(), 0755, 0, 0)
        .symlink("/app/link", "tool", 0, 0)
        .file("/app/run.sh", "#!/bin/sh\nexec /app/tool\n".getBytes(StandardCharsets.UTF_8),
            0755, 0, 0);
  }

  @Test
  void whatTheTapKeeps_isWhatReadingTheLayerFinds() throws Exception {
    for (Limits limits : List.of(SMALL, Limits.DEFAULT)) {
      for (Compression c : List.of(Compression.gzip(6), Compression.ZSTD)) {
        kept.clear();
        Layer layer = content().tap(LibraryClosure.tap(store, limits, "test layer"), "test")
            .build(tmp.resolve(c.name() + limits.headBytes()), 0, c);
        byte[] tapped = kept.get(LayerFacts.key(layer.blob().descriptor().digest(), limits));
        assertNotNull(tapped, "the tap kept the layer's facts");
        byte[] read = LayerFacts.write(LayerReader.read(layer, "test layer", limits));
        assertArrayEquals(read, tapped, c.name() + ", head " + limits.headBytes());
      }
    }
  }

  @Test
  void theCheckAfterATap_readsNoLayer_andAnswersAsReadingThem() throws Exception {
    Layer layer = content().tap(LibraryClosure.tap(store, Limits.DEFAULT, "test layer"), "test")
        .build(tmp.resolve("tapped"), 0, Compression.gzip(6));
    AtomicInteger opened = new AtomicInteger();
    Blob b = layer.blob();
    Layer counted = new Layer.Value(Blob.of(b.descriptor(), () -> {
      opened.incrementAndGet();
      return b.open();
    }), layer.diffId(), layer.uncompressedSize());
    Image image = TestImages.image(TestImages.config(), counted);
    List<LibraryClosure.Missing> fromTap =
        LibraryClosure.check(image, "the built image", Limits.DEFAULT, store);
    assertEquals(0, opened.get(), "the layer was not read again");
    List<LibraryClosure.Missing> fromLayer =
        LibraryClosure.check(image, "the built image", Limits.DEFAULT, LibraryClosure.Store.NONE);
    assertTrue(opened.get() > 0);
    assertEquals(fromLayer, fromTap);
    assertEquals(List.of("libbig.so.1", "libgone.so.2"),
        fromTap.stream().map(LibraryClosure.Missing::name).sorted().toList());
  }
}
