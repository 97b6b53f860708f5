package dev.plinth.oci;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A layer's tar handed, as {@link LayerBuilder} writes it, to a {@link LayerBuilder.Tap} reading
 * it on a thread of its own: a bounded pipe of reused buffers (at most {@link #BUFFERS} of
 * {@link #CHUNK} bytes in flight), so that the tap reads the bytes being compressed instead of
 * decompressing the layer afterwards. The tap is advisory: whatever it does, the layer is written
 * as without it. A tap that stops reading early, or fails, has the rest of the tar discarded; a
 * writer that fails ends the tap's stream with an error.
 */
final class TarTap {
  static final int CHUNK = 64 << 10;
  static final int BUFFERS = 8;

  private record Chunk(byte[] bytes, int length) {}

  private static final Chunk END = new Chunk(new byte[0], -1);
  private static final Chunk ABORT = new Chunk(new byte[0], -2);

  private final BlockingQueue<Chunk> full = new ArrayBlockingQueue<>(BUFFERS + 2);
  private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
  /** Buffers made so far, up to {@link #BUFFERS}: the writer's alone. */
  private int allocated;
  private final Thread reader;
  private volatile LayerBuilder.Tap.Written written;
  private volatile boolean readerDone;

  /** Starts {@code tap} reading, on a daemon thread named for {@code what}. */
  TarTap(LayerBuilder.Tap tap, String what) {
    Input in = new Input();
    reader = new Thread(() -> {
      try {
        written = tap.read(in);
      } catch (Exception | StackOverflowError e) {
        // advisory: nothing is kept, and the layer is written all the same
      } finally {
        readerDone = true;
        in.drain();
      }
    }, "plinth-tar-tap " + what);
    reader.setDaemon(true);
    reader.start();
  }

  /** The stream the writer copies every tar byte into, then closes (or {@link #abort}s). */
  final OutputStream output = new OutputStream() {
    private byte[] current;
    private int at;
    private boolean closed;

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("the tap's stream is closed");
      }
      while (len > 0) {
        if (readerDone) {
          return; // the tap has what it wanted (or failed): nothing more to hand over
        }
        if (current == null) {
          current = takeFree();
          at = 0;
          if (current == null) {
            return;
          }
        }
        int n = Math.min(len, current.length - at);
        System.arraycopy(b, off, current, at, n);
        at += n;
        off += n;
        len -= n;
        if (at == current.length) {
          hand(new Chunk(current, at));
          current = null;
        }
      }
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      if (current != null && at > 0) {
        hand(new Chunk(current, at));
      }
      current = null;
      hand(END);
    }
  };

  /**
   * A stream that writes to {@code first}, then hands the same bytes to the tap, unbuffered:
   * {@code first} has every byte before the tap does. Closing it closes {@code first} only.
   */
  OutputStream tee(OutputStream first) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        first.write(b);
        output.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        output.write(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        first.flush();
      }

      @Override
      public void close() throws IOException {
        first.close();
      }
    };
  }

  /**
   * Ends the tap's stream with an error (the layer was not written), without waiting for the
   * tap.
   */
  void abort() {
    full.offer(ABORT); // room is kept for it: at most BUFFERS chunks and END are ever queued
  }

  /**
   * Waits for the tap to read to the end of the tar (the writer has closed {@link #output}) and
   * gives it the layer its bytes made.
   */
  void written(Layer layer) throws InterruptedIOException {
    try {
      reader.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("waiting for a layer's tap");
    }
    LayerBuilder.Tap.Written w = written;
    if (w != null) {
      try {
        w.written(layer);
      } catch (Exception advisory) {
        // the tap's own loss (a cache entry not kept): the layer stands
      }
    }
  }

  /** A free buffer, or null once the reader has stopped (no buffer will come back). */
  private byte[] takeFree() throws InterruptedIOException {
    if (allocated < BUFFERS) {
      allocated++;
      return new byte[CHUNK];
    }
    try {
      while (true) {
        byte[] b = free.poll(50, TimeUnit.MILLISECONDS);
        if (b != null || readerDone && full.isEmpty() || !reader.isAlive()) {
          return b;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("handing a layer's tar to its tap");
    }
  }

  private void hand(Chunk c) throws InterruptedIOException {
    try {
      while (!full.offer(c, 50, TimeUnit.MILLISECONDS)) {
        if (!reader.isAlive()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("handing a layer's tar to its tap");
    }
  }

  /** The tap's side: the chunks in order, then the end (or an error, if the writer failed). */
  private final class Input extends InputStream {
    private Chunk chunk;
    private int pos;
    private boolean ended;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      while (chunk == null || pos == chunk.length()) {
        if (!next()) {
          return -1;
        }
      }
      int n = Math.min(len, chunk.length() - pos);
      System.arraycopy(chunk.bytes(), pos, b, off, n);
      pos += n;
      return n;
    }

    /** Moves to the next chunk, giving the last one's buffer back; false at the end. */
    private boolean next() throws IOException {
      if (ended) {
        return false;
      }
      if (chunk != null && chunk.length() >= 0) {
        free.offer(chunk.bytes());
      }
      chunk = null;
      Chunk c;
      try {
        c = full.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("reading a layer's tar as it is written");
      }
      if (c == ABORT) {
        ended = true;
        throw new IOException("the layer was not written");
      }
      if (c == END) {
        ended = true;
        return false;
      }
      chunk = c;
      pos = 0;
      return true;
    }

    /** Takes what is left, to the end, so that the writer never waits for a reader gone. */
    void drain() {
      try {
        while (next()) {
          pos = chunk.length();
        }
      } catch (IOException e) {
        // aborted or interrupted: nothing more will come
      }
    }
  }
}
