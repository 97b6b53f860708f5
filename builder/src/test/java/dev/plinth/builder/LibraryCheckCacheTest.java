package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.plinth.audit.LibraryClosure;
import dev.plinth.audit.TestElf;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.Json;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build-time library check kept in the cache: a build whose layers did not change reads
 * none of them again, counted by the streams opened on the layers' blobs; a changed layer or a
 * changed LD_LIBRARY_PATH is checked afresh.
 */
class LibraryCheckCacheTest {
  @TempDir Path tmp;
  /** Streams opened on any layer's blob. */
  final AtomicInteger opened = new AtomicInteger();

  /** A layer built as plinth builds them, whose blob counts the streams opened on it. */
  private Layer layer(String name, byte[] content) throws IOException {
    Layer l = new LayerBuilder().file(name, content, 0755, 0, 0)
        .build(Files.createTempDirectory(tmp, "layer-"), 0, 6);
    Blob b = l.blob();
    Blob counting = new Blob() {
      @Override
      public Descriptor descriptor() throws IOException {
        return b.descriptor();
      }

      @Override
      public InputStream open() throws IOException {
        opened.incrementAndGet();
        return b.open();
      }
    };
    return new Layer.Value(counting, l.diffId(), l.uncompressedSize());
  }

  private static Image image(List<String> env, Layer... layers) throws IOException {
    List<String> diffIds = new ArrayList<>();
    for (Layer l : layers) {
      diffIds.add(l.diffId().toString());
    }
    byte[] config = Json.write(Map.of("architecture", "amd64", "os", "linux",
        "config", Map.of("Env", env, "Entrypoint", List.of("/app/x")),
        "rootfs", Map.of("type", "layers", "diff_ids", diffIds)));
    return Image.of(Platform.LINUX_AMD64, Blob.of(MediaTypes.OCI_CONFIG, config),
        List.of(layers), Map.of());
  }

  private long kept() throws IOException {
    try (Stream<Path> s = Files.list(tmp.resolve("cache/checks"))) {
      return s.count();
    }
  }

  @Test
  void unchangedLayers_areNotReadAgain_changedOnesAreCheckedAfresh() throws Exception {
    Path dir = tmp.resolve("cache/checks");
    Layer base = layer("/lib/x86_64-linux-gnu/libc.so.6", TestElf.library().build());
    Layer app = layer("/app/x", TestElf.program("libz.so.1", "libc.so.6").build());
    List<String> env = List.of("PATH=/usr/bin");
    List<LibraryClosure.Missing> first = LibraryCheck.missing(image(env, base, app), dir);
    int read = opened.getAndSet(0);
    assertEquals(2, read, "the first check reads each layer once");
    assertEquals(List.of("/lib64/ld-linux-x86-64.so.2", "libz.so.1"),
        first.stream().map(LibraryClosure.Missing::name).toList());
    assertEquals(List.of("/app/x"), first.get(1).files());

    // the same layers (a warm build): the kept answer, no layer opened
    assertEquals(first, LibraryCheck.missing(image(env, base, app), dir));
    assertEquals(0, opened.getAndSet(0), "an unchanged image is not read again");
    assertEquals(1, kept());

    // one layer changed: checked afresh, and kept apart
    Layer app2 = layer("/app/x", TestElf.program("libc.so.6").build());
    List<LibraryClosure.Missing> second = LibraryCheck.missing(image(env, base, app2), dir);
    assertNotEquals(0, opened.getAndSet(0), "a changed layer is read");
    assertEquals(List.of("/lib64/ld-linux-x86-64.so.2"),
        second.stream().map(LibraryClosure.Missing::name).toList());
    assertEquals(2, kept());

    // what the loader reads of the config is in the key too
    Layer zlib = layer("/opt/z/libz.so.1", TestElf.library().build());
    List<LibraryClosure.Missing> plain = LibraryCheck.missing(image(env, base, zlib, app), dir);
    List<LibraryClosure.Missing> withPath = LibraryCheck.missing(
        image(List.of("PATH=/usr/bin", "LD_LIBRARY_PATH=/opt/z"), base, zlib, app), dir);
    assertEquals(List.of("/lib64/ld-linux-x86-64.so.2", "libz.so.1"),
        plain.stream().map(LibraryClosure.Missing::name).toList());
    assertEquals(List.of("/lib64/ld-linux-x86-64.so.2"),
        withPath.stream().map(LibraryClosure.Missing::name).toList());
    assertEquals(4, kept());
  }

  @Test
  void aDamagedKeptAnswer_isPassedOver_andTheImageChecked() throws Exception {
    Path dir = tmp.resolve("cache/checks");
    Layer app = layer("/app/x", TestElf.program("libz.so.1").interpreter(null).build());
    Image image = image(List.of(), app);
    List<LibraryClosure.Missing> first = LibraryCheck.missing(image, dir);
    Files.writeString(dir.resolve(LibraryCheck.key(image) + ".json"), "{not json");
    opened.set(0);
    assertEquals(first, LibraryCheck.missing(image, dir));
    assertEquals(1, opened.get(), "read again");
  }
}
