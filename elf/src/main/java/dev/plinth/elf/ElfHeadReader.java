package dev.plinth.elf;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Reads what a program loader reads of an ELF file (the header, the program headers, the
 * interpreter, the dynamic section and its strings) from parts of the file captured while it
 * streamed past, so that checking a 30 MB library held in a layer costs a few KiB. The checks are
 * {@link ElfFile}'s; section headers are left out (the header it is given says there are none),
 * since a loader never reads them.
 *
 * <p>A caller captures the head of the file, asks {@link #regions} what else to capture further
 * on, and calls {@link #read}. When a part it needs was not captured (a string table before the
 * dynamic section and past the head, say), {@link Missing} names it: capture it on another pass
 * over the stream and call again.
 */
public final class ElfHeadReader {
  private static final int PT_INTERP = 3;
  private static final int PT_DYNAMIC = 2;
  private static final int PN_XNUM = 0xffff;
  /** The most a loader reads of one part (the dynamic section of 65536 entries is 1 MiB). */
  private static final long MAX_REGION = 1 << 20;

  /** Bytes that {@link #read} needed and were not captured. */
  public static final class Missing extends IOException {
    private static final long serialVersionUID = 1L;
    private final long offset;
    private final long length;

    Missing(long offset, long length) {
      super("bytes " + offset + "+" + length + " were not captured");
      this.offset = offset;
      this.length = length;
    }

    public long offset() {
      return offset;
    }

    public long length() {
      return length;
    }
  }

  /**
   * The parts beyond {@code head} that a loader reads, as far as the head tells: the program
   * header table, the interpreter's path and the dynamic section, each as {offset, length} within
   * a file of {@code size} bytes. Empty when the head is not an ELF header this can read, or has
   * all of it; {@link #read} then says what is wrong or missing.
   */
  public static List<long[]> regions(byte[] head, int headLength, long size) {
    List<long[]> out = new ArrayList<>();
    if (headLength < 52 || !ElfFile.isElf(head) || (head[4] != 1 && head[4] != 2)
        || (head[5] != 1 && head[5] != 2)) {
      return out;
    }
    boolean is64 = head[4] == 2;
    if (is64 && headLength < 64) {
      return out;
    }
    ByteBuffer h = ByteBuffer.wrap(head, 0, headLength)
        .order(head[5] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    long phoff = is64 ? h.getLong(32) : h.getInt(28) & 0xffffffffL;
    int phentsize = h.getShort(is64 ? 54 : 42) & 0xffff;
    int phnum = h.getShort(is64 ? 56 : 44) & 0xffff;
    int want = is64 ? 56 : 32;
    if (phnum == 0 || phnum == PN_XNUM || phentsize != want || phoff < 0
        || phoff > size || (long) phnum * want > size - phoff) {
      return out;
    }
    long tableEnd = phoff + (long) phnum * want;
    if (tableEnd > headLength) {
      out.add(new long[] {phoff, (long) phnum * want});
      return out;
    }
    for (int i = 0; i < phnum; i++) {
      int at = (int) phoff + i * want;
      int type = h.getInt(at);
      if (type != PT_INTERP && type != PT_DYNAMIC) {
        continue;
      }
      long offset = is64 ? h.getLong(at + 8) : h.getInt(at + 4) & 0xffffffffL;
      long length = is64 ? h.getLong(at + 32) : h.getInt(at + 16) & 0xffffffffL;
      if (offset >= 0 && length > 0 && offset <= size && length <= size - offset) {
        long end = offset + Math.min(length, MAX_REGION);
        if (end > headLength) {
          out.add(new long[] {offset, end - offset});
        }
      }
    }
    return out;
  }

  /**
   * Reads the loader's view of a file of {@code size} bytes from {@code parts} (offset to bytes;
   * the part at offset 0 holds at least the ELF header).
   *
   * @param what names the file in error messages
   * @throws PlinthException BAD_INPUT when the file is not an ELF file a loader accepts
   * @throws Missing when a part it needs was not captured
   */
  public static ElfFile read(long size, NavigableMap<Long, byte[]> parts, String what)
      throws PlinthException, Missing {
    byte[] first = parts.get(0L);
    if (first == null || first.length < 16) {
      throw new Missing(0, 64);
    }
    // the ELF header, with what points at section headers (never captured) zeroed: a copy of
    // its 64 bytes, read in place of the first part's (which may be the whole file)
    byte[] header = java.util.Arrays.copyOf(first, Math.min(first.length, 64));
    boolean is64 = header[4] == 2;
    int hsize = is64 ? 64 : 52;
    if (ElfFile.isElf(header) && header.length >= hsize) {
      ByteBuffer h = ByteBuffer.wrap(header)
          .order(header[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
      int phnum = h.getShort(is64 ? 56 : 44) & 0xffff;
      if (phnum != PN_XNUM) { // extended numbering keeps the count in section 0: leave it
        if (is64) {
          h.putLong(40, 0);
        } else {
          h.putInt(32, 0);
        }
        int base = is64 ? 58 : 46;
        h.putShort(base + 2, (short) 0); // e_shnum
        h.putShort(base + 4, (short) 0); // e_shstrndx
      }
    }
    try {
      return ElfFile.read(new PartsInput(size, parts, header), what);
    } catch (Missing e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("reading captured parts cannot fail", e);
    }
  }

  /**
   * The captured parts of a file of {@code size} bytes, its first bytes read from {@code header}
   * instead; reading anything else is Missing.
   */
  private record PartsInput(long size, NavigableMap<Long, byte[]> parts, byte[] header)
      implements ElfFile.Input {
    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws Missing {
      long at = position;
      int done = 0;
      while (done < len) {
        if (at < header.length) {
          int n = Math.min(len - done, header.length - (int) at);
          System.arraycopy(header, (int) at, dst, off + done, n);
          done += n;
          at += n;
          continue;
        }
        Map.Entry<Long, byte[]> e = parts.floorEntry(at);
        while (e != null && at - e.getKey() >= e.getValue().length) {
          e = parts.lowerEntry(e.getKey()); // a shorter part may start inside a longer one
        }
        if (e == null) {
          throw new Missing(at, len - done);
        }
        int from = (int) (at - e.getKey());
        int n = Math.min(len - done, e.getValue().length - from);
        System.arraycopy(e.getValue(), from, dst, off + done, n);
        done += n;
        at += n;
      }
    }
  }

  private ElfHeadReader() {}
}
