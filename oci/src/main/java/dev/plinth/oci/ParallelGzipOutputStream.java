package dev.plinth.oci;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip on several cores, as pigz does it: the input is cut into fixed {@link #BLOCK}-byte blocks,
 * each deflated on its own with the 32 KiB before it as its dictionary and ended with a sync flush
 * (the last one with the final deflate block), and the pieces are written in order as one gzip
 * member with the CRC-32 of the whole input. Any gzip reader reads it. The bytes depend only on the
 * input and the level, never on the number of threads or their timing, so layers stay
 * reproducible.
 *
 * <p>Bytes written while {@link #setStored} is on are not compressed but copied into deflate's
 * stored blocks, which costs next to no CPU: for data that gzip cannot shrink, such as the deflated
 * entries of a jar. Each switch ends a deflate block (a few bytes); the compressed bytes after a
 * stored run may still refer to anything in the 32 KiB before them. In a block with stored runs,
 * a compressed run of at most {@link ShortRunDeflater#MAX_RUN} bytes (a zip local header between
 * two stored entries) is deflated by a {@link ShortRunDeflater} rather than zlib, and refers to
 * the short runs before it. Where the stored runs fall is part of the input: the same bytes and
 * runs give the same output.
 *
 * <p>Memory is bounded: a fixed ring of {@code 2 x threads} slots, each with its input, dictionary
 * and output buffers and its own Deflater, all allocated once and reused; a writer that gets ahead
 * waits for the oldest block (which it then writes out) before it refills that slot.
 *
 * <p>{@link #finish()} completes the stream; {@link #close()} finishes it only if nothing failed,
 * then releases the threads and Deflaters, and closes the underlying stream.
 */
final class ParallelGzipOutputStream extends OutputStream {
  /** Layers with at least this much content are compressed this way (a smaller one gains little). */
  static final long THRESHOLD = 8L << 20;
  /** Uncompressed bytes per block (pigz uses 128 KiB). */
  static final int BLOCK = 256 * 1024;
  private static final int DICTIONARY = 32 * 1024;
  /** The most a stored deflate block holds. */
  private static final int STORED_MAX = 65535;
  /** Magic, deflate, no flags, no time, no extra flags, OS unknown. */
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

  private final OutputStream out;
  private final ExecutorService pool;
  private final Slot[] slots;
  private final CRC32 crc = new CRC32();
  private long total;
  /** Blocks handed out so far; the one being filled is {@code slots[(int) (blocks % n)]}. */
  private long blocks;
  private Slot current;
  private boolean stored;
  private boolean finished;
  private boolean failed;
  private boolean closed;

  /**
   * @param threads how many blocks are compressed at once (1: in the calling thread); the output
   *     is the same for any value
   */
  ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    if (threads < 1) {
      throw new IllegalArgumentException("threads " + threads);
    }
    this.out = out;
    this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "plinth-gzip");
      t.setDaemon(true);
      return t;
    });
    this.slots = new Slot[threads == 1 ? 1 : 2 * threads];
    int lvl = level < 0 ? Deflater.DEFAULT_COMPRESSION : level;
    for (int i = 0; i < slots.length; i++) {
      slots[i] = new Slot(new Deflater(lvl, true));
    }
    current = slots[0];
    guard(() -> out.write(HEADER));
  }

  /** The number of slots (each holding one block's buffers and a Deflater): fixed. */
  int slots() {
    return slots.length;
  }

  /**
   * Whether the bytes written from now on are stored as they are (true) or compressed at the
   * stream's level (false, the initial mode).
   */
  void setStored(boolean stored) {
    this.stored = stored;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished || closed) {
      throw new IOException("gzip stream already finished");
    }
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    crc.update(b, off, len);
    total += len;
    try {
      while (len > 0) {
        int n = Math.min(len, BLOCK - current.inLen);
        current.add(b, off, n, stored);
        off += n;
        len -= n;
        if (current.inLen == BLOCK) {
          dispatch(false);
        }
      }
    } catch (IOException | RuntimeException | Error e) {
      failed = true;
      release();
      throw e;
    }
  }

  /** Writes the rest and the trailer; the underlying stream stays open. */
  public void finish() throws IOException {
    if (finished) {
      return;
    }
    if (failed || closed) {
      throw new IOException("gzip stream failed or closed before it was finished");
    }
    guard(() -> {
      dispatch(true);
      // The slots still pending, oldest first: the one dispatch just picked is the oldest.
      for (int i = 0; i < slots.length; i++) {
        drain(slots[(int) ((blocks + i) % slots.length)]);
      }
      long c = crc.getValue();
      long size = total & 0xffffffffL;
      out.write(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
          (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)});
      finished = true;
    });
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      if (!failed) {
        finish();
      }
    } finally {
      closed = true;
      release();
      out.close();
    }
  }

  /** Hands the current block to a thread (or compresses it here) and moves to the next slot. */
  private void dispatch(boolean last) throws IOException {
    Slot s = current;
    s.last = last;
    if (pool == null) {
      s.compress();
      s.done = true;
    } else {
      s.job = pool.submit(s::compress);
    }
    blocks++;
    Slot next = slots[(int) (blocks % slots.length)];
    drain(next);
    if (!last) {
      // The next block's dictionary: the last 32 KiB before it (all in this block, as BLOCK is
      // larger than the dictionary; that slot is not refilled before the next is drained).
      next.dictLen = Math.min(DICTIONARY, s.inLen);
      System.arraycopy(s.in, s.inLen - next.dictLen, next.dict, 0, next.dictLen);
      next.inLen = 0;
      next.runs = 0;
    }
    current = next;
  }

  /** Waits for the slot's block, if it holds one, and writes it out. */
  private void drain(Slot s) throws IOException {
    if (s.job != null) {
      try {
        s.job.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while compressing");
      } catch (ExecutionException e) {
        throw Parallel.thrown(e);
      }
      s.job = null;
      s.done = true;
    }
    if (s.done) {
      out.write(s.out, 0, s.outLen);
      s.done = false;
    }
  }

  private interface Step {
    void run() throws IOException;
  }

  private void guard(Step step) throws IOException {
    try {
      step.run();
    } catch (IOException | RuntimeException | Error e) {
      failed = true;
      release();
      throw e;
    }
  }

  private void release() {
    if (pool != null) {
      pool.shutdownNow();
      try {
        // A Deflater must not be ended while a thread still uses it.
        pool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Slot s : slots) {
      s.deflater.end();
    }
  }

  /**
   * One block's buffers and Deflater, reused for every block that passes through the slot. The
   * block is a sequence of runs, compressed and stored by turns.
   */
  private static final class Slot {
    final Deflater deflater;
    final ShortRunDeflater shortRuns = new ShortRunDeflater();
    final byte[] in = new byte[BLOCK];
    int inLen;
    final byte[] dict = new byte[DICTIONARY];
    int dictLen;
    /** Where each run of the block ends; the first one is stored if {@link #firstStored}. */
    int[] ends = new int[16];
    int runs;
    boolean firstStored;
    /** Where the last run deflated in this block ends, -1 before the first. */
    int deflated;
    /** For a dictionary made of the end of {@link #dict} and the start of {@link #in}. */
    final byte[] joined = new byte[DICTIONARY];
    /** Deflate's bound for a block of stored data plus the flush marker; grown if ever short. */
    byte[] out = new byte[BLOCK + BLOCK / 64 + 64];
    int outLen;
    boolean last;
    Future<?> job;
    boolean done;

    Slot(Deflater deflater) {
      this.deflater = deflater;
    }

    /** Appends {@code n} bytes, which fit, to the block: to its last run if of the same kind. */
    void add(byte[] b, int off, int n, boolean stored) {
      if (n == 0) {
        return;
      }
      System.arraycopy(b, off, in, inLen, n);
      inLen += n;
      if (runs > 0 && stored == isStored(runs - 1)) {
        ends[runs - 1] = inLen;
        return;
      }
      if (runs == 0) {
        firstStored = stored;
      } else if (runs == ends.length) {
        ends = Arrays.copyOf(ends, runs * 2);
      }
      ends[runs++] = inLen;
    }

    private boolean isStored(int run) {
      return firstStored == ((run & 1) == 0);
    }

    void compress() {
      outLen = 0;
      deflated = -1;
      shortRuns.reset();
      int start = 0;
      for (int k = 0; k < runs; k++) {
        if (isStored(k)) {
          store(start, ends[k]);
        } else if (ends[k] - start <= ShortRunDeflater.MAX_RUN && runs > 1
            && !(last && k == runs - 1)) {
          int need = ShortRunDeflater.bound(ends[k] - start);
          if (out.length - outLen < need) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + need));
          }
          outLen = shortRuns.deflate(in, start, ends[k], out, outLen);
          deflated = -1; // zlib's window lacks this run: the next zlib run starts afresh
        } else {
          deflate(start, ends[k], last && k == runs - 1);
        }
        start = ends[k];
      }
      if (last && (runs == 0 || isStored(runs - 1))) {
        // Nothing was deflated with the final block: an empty one ends the stream.
        deflated = -1;
        deflate(inLen, inLen, true);
      }
    }

    /**
     * Deflates {@code in[start, end)}, ended with a sync flush, or with the final block if {@code
     * fin}. The first run of the block starts a raw deflate stream with the 32 KiB before it as its
     * dictionary. A later one follows a stored run, which the same stream then takes as a
     * dictionary: raw deflate allows that after a flush, and it appends those bytes to the window
     * the stream already has (zlib.h, deflateSetDictionary), so a run may refer to an earlier one.
     */
    private void deflate(int start, int end, boolean fin) {
      Deflater d = deflater;
      if (deflated >= 0) {
        int n = Math.min(start - deflated, DICTIONARY);
        d.setDictionary(in, start - n, n);
      } else {
        d.reset();
        if (start < end) {
          dictionaryBefore(start);
        }
      }
      deflated = end;
      d.setInput(in, start, end - start);
      if (fin) {
        d.finish();
      }
      while (true) {
        if (outLen == out.length) {
          out = Arrays.copyOf(out, out.length * 2);
        }
        int space = out.length - outLen;
        int n = d.deflate(out, outLen, space, fin ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        outLen += n;
        if (fin ? d.finished() : n < space && d.needsInput()) {
          return;
        }
      }
    }

    /** Gives the deflater, just reset, the 32 KiB before {@code in[start]} as its dictionary. */
    private void dictionaryBefore(int start) {
      int fromIn = Math.min(start, DICTIONARY);
      int fromDict = Math.min(dictLen, DICTIONARY - fromIn);
      if (fromDict == 0) {
        if (fromIn > 0) {
          deflater.setDictionary(in, start - fromIn, fromIn);
        }
      } else if (fromIn == 0) {
        deflater.setDictionary(dict, dictLen - fromDict, fromDict);
      } else {
        System.arraycopy(dict, dictLen - fromDict, joined, 0, fromDict);
        System.arraycopy(in, start - fromIn, joined, fromDict, fromIn);
        deflater.setDictionary(joined, 0, DICTIONARY);
      }
    }

    /**
     * Copies {@code in[start, end)} into stored deflate blocks, none of them final. A sync flush
     * just before ends with an empty stored block (its header bits, then 00 00 ff ff): the first
     * block takes that one's place instead of adding its own header.
     */
    private void store(int start, int end) {
      int need = end - start + 5 * ((end - start) / STORED_MAX + 1);
      if (out.length - outLen < need) {
        out = Arrays.copyOf(out, Math.max(out.length * 2, outLen + need));
      }
      boolean reuse = outLen >= 4 && out[outLen - 4] == 0 && out[outLen - 3] == 0
          && out[outLen - 2] == (byte) 0xff && out[outLen - 1] == (byte) 0xff;
      for (int p = start; p < end; ) {
        int n = Math.min(STORED_MAX, end - p);
        if (reuse) {
          outLen -= 4;
          reuse = false;
        } else {
          out[outLen++] = 0; // not final, stored; the rest of the byte is padding
        }
        out[outLen++] = (byte) n;
        out[outLen++] = (byte) (n >>> 8);
        out[outLen++] = (byte) ~n;
        out[outLen++] = (byte) (~n >>> 8);
        System.arraycopy(in, p, out, outLen, n);
        outLen += n;
        p += n;
      }
    }
  }
}
