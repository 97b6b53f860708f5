package dev.plinth.audit;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small valid ELF64 little-endian programs and libraries for audit tests: a PT_LOAD over the whole
 * file, PT_INTERP and PT_DYNAMIC (DT_NEEDED, DT_RUNPATH, DT_STRTAB, DT_STRSZ), with padding
 * that puts the interpreter, the string table and the dynamic section where a test wants them.
 */
public final class TestElf {
  public static final long BASE = 0x400000;
  int machine = 62;
  int type = 3; // ET_DYN
  String interpreter = "/lib64/ld-linux-x86-64.so.2";
  List<String> needed = new ArrayList<>(List.of("libc.so.6"));
  String runpath;
  /** Zero bytes before the interpreter path, the string table and the dynamic section. */
  int padInterp;
  int padStrings;
  int padDynamic;

  public static TestElf program(String... needed) {
    TestElf e = new TestElf();
    e.needed = new ArrayList<>(List.of(needed));
    return e;
  }

  public static TestElf library(String... needed) {
    TestElf e = program(needed);
    e.interpreter = null;
    return e;
  }

  public TestElf machine(int m) {
    machine = m;
    return this;
  }

  public TestElf interpreter(String i) {
    interpreter = i;
    return this;
  }

  public TestElf runpath(String r) {
    runpath = r;
    return this;
  }

  public byte[] build() {
    int phnum = 1 + (interpreter != null ? 1 : 0) + 1;
    int at = 64 + 56 * phnum;
    at += padInterp;
    int interpAt = at;
    byte[] interp = interpreter == null ? new byte[0]
        : (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
    at += interp.length;
    at += padStrings;
    int strAt = at;
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    strings.write(0);
    List<long[]> dyn = new ArrayList<>();
    for (String n : needed) {
      dyn.add(new long[] {1, strings.size()});
      strings.writeBytes((n + "\0").getBytes(StandardCharsets.UTF_8));
    }
    if (runpath != null) {
      dyn.add(new long[] {29, strings.size()});
      strings.writeBytes((runpath + "\0").getBytes(StandardCharsets.UTF_8));
    }
    byte[] str = strings.toByteArray();
    at += str.length;
    at += padDynamic;
    at = (at + 7) & ~7;
    int dynAt = at;
    dyn.add(new long[] {5, BASE + strAt});
    dyn.add(new long[] {10, str.length});
    dyn.add(new long[] {0, 0});
    int size = dynAt + 16 * dyn.size();
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
    b.putShort(16, (short) type);
    b.putShort(18, (short) machine);
    b.putInt(20, 1);
    b.putLong(24, BASE + 64);
    b.putLong(32, 64);
    b.putLong(40, 0);
    b.putShort(52, (short) 64);
    b.putShort(54, (short) 56);
    b.putShort(56, (short) phnum);
    b.putShort(58, (short) 64);
    int ph = 64;
    ph = phdr(b, ph, 1, 5, 0, size, 0x1000);
    if (interpreter != null) {
      ph = phdr(b, ph, 3, 4, interpAt, interp.length, 1);
    }
    phdr(b, ph, 2, 6, dynAt, 16L * dyn.size(), 8);
    b.put(interpAt, interp);
    b.put(strAt, str);
    for (int i = 0; i < dyn.size(); i++) {
      b.putLong(dynAt + 16 * i, dyn.get(i)[0]);
      b.putLong(dynAt + 16 * i + 8, dyn.get(i)[1]);
    }
    return b.array();
  }

  private static int phdr(ByteBuffer b, int at, int type, int flags, long offset, long size,
      long align) {
    b.putInt(at, type);
    b.putInt(at + 4, flags);
    b.putLong(at + 8, offset);
    b.putLong(at + 16, BASE + offset);
    b.putLong(at + 24, BASE + offset);
    b.putLong(at + 32, size);
    b.putLong(at + 40, size);
    b.putLong(at + 48, align);
    return at + 56;
  }
}
