package dev.plinth.oci;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * zstd on every core: the input is cut into blocks of a fixed size, each compressed on its own
 * into a complete zstd frame (libzstd's, through zstd-jni, at the given level), and the frames
 * written in order. A zstd stream may be a sequence of frames (RFC 8878, 3.1), which every decoder
 * reads as one. The blocks depend on the input only, so the bytes are the same for any number of
 * threads; libzstd's output depends on its version and level only, so they are the same on any
 * machine with this zstd-jni.
 */
final class ParallelZstdOutputStream extends OutputStream {
  /** Input per frame: large enough that the ratio hardly suffers from the cuts. */
  static final int BLOCK = 4 << 20;

  private final OutputStream out;
  private final int level;
  private final ExecutorService pool;
  private final int inFlight;
  private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
  private byte[] block = new byte[BLOCK];
  private int len;
  private long frames;
  private boolean closed;

  /**
   * @param level zstd's level, 1-19
   * @param threads blocks compressed at once (1: in the calling thread); the output is the same
   *     for any value
   */
  ParallelZstdOutputStream(OutputStream out, int level, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads);
    }
    this.out = out;
    this.level = level;
    this.inFlight = 2 * threads;
    this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "plinth-zstd");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int n) throws IOException {
    while (n > 0) {
      int k = Math.min(n, BLOCK - len);
      System.arraycopy(b, off, block, len, k);
      len += k;
      off += k;
      n -= k;
      if (len == BLOCK) {
        dispatch();
      }
    }
  }

  private void dispatch() throws IOException {
    byte[] in = block;
    int n = len;
    block = new byte[BLOCK];
    len = 0;
    frames++;
    if (pool == null) {
      out.write(compress(in, n));
      return;
    }
    pending.add(pool.submit(() -> compress(in, n)));
    while (pending.size() >= inFlight) {
      drainOne();
    }
  }

  private byte[] compress(byte[] in, int n) throws IOException {
    byte[] frame = new byte[Math.toIntExact(Zstd.compressBound(n))];
    long size = Zstd.compressByteArray(frame, 0, frame.length, in, 0, n, level);
    if (Zstd.isError(size)) {
      throw new IOException("zstd: " + Zstd.getErrorName(size));
    }
    return Arrays.copyOf(frame, (int) size);
  }

  /**
   * Why zstd cannot be written on this host (zstd-jni's native library does not load: an
   * operating system or architecture it has no library for, a temporary directory that does not
   * allow executing files), or null when it can.
   */
  static String unavailable() {
    try {
      com.github.luben.zstd.util.Native.load();
      return null;
    } catch (LinkageError | RuntimeException e) {
      return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ": " + e;
    }
  }

  private void drainOne() throws IOException {
    try {
      out.write(pending.removeFirst().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw Parallel.thrown(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // an empty input is still one (empty) frame: a valid zstd stream
      if (len > 0 || frames == 0) {
        dispatch();
      }
      while (!pending.isEmpty()) {
        drainOne();
      }
      out.flush();
    } finally {
      if (pool != null) {
        pool.shutdownNow();
      }
      out.close();
    }
  }
}
