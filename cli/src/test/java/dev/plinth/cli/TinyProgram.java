package dev.plinth.cli;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The smallest valid ELF64 little-endian files an audit reads: a PT_LOAD over the file, an optional
 * PT_INTERP, and a PT_DYNAMIC naming the libraries it needs. Enough for a loader's view, not to
 * run.
 */
final class TinyProgram {
  static final int X86_64 = 62;
  static final int AARCH64 = 183;
  private static final long BASE = 0x400000;

  /** A static program for {@code machine}: no interpreter, no libraries. */
  static byte[] statik(int machine) {
    return build(machine, null, List.of());
  }

  /** A dynamic x86-64 program that needs {@code needed}, loaded by glibc's ld-linux. */
  static byte[] needing(String... needed) {
    return build(X86_64, "/lib64/ld-linux-x86-64.so.2", List.of(needed));
  }

  static byte[] build(int machine, String interpreter, List<String> needed) {
    int phnum = interpreter == null ? 2 : 3;
    int at = 64 + 56 * phnum;
    int interpAt = at;
    byte[] interp = interpreter == null ? new byte[0]
        : (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
    at += interp.length;
    int strAt = at;
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    strings.write(0);
    List<long[]> dyn = new ArrayList<>();
    for (String n : needed) {
      dyn.add(new long[] {1, strings.size()});
      strings.writeBytes((n + "\0").getBytes(StandardCharsets.UTF_8));
    }
    byte[] str = strings.toByteArray();
    at = (at + str.length + 7) & ~7;
    int dynAt = at;
    dyn.add(new long[] {5, BASE + strAt});
    dyn.add(new long[] {10, str.length});
    dyn.add(new long[] {0, 0});
    int size = dynAt + 16 * dyn.size();
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.putShort(16, (short) (interpreter == null ? 2 : 3));
    b.putShort(18, (short) machine);
    b.putInt(20, 1);
    b.putLong(24, BASE + 64);
    b.putLong(32, 64);
    b.putShort(52, (short) 64);
    b.putShort(54, (short) 56);
    b.putShort(56, (short) phnum);
    b.putShort(58, (short) 64);
    int ph = phdr(b, 64, 1, 0, size);
    if (interpreter != null) {
      ph = phdr(b, ph, 3, interpAt, interp.length);
    }
    phdr(b, ph, 2, dynAt, 16L * dyn.size());
    b.put(interpAt, interp);
    b.put(strAt, str);
    for (int i = 0; i < dyn.size(); i++) {
      b.putLong(dynAt + 16 * i, dyn.get(i)[0]);
      b.putLong(dynAt + 16 * i + 8, dyn.get(i)[1]);
    }
    return b.array();
  }

  private static int phdr(ByteBuffer b, int at, int type, long offset, long size) {
    b.putInt(at, type);
    b.putInt(at + 4, 5);
    b.putLong(at + 8, offset);
    b.putLong(at + 16, BASE + offset);
    b.putLong(at + 24, BASE + offset);
    b.putLong(at + 32, size);
    b.putLong(at + 40, size);
    b.putLong(at + 48, 8);
    return at + 56;
  }

  private TinyProgram() {}
}
