package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip on every core, as pigz does it: the input is cut into fixed 1 MiB blocks, each deflated
 * on its own with the 32 KiB before it as its dictionary and ended with a sync flush (the last
 * with the final block), and the pieces are joined into one gzip member. Any gzip reader reads
 * it; the output depends only on the input and the level, never on the number of cores, so
 * layers stay reproducible.
 */
final class ParallelGzip {
  /** Layers of at least this much content are compressed in parallel. */
  static final long THRESHOLD = 4L << 20;
  static final int BLOCK = 1 << 20;
  private static final int DICTIONARY = 32 * 1024;
  /** The header GZIPOutputStream writes: no name, no time, OS 0. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};

  private ParallelGzip() {}

  static void compress(Path input, OutputStream out, int level) throws IOException {
    int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "plinth-gzip");
      t.setDaemon(true);
      return t;
    });
    CRC32 crc = new CRC32();
    long size = Files.size(input);
    try (InputStream in = Files.newInputStream(input)) {
      out.write(HEADER);
      Deque<Future<byte[]>> window = new ArrayDeque<>();
      byte[] previous = null;
      long read = 0;
      do {
        byte[] block = in.readNBytes((int) Math.min(BLOCK, size - read));
        if (block.length == 0) {
          throw new IOException(input + " ended at " + read + " of " + size + " bytes");
        }
        read += block.length;
        crc.update(block);
        boolean last = read >= size;
        byte[] dict = previous == null ? null
            : Arrays.copyOfRange(previous, Math.max(0, previous.length - DICTIONARY),
                previous.length);
        window.add(pool.submit(() -> deflate(block, dict, last, level)));
        previous = block;
        while (window.size() > threads * 2 || (last && !window.isEmpty())) {
          out.write(join(window.poll()));
        }
        if (last) {
          break;
        }
      } while (true);
      long isize = size & 0xffffffffL;
      long c = crc.getValue();
      out.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
          (byte) isize, (byte) (isize >> 8), (byte) (isize >> 16), (byte) (isize >> 24)});
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] deflate(byte[] block, byte[] dict, boolean last, int level) {
    Deflater d = new Deflater(level, true);
    try {
      if (dict != null) {
        d.setDictionary(dict);
      }
      d.setInput(block);
      if (last) {
        d.finish();
      }
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(block.length / 2 + 64);
      byte[] buf = new byte[64 * 1024];
      while (true) {
        int n = last ? d.deflate(buf) : d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        out.write(buf, 0, n);
        if (last ? d.finished() : n < buf.length && d.needsInput()) {
          break;
        }
      }
      return out.toByteArray();
    } finally {
      d.end();
    }
  }

  private static byte[] join(Future<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("compressing a layer failed: " + e.getCause(), e.getCause());
    }
  }
}
