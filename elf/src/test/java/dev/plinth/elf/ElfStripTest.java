package dev.plinth.elf;

import static dev.plinth.elf.ElfTools.allocated;
import static dev.plinth.elf.ElfTools.assertReadelfClean;
import static dev.plinth.elf.ElfTools.cc;
import static dev.plinth.elf.ElfTools.ok;
import static dev.plinth.elf.ElfTools.run;
import static dev.plinth.elf.ElfTools.sections;
import static dev.plinth.elf.ElfTools.tool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.plinth.elf.ElfTools.SectionRow;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ElfStrip against binutils' strip and readelf, and against the loader: stripped programs of
 * several machines still run (natively or under qemu-user), and so does java on a stripped
 * libjvm.so.
 */
class ElfStripTest {
  @TempDir Path tmp;

  /** Sections we drop that binutils' --strip-unneeded keeps. */
  private static final Set<String> WE_ALSO_DROP = Set.of(".comment", ".gnu_debuglink",
      ".gnu_debugaltlink", ".gnu.build.attributes");

  @Test
  void strip_x86_64ProgramAndLibrary_stillRun_andMatchBinutils() throws Exception {
    String readelf = tool("readelf");
    String strip = tool("strip");
    cc(tmp, "gcc", ElfFileTest.DEP, "libdep.so", "-shared", "-fPIC", "-g",
        "-Wl,-soname,libdep.so");
    cc(tmp, "gcc", ElfFileTest.LIB, "libgreet.so", "-shared", "-fPIC", "-g", "-L.", "-ldep",
        "-Wl,-soname,libgreet.so", "-Wl,-rpath,$ORIGIN");
    cc(tmp, "gcc", ElfFileTest.MAIN, "main", "-g", "-O1", "-L.", "-lgreet", "-ldep",
        "-Wl,-rpath,$ORIGIN");
    Path out = Files.createDirectory(tmp.resolve("stripped"));
    for (String name : List.of("libdep.so", "libgreet.so", "main")) {
      stripAndCompare(readelf, strip, tmp.resolve(name), out.resolve(name));
    }
    assertEquals("greet 43\n", ok(out, out.resolve("main").toString(), "a", "b").out(),
        "the stripped program runs with the stripped libraries ($ORIGIN: from 'stripped')");
  }

  @Test
  void strip_aarch64Programs_runUnderQemu() throws Exception {
    String readelf = tool("aarch64-linux-gnu-readelf");
    String strip = tool("aarch64-linux-gnu-strip");
    String qemu = tool("/usr/bin/qemu-aarch64-static");
    assumeTrue(Files.isDirectory(Path.of("/usr/aarch64-linux-gnu/lib")), "no aarch64 sysroot");
    String gcc = "aarch64-linux-gnu-gcc";
    cc(tmp, gcc, ElfFileTest.DEP, "libdep.so", "-shared", "-fPIC", "-g", "-Wl,-soname,libdep.so");
    cc(tmp, gcc, ElfFileTest.LIB, "libgreet.so", "-shared", "-fPIC", "-g", "-L.", "-ldep",
        "-Wl,-soname,libgreet.so", "-Wl,-rpath,$ORIGIN");
    cc(tmp, gcc, ElfFileTest.MAIN, "main", "-g", "-O1", "-L.", "-lgreet", "-ldep",
        "-Wl,-rpath,$ORIGIN");
    cc(tmp, gcc, ElfTools.AARCH64_START, "bare", "-g", "-static", "-nostdlib", "-O1");
    cc(tmp, gcc, "#include <stdio.h>\nint main(void) { puts(\"static aarch64\"); return 0; }\n",
        "static", "-g", "-static");
    Path out = Files.createDirectory(tmp.resolve("stripped"));
    for (String name : List.of("libdep.so", "libgreet.so", "main", "bare", "static")) {
      stripAndCompare(readelf, strip, tmp.resolve(name), out.resolve(name));
    }
    assertEquals("greet 41\n", ok(out, qemu, "-L", "/usr/aarch64-linux-gnu",
        out.resolve("main").toString()).out());
    assertEquals("hi aarch64\n", ok(out, qemu, out.resolve("bare").toString()).out());
    assertEquals("static aarch64\n", ok(out, qemu, out.resolve("static").toString()).out());
  }

  @Test
  void strip_bigEndianAndElf32Programs_stillRun() throws Exception {
    Path out = Files.createDirectory(tmp.resolve("stripped"));
    // AArch64 big-endian, run by qemu-aarch64_be.
    String qemuBe = tool("/usr/bin/qemu-aarch64_be-static");
    cc(tmp, "aarch64-linux-gnu-gcc", ElfTools.AARCH64_START, "be", "-mbig-endian", "-g",
        "-static", "-nostdlib", "-O1");
    stripAndCompare(tool("aarch64-linux-gnu-readelf"), tool("aarch64-linux-gnu-strip"),
        tmp.resolve("be"), out.resolve("be"));
    assertEquals("hi aarch64\n", ok(out, qemuBe, out.resolve("be").toString()).out());
    // i386, run by qemu-i386 (the kernel may lack 32-bit support).
    String qemu386 = tool("/usr/bin/qemu-i386-static");
    cc(tmp, "gcc", ElfTools.I386_START, "x86", "-m32", "-g", "-static", "-nostdlib", "-O1",
        "-fno-pie", "-no-pie");
    stripAndCompare(tool("readelf"), tool("strip"), tmp.resolve("x86"), out.resolve("x86"));
    assertEquals("hi i386\n", ok(out, qemu386, out.resolve("x86").toString()).out());
  }

  /**
   * The JDK's libjvm.so: 29 MB with its symbol table. Stripped from disk to disk, readelf finds
   * nothing wrong, the size is binutils' to within a few hundred bytes, and java runs on it.
   */
  @Test
  void strip_libjvm_javaStillRuns() throws Exception {
    Path jdk = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    Path original = jdk.resolve("lib/server/libjvm.so");
    assumeTrue(Files.isRegularFile(original), "no " + original);
    String readelf = tool("readelf");
    String strip = tool("strip");

    // A JDK whose every file is a link to the real one, but bin/java and lib/server/libjvm.so.
    Path home = tmp.resolve("jdk");
    Files.createDirectories(home.resolve("bin"));
    Files.createDirectories(home.resolve("lib/server"));
    Files.copy(jdk.resolve("bin/java"), home.resolve("bin/java"));
    for (String dir : List.of("", "lib", "lib/server")) {
      try (Stream<Path> s = Files.list(jdk.resolve(dir))) {
        for (Path p : s.toList()) {
          Path target = home.resolve(dir).resolve(p.getFileName().toString());
          if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              && !Set.of("bin", "lib", "server", "libjvm.so")
                  .contains(p.getFileName().toString())) {
            Files.createSymbolicLink(target, p);
          }
        }
      }
    }
    Path copy = tmp.resolve("libjvm.so");
    Files.copy(original, copy);
    Path stripped = home.resolve("lib/server/libjvm.so");
    assertTrue(ElfStrip.strip(copy, stripped));
    Files.setPosixFilePermissions(stripped, PosixFilePermissions.fromString("rwxr-xr-x"));

    Path binutils = tmp.resolve("libjvm.binutils.so");
    ok(tmp, strip, "--strip-unneeded", "-o", binutils.toString(), copy.toString());
    long before = Files.size(copy);
    long ours = Files.size(stripped);
    long theirs = Files.size(binutils);
    System.out.printf("libjvm.so: %d bytes, stripped %d (binutils %d)%n", before, ours, theirs);
    assertTrue(before - ours > 4_000_000, "saves megabytes: " + before + " → " + ours);
    assertTrue(Math.abs(ours - theirs) < 4096, ours + " vs binutils' " + theirs);
    assertEquals("", run(tmp, readelf, "-S", "-d", "-l", "-n", "-W", stripped.toString()).err());
    assertEquals(allocated(sections(readelf, copy)), allocated(sections(readelf, stripped)));
    assertArrayEquals(ElfStrip.strip(Files.readAllBytes(copy), "libjvm.so"),
        Files.readAllBytes(stripped), "the Path and byte[] strippers write the same bytes");

    ElfTools.Result version = ok(tmp, home.resolve("bin/java").toString(),
        "-XshowSettings:properties", "-version");
    assertTrue(version.err().contains("java.home = " + home), "java ran on the copy: "
        + version.err());
    assertTrue(version.err().contains("Server VM"), version.err());
    Files.writeString(tmp.resolve("Hello.java"),
        "class Hello { public static void main(String[] a) {"
            + " System.out.println(\"sum \""
            + " + java.util.stream.IntStream.range(0, 100000).sum()); } }");
    assertEquals("sum 704982704\n",
        ok(tmp, home.resolve("bin/java").toString(), "Hello.java").out(),
        "java compiles and runs a program with the stripped VM");
  }

  /** Every shared library and program of the JDK: readelf-clean, binutils' size, same loads. */
  @Test
  void strip_jdkFiles_matchBinutils() throws Exception {
    Path jdk = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
    assumeTrue(Files.isDirectory(jdk), "no " + jdk);
    String readelf = tool("readelf");
    String strip = tool("strip");
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("lib", "bin")) {
      try (Stream<Path> s = Files.list(jdk.resolve(dir))) {
        s.filter(p -> p.toString().endsWith(".so") || dir.equals("bin"))
            .filter(Files::isRegularFile).sorted().forEach(files::add);
      }
    }
    int stripped = 0;
    for (Path f : files) {
      Path copy = tmp.resolve(f.getFileName().toString());
      Files.copy(f, copy);
      stripped += stripAndCompare(readelf, strip, copy, tmp.resolve(copy.getFileName() + ".out"))
          ? 1 : 0;
    }
    assertTrue(files.size() > 30 && stripped > 30, files.size() + " files, " + stripped
        + " stripped");
  }

  private static List<String> sectionNames(ElfFile f) {
    return f.sections().stream().map(ElfFile.Section::name).toList();
  }

  /** Where binutils' readelf is installed, it reads {@code stripped} without a complaint. */
  private void assertReadelfCleanWhereInstalled(byte[] stripped) throws Exception {
    Path f = tmp.resolve("tiny");
    Files.write(f, stripped);
    if (Files.isExecutable(Path.of("/usr/bin/readelf"))) {
      assertReadelfClean("/usr/bin/readelf", f);
    }
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> classes() {
    return ElfFileTest.classes();
  }

  /** A tiny ELF file as built, and stripped. */
  private record Stripped(TinyElf.Built in, byte[] out) {}

  /** {@code t} built and stripped; readelf, where installed, finds nothing wrong with the result. */
  private Stripped stripTiny(TinyElf t) throws Exception {
    TinyElf.Built in = t.build();
    byte[] out = ElfStrip.strip(in.bytes(), "tiny");
    assertReadelfCleanWhereInstalled(out);
    return new Stripped(in, out);
  }

  @ParameterizedTest(name = "64-bit {0}, {1}")
  @MethodSource("classes")
  void strip_tinyElf_dropsSymbolsDebugAndComment(boolean is64, ByteOrder order) throws Exception {
    Stripped s = stripTiny(TinyElf.of(is64, order));
    byte[] in = s.in().bytes();
    byte[] out = s.out();
    ElfFile e = ElfFile.read(out, "stripped tiny");
    assertEquals(List.of("", ".interp", ".dynstr", ".dynamic", ".shstrtab"),
        sectionNames(e));
    assertEquals(List.of("liba.so.1", "libb.so.2"), e.needed());
    assertEquals("libtiny.so.1", e.soname());
    int allocEnd = s.in().at(".comment");
    assertArrayEquals(Arrays.copyOfRange(in, 64, allocEnd), Arrays.copyOfRange(out, 64, allocEnd),
        "everything loaded is untouched");
    assertTrue(out.length < in.length - 100, out.length + " < " + in.length);
  }

  /**
   * .comment's header sits before the allocated sections: it becomes an empty SHT_NULL header, so
   * that the indices .dynsym's symbols carry still name the same sections.
   */
  @Test
  void strip_droppedSectionBeforeAllocatedOnes_keepsIndices() throws Exception {
    TinyElf t = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    t.commentFirst = true;
    Stripped s = stripTiny(t);
    ElfFile before = ElfFile.read(s.in().bytes(), "tiny");
    ElfFile after = ElfFile.read(s.out(), "stripped");
    assertEquals(List.of("", "", ".interp", ".dynstr", ".dynamic", ".shstrtab"),
        sectionNames(after));
    assertEquals(ElfFile.SHT_NULL, after.sections().get(1).type());
    for (int i = 2; i <= 4; i++) {
      assertEquals(before.sections().get(i).name(), after.sections().get(i).name());
      assertEquals(before.sections().get(i).offset(), after.sections().get(i).offset());
    }
    assertEquals(3, after.sections().get(4).link(), ".dynamic still links .dynstr");
  }

  /** A segment after the dropped sections: they stay in place, zeroed; nothing loaded moves. */
  @Test
  void strip_droppedSectionsInsideTheLoadedRange_areZeroed() throws Exception {
    TinyElf t = TinyElf.of(true, ByteOrder.BIG_ENDIAN);
    t.trailingLoad = true;
    Stripped s = stripTiny(t);
    byte[] in = s.in().bytes();
    byte[] out = s.out();
    int debug = s.in().at(".debug_info");
    int data2 = s.in().at(".data2");
    assertArrayEquals(new byte[64], Arrays.copyOfRange(out, debug, debug + 64));
    assertArrayEquals(Arrays.copyOfRange(in, data2, data2 + 16),
        Arrays.copyOfRange(out, data2, data2 + 16));
    ElfFile after = ElfFile.read(out, "stripped");
    // .comment, .debug_info, .symtab and .strtab came before .data2: empty headers now.
    assertEquals(List.of("", ".interp", ".dynstr", ".dynamic", "", "", "", "", ".data2",
        ".shstrtab"), sectionNames(after));
    assertEquals(data2, after.sections().get(8).offset());
  }

  /**
   * 200,000 sections, each linking the next, the last a symbol table: all of them go, in linear
   * time (a quadratic walk would take minutes).
   */
  @Test
  @Timeout(60)
  void strip_hugeChainOfSections_linearTime() throws Exception {
    TinyElf t = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN);
    TinyElf.Built built = t.build();
    byte[] base = built.bytes();
    int n = 200_000;
    int shoff = base.length;
    ByteBuffer b = ByteBuffer.allocate(shoff + n * 64).order(ByteOrder.LITTLE_ENDIAN);
    b.put(base);
    int original = built.index().size() + 1;
    b.put(shoff, base, built.at("shoff"), original * 64);
    b.putLong(shoff + 32, n); // section 0's sh_size: the extended count
    int strtabName = b.getInt(built.at("sh..strtab"));
    for (int i = original; i < n; i++) {
      int at = shoff + i * 64;
      b.putInt(at, strtabName);
      b.putInt(at + 4, i == n - 1 ? ElfFile.SHT_SYMTAB : ElfFile.SHT_STRTAB);
      b.putLong(at + 24, built.at(".debug_info"));
      b.putLong(at + 32, 64);
      b.putInt(at + 40, i == n - 1 ? 0 : i + 1);
    }
    b.putLong(40, shoff);
    b.putShort(60, (short) 0);
    byte[] in = b.array();
    assertEquals(n, ElfFile.read(in, "huge").sections().size());
    byte[] out = ElfStrip.strip(in, "huge");
    assertEquals(List.of("", ".interp", ".dynstr", ".dynamic", ".shstrtab"),
        sectionNames(ElfFile.read(out, "stripped")));
  }

  /**
   * A separate debug-info file (objcopy --only-keep-debug; JDKs ship them as *.debuginfo): its
   * segments have no bytes and offsets past the end. Read, never taken for a static program, and
   * stripped down to its headers.
   */
  @Test
  void strip_separateDebugInfoFile() throws Exception {
    String objcopy = tool("objcopy");
    Path program = cc(tmp, "gcc", ElfFileTest.MAIN.replace("greet(argc)", "argc"), "main", "-g");
    Path debug = tmp.resolve("main.debuginfo");
    ok(tmp, objcopy, "--only-keep-debug", program.toString(), debug.toString());
    byte[] bytes = Files.readAllBytes(debug);
    ElfFile e = ElfFile.read(bytes, "main.debuginfo");
    assertEquals(null, e.interpreter(), "its PT_INTERP has no bytes");
    assertFalse(e.isStatic());
    dev.plinth.oci.PlinthException refused = org.junit.jupiter.api.Assertions.assertThrows(
        dev.plinth.oci.PlinthException.class,
        () -> Elf.checkStatic(bytes, dev.plinth.oci.Platform.LINUX_AMD64, "init x"));
    assertTrue(refused.getMessage().contains("separate debug-info file"), refused.getMessage());
    byte[] out = ElfStrip.strip(bytes, "main.debuginfo");
    Path f = tmp.resolve("stripped.debuginfo");
    Files.write(f, out);
    Path theirs = tmp.resolve("binutils.debuginfo");
    ok(tmp, tool("strip"), "--strip-unneeded", "-o", theirs.toString(), debug.toString());
    assertTrue(out.length <= Files.size(theirs) && out.length < bytes.length * 0.6,
        out.length + " of " + bytes.length + ", binutils " + Files.size(theirs));
    // readelf finds the original's PT_INTERP empty; the stripped file draws no other complaint.
    String readelf = tool("readelf");
    ElfTools.Result before = ok(tmp, readelf, "-S", "-l", "-W", debug.toString());
    ElfTools.Result after = ok(tmp, readelf, "-S", "-l", "-W", f.toString());
    assertEquals(before.err(), after.err());
    assertFalse(after.out().contains(".debug"), after.out());
    assertTrue(after.out().contains(".shstrtab"), after.out());
  }

  @Test
  void strip_isDeterministic_andIdempotent() throws Exception {
    byte[] in = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN).build().bytes();
    byte[] once = ElfStrip.strip(in, "tiny");
    assertArrayEquals(once, ElfStrip.strip(in.clone(), "tiny"));
    assertSame(once, ElfStrip.strip(once, "tiny"), "nothing left to strip: the input itself");
  }

  @Test
  void strip_relocatableObject_leftAlone() throws Exception {
    tool("gcc");
    Path obj = tmp.resolve("x.o");
    Files.writeString(tmp.resolve("x.c"), "int x(void) { return 1; }\n");
    ok(tmp, "gcc", "-g", "-c", "-o", obj.toString(), "x.c");
    byte[] bytes = Files.readAllBytes(obj);
    assertSame(bytes, ElfStrip.strip(bytes, "x.o"), "an object's symbols are its relocations'");
    assertFalse(ElfStrip.strip(obj, tmp.resolve("y.o")));
    assertArrayEquals(bytes, Files.readAllBytes(tmp.resolve("y.o")));
  }

  @Test
  void stripPath_inPlace_replacesTheFile() throws Exception {
    Path f = tmp.resolve("tiny");
    byte[] in = TinyElf.of(false, ByteOrder.BIG_ENDIAN).build().bytes();
    Files.write(f, in);
    Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString(
        "r-xr-xr-x"));
    assertTrue(ElfStrip.strip(f, f));
    assertArrayEquals(ElfStrip.strip(in, "tiny"), Files.readAllBytes(f));
    assertEquals("r-xr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(f)), "the file keeps its mode (a read-only library too)");
    assertFalse(ElfStrip.strip(f, f), "stripped already");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(f), s.toList(), "no temporary file left behind");
    }
  }

  @Test
  void stripPath_hostileInput_leavesNoTarget() throws Exception {
    Path f = tmp.resolve("evil");
    byte[] in = TinyElf.of(true, ByteOrder.LITTLE_ENDIAN).build().bytes();
    in[4] = 9;
    Files.write(f, in);
    Path target = tmp.resolve("out");
    dev.plinth.oci.PlinthException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.plinth.oci.PlinthException.class, () -> ElfStrip.strip(f, target));
    assertTrue(e.getMessage().startsWith(f + " is not a valid ELF file"), e.getMessage());
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(f), s.toList());
    }
  }

  /**
   * Strips {@code in} to {@code out} with ElfStrip and to a sibling with binutils, then checks that
   * readelf is silent, the loaded sections are unchanged, the sections kept are binutils' (less
   * .comment and .gnu_debuglink) and the sizes are close. Returns whether ElfStrip removed
   * anything.
   */
  private static boolean stripAndCompare(String readelf, String strip, Path in, Path out)
      throws Exception {
    boolean changed = ElfStrip.strip(in, out);
    Files.setPosixFilePermissions(out, Files.getPosixFilePermissions(in));
    Path theirs = out.resolveSibling(out.getFileName() + ".binutils");
    ok(in.getParent(), strip, "--strip-unneeded", "-o", theirs.toString(), in.toString());
    assertReadelfClean(readelf, out);
    List<SectionRow> original = sections(readelf, in);
    List<SectionRow> ours = sections(readelf, out);
    List<SectionRow> binutils = sections(readelf, theirs);
    assertEquals(allocated(original), allocated(ours), in + ": loaded sections unchanged");
    Set<String> ourNames = new HashSet<>(ours.stream().map(SectionRow::name).toList());
    Set<String> theirNames = new HashSet<>(binutils.stream().map(SectionRow::name).toList());
    Set<String> onlyTheirs = new HashSet<>(theirNames);
    onlyTheirs.removeAll(ourNames);
    assertTrue(WE_ALSO_DROP.containsAll(onlyTheirs), in + ": binutils keeps " + onlyTheirs);
    ourNames.removeAll(theirNames);
    assertEquals(Set.of(), ourNames, in + ": kept but binutils drops");
    long size = Files.size(out);
    long theirSize = Files.size(theirs);
    // What we drop beyond binutils: those sections' bytes, headers, names and alignment.
    long extra = original.stream().filter(s -> WE_ALSO_DROP.contains(s.name()))
        .mapToLong(s -> Long.parseLong(s.size(), 16) + 64 + s.name().length() + 1 + 8).sum();
    assertTrue(size <= theirSize + 64 && size >= theirSize - extra - 64,
        in + ": " + size + " bytes, binutils " + theirSize + " (we also drop " + extra + ")");
    assertEquals(changed, size != Files.size(in) || !Arrays.equals(Files.readAllBytes(in),
        Files.readAllBytes(out)));
    ElfFile a = ElfFile.read(in, in.toString());
    ElfFile b = ElfFile.read(out, out.toString());
    assertEquals(List.of(a.needed(), a.soname() == null ? "" : a.soname(), a.runpath(),
            a.interpreter() == null ? "" : a.interpreter()),
        List.of(b.needed(), b.soname() == null ? "" : b.soname(), b.runpath(),
            b.interpreter() == null ? "" : b.interpreter()));
    return changed;
  }
}
