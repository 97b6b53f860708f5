package dev.plinth.elf;

import dev.plinth.oci.PlinthException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A defensive reader of ELF files (32- and 64-bit, either byte order) that may be hostile: what a
 * loader needs (machine, type, interpreter, the dynamic section's needed libraries, soname and
 * run path) plus the program and section header tables.
 *
 * <p>Every offset, size and count is checked against the file and against caps before use: any
 * inconsistency is a {@link PlinthException.Kind#BAD_INPUT} naming the file, never an index or
 * arithmetic exception, a huge allocation or an endless loop. The caps are those of a Linux loader
 * where it has one (the program header table is at most 64 KiB, an interpreter path at most 4096
 * bytes), and generous bounds elsewhere (at most {@value #MAX_SECTIONS} sections, {@value
 * #MAX_DYNAMIC_ENTRIES} dynamic entries, 64 KiB per string and 8 MiB of strings in all).
 *
 * <p>The section header table is checked too (each section's bytes lie inside the file, names are
 * terminated strings), since {@link ElfStrip} rewrites it; the loader itself never reads it.
 *
 * <p>Why one file of more than 600 lines: it is one parser of one format, and every check of an
 * offset or count sits next to the read it guards, in the order the format is laid out; split
 * apart, a reader could no longer see that each read of a hostile file is checked. A third of it
 * is the format's constants and the two header records.
 */
public final class ElfFile {
  /** e_type values. */
  public static final int ET_NONE = 0;
  public static final int ET_REL = 1;
  public static final int ET_EXEC = 2;
  public static final int ET_DYN = 3;
  public static final int ET_CORE = 4;

  /** e_machine values plinth meets. */
  public static final int EM_386 = 3;
  public static final int EM_ARM = 40;
  public static final int EM_X86_64 = 62;
  public static final int EM_AARCH64 = 183;
  public static final int EM_RISCV = 243;

  static final int PT_NULL = 0;
  static final int PT_LOAD = 1;
  static final int PT_DYNAMIC = 2;
  static final int PT_INTERP = 3;

  static final int SHT_NULL = 0;
  static final int SHT_SYMTAB = 2;
  static final int SHT_STRTAB = 3;
  static final int SHT_RELA = 4;
  static final int SHT_NOTE = 7;
  static final int SHT_NOBITS = 8;
  static final int SHT_REL = 9;
  static final int SHT_SYMTAB_SHNDX = 18;
  static final int SHT_GNU_ATTRIBUTES = 0x6ffffff5;
  static final int SHT_LOPROC = 0x70000000;
  static final int SHT_HIPROC = 0x7fffffff;
  static final long SHF_ALLOC = 0x2;
  static final long SHF_INFO_LINK = 0x40;

  private static final long DT_NULL = 0;
  private static final long DT_NEEDED = 1;
  private static final long DT_STRTAB = 5;
  private static final long DT_STRSZ = 10;
  private static final long DT_SONAME = 14;
  private static final long DT_RPATH = 15;
  private static final long DT_RUNPATH = 29;

  /** Extended numbering (more than 0xff00 sections, 0xffff program headers). */
  static final int SHN_LORESERVE = 0xff00;
  static final int SHN_XINDEX = 0xffff;
  static final int PN_XNUM = 0xffff;

  /** Linux refuses larger program header tables (fs/binfmt_elf.c). */
  static final int MAX_PROGRAM_HEADER_BYTES = 65536;
  static final int MAX_SECTIONS = 1 << 18;
  static final int MAX_DYNAMIC_ENTRIES = 1 << 16;
  private static final int PATH_MAX = 4096;
  private static final int MAX_STRING = 1 << 16;
  private static final int MAX_STRING_BYTES = 8 << 20;

  /** A program header. Offsets and sizes are in file bounds; addresses are unsigned. */
  record Segment(int type, int flags, long offset, long vaddr, long fileSize, long memSize,
      long align) {
    long end() {
      return offset + fileSize;
    }
  }

  /**
   * A section header; {@code name} is resolved through the section name table. For every section
   * but SHT_NULL and SHT_NOBITS, {@code [offset, offset + size)} lies inside the file.
   */
  record Section(int index, String name, long nameOffset, int type, long flags, long addr,
      long offset, long size, long link, long info, long addralign, long entsize) {
    boolean isAlloc() {
      return (flags & SHF_ALLOC) != 0;
    }

    /** Whether the section has bytes in the file. */
    boolean hasBytes() {
      return type != SHT_NOBITS && type != SHT_NULL && size > 0;
    }

    long end() {
      return offset + size;
    }
  }

  private final long length;
  private final boolean is64;
  private final ByteOrder order;
  private final int type;
  private final int machine;
  private final byte[] header;
  private final long phoff;
  private final List<Segment> segments;
  private final long shoff;
  private final List<Section> sections;
  private final int shstrndx;
  private final String interpreter;
  private final boolean hasInterpreterSegment;
  private final List<String> needed;
  private final String soname;
  private final List<String> runpath;
  private final boolean hasDynamic;

  private ElfFile(Parser p) {
    this.length = p.length;
    this.is64 = p.is64;
    this.order = p.order;
    this.type = p.type;
    this.machine = p.machine;
    this.header = p.header;
    this.phoff = p.phoff;
    this.segments = List.copyOf(p.segments);
    this.shoff = p.shoff;
    this.sections = List.copyOf(p.sections);
    this.shstrndx = p.shstrndx;
    this.interpreter = p.interpreter;
    this.hasInterpreterSegment = p.hasInterpreterSegment;
    this.needed = List.copyOf(p.needed);
    this.soname = p.soname;
    this.runpath = List.copyOf(p.runpath);
    this.hasDynamic = p.hasDynamic;
  }

  /**
   * Whether {@code head} (the first bytes of a file, at least 4) starts with the ELF magic number.
   * Says nothing about the rest: {@link #read} decides whether the file is valid.
   */
  public static boolean isElf(byte[] head) {
    return head != null && head.length >= 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L'
        && head[3] == 'F';
  }

  /**
   * Reads and checks an ELF file held in memory.
   *
   * @param what names the file in error messages
   * @throws PlinthException BAD_INPUT when the file is not a valid ELF file
   */
  public static ElfFile read(byte[] bytes, String what) throws PlinthException {
    return read(bytes, bytes.length, what);
  }

  /**
   * Reads and checks an ELF file held in the first {@code length} bytes of {@code bytes} (a buffer
   * a caller reuses for several files).
   *
   * @param what names the file in error messages
   * @throws PlinthException BAD_INPUT when the file is not a valid ELF file
   */
  public static ElfFile read(byte[] bytes, int length, String what) throws PlinthException {
    if (length < 0 || length > bytes.length) {
      throw new IllegalArgumentException("length " + length + " of " + bytes.length + " bytes");
    }
    try {
      return new Parser(new ArrayInput(bytes, length), what).parse();
    } catch (IOException e) {
      throw new IllegalStateException("reading from memory cannot fail", e);
    }
  }

  /**
   * Reads and checks an ELF file on disk, reading only the headers, the dynamic section and the
   * strings it names (a few KiB of a 30 MB library).
   *
   * @param what names the file in error messages
   * @throws PlinthException BAD_INPUT when the file is not a valid ELF file
   */
  public static ElfFile read(Path file, String what) throws IOException, PlinthException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return read(ch, what);
    }
  }

  static ElfFile read(FileChannel ch, String what) throws IOException, PlinthException {
    return read(new ChannelInput(ch), what);
  }

  static ElfFile read(Input in, String what) throws IOException, PlinthException {
    return new Parser(in, what).parse();
  }

  /** e_machine: {@link #EM_X86_64}, {@link #EM_AARCH64}, ... */
  public int machine() {
    return machine;
  }

  /** e_type: {@link #ET_EXEC}, {@link #ET_DYN}, ... */
  public int type() {
    return type;
  }

  /** ELFCLASS64 rather than ELFCLASS32. */
  public boolean is64() {
    return is64;
  }

  /** The byte order of the file's headers and data. */
  public ByteOrder byteOrder() {
    return order;
  }

  /**
   * The program interpreter (PT_INTERP), e.g. /lib64/ld-linux-x86-64.so.2; null if none, or if its
   * segment has no bytes in the file (a separate debug-info file).
   */
  public String interpreter() {
    return interpreter;
  }

  /** The DT_NEEDED libraries in the order the dynamic section lists them. */
  public List<String> needed() {
    return needed;
  }

  /** DT_SONAME, or null if none. */
  public String soname() {
    return soname;
  }

  /**
   * The run path: DT_RUNPATH, else DT_RPATH, split on ':' with empty components left out
   * ({@code $ORIGIN} and friends are returned as written). Empty if neither is present.
   */
  public List<String> runpath() {
    return runpath;
  }

  /**
   * Whether the file runs without a dynamic loader and without any shared library: no PT_INTERP
   * segment (not even an empty one) and no DT_NEEDED. That covers classic static executables (no
   * PT_DYNAMIC at all) and static-pie ones, which have a PT_DYNAMIC for their self-relocation but
   * need nothing. A shared object with no needs also counts; ask {@link #type()} to tell them
   * apart.
   */
  public boolean isStatic() {
    return !hasInterpreterSegment && needed.isEmpty();
  }

  /** Whether the file has a PT_DYNAMIC segment. */
  public boolean hasDynamic() {
    return hasDynamic;
  }

  /** The name of an e_machine value for messages, e.g. "x86-64", or "#N". */
  public static String machineName(int machine) {
    return switch (machine) {
      case EM_386 -> "x86 (32-bit)";
      case EM_ARM -> "ARM (32-bit)";
      case EM_X86_64 -> "x86-64";
      case EM_AARCH64 -> "AArch64";
      case EM_RISCV -> "RISC-V";
      default -> "#" + machine;
    };
  }

  /** The name of an e_type value for messages. */
  public static String typeName(int type) {
    return switch (type) {
      case ET_NONE -> "file of no type";
      case ET_REL -> "relocatable object";
      case ET_EXEC -> "executable";
      case ET_DYN -> "shared object or position-independent executable";
      case ET_CORE -> "core dump";
      default -> "file of type #" + type;
    };
  }

  // ---- for ElfStrip ----

  long length() {
    return length;
  }

  int headerSize() {
    return header.length;
  }

  long programHeaderOffset() {
    return phoff;
  }

  int programHeaderSize() {
    return is64 ? 56 : 32;
  }

  int sectionHeaderSize() {
    return is64 ? 64 : 40;
  }

  long sectionHeaderOffset() {
    return shoff;
  }

  List<Segment> segments() {
    return segments;
  }

  /** All section headers, index 0 included; empty when the file has no section header table. */
  List<Section> sections() {
    return sections;
  }

  /** The index of the section name table, 0 if none. */
  int sectionNameTableIndex() {
    return shstrndx;
  }

  /**
   * The ELF header with a new section header table: offset, count and name table index, written
   * with extended numbering (through section 0) when they do not fit.
   */
  byte[] headerWithSections(long newShoff, int newShnum, int newShstrndx) {
    byte[] h = header.clone();
    ByteBuffer b = ByteBuffer.wrap(h).order(order);
    if (is64) {
      b.putLong(40, newShoff);
    } else {
      b.putInt(32, (int) newShoff);
    }
    int base = is64 ? 60 : 48;
    b.putShort(base, (short) (newShnum >= SHN_LORESERVE ? 0 : newShnum));
    b.putShort(base + 2, (short) (newShstrndx >= SHN_LORESERVE ? SHN_XINDEX : newShstrndx));
    return h;
  }

  /** Encodes section headers as this file's class and byte order write them. */
  byte[] encodeSections(List<Section> list) {
    int size = sectionHeaderSize();
    ByteBuffer b = ByteBuffer.allocate(list.size() * size).order(order);
    for (int i = 0; i < list.size(); i++) {
      Section s = list.get(i);
      int at = i * size;
      b.putInt(at, (int) s.nameOffset());
      b.putInt(at + 4, s.type());
      if (is64) {
        b.putLong(at + 8, s.flags());
        b.putLong(at + 16, s.addr());
        b.putLong(at + 24, s.offset());
        b.putLong(at + 32, s.size());
        b.putInt(at + 40, (int) s.link());
        b.putInt(at + 44, (int) s.info());
        b.putLong(at + 48, s.addralign());
        b.putLong(at + 56, s.entsize());
      } else {
        b.putInt(at + 8, (int) s.flags());
        b.putInt(at + 12, (int) s.addr());
        b.putInt(at + 16, (int) s.offset());
        b.putInt(at + 20, (int) s.size());
        b.putInt(at + 24, (int) s.link());
        b.putInt(at + 28, (int) s.info());
        b.putInt(at + 32, (int) s.addralign());
        b.putInt(at + 36, (int) s.entsize());
      }
    }
    return b.array();
  }

  // ---- reading ----

  /** Random access to the file's bytes. */
  interface Input {
    long size();

    void readFully(long position, byte[] dst, int off, int len) throws IOException;

    /** Fails unless {@code len} bytes at {@code position} lie within the file's bytes. */
    default void within(long position, int len) throws EOFException {
      if (position < 0 || len < 0 || position > size() - len) {
        throw new EOFException("bytes " + position + "+" + len + " of " + size());
      }
    }
  }

  private record ArrayInput(byte[] bytes, int length) implements Input {
    @Override
    public long size() {
      return length;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      within(position, len);
      System.arraycopy(bytes, (int) position, dst, off, len);
    }
  }

  static final class ChannelInput implements Input {
    private final FileChannel ch;
    private final long size;

    ChannelInput(FileChannel ch) throws IOException {
      this.ch = ch;
      this.size = ch.size();
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public void readFully(long position, byte[] dst, int off, int len) throws IOException {
      ByteBuffer b = ByteBuffer.wrap(dst, off, len);
      while (b.hasRemaining()) {
        int n = ch.read(b, position + b.position() - off);
        if (n < 0) {
          throw new EOFException("the file shrank while it was read");
        }
      }
    }
  }

  /** One parse: the state the checks build up, then frozen into an ElfFile. */
  private static final class Parser {
    private final Input in;
    private final String what;
    private final long length;
    private int stringBudget = MAX_STRING_BYTES;

    boolean is64;
    ByteOrder order;
    int type;
    int machine;
    byte[] header;
    long phoff;
    long shoff;
    int shstrndx;
    final List<Segment> segments = new ArrayList<>();
    final List<Section> sections = new ArrayList<>();
    String interpreter;
    boolean hasInterpreterSegment;
    final List<String> needed = new ArrayList<>();
    String soname;
    final List<String> runpath = new ArrayList<>();
    boolean hasDynamic;
    private int phnum;
    private int shnum;

    Parser(Input in, String what) {
      this.in = in;
      this.what = what;
      this.length = in.size();
    }

    ElfFile parse() throws IOException, PlinthException {
      readHeader();
      readSegments();
      readSections();
      readInterpreter();
      readDynamic();
      return new ElfFile(this);
    }

    private void readHeader() throws IOException, PlinthException {
      if (length < 16) {
        throw bad("the file is " + length + " bytes, too short for an ELF header");
      }
      byte[] ident = bytes(0, 16, "the ELF identification");
      if (!isElf(ident)) {
        throw bad("it does not start with the ELF magic number");
      }
      is64 = switch (ident[4]) {
        case 1 -> false;
        case 2 -> true;
        default -> throw bad("unknown ELF class " + ident[4]);
      };
      order = switch (ident[5]) {
        case 1 -> ByteOrder.LITTLE_ENDIAN;
        case 2 -> ByteOrder.BIG_ENDIAN;
        default -> throw bad("unknown ELF data encoding " + ident[5]);
      };
      if (ident[6] != 1) {
        throw bad("unknown ELF version " + ident[6]);
      }
      int size = is64 ? 64 : 52;
      if (length < size) {
        throw bad("the file is " + length + " bytes, shorter than its " + size
            + "-byte ELF header");
      }
      header = bytes(0, size, "the ELF header");
      ByteBuffer h = ByteBuffer.wrap(header).order(order);
      type = u16(h, 16);
      machine = u16(h, 18);
      phoff = word(h, is64 ? 32 : 28);
      shoff = word(h, is64 ? 40 : 32);
      int base = is64 ? 54 : 42;
      int phentsize = u16(h, base);
      long phnum = u16(h, base + 2);
      int shentsize = u16(h, base + 4);
      long shnum = u16(h, base + 6);
      long strndx = u16(h, base + 8);

      // Extended numbering keeps the real counts in section 0.
      if (shoff != 0) {
        if (shentsize != sectionHeaderSize()) {
          throw bad("section headers are " + shentsize + " bytes, not " + sectionHeaderSize());
        }
        check(shoff, sectionHeaderSize(), "the section header table");
        ByteBuffer s0 = ByteBuffer.wrap(bytes(shoff, sectionHeaderSize(), "section 0"))
            .order(order);
        if (shnum == 0) {
          shnum = word(s0, is64 ? 32 : 20);
        }
        if (strndx == SHN_XINDEX) {
          strndx = u32(s0, is64 ? 40 : 24);
        }
        if (phnum == PN_XNUM) {
          phnum = u32(s0, is64 ? 44 : 28);
          if (phnum < PN_XNUM) {
            throw bad("the extended program header count " + phnum + " is below " + PN_XNUM);
          }
        }
      } else if (shnum != 0) {
        throw bad("it counts " + shnum + " sections but has no section header table");
      } else if (phnum == PN_XNUM) {
        throw bad("its program header count is extended but it has no section 0 to hold it");
      }
      if (phnum > 0) {
        if (phentsize != programHeaderSize()) {
          throw bad("program headers are " + phentsize + " bytes, not " + programHeaderSize());
        }
        if (phnum * programHeaderSize() > MAX_PROGRAM_HEADER_BYTES) {
          throw bad("it has " + phnum + " program headers, more than a loader accepts");
        }
        check(phoff, phnum * programHeaderSize(), "the program header table");
      }
      if (shoff != 0) {
        if (shnum < 1 || shnum > MAX_SECTIONS) {
          throw bad("it counts " + shnum + " sections (from 1 to " + MAX_SECTIONS + " allowed)");
        }
        check(shoff, shnum * sectionHeaderSize(), "the section header table");
        if (strndx >= shnum) {
          throw bad("the section name table index " + strndx + " is not below the section count "
              + shnum);
        }
        shstrndx = (int) strndx;
      }
      this.phnum = (int) phnum;
      this.shnum = (int) shnum;
    }

    private void readSegments() throws IOException, PlinthException {
      if (phnum == 0) {
        return;
      }
      int size = programHeaderSize();
      ByteBuffer b = ByteBuffer.wrap(bytes(phoff, (long) phnum * size, "the program header table"))
          .order(order);
      for (int i = 0; i < phnum; i++) {
        int at = i * size;
        int ptype = (int) u32(b, at);
        Segment s = is64
            ? new Segment(ptype, (int) u32(b, at + 4), word(b, at + 8), word(b, at + 16),
                word(b, at + 32), word(b, at + 40), word(b, at + 48))
            : new Segment(ptype, (int) u32(b, at + 24), word(b, at + 4), word(b, at + 8),
                word(b, at + 16), word(b, at + 20), word(b, at + 28));
        // A segment without bytes in the file (bss, or any segment of a separate debug-info
        // file) has an offset that means nothing.
        if (ptype != PT_NULL && s.fileSize() != 0) {
          check(s.offset(), s.fileSize(), "segment " + i + " (type " + hex(ptype) + ")");
          if (ptype == PT_LOAD && Long.compareUnsigned(s.fileSize(), s.memSize()) > 0) {
            throw bad("segment " + i + " has more bytes in the file than in memory");
          }
        }
        segments.add(s);
      }
    }

    private void readSections() throws IOException, PlinthException {
      if (shnum == 0) {
        return;
      }
      int size = sectionHeaderSize();
      ByteBuffer b = ByteBuffer.wrap(bytes(shoff, (long) shnum * size, "the section header table"))
          .order(order);
      long[] nameOffsets = new long[shnum];
      List<Section> raw = new ArrayList<>(shnum);
      for (int i = 0; i < shnum; i++) {
        int at = i * size;
        Section s = is64
            ? new Section(i, "", u32(b, at), (int) u32(b, at + 4), word(b, at + 8),
                word(b, at + 16), word(b, at + 24), word(b, at + 32), u32(b, at + 40),
                u32(b, at + 44), word(b, at + 48), word(b, at + 56))
            : new Section(i, "", u32(b, at), (int) u32(b, at + 4), word(b, at + 8),
                word(b, at + 12), word(b, at + 16), word(b, at + 20), u32(b, at + 24),
                u32(b, at + 28), word(b, at + 32), word(b, at + 36));
        if (i > 0 && s.type() != SHT_NOBITS && s.type() != SHT_NULL) {
          check(s.offset(), s.size(), "section " + i);
        }
        nameOffsets[i] = s.nameOffset();
        raw.add(s);
      }
      Section names = shstrndx == 0 ? null : raw.get(shstrndx);
      if (names != null && (names.type() == SHT_NOBITS || names.type() == SHT_NULL)) {
        throw bad("the section name table (section " + shstrndx + ") has no bytes");
      }
      for (Section s : raw) {
        String name = "";
        if (names != null && (s.index() > 0 || s.nameOffset() != 0)) {
          if (s.nameOffset() >= names.size()) {
            throw bad("the name of section " + s.index() + " lies outside the section name table");
          }
          name = string(names.offset() + s.nameOffset(), names.size() - s.nameOffset(),
              "the name of section " + s.index());
        }
        sections.add(new Section(s.index(), name, s.nameOffset(), s.type(), s.flags(), s.addr(),
            s.offset(), s.size(), s.link(), s.info(), s.addralign(), s.entsize()));
      }
    }

    private void readInterpreter() throws IOException, PlinthException {
      Segment interp = only(PT_INTERP, "PT_INTERP");
      if (interp == null) {
        return;
      }
      hasInterpreterSegment = true;
      if (interp.fileSize() == 0) {
        return; // a separate debug-info file (objcopy --only-keep-debug) keeps no bytes
      }
      if (interp.fileSize() < 2 || interp.fileSize() > PATH_MAX) {
        throw bad("the program interpreter's path is " + interp.fileSize()
            + " bytes (from 2 to " + PATH_MAX + " allowed)");
      }
      byte[] path = bytes(interp.offset(), interp.fileSize(), "the program interpreter");
      if (path[path.length - 1] != 0) {
        throw bad("the program interpreter's path does not end with NUL");
      }
      int end = 0;
      while (path[end] != 0) {
        end++;
      }
      if (end == 0) {
        throw bad("the program interpreter's path is empty");
      }
      interpreter = new String(path, 0, end, StandardCharsets.UTF_8);
    }

    private void readDynamic() throws IOException, PlinthException {
      Segment dyn = only(PT_DYNAMIC, "PT_DYNAMIC");
      if (dyn == null) {
        return;
      }
      hasDynamic = true;
      int entry = is64 ? 16 : 8;
      long count = dyn.fileSize() / entry;
      long readable = Math.min(count, MAX_DYNAMIC_ENTRIES);
      if (readable == 0) {
        return; // no bytes: a separate debug-info file
      }
      ByteBuffer b = ByteBuffer.wrap(bytes(dyn.offset(), readable * entry, "the dynamic section"))
          .order(order);
      List<Long> neededAt = new ArrayList<>();
      Long[] single = new Long[(int) DT_RUNPATH + 1];
      boolean terminated = false;
      for (int i = 0; i < readable; i++) {
        long tag = word(b, i * entry);
        long val = word(b, i * entry + entry / 2);
        if (tag == DT_NULL) {
          terminated = true;
          break;
        }
        if (tag == DT_NEEDED) {
          neededAt.add(val);
        } else if (tag == DT_STRTAB || tag == DT_STRSZ || tag == DT_SONAME || tag == DT_RPATH
            || tag == DT_RUNPATH) {
          if (single[(int) tag] != null) {
            throw bad("the dynamic section has more than one " + dtName(tag));
          }
          single[(int) tag] = val;
        }
      }
      if (!terminated && count > MAX_DYNAMIC_ENTRIES) {
        throw bad("the dynamic section has more than " + MAX_DYNAMIC_ENTRIES + " entries");
      }
      Long sonameAt = single[(int) DT_SONAME];
      Long pathAt = single[(int) DT_RUNPATH] != null ? single[(int) DT_RUNPATH]
          : single[(int) DT_RPATH];
      if (neededAt.isEmpty() && sonameAt == null && pathAt == null) {
        return;
      }
      Long strtab = single[(int) DT_STRTAB];
      Long strsz = single[(int) DT_STRSZ];
      if (strtab == null || strsz == null) {
        throw bad("the dynamic section names libraries but lacks DT_STRTAB or DT_STRSZ");
      }
      long table = fileOffset(strtab, strsz, "the dynamic string table (DT_STRTAB)");
      for (long at : neededAt) {
        needed.add(dynString(table, strsz, at, "DT_NEEDED"));
      }
      if (sonameAt != null) {
        soname = dynString(table, strsz, sonameAt, "DT_SONAME");
      }
      if (pathAt != null) {
        String tag = single[(int) DT_RUNPATH] != null ? "DT_RUNPATH" : "DT_RPATH";
        for (String part : dynString(table, strsz, pathAt, tag).split(":")) {
          if (!part.isEmpty()) {
            runpath.add(part);
          }
        }
      }
    }

    private String dynString(long table, long tableSize, long at, String tag)
        throws IOException, PlinthException {
      if (Long.compareUnsigned(at, tableSize) >= 0) {
        throw bad("the " + tag + " string at " + Long.toUnsignedString(at)
            + " lies outside the dynamic string table (" + tableSize + " bytes)");
      }
      return string(table + at, tableSize - at, "the " + tag + " string");
    }

    /** Maps a virtual address range onto the file through the PT_LOAD segment that holds it. */
    private long fileOffset(long vaddr, long size, String part) throws PlinthException {
      for (Segment s : segments) {
        if (s.type() != PT_LOAD) {
          continue;
        }
        long delta = vaddr - s.vaddr();
        if (Long.compareUnsigned(delta, s.fileSize()) < 0) {
          if (Long.compareUnsigned(size, s.fileSize() - delta) > 0) {
            throw bad(part + " runs past the end of the segment that holds it");
          }
          return s.offset() + delta;
        }
      }
      throw bad(part + " at address 0x" + Long.toHexString(vaddr)
          + " is not in any loaded part of the file");
    }

    private Segment only(int ptype, String name) throws PlinthException {
      Segment found = null;
      for (Segment s : segments) {
        if (s.type() == ptype) {
          if (found != null) {
            throw bad("it has more than one " + name + " segment");
          }
          found = s;
        }
      }
      return found;
    }

    /** A NUL-terminated string at {@code offset}, which must end within {@code limit} bytes. */
    private String string(long offset, long limit, String part)
        throws IOException, PlinthException {
      long max = Math.min(limit, Math.min(length - offset, MAX_STRING + 1L));
      byte[] buf = new byte[(int) Math.min(max, 256)];
      int have = 0;
      while (have < max) {
        if (have == buf.length) {
          buf = Arrays.copyOf(buf, (int) Math.min(max, buf.length * 4L));
        }
        int n = buf.length - have;
        in.readFully(offset + have, buf, have, n);
        for (int i = have; i < have + n; i++) {
          if (buf[i] == 0) {
            stringBudget -= i;
            if (stringBudget < 0) {
              throw bad("its strings add up to more than " + MAX_STRING_BYTES + " bytes");
            }
            return new String(buf, 0, i, StandardCharsets.UTF_8);
          }
        }
        have += n;
      }
      if (max > MAX_STRING) {
        throw bad(part + " is longer than " + MAX_STRING + " bytes");
      }
      throw bad(part + " is not terminated by NUL");
    }

    /** Checks that {@code [offset, offset + size)} lies in the file; both unsigned. */
    private void check(long offset, long size, String part) throws PlinthException {
      if (offset < 0 || size < 0 || offset > length || size > length - offset) {
        throw bad(part + " (offset " + Long.toUnsignedString(offset) + ", size "
            + Long.toUnsignedString(size) + ") lies outside the file (" + length + " bytes)");
      }
    }

    private byte[] bytes(long offset, long size, String part) throws IOException, PlinthException {
      check(offset, size, part);
      if (size > Integer.MAX_VALUE - 8) {
        throw bad(part + " is too large");
      }
      byte[] b = new byte[(int) size];
      in.readFully(offset, b, 0, b.length);
      return b;
    }

    private int u16(ByteBuffer b, int at) {
      return b.getShort(at) & 0xffff;
    }

    private long u32(ByteBuffer b, int at) {
      return b.getInt(at) & 0xffffffffL;
    }

    /** An address, offset or size: 8 bytes in ELF64, 4 in ELF32 (unsigned). */
    private long word(ByteBuffer b, int at) {
      return is64 ? b.getLong(at) : u32(b, at);
    }

    private int programHeaderSize() {
      return is64 ? 56 : 32;
    }

    private int sectionHeaderSize() {
      return is64 ? 64 : 40;
    }

    private PlinthException bad(String detail) {
      return new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + " is not a valid ELF file: " + detail);
    }
  }

  private static String hex(int v) {
    return "0x" + Integer.toHexString(v);
  }

  private static String dtName(long tag) {
    return switch ((int) tag) {
      case 5 -> "DT_STRTAB";
      case 10 -> "DT_STRSZ";
      case 14 -> "DT_SONAME";
      case 15 -> "DT_RPATH";
      case 29 -> "DT_RUNPATH";
      default -> "tag " + tag;
    };
  }
}
