package dev.plinth.oci;

import java.util.Arrays;

/**
 * Deflates a short run of a block, such as a zip local header between two stored entries, as one
 * deflate block with the fixed Huffman codes (RFC 1951, 3.2.6) ended by a sync flush marker: what
 * zlib writes for such a run, without zlib's cost per call. Through {@link java.util.zip.Deflater}
 * each short run costs a dictionary of the stored bytes before it, a flush that builds Huffman
 * trees for a few dozen bytes, and their JNI calls: for a layer of 86 jars (55,000 headers between
 * stored entries) that was 0.4 of the layer's 0.87 s of CPU.
 *
 * <p>Matches are found in the 32 KiB before the run, among the bytes of earlier runs this deflater
 * encoded in the same block (and the run's own): a header refers to the one before it across the
 * stored entry between them. Stored bytes are not searched: deflated data rarely repeats. The
 * output depends only on the block's bytes and its runs.
 *
 * <p>Not thread-safe: one per {@link ParallelGzipOutputStream} slot. Its tables (256 KiB) are made
 * when it first deflates a run.
 */
final class ShortRunDeflater {
  /**
   * Runs at most this long are encoded here; longer ones (a jar's central directory) go through
   * zlib, whose Huffman codes made for the run pay off there. Measured on the deps layer of
   * scripts/bench-jib's large app (86 jars, 100 MB, 55,000 runs between stored entries, 93.93 MB
   * through zlib alone in 0.87 s of CPU): 256 gives 93.99 MB, 512 93.98 MB, 4096 93.97 MB in 0.48
   * s of CPU (storing those runs instead: 98.69 MB in 0.43 s), every run 94.03 MB.
   */
  static final int MAX_RUN = 4096;
  /** The most a run of {@code n} bytes takes: 9 bits a byte, the block's ends, the marker. */
  static int bound(int n) {
    return n + (n >> 3) + 16;
  }

  private static final int WINDOW = 32 * 1024;
  private static final int HASH_BITS = 15;
  private static final int MIN_MATCH = 3;
  private static final int MAX_MATCH = 258;
  /** How many earlier places with the same hash are tried (zlib's level 6 tries 128). */
  private static final int CHAIN = 32;
  /** A match this long is taken without looking further (zlib's level 6: 128). */
  private static final int NICE = 128;
  /** A match this long is not checked against one at the next place (zlib's level 6: 16). */
  private static final int LAZY = 16;
  /** A match of three bytes further back than this is written as literals instead. */
  private static final int TOO_FAR = 4096;

  /** Literal/length symbol codes, bit-reversed for an LSB-first stream, and their lengths. */
  private static final int[] LIT_CODE = new int[288];
  private static final int[] LIT_BITS = new int[288];
  /** For a match length minus 3: its symbol, extra bits and their value's base. */
  private static final int[] LEN_SYM = new int[256];
  private static final int[] LEN_EXTRA = new int[256];
  private static final int[] LEN_BASE = new int[256];
  private static final int[] DIST_CODE = new int[30];

  static {
    for (int s = 0; s < 288; s++) {
      int code;
      int bits;
      if (s < 144) {
        code = 0x30 + s;
        bits = 8;
      } else if (s < 256) {
        code = 0x190 + s - 144;
        bits = 9;
      } else if (s < 280) {
        code = s - 256;
        bits = 7;
      } else {
        code = 0xc0 + s - 280;
        bits = 8;
      }
      LIT_CODE[s] = Integer.reverse(code) >>> (32 - bits);
      LIT_BITS[s] = bits;
    }
    for (int l = 0; l < 256; l++) {
      LEN_BASE[l] = l;
      if (l == 255) { // 258: its own symbol, no extra bits
        LEN_SYM[l] = 285;
      } else if (l < 8) {
        LEN_SYM[l] = 257 + l;
      } else {
        int b = 31 - Integer.numberOfLeadingZeros(l);
        LEN_SYM[l] = 257 + 4 * (b - 1) + ((l >> (b - 2)) & 3);
        LEN_EXTRA[l] = b - 2;
        LEN_BASE[l] = l & ~((1 << (b - 2)) - 1);
      }
    }
    for (int d = 0; d < 30; d++) {
      DIST_CODE[d] = Integer.reverse(d) >>> 27;
    }
  }

  /**
   * The latest position of each hash of three bytes, plus {@link #base}: anything below it is of
   * an earlier block, so the tables need no clearing between blocks. Made on first use.
   */
  private int[] head;
  /** For a position (mod the window), the one before it with the same hash, plus the base. */
  private int[] prev;
  private int base = 1;
  /** Where the current block's positions end: the next block's base is past them. */
  private int top;
  /** The output of the run being written, where it is, and the bits not yet in it. */
  private byte[] out;
  private int o;
  private long bits;
  private int n;
  /** The distance of the match {@link #longest} found. */
  private int matchDist;

  ShortRunDeflater() {}

  /** For tests: positions numbered from {@code base}, to reach the end of the numbering soon. */
  ShortRunDeflater(int base) {
    this.base = base;
  }

  /** Forgets every position: a new block begins. */
  void reset() {
    base += top;
    top = 0;
  }

  /**
   * Writes {@code in[start, end)} to {@code out} at {@code at}, byte-aligned, as a fixed-Huffman
   * block that is not final, then an empty stored block (00 00 ff ff): the same ending as a sync
   * flush. {@code out} has {@link #bound} room from {@code at}. Returns where the output ends.
   *
   * <p>Matching is zlib's lazy one: a match is taken only if the next place has no longer one.
   */
  int deflate(byte[] in, int start, int end, byte[] out, int at) {
    if (head == null) {
      head = new int[1 << HASH_BITS];
      prev = new int[WINDOW];
    }
    if (end >= Integer.MAX_VALUE - base) { // after 8,000 blocks: start the numbering again
      Arrays.fill(head, 0);
      Arrays.fill(prev, 0);
      base = 1;
    }
    top = Math.max(top, end + 1);
    this.out = out;
    o = at;
    bits = 2; // BFINAL 0, BTYPE 01 (fixed codes)
    n = 3;
    int prevLen = 0;
    int prevDist = 0;
    boolean pending = false; // a literal or match at i - 1 not yet written
    int i = start;
    while (i < end) {
      int len = 0;
      if (end - i >= MIN_MATCH) {
        int h = hash(in, i);
        if (prevLen < LAZY) {
          len = longest(in, i, end, head[h] - base);
        }
        prev[i & (WINDOW - 1)] = head[h];
        head[h] = base + i;
        if (len == MIN_MATCH && matchDist > TOO_FAR) {
          len = 0; // three bytes far back cost more than three literals
        }
      }
      if (prevLen >= MIN_MATCH && len <= prevLen) {
        match(prevLen, prevDist);
        int stop = Math.min(i - 1 + prevLen, end - MIN_MATCH + 1);
        for (int k = i + 1; k < stop; k++) {
          int hk = hash(in, k);
          prev[k & (WINDOW - 1)] = head[hk];
          head[hk] = base + k;
        }
        i = i - 1 + prevLen;
        prevLen = 0;
        pending = false;
      } else {
        if (pending) {
          literal(in[i - 1] & 0xff);
        }
        pending = true;
        prevLen = len;
        prevDist = matchDist;
        i++;
      }
    }
    if (pending) {
      literal(in[end - 1] & 0xff);
    }
    n += 7; // end of block: symbol 256, seven 0 bits
    n += 3; // an empty stored block: BFINAL 0, BTYPE 00, then up to the byte
    while (n > 0) {
      out[o++] = (byte) bits;
      bits >>>= 8;
      n -= 8;
    }
    out[o++] = 0;
    out[o++] = 0;
    out[o++] = (byte) 0xff;
    out[o++] = (byte) 0xff;
    this.out = null;
    return o;
  }

  /** The longest match for {@code in[i...]} along the chain from {@code cand}; its distance too. */
  private int longest(byte[] in, int i, int end, int cand) {
    int bestLen = 0;
    int limit = Math.min(MAX_MATCH, end - i);
    for (int chain = CHAIN; cand >= 0 && chain > 0; chain--) {
      int dist = i - cand;
      if (dist > WINDOW) {
        break;
      }
      if (in[cand + bestLen] == in[i + bestLen] && in[cand] == in[i]) {
        int l = 1;
        while (l < limit && in[cand + l] == in[i + l]) {
          l++;
        }
        if (l > bestLen) {
          bestLen = l;
          matchDist = dist;
          if (l >= NICE || l == limit) {
            break;
          }
        }
      }
      int p = prev[cand & (WINDOW - 1)] - base;
      if (p >= cand) {
        break;
      }
      cand = p;
    }
    return bestLen;
  }

  private void literal(int b) {
    bits |= (long) LIT_CODE[b] << n;
    n += LIT_BITS[b];
    drain();
  }

  private void match(int len, int dist) {
    int l = len - MIN_MATCH;
    int sym = LEN_SYM[l];
    bits |= (long) LIT_CODE[sym] << n;
    n += LIT_BITS[sym];
    bits |= (long) (l - LEN_BASE[l]) << n;
    n += LEN_EXTRA[l];
    int d = dist - 1;
    int code;
    int extra;
    if (d < 4) {
      code = d;
      extra = 0;
    } else {
      int b = 31 - Integer.numberOfLeadingZeros(d);
      code = 2 * b + ((d >> (b - 1)) & 1);
      extra = b - 1;
    }
    bits |= (long) DIST_CODE[code] << n;
    n += 5;
    bits |= (long) (d & ((1 << extra) - 1)) << n;
    n += extra;
    drain();
  }

  /** Writes four bytes once there are 32 bits: fewer than 32 plus a match's 31 fit the long. */
  private void drain() {
    if (n >= 32) {
      out[o] = (byte) bits;
      out[o + 1] = (byte) (bits >>> 8);
      out[o + 2] = (byte) (bits >>> 16);
      out[o + 3] = (byte) (bits >>> 24);
      o += 4;
      bits >>>= 32;
      n -= 32;
    }
  }

  private static int hash(byte[] b, int i) {
    int v = (b[i] & 0xff) << 16 | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff);
    return (v * 0x9e3779b1) >>> (32 - HASH_BITS);
  }
}
