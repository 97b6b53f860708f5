package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer's tap ({@link LayerBuilder#tap}) reads the very bytes of the layer's tar as it is
 * written, for gzip layers small and big (compressed on every core, with a zip's deflated entries
 * stored) and zstd ones; and whatever the tap does (stops early, fails), the layer is the one
 * written without a tap. A write that fails ends the tap's stream with an error, not an end.
 */
class LayerTapTest {
  @TempDir Path tmp;

  /** Over ParallelGzipOutputStream.THRESHOLD when {@code big}, with a jar in it. */
  private LayerBuilder content(boolean big) throws IOException {
    LayerBuilder b = new LayerBuilder()
        .file("/usr/bin/app", "#!/bin/sh\n".getBytes(), 0755, 0, 0)
        .symlink("/bin", "usr/bin", 0, 0)
        .directory("/home/nonroot", 0750, 65532, 65532);
    if (big) {
      byte[] noise = new byte[9 << 20];
      new Random(7).nextBytes(noise);
      Path data = tmp.resolve("data.bin");
      Files.write(data, noise);
      b.file("/app/data.bin", data, 0644, 0, 0);
      Path jar = tmp.resolve("lib.jar");
      try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
        ZipEntry a = new ZipEntry("a.txt");
        a.setTime(0); // the same jar every time it is made
        z.putNextEntry(a);
        z.write("hello ".repeat(100_000).getBytes());
        z.closeEntry();
      }
      b.file("/app/lib.jar", jar, 0644, 0, 0);
    }
    return b;
  }

  /** A tap that reads everything and records its digest, size, and the layer it was given. */
  private static final class Whole implements LayerBuilder.Tap {
    final MessageDigest sha = Digest.sha256();
    long bytes;
    final AtomicReference<Layer> given = new AtomicReference<>();

    @Override
    public Written read(InputStream tar) throws IOException {
      try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), sha)) {
        bytes = tar.transferTo(out);
      }
      return given::set;
    }
  }

  @Test
  void aTap_readsTheTarAsWritten_andTheLayerIsTheSame() throws Exception {
    for (boolean big : new boolean[] {false, true}) {
      for (Compression c : new Compression[] {Compression.gzip(6), Compression.ZSTD}) {
        Layer plain = content(big).build(tmp.resolve("plain-" + big + c.name()), 0, c);
        Whole tap = new Whole();
        Layer tapped = content(big).tap(tap, "test").build(tmp.resolve("tapped-" + big + c.name()), 0, c);
        String what = (big ? "big " : "small ") + c.name();
        assertEquals(plain.blob().descriptor(), tapped.blob().descriptor(), what);
        assertEquals(tapped.diffId(), Digest.of(tap.sha), what + ": the tap read the tar");
        assertEquals(tapped.uncompressedSize().getAsLong(), tap.bytes, what);
        assertEquals(tapped, tap.given.get(), what + ": the tap was given the layer");
      }
    }
  }

  @Test
  void aTapThatStopsEarlyOrFails_changesNothing() throws Exception {
    Layer plain = content(true).build(tmp.resolve("plain"), 0, Compression.gzip(6));
    AtomicReference<Layer> given = new AtomicReference<>();
    Layer early = content(true).tap(tar -> {
      tar.readNBytes(100);
      return given::set;
    }, "early").build(tmp.resolve("early"), 0, Compression.gzip(6));
    assertEquals(plain.blob().descriptor(), early.blob().descriptor());
    assertEquals(early, given.get(), "what it read first is kept for the layer");

    Layer failed = content(true).tap(tar -> {
      tar.readNBytes(70_000);
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, "the tap's own failure");
    }, "failing").build(tmp.resolve("failing"), 0, Compression.gzip(6));
    assertEquals(plain.blob().descriptor(), failed.blob().descriptor());

    Layer failedLater = content(true).tap(tar -> layer -> {
      throw new IOException("cannot keep it");
    }, "failing later").build(tmp.resolve("later"), 0, Compression.gzip(6));
    assertEquals(plain.blob().descriptor(), failedLater.blob().descriptor());
  }

  @Test
  void aWriteThatFails_endsTheTapsStreamWithAnError() throws Exception {
    // a slice longer than its file: found short only as it is written, after the rest
    Path shorter = tmp.resolve("short.bin");
    Files.write(shorter, new byte[] {1, 2, 3});
    LayerBuilder b = content(true).file("/zz/short.bin", shorter, 0, 1000, 0644, 0, 0);
    AtomicReference<Object> seen = new AtomicReference<>();
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    b.tap(tar -> {
      try {
        seen.set(tar.transferTo(OutputStream.nullOutputStream()));
      } catch (IOException e) {
        seen.set(e);
      } finally {
        ended.countDown();
      }
      return layer -> seen.set("written");
    }, "failing write");
    IOException failed = assertThrows(IOException.class,
        () -> b.build(tmp.resolve("failed"), 0, Compression.gzip(6)));
    assertTrue(failed.getMessage().contains("ended after 3 of 1000 bytes"), failed.getMessage());
    ended.await();
    assertTrue(seen.get() instanceof IOException, "an error, not an end: " + seen.get());
    try (var files = Files.list(tmp.resolve("failed"))) {
      assertEquals(0, files.count(), "no layer left behind");
    }
  }
}
