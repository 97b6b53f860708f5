package dev.plinth.elf;

import static dev.plinth.elf.ElfTools.cc;
import static dev.plinth.elf.ElfTools.readelf;
import static dev.plinth.elf.ElfTools.tool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** ElfFile against readelf on real binaries of several machines, and against hostile files. */
class ElfFileTest {
  @TempDir Path tmp;

  static final String LIB = "int dep(void); int greet(int x) { return dep() + x; }\n";
  static final String DEP = "int dep(void) { return 40; }\n";
  static final String MAIN = "#include <stdio.h>\nint greet(int);\n"
      + "int main(int argc, char **argv) { printf(\"greet %d\\n\", greet(argc)); return 0; }\n";

  static Stream<Arguments> toolchains() {
    return Stream.of(
        Arguments.of("gcc", "readelf", ElfFile.EM_X86_64),
        Arguments.of("aarch64-linux-gnu-gcc", "aarch64-linux-gnu-readelf", ElfFile.EM_AARCH64));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("toolchains")
  void read_compiledProgramAndLibraries_agreesWithReadelf(String gcc, String readelf, int machine)
      throws Exception {
    tool(readelf);
    cc(tmp, gcc, DEP, "libdep.so", "-shared", "-fPIC", "-Wl,-soname,libdep.so.7");
    cc(tmp, gcc, LIB, "libgreet.so", "-shared", "-fPIC", "-g", "-Wl,-soname,libgreet.so.1",
        "-Wl,--enable-new-dtags", "-Wl,-rpath,$ORIGIN/sub::/opt/x", "-L.", "-ldep");
    cc(tmp, gcc, MAIN, "main", "-g", "-Wl,--disable-new-dtags", "-Wl,-rpath,/opt/old",
        "-L.", "-lgreet", "-ldep");
    for (String name : List.of("libdep.so", "libgreet.so", "main")) {
      Path f = tmp.resolve(name);
      ElfFile e = ElfFile.read(Files.readAllBytes(f), name);
      assertAgrees(readelf(tool(readelf), f), e, name);
      assertEquals(machine, e.machine(), name);
    }
    ElfFile lib = ElfFile.read(Files.readAllBytes(tmp.resolve("libgreet.so")), "libgreet.so");
    assertEquals(List.of("libdep.so.7"), lib.needed());
    assertEquals("libgreet.so.1", lib.soname());
    assertEquals(List.of("$ORIGIN/sub", "/opt/x"), lib.runpath(), "empty components left out");
    assertNull(lib.interpreter());
    assertFalse(lib.isStatic());
    ElfFile main = ElfFile.read(tmp.resolve("main"), "main");
    assertEquals(List.of("libgreet.so.1", "libc.so.6"), main.needed(),
        "libdep.so.7 is not used directly: --as-needed leaves it out");
    assertEquals(List.of("/opt/old"), main.runpath(), "DT_RPATH when there is no DT_RUNPATH");
    assertTrue(main.interpreter().startsWith("/lib"), main.interpreter());
    assertFalse(main.isStatic());
  }

  @Test
  void read_bigEndianAndElf32_agreesWithReadelf() throws Exception {
    String readelf = tool("aarch64-linux-gnu-readelf");
    cc(tmp, "aarch64-linux-gnu-gcc", DEP, "libdepbe.so", "-mbig-endian", "-shared", "-fPIC",
        "-nostdlib", "-Wl,-soname,libdepbe.so");
    cc(tmp, "aarch64-linux-gnu-gcc", LIB, "libbe.so", "-mbig-endian", "-shared", "-fPIC",
        "-nostdlib", "-Wl,--no-as-needed", "-Wl,-soname,libbe.so.2", "-Wl,-rpath,/be/lib",
        "./libdepbe.so");
    ElfFile be = ElfFile.read(Files.readAllBytes(tmp.resolve("libbe.so")), "libbe.so");
    assertAgrees(readelf(readelf, tmp.resolve("libbe.so")), be, "libbe.so");
    assertEquals(ByteOrder.BIG_ENDIAN, be.byteOrder());
    assertTrue(be.is64());
    assertEquals(List.of("libdepbe.so"), be.needed());

    cc(tmp, "gcc", DEP, "libdep32.so", "-m32", "-shared", "-fPIC", "-nostdlib",
        "-Wl,-soname,libdep32.so");
    cc(tmp, "gcc", LIB, "lib32.so", "-m32", "-shared", "-fPIC", "-nostdlib",
        "-Wl,--no-as-needed", "-Wl,-soname,lib32.so", "-Wl,--disable-new-dtags",
        "-Wl,-rpath,$ORIGIN", "./libdep32.so");
    ElfFile x32 = ElfFile.read(Files.readAllBytes(tmp.resolve("lib32.so")), "lib32.so");
    assertAgrees(readelf(tool("readelf"), tmp.resolve("lib32.so")), x32, "lib32.so");
    assertFalse(x32.is64());
    assertEquals(ElfFile.EM_386, x32.machine());
    assertEquals(List.of("$ORIGIN"), x32.runpath());
    assertEquals(List.of("libdep32.so"), x32.needed());

    // ELF32 big-endian: AArch64 ILP32.
    Path ilp32 = cc(tmp, "aarch64-linux-gnu-gcc", ElfTools.AARCH64_START, "ilp32", "-mabi=ilp32",
        "-mbig-endian", "-static", "-nostdlib", "-O1");
    ElfFile e = ElfFile.read(Files.readAllBytes(ilp32), "ilp32");
    assertAgrees(readelf(readelf, ilp32), e, "ilp32");
    assertFalse(e.is64());
    assertEquals(ByteOrder.BIG_ENDIAN, e.byteOrder());
    assertTrue(e.isStatic());
  }

  @Test
  void read_systemLibraries_agreeWithReadelf() throws Exception {
    String readelf = tool("readelf");
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib",
        "/usr/lib/jvm/temurin-25-jdk-amd64/bin", "/usr/aarch64-linux-gnu/lib", "/usr/bin")) {
      Path d = Path.of(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          s.filter(Files::isRegularFile).sorted().filter(p -> {
            try (var in = Files.newInputStream(p)) {
              return ElfFile.isElf(in.readNBytes(4));
            } catch (Exception ex) {
              return false;
            }
          }).limit(40).forEach(files::add);
        }
      }
    }
    assumeTrue(files.size() > 20, "few ELF files on this machine");
    for (Path f : files) {
      ElfFile e = ElfFile.read(f, f.toString());
      assertAgrees(readelf(readelf, f), e, f.toString());
      ElfFile again = ElfFile.read(Files.readAllBytes(f), f.toString());
      assertEquals(e.needed(), again.needed(), f + ": the Path and byte[] readers agree");
      assertEquals(e.interpreter(), again.interpreter(), f.toString());
    }
    // the part of a reused buffer that holds a file: what follows it is never read as the file's
    byte[] bytes = Files.readAllBytes(files.get(0));
    ElfFile whole = ElfFile.read(bytes, files.get(0).toString());
    byte[] buffer = Arrays.copyOf(bytes, bytes.length + 4096);
    Arrays.fill(buffer, bytes.length, buffer.length, (byte) 0x7f);
    ElfFile inBuffer = ElfFile.read(buffer, bytes.length, "buffer");
    assertEquals(whole.needed(), inBuffer.needed());
    assertEquals(whole.soname(), inBuffer.soname());
    PlinthException cut = assertThrows(PlinthException.class,
        () -> ElfFile.read(buffer, 200, "cut"));
    assertTrue(cut.getMessage().contains("cut"), cut.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ElfFile.read(bytes, bytes.length + 1, "longer than its buffer"));
  }

  @Test
  void isStatic_staticStaticPieAndDynamic() throws Exception {
    String src = "#include <stdio.h>\nint main(void) { puts(\"x\"); return 0; }\n";
    ElfFile dynamic = ElfFile.read(cc(tmp, "gcc", src, "dyn"), "dyn");
    assertFalse(dynamic.isStatic());
    ElfFile classic = ElfFile.read(cc(tmp, "gcc", src, "static", "-static", "-no-pie"), "static");
    assertTrue(classic.isStatic());
    assertFalse(classic.hasDynamic());
    assertEquals(ElfFile.ET_EXEC, classic.type());
    ElfFile pie = ElfFile.read(cc(tmp, "gcc", src, "spie", "-static-pie"), "spie");
    assertTrue(pie.isStatic(), "static-pie: a PT_DYNAMIC but no interpreter and no needs");
    assertTrue(pie.hasDynamic());
    assertEquals(ElfFile.ET_DYN, pie.type());

    // Elf.checkStatic, the init check, agrees.
    Elf.checkStatic(Files.readAllBytes(tmp.resolve("static")), Platform.LINUX_AMD64, "static");
    Elf.checkStatic(Files.readAllBytes(tmp.resolve("spie")), Platform.LINUX_AMD64, "spie");
    PlinthException dyn = assertThrows(PlinthException.class, () -> Elf.checkStatic(
        Files.readAllBytes(tmp.resolve("dyn")), Platform.LINUX_AMD64, "init dyn"));
    assertTrue(dyn.getMessage().contains("init dyn is dynamically linked"), dyn.getMessage());
    PlinthException arch = assertThrows(PlinthException.class, () -> Elf.checkStatic(
        Files.readAllBytes(tmp.resolve("static")), Platform.LINUX_ARM64, "init static"));
    assertTrue(arch.getMessage().contains("x86-64") && arch.getMessage().contains("linux/arm64"),
        arch.getMessage());
  }

  @Test
  void checkStatic_refusesWhatCannotBeAnInit() throws Exception {
    // Needs a library without naming an interpreter: still dynamically linked.
    TinyElf t = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    t.interp = null;
    t.type = ElfFile.ET_EXEC;
    assertRefused(t.build().bytes(), "is dynamically linked (it needs liba.so.1, libb.so.2)");
    t.needed = List.of();
    Elf.checkStatic(t.build().bytes(), Platform.LINUX_AMD64, "init x");
    t.is64 = false;
    assertRefused(t.build().bytes(), "is not a 64-bit little-endian ELF file");
    TinyElf obj = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    obj.type = ElfFile.ET_REL;
    assertRefused(obj.build().bytes(), "is not an ELF executable (it is a relocatable object)");
    assertRefused("#!/bin/sh\n".getBytes(), "is not an ELF executable");
    assertRefused(Arrays.copyOf(t.build().bytes(), 30), "init x is not a valid ELF file");
  }

  private static void assertRefused(byte[] bytes, String message) {
    PlinthException e = assertThrows(PlinthException.class,
        () -> Elf.checkStatic(bytes, Platform.LINUX_AMD64, "init x"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  static Stream<Arguments> classes() {
    return Stream.of(
        Arguments.of(true, ByteOrder.LITTLE_ENDIAN), Arguments.of(true, ByteOrder.BIG_ENDIAN),
        Arguments.of(false, ByteOrder.LITTLE_ENDIAN), Arguments.of(false, ByteOrder.BIG_ENDIAN));
  }

  @ParameterizedTest(name = "64-bit {0}, {1}")
  @MethodSource("classes")
  void read_tinyElf_allClassesAndByteOrders(boolean is64, ByteOrder order) throws Exception {
    TinyElf t = TinyElf.of(is64, order);
    Path f = tmp.resolve("tiny");
    Files.write(f, t.build().bytes());
    ElfFile e = ElfFile.read(f, "tiny");
    assertEquals(is64, e.is64());
    assertEquals(order, e.byteOrder());
    assertEquals(t.machine, e.machine());
    assertEquals(ElfFile.ET_DYN, e.type());
    assertEquals("/lib/ld-tiny.so.1", e.interpreter());
    assertEquals(List.of("liba.so.1", "libb.so.2"), e.needed());
    assertEquals("libtiny.so.1", e.soname());
    assertEquals(List.of("$ORIGIN/lib", "/opt/tiny"), e.runpath());
    assertFalse(e.isStatic());
    if (Files.isExecutable(Path.of("/usr/bin/readelf"))) {
      assertAgrees(readelf("/usr/bin/readelf", f), e, "tiny");
      ElfTools.assertReadelfClean("/usr/bin/readelf", f);
    }
  }

  @Test
  void isElf_looksAtTheMagicNumberOnly() {
    assertTrue(ElfFile.isElf(new byte[] {0x7f, 'E', 'L', 'F'}));
    assertFalse(ElfFile.isElf(new byte[] {0x7f, 'E', 'L'}));
    assertFalse(ElfFile.isElf("#!/bin/sh".getBytes()));
    assertFalse(ElfFile.isElf(null));
  }

  // ---- hostile files: each is BAD_INPUT with a message naming the file ----

  record Breakage(String name, Consumer<Ctx> change, String message) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** The file being broken, the builder that knows its layout, and where its parts are. */
  record Ctx(byte[] bytes, TinyElf t, TinyElf.Built built) {
    void word(String at, int field, long value) {
      t.putWord(bytes, built.at(at) + field, value);
    }

    void half(String at, int value) {
      t.putHalf(bytes, built.at(at), value);
    }
  }

  static Stream<Arguments> breakages() {
    List<Breakage> all = List.of(
        new Breakage("section offset past the end",
            c -> c.word("sh..symtab", c.t().shOffsetField(), c.bytes().length - 8),
            "section 6 (offset"),
        new Breakage("section size past the end",
            c -> c.word("sh..debug_info", c.t().shSizeField(), 1L << 31), "section 5"),
        new Breakage("segment offset past the end",
            c -> c.word("ph.load", c.t().phOffsetField(), c.bytes().length + 1),
            "segment 0 (type 0x1)"),
        new Breakage("segment size wraps around",
            c -> c.word("ph.interp", c.t().phFileSizeField(), -16L), "segment 1"),
        new Breakage("e_phnum huge", c -> c.half("e_phnum", 0xfffe), "program header"),
        new Breakage("e_phoff past the end",
            c -> c.word("e_phoff", 0, c.bytes().length - 10), "the program header table"),
        new Breakage("e_shnum huge", c -> c.half("e_shnum", 0xfeff), "the section header table"),
        new Breakage("e_shoff past the end",
            c -> c.word("e_shoff", 0, 1L << 40), "section"),
        new Breakage("e_shstrndx past the sections", c -> c.half("e_shstrndx", 200),
            "section name table index 200"),
        new Breakage("extended e_phnum without section 0 count",
            c -> c.half("e_phnum", 0xffff), "program header"),
        new Breakage("dynamic section outside the file",
            c -> c.word("ph.dynamic", c.t().phOffsetField(), c.bytes().length + 100),
            "segment 2 (type 0x2)"),
        new Breakage("DT_STRTAB outside every PT_LOAD",
            c -> c.word("dyn.strtab", c.t().dynValueField(), 0x7fff0000L),
            "is not in any loaded part"),
        new Breakage("DT_STRSZ past the segment",
            c -> c.word("dyn.strsz", c.t().dynValueField(), 1L << 20), "runs past the end"),
        new Breakage("DT_SONAME past DT_STRSZ",
            c -> c.word("dyn.soname", c.t().dynValueField(), 4000), "DT_SONAME string at 4000"),
        new Breakage("dynamic string without NUL", c -> {
          // The run path is the last string of .dynstr: overwrite its NUL.
          int at = c.built().at(".dynstr") + (int) dynstrSize(c) - 1;
          c.bytes()[at] = 'x';
        }, "DT_RUNPATH string is not terminated by NUL"),
        new Breakage("interpreter without NUL", c -> {
          int at = c.built().at(".interp") + "/lib/ld-tiny.so.1".length();
          c.bytes()[at] = 'x';
        }, "program interpreter's path does not end with NUL"),
        new Breakage("section name without NUL", c -> {
          int at = c.built().at(".shstrtab");
          int end = c.built().at("shoff");
          for (int i = at; i < end; i++) {
            c.bytes()[i] = c.bytes()[i] == 0 ? (byte) 'n' : c.bytes()[i];
          }
        }, "is not terminated by NUL"),
        new Breakage("bad class", c -> c.bytes()[4] = 3, "unknown ELF class 3"),
        new Breakage("bad byte order", c -> c.bytes()[5] = 0, "unknown ELF data encoding 0"));
    List<Arguments> args = new ArrayList<>();
    for (Arguments cls : classes().toList()) {
      for (Breakage b : all) {
        args.add(Arguments.of(cls.get()[0], cls.get()[1], b));
      }
    }
    return args.stream();
  }

  private static long dynstrSize(Ctx c) {
    long size = 1;
    for (String s : c.t().needed) {
      size += s.length() + 1;
    }
    return size + c.t().soname.length() + 1 + c.t().runpath.length() + 1;
  }

  @ParameterizedTest(name = "{2}, 64-bit {0}, {1}")
  @MethodSource("breakages")
  void read_hostile_badInputNamingTheFile(boolean is64, ByteOrder order, Breakage breakage)
      throws Exception {
    TinyElf t = TinyElf.of(is64, order);
    TinyElf.Built built = t.build();
    byte[] bytes = built.bytes().clone();
    breakage.change().accept(new Ctx(bytes, t, built));
    PlinthException e = assertThrows(PlinthException.class, () -> ElfFile.read(bytes, "evil.so"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().startsWith("evil.so is not a valid ELF file: "), e.getMessage());
    assertTrue(e.getMessage().contains(breakage.message()), e.getMessage());
    // The same from disk, and from the stripper.
    Path f = tmp.resolve("evil.so");
    Files.write(f, bytes);
    PlinthException fromDisk = assertThrows(PlinthException.class, () -> ElfFile.read(f, "evil"));
    assertEquals(PlinthException.Kind.BAD_INPUT, fromDisk.kind());
    PlinthException strip = assertThrows(PlinthException.class,
        () -> ElfStrip.strip(bytes, "evil.so"));
    assertEquals(e.getMessage(), strip.getMessage());
  }

  @ParameterizedTest(name = "64-bit {0}, {1}")
  @MethodSource("classes")
  void read_truncatedAnywhere_badInput(boolean is64, ByteOrder order) {
    byte[] whole = TinyElf.of(is64, order).build().bytes();
    for (int n = 0; n < whole.length; n++) {
      byte[] cut = Arrays.copyOf(whole, n);
      PlinthException e = assertThrows(PlinthException.class, () -> ElfFile.read(cut, "cut.so"),
          "cut at " + n);
      assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
      assertTrue(e.getMessage().startsWith("cut.so is not a valid ELF file: "), e.getMessage());
    }
  }

  @Test
  void read_headerShorterThanItsClass_saysSo() {
    byte[] bytes = Arrays.copyOf(TinyElf.of(true, ByteOrder.LITTLE_ENDIAN).build().bytes(), 40);
    PlinthException e = assertThrows(PlinthException.class, () -> ElfFile.read(bytes, "h"));
    assertEquals("h is not a valid ELF file: the file is 40 bytes, shorter than its 64-byte ELF"
        + " header", e.getMessage());
  }

  @Test
  void read_duplicateSoname_badInput() {
    TinyElf t = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    TinyElf.Built built = t.build();
    byte[] bytes = built.bytes();
    // Turn the DT_RUNPATH entry into a second DT_SONAME.
    t.putWord(bytes, built.at("dyn.runpath"), 14);
    PlinthException e = assertThrows(PlinthException.class, () -> ElfFile.read(bytes, "d.so"));
    assertTrue(e.getMessage().contains("more than one DT_SONAME"), e.getMessage());
  }

  @Test
  void read_dynamicWithoutNull_stopsAtItsEnd() throws Exception {
    TinyElf t = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    TinyElf.Built built = t.build();
    byte[] bytes = built.bytes();
    // Shrink PT_DYNAMIC so that its DT_NULL falls outside: still read, no loop past it.
    t.putWord(bytes, built.at("ph.dynamic") + t.phFileSizeField(), 16L * 6);
    assertEquals(List.of("liba.so.1", "libb.so.2"), ElfFile.read(bytes, "d").needed());
  }

  /** Random damage to real and synthetic files: a valid file or BAD_INPUT, nothing else. */
  @Test
  void readAndStrip_randomDamage_onlyBadInput() throws Exception {
    List<byte[]> seeds = new ArrayList<>();
    for (Arguments a : classes().toList()) {
      TinyElf t = TinyElf.of((boolean) a.get()[0], (ByteOrder) a.get()[1]);
      seeds.add(t.build().bytes());
      t.trailingLoad = true;
      t.commentFirst = true;
      seeds.add(t.build().bytes());
    }
    seeds.add(Files.readAllBytes(Path.of("/bin/true")));
    Random random = new Random(20240611);
    int valid = 0;
    for (int round = 0; round < 20000; round++) {
      byte[] seed = seeds.get(round % seeds.size());
      byte[] b = seed.clone();
      int changes = 1 + random.nextInt(4);
      for (int k = 0; k < changes; k++) {
        // Mostly the headers, tables and dynamic data near the start; sometimes anywhere.
        int at = random.nextInt(4) == 0 ? random.nextInt(b.length)
            : random.nextInt(Math.min(b.length, 1024));
        b[at] = switch (random.nextInt(4)) {
          case 0 -> (byte) 0xff;
          case 1 -> 0;
          default -> (byte) random.nextInt(256);
        };
      }
      if (random.nextInt(10) == 0) {
        b = Arrays.copyOf(b, random.nextInt(b.length));
      }
      try {
        ElfFile.read(b, "fuzz");
        byte[] stripped = ElfStrip.strip(b, "fuzz");
        ElfFile.read(stripped, "stripped fuzz"); // what strip writes reads back
        valid++;
      } catch (PlinthException e) {
        assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
        assertTrue(e.getMessage().startsWith("fuzz is not a valid ELF file: "), e.getMessage());
      }
    }
    assertTrue(valid > 100, "some damage is harmless: " + valid);
  }

  static void assertAgrees(ElfTools.ReadElf r, ElfFile e, String name) {
    assertEquals(r.cls(), e.is64() ? "ELF64" : "ELF32", name + " class");
    assertEquals(r.data().contains("little endian"),
        e.byteOrder() == ByteOrder.LITTLE_ENDIAN, name + " byte order");
    String type = Map.of(ElfFile.ET_EXEC, "EXEC", ElfFile.ET_DYN, "DYN", ElfFile.ET_REL, "REL")
        .getOrDefault(e.type(), "?");
    assertTrue(r.type().startsWith(type + " "), name + " type " + r.type());
    String machine = Map.of(ElfFile.EM_X86_64, "Advanced Micro Devices X86-64",
        ElfFile.EM_AARCH64, "AArch64", ElfFile.EM_386, "Intel 80386", 20, "PowerPC")
        .getOrDefault(e.machine(), "?");
    assertEquals(machine, r.machine(), name + " machine");
    assertEquals(r.interpreter(), e.interpreter(), name + " interpreter");
    assertEquals(r.needed(), e.needed(), name + " needed");
    assertEquals(r.soname(), e.soname(), name + " soname");
    String raw = r.runpath() != null ? r.runpath() : r.rpath();
    List<String> expected = raw == null ? List.of()
        : Arrays.stream(raw.split(":")).filter(s -> !s.isEmpty()).toList();
    assertEquals(expected, e.runpath(), name + " run path");
  }
}
