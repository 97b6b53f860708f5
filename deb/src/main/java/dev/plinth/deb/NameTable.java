package dev.plinth.deb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Package names to the numbers filed under each, in the order they were filed: what a
 * {@code Map<String, int[]>} holds, in a few arrays instead of four objects per name.
 *
 * <p>Why: an architecture's index files some 65,000 names, and a Maven JVM builds two of them.
 * Held as a HashMap of Strings to int arrays they were a quarter of a million small objects that
 * every young collection copied while the index was read, and that stayed in the old generation
 * for the rest of the build (a class histogram mid-build: 560,000 objects, 14 MB, more than here).
 * Here the names' UTF-8 bytes share blocks of {@value #BLOCK} bytes and everything else is int
 * arrays; no array is half a G1 region or more while a table holds fewer than 65,536 names.
 *
 * <p>Not thread-safe: {@link PackageIndex} guards it.
 */
final class NameTable {
  static final int BLOCK = 1 << 16;

  /** The names' bytes; a name never spans two blocks (one longer than a block has its own). */
  private final List<byte[]> blocks;
  private int used;
  /** Per name: block << 16 | offset of its bytes, their length, its hash, first and last entry. */
  private int[] at;
  private int[] length;
  private int[] hash;
  private int[] head;
  private int[] tail;
  private int names;
  /** Per entry: the number filed, the next entry of the same name (-1: none). */
  private int[] value;
  private int[] next;
  private int entries;
  /** Open addressing: name + 1, 0 for an empty slot; a power of two, at most half full. */
  private int[] slots;

  NameTable() {
    this(new ArrayList<>(), BLOCK, new int[256], new int[256], new int[256], new int[256],
        new int[256], 0, new int[256], new int[256], 0, new int[512]);
  }

  private NameTable(List<byte[]> blocks, int used, int[] at, int[] length, int[] hash,
      int[] head, int[] tail, int names, int[] value, int[] next, int entries, int[] slots) {
    this.blocks = blocks;
    this.used = used;
    this.at = at;
    this.length = length;
    this.hash = hash;
    this.head = head;
    this.tail = tail;
    this.names = names;
    this.value = value;
    this.next = next;
    this.entries = entries;
    this.slots = slots;
  }

  /**
   * A copy that changes apart from this one: it shares the blocks of names this one has (it
   * never writes into them, and this one only past the names the copy refers to) and starts
   * blocks of its own.
   */
  NameTable copy() {
    return new NameTable(new ArrayList<>(blocks), BLOCK, at.clone(), length.clone(),
        hash.clone(), head.clone(), tail.clone(), names, value.clone(), next.clone(), entries,
        slots.clone());
  }

  /** Files {@code v} under {@code name}, after what is filed there already. */
  void add(String name, int v) {
    byte[] b = name.getBytes(StandardCharsets.UTF_8);
    int h = spread(name.hashCode());
    int slot = find(b, h);
    int n;
    if (slots[slot] == 0) {
      n = newName(b, h);
      slots[slot] = n + 1;
      if (names * 2 > slots.length) {
        rehash();
      }
    } else {
      n = slots[slot] - 1;
    }
    if (entries == value.length) {
      value = Arrays.copyOf(value, entries * 2);
      next = Arrays.copyOf(next, entries * 2);
    }
    value[entries] = v;
    next[entries] = -1;
    if (head[n] < 0) {
      head[n] = entries;
    } else {
      next[tail[n]] = entries;
    }
    tail[n] = entries;
    entries++;
  }

  /** What is filed under {@code name}, in the order it was; null if nothing is. */
  int[] get(String name) {
    int n = slots[find(name.getBytes(StandardCharsets.UTF_8), spread(name.hashCode()))] - 1;
    if (n < 0 || head[n] < 0) {
      return null;
    }
    int count = 0;
    for (int e = head[n]; e >= 0; e = next[e]) {
      count++;
    }
    int[] out = new int[count];
    int i = 0;
    for (int e = head[n]; e >= 0; e = next[e]) {
      out[i++] = value[e];
    }
    return out;
  }

  /** Takes {@code v} from what is filed under {@code name} (every time it is there). */
  void remove(String name, int v) {
    int n = slots[find(name.getBytes(StandardCharsets.UTF_8), spread(name.hashCode()))] - 1;
    if (n < 0) {
      return;
    }
    int prev = -1;
    for (int e = head[n]; e >= 0; e = next[e]) {
      if (value[e] != v) {
        prev = e;
      } else if (prev < 0) {
        head[n] = next[e];
      } else {
        next[prev] = next[e];
      }
    }
    tail[n] = prev;
  }

  /** Takes everything filed under {@code name}. */
  void removeAll(String name) {
    int n = slots[find(name.getBytes(StandardCharsets.UTF_8), spread(name.hashCode()))] - 1;
    if (n >= 0) {
      head[n] = -1;
      tail[n] = -1;
    }
  }

  /** The names with something filed under them. */
  int size() {
    int n = 0;
    for (int i = 0; i < names; i++) {
      n += head[i] >= 0 ? 1 : 0;
    }
    return n;
  }

  /** The slot of the name with these bytes and hash, or the empty slot where it would go. */
  private int find(byte[] b, int h) {
    int mask = slots.length - 1;
    for (int s = h & mask; ; s = (s + 1) & mask) {
      int n = slots[s] - 1;
      if (n < 0 || (hash[n] == h && length[n] == b.length && same(n, b))) {
        return s;
      }
    }
  }

  private boolean same(int n, byte[] b) {
    byte[] block = blocks.get(at[n] >>> 16);
    int from = at[n] & 0xffff;
    return Arrays.equals(block, from, from + b.length, b, 0, b.length);
  }

  private int newName(byte[] b, int h) {
    if (used + b.length >= BLOCK) { // so that an offset always fits in 16 bits
      // a name longer than a block (only a hostile index has one) gets one of its own
      blocks.add(new byte[Math.max(BLOCK, b.length)]);
      used = 0;
    }
    if (names == at.length) {
      int grown = names * 2;
      at = Arrays.copyOf(at, grown);
      length = Arrays.copyOf(length, grown);
      hash = Arrays.copyOf(hash, grown);
      head = Arrays.copyOf(head, grown);
      tail = Arrays.copyOf(tail, grown);
    }
    System.arraycopy(b, 0, blocks.get(blocks.size() - 1), used, b.length);
    at[names] = (blocks.size() - 1) << 16 | used;
    used = b.length > BLOCK ? BLOCK : used + b.length;
    length[names] = b.length;
    hash[names] = h;
    head[names] = -1;
    tail[names] = -1;
    return names++;
  }

  private void rehash() {
    int[] grown = new int[slots.length * 2];
    int mask = grown.length - 1;
    for (int n = 0; n < names; n++) {
      int s = hash[n] & mask;
      while (grown[s] != 0) {
        s = (s + 1) & mask;
      }
      grown[s] = n + 1;
    }
    slots = grown;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }
}
