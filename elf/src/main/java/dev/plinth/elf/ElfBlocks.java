package dev.plinth.elf;

import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Memory for reading whole ELF files from streams, one file after another (the libraries of a
 * .deb as its data member streams past): blocks of {@value #BLOCK} bytes, kept for the next file.
 *
 * <p>Why blocks: a library held in one array of its size (libc, libstdc++ and glib are 2 MB and
 * more) is a humongous object to G1, the collector of a Maven JVM, and each humongous allocation
 * may start a collection; a few in a row made G1 grow the heap, and the build's peak RSS with it.
 * A block is below half of G1's smallest region (1 MiB), so it never is one, and reused it makes
 * no garbage.
 */
public final class ElfBlocks {
  static final int BLOCK = 256 * 1024;

  private final List<byte[]> blocks = new ArrayList<>();

  /**
   * Reads {@code size} bytes of {@code in} (fewer if it ends first: the file is then what was
   * there) and checks them as {@link ElfFile#read(byte[], int, String)} does.
   *
   * @param what names the file in error messages
   * @throws IOException when {@code in} fails
   * @throws PlinthException BAD_INPUT when the bytes are not a valid ELF file
   */
  public ElfFile read(InputStream in, long size, String what) throws IOException,
      PlinthException {
    if (size < 0) {
      throw new IllegalArgumentException("size " + size);
    }
    long length = 0;
    for (int i = 0; length < size; i++) {
      if (i == blocks.size()) {
        blocks.add(new byte[BLOCK]);
      }
      int want = (int) Math.min(BLOCK, size - length);
      int n = in.readNBytes(blocks.get(i), 0, want);
      length += n;
      if (n < want) {
        break;
      }
    }
    try {
      return ElfFile.read(new BlocksInput(length), what);
    } catch (PlinthException e) {
      throw e;
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  /** The bytes held now, for tests: as many blocks as the largest file read needed. */
  int blocks() {
    return blocks.size();
  }

  /** The first {@code length} bytes of the blocks. */
  private final class BlocksInput implements ElfFile.Input {
    private final long length;

    BlocksInput(long length) {
      this.length = length;
    }

    @Override
    public long size() {
      return length;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      within(position, len);
      long at = position;
      int done = 0;
      while (done < len) {
        int from = (int) (at % BLOCK);
        int n = Math.min(len - done, BLOCK - from);
        System.arraycopy(blocks.get((int) (at / BLOCK)), from, dst, off + done, n);
        done += n;
        at += n;
      }
    }
  }
}
