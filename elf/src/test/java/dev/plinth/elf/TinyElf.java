package dev.plinth.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes small, valid ELF files of either class and byte order, with an interpreter, a dynamic
 * section and the usual non-allocated sections (.comment, .debug_info, .symtab, .strtab), and says
 * where each part lies so that tests can break exactly one thing.
 */
final class TinyElf {
  boolean is64 = true;
  ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  int machine = ElfFile.EM_X86_64;
  int type = ElfFile.ET_DYN;
  String interp = "/lib/ld-tiny.so.1";
  List<String> needed = List.of("liba.so.1", "libb.so.2");
  String soname = "libtiny.so.1";
  String runpath = "$ORIGIN/lib:/opt/tiny";
  /** DT_RPATH rather than DT_RUNPATH. */
  boolean oldRpath = false;
  /** .comment's header at index 1, before the allocated sections. */
  boolean commentFirst = false;
  /** A second PT_LOAD (and an allocated .data2) after the non-allocated sections. */
  boolean trailingLoad = false;

  static final long BASE = 0x10000;
  private static final int PROGBITS = 1;

  /** The file and where its parts are: section name → offset, "sh.NAME" → its header, etc. */
  record Built(byte[] bytes, Map<String, Integer> at, Map<String, Integer> index) {
    int at(String key) {
      Integer v = at.get(key);
      if (v == null) {
        throw new IllegalArgumentException(key + " not in " + at.keySet());
      }
      return v;
    }
  }

  static TinyElf of(boolean is64, ByteOrder order) {
    TinyElf t = new TinyElf();
    t.is64 = is64;
    t.order = order;
    t.machine = is64 ? (order == ByteOrder.LITTLE_ENDIAN ? ElfFile.EM_X86_64 : ElfFile.EM_AARCH64)
        : (order == ByteOrder.LITTLE_ENDIAN ? ElfFile.EM_386 : 20 /* EM_PPC */);
    return t;
  }

  private record Sec(String name, int type, long flags, int offset, int size, String link,
      int info, int align, int entsize) {}

  Built build() {
    ByteBuffer b = ByteBuffer.allocate(1 << 16).order(order);
    Map<String, Integer> at = new LinkedHashMap<>();
    int ehsize = is64 ? 64 : 52;
    int phsize = is64 ? 56 : 32;
    int nph = 1 + (interp != null ? 1 : 0) + 1 + (trailingLoad ? 1 : 0);
    int phoff = ehsize;
    int pos = phoff + nph * phsize;
    List<Sec> secs = new ArrayList<>();

    int interpOff = pos;
    if (interp != null) {
      byte[] s = (interp + "\0").getBytes(StandardCharsets.UTF_8);
      b.put(pos, s);
      secs.add(new Sec(".interp", PROGBITS, 2, pos, s.length, null, 0, 1, 0));
      at.put(".interp", pos);
      pos += s.length;
    }

    // .dynstr
    int dynstr = pos;
    Map<String, Integer> strOff = new LinkedHashMap<>();
    b.put(pos++, (byte) 0);
    List<String> strings = new ArrayList<>(needed);
    if (soname != null) {
      strings.add(soname);
    }
    if (runpath != null) {
      strings.add(runpath);
    }
    for (String s : strings) {
      strOff.put(s, pos - dynstr);
      byte[] bs = (s + "\0").getBytes(StandardCharsets.UTF_8);
      b.put(pos, bs);
      pos += bs.length;
    }
    int dynstrSize = pos - dynstr;
    secs.add(new Sec(".dynstr", ElfFile.SHT_STRTAB, 2, dynstr, dynstrSize, null, 0, 1, 0));
    at.put(".dynstr", dynstr);

    // .dynamic
    pos = align(pos, 8);
    int dynamic = pos;
    int entry = is64 ? 16 : 8;
    for (String n : needed) {
      pos = dyn(b, pos, 1, strOff.get(n));
    }
    if (soname != null) {
      at.put("dyn.soname", pos);
      pos = dyn(b, pos, 14, strOff.get(soname));
    }
    if (runpath != null) {
      at.put("dyn.runpath", pos);
      pos = dyn(b, pos, oldRpath ? 15 : 29, strOff.get(runpath));
    }
    at.put("dyn.strtab", pos);
    pos = dyn(b, pos, 5, BASE + dynstr);
    at.put("dyn.strsz", pos);
    pos = dyn(b, pos, 10, dynstrSize);
    pos = dyn(b, pos, 0, 0);
    int dynamicSize = pos - dynamic;
    secs.add(new Sec(".dynamic", 6 /* SHT_DYNAMIC */, 3, dynamic, dynamicSize, ".dynstr", 0, 8,
        entry));
    at.put(".dynamic", dynamic);
    int allocEnd = pos;

    // Non-allocated sections.
    byte[] comment = "GCC: (tiny) 1.0\0".getBytes(StandardCharsets.UTF_8);
    b.put(pos, comment);
    Sec commentSec = new Sec(".comment", PROGBITS, 0x30, pos,
        comment.length, null, 0, 1, 1);
    at.put(".comment", pos);
    pos += comment.length;
    at.put(".debug_info", pos);
    byte[] debug = new byte[64];
    Arrays.fill(debug, (byte) 0xab);
    b.put(pos, debug);
    secs.add(new Sec(".debug_info", PROGBITS, 0, pos, 64, null, 0, 1, 0));
    pos += 64;
    pos = align(pos, 8);
    int symsize = is64 ? 24 : 16;
    int symtab = pos;
    at.put(".symtab", pos);
    pos += symsize; // the null symbol
    b.putInt(pos, 1); // st_name
    if (is64) {
      b.put(pos + 4, (byte) 0x11); // STB_GLOBAL, STT_OBJECT
      b.putShort(pos + 6, (short) 3); // st_shndx: some section
      b.putLong(pos + 8, BASE + dynamic);
    } else {
      b.putInt(pos + 4, (int) (BASE + dynamic));
      b.put(pos + 12, (byte) 0x11);
      b.putShort(pos + 14, (short) 3);
    }
    pos += symsize;
    secs.add(new Sec(".symtab", ElfFile.SHT_SYMTAB, 0, symtab, 2 * symsize, ".strtab", 1, 8,
        symsize));
    byte[] strtab = "\0tiny_symbol\0".getBytes(StandardCharsets.UTF_8);
    at.put(".strtab", pos);
    b.put(pos, strtab);
    secs.add(new Sec(".strtab", ElfFile.SHT_STRTAB, 0, pos, strtab.length, null, 0, 1, 0));
    pos += strtab.length;

    int data2 = 0;
    if (trailingLoad) {
      pos = align(pos, 16);
      data2 = pos;
      at.put(".data2", pos);
      for (int i = 0; i < 16; i++) {
        b.put(pos + i, (byte) (0x40 + i));
      }
      secs.add(new Sec(".data2", PROGBITS, 3, pos, 16, null, 0, 16, 0));
      pos += 16;
    }

    if (commentFirst) {
      secs.add(0, commentSec);
    } else {
      secs.add(secs.indexOf(secs.stream().filter(s -> s.name().equals(".debug_info"))
          .findFirst().orElseThrow()), commentSec);
    }
    // .shstrtab
    List<String> names = new ArrayList<>();
    for (Sec s : secs) {
      names.add(s.name());
    }
    names.add(".shstrtab");
    int shstrtab = pos;
    Map<String, Integer> nameOff = new LinkedHashMap<>();
    b.put(pos++, (byte) 0);
    for (String n : names) {
      nameOff.put(n, pos - shstrtab);
      byte[] bs = (n + "\0").getBytes(StandardCharsets.UTF_8);
      b.put(pos, bs);
      pos += bs.length;
    }
    secs.add(new Sec(".shstrtab", ElfFile.SHT_STRTAB, 0, shstrtab, pos - shstrtab, null, 0, 1,
        0));
    at.put(".shstrtab", shstrtab);

    // Section headers.
    pos = align(pos, 8);
    int shoff = pos;
    int shsize = is64 ? 64 : 40;
    int shnum = secs.size() + 1;
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < secs.size(); i++) {
      index.put(secs.get(i).name(), i + 1);
    }
    pos += shsize; // section 0
    for (Sec s : secs) {
      at.put("sh." + s.name(), pos);
      b.putInt(pos, nameOff.get(s.name()));
      b.putInt(pos + 4, s.type());
      long addr = (s.flags() & 2) != 0 ? BASE + s.offset() : 0;
      int link = s.link() == null ? 0 : index.get(s.link());
      // flags, addr, offset and size are words, then link and info, then align and entsize
      int w = word();
      long[] words = {s.flags(), addr, s.offset(), s.size()};
      for (int i = 0; i < words.length; i++) {
        putWord(b, pos + 8 + i * w, words[i]);
      }
      b.putInt(pos + 8 + 4 * w, link);
      b.putInt(pos + 12 + 4 * w, s.info());
      putWord(b, pos + 16 + 4 * w, s.align());
      putWord(b, pos + 16 + 5 * w, s.entsize());
      pos += shsize;
    }
    int end = pos;

    // Program headers.
    int ph = phoff;
    at.put("ph.load", ph);
    ph = phdr(b, ph, 1, 6, 0, allocEnd);
    if (interp != null) {
      at.put("ph.interp", ph);
      ph = phdr(b, ph, 3, 4, interpOff, interp.length() + 1);
    }
    at.put("ph.dynamic", ph);
    ph = phdr(b, ph, 2, 6, dynamic, dynamicSize);
    if (trailingLoad) {
      at.put("ph.load2", ph);
      phdr(b, ph, 1, 6, data2, 16);
    }

    // ELF header.
    b.put(0, new byte[] {0x7f, 'E', 'L', 'F', (byte) (is64 ? 2 : 1),
        (byte) (order == ByteOrder.LITTLE_ENDIAN ? 1 : 2), 1});
    b.putShort(16, (short) type);
    b.putShort(18, (short) machine);
    b.putInt(20, 1);
    // e_entry, e_phoff, e_shoff are words; e_flags, then the six halves from e_ehsize on
    int phoffField = 24 + word();
    int halves = phoffField + 2 * word() + 4;
    putWord(b, phoffField, phoff);
    putWord(b, phoffField + word(), shoff);
    int[] half = {ehsize, phsize, nph, shsize, shnum, shnum - 1};
    for (int i = 0; i < half.length; i++) {
      b.putShort(halves + 2 * i, (short) half[i]);
    }
    at.put("e_phoff", phoffField);
    at.put("e_shoff", phoffField + word());
    at.put("e_phnum", halves + 4);
    at.put("e_shnum", halves + 8);
    at.put("e_shstrndx", halves + 10);
    at.put("shoff", shoff);
    at.put("end", end);
    return new Built(Arrays.copyOf(b.array(), end), at, index);
  }

  /** Offsets of fields inside a program header / section header / dynamic entry. */
  int phOffsetField() {
    return is64 ? 8 : 4;
  }

  int phFileSizeField() {
    return is64 ? 32 : 16;
  }

  int shOffsetField() {
    return is64 ? 24 : 16;
  }

  int shSizeField() {
    return is64 ? 32 : 20;
  }

  int dynValueField() {
    return is64 ? 8 : 4;
  }

  /** The size of an address/offset/size field of this class. */
  private int word() {
    return is64 ? 8 : 4;
  }

  /** Writes an address/offset/size field of this class at {@code at}. */
  void putWord(byte[] bytes, int at, long value) {
    putWord(ByteBuffer.wrap(bytes).order(order), at, value);
  }

  private void putWord(ByteBuffer b, int at, long value) {
    if (is64) {
      b.putLong(at, value);
    } else {
      b.putInt(at, (int) value);
    }
  }

  void putHalf(byte[] bytes, int at, int value) {
    ByteBuffer.wrap(bytes).order(order).putShort(at, (short) value);
  }

  private int dyn(ByteBuffer b, int pos, long tag, long val) {
    putWord(b, pos, tag);
    putWord(b, pos + word(), val);
    return pos + 2 * word();
  }

  private int phdr(ByteBuffer b, int pos, int ptype, int flags, long offset, long size) {
    long vaddr = BASE + offset;
    if (is64) {
      b.putInt(pos, ptype);
      b.putInt(pos + 4, flags);
      b.putLong(pos + 8, offset);
      b.putLong(pos + 16, vaddr);
      b.putLong(pos + 24, vaddr);
      b.putLong(pos + 32, size);
      b.putLong(pos + 40, size);
      b.putLong(pos + 48, ptype == 1 ? 0x1000 : 8);
      return pos + 56;
    }
    b.putInt(pos, ptype);
    b.putInt(pos + 4, (int) offset);
    b.putInt(pos + 8, (int) vaddr);
    b.putInt(pos + 12, (int) vaddr);
    b.putInt(pos + 16, (int) size);
    b.putInt(pos + 20, (int) size);
    b.putInt(pos + 24, flags);
    b.putInt(pos + 28, ptype == 1 ? 0x1000 : 4);
    return pos + 32;
  }

  private static int align(int v, int a) {
    return (v + a - 1) & -a;
  }
}
