package dev.plinth.oci;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
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
  /**
   * One libzstd context (and output buffer) for each block compressed at once, made on first use
   * and used again for every block: a context per block would allocate its tables afresh each
   * time, and malloc keeps much of that resident.
   */
  private final BlockingQueue<Worker> workers;
  private final java.util.List<Worker> made = new java.util.ArrayList<>();
  /** Input blocks compressed already, to fill again: no 4 MiB array per block for the GC. */
  private final BlockingQueue<byte[]> free;
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
    this.workers = new ArrayBlockingQueue<>(threads);
    this.inFlight = 2 * threads;
    this.free = new ArrayBlockingQueue<>(inFlight + 1);
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
    byte[] next = free.poll();
    block = next != null ? next : new byte[BLOCK];
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

  /** A libzstd context at this stream's level and a buffer for the largest frame of a block. */
  private record Worker(ZstdCompressCtx ctx, byte[] frame) {}

  private byte[] compress(byte[] in, int n) throws IOException {
    Worker w = worker();
    try {
      int size = w.ctx().compressByteArray(w.frame(), 0, w.frame().length, in, 0, n);
      return Arrays.copyOf(w.frame(), size);
    } catch (RuntimeException e) {   // zstd-jni's ZstdException: libzstd's error
      throw new IOException("zstd: " + e.getMessage(), e);
    } finally {
      workers.add(w);
      free.offer(in);
    }
  }

  /** A free worker: one made before, else a new one (never more than the queue holds). */
  private Worker worker() {
    Worker w = workers.poll();
    if (w != null) {
      return w;
    }
    w = new Worker(new ZstdCompressCtx().setLevel(level),
        new byte[Math.toIntExact(Zstd.compressBound(BLOCK))]);
    synchronized (made) {
      made.add(w);
    }
    return w;
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
        try {   // the blocks still in flight (after a failure) before their contexts go
          pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      synchronized (made) {
        for (Worker w : made) {
          try {
            w.ctx().close();
          } catch (IllegalStateException e) {
            // still compressing a block that outlived the wait: zstd-jni refuses to free it
            // under the running call, so it is left to the JVM rather than failing the close
          }
        }
        made.clear();
      }
      free.clear();
      out.close();
    }
  }
}
