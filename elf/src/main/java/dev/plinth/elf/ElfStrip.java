package dev.plinth.elf;

import dev.plinth.elf.ElfFile.Section;
import dev.plinth.elf.ElfFile.Segment;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strips an executable or shared object of any architecture the way {@code strip
 * --strip-unneeded} does, without binutils for the target: what only debuggers and linkers read
 * goes, everything the loader maps stays byte for byte at its offset.
 *
 * <p>Removed, when not allocated and outside every segment: the symbol table ({@code .symtab}, its
 * string table and {@code SHT_SYMTAB_SHNDX}), debugging sections ({@code .debug_*}, {@code
 * .zdebug_*}, {@code .stab*}, {@code .line}, {@code .gdb_index}, {@code .gnu_debugdata}), {@code
 * .comment}, {@code .gnu_debuglink}/{@code .gnu_debugaltlink}, {@code .GCC.command.line}, annobin
 * notes ({@code .gnu.build.attributes}), {@code .llvm_addrsig}, LTO bytecode, and relocation
 * sections for any of those. Kept: every allocated section, the program headers and segments,
 * processor and GNU attribute sections, non-allocated notes such as {@code .note.stapsdt} (USDT
 * probes that tracers read from the file), unknown sections, and the section name table (rebuilt
 * with the remaining names).
 *
 * <p>The file up to the end of its last segment is copied unchanged (dropped sections that lie in
 * it outside every segment are zeroed); kept unallocated sections, the name table and the section
 * header table follow it. Sections up to the last allocated one keep their indices (a dropped one
 * there becomes an empty SHT_NULL header) so that {@code .dynsym}'s section indices stay right.
 * The result depends only on the input. Relocatable objects and core dumps are left as they are.
 */
public final class ElfStrip {
  private static final int MAX_MOVED_ALIGN = 4096;
  private static final long MAX_GROWTH = 1 << 20;

  /**
   * The stripped file, or {@code elf} itself when there is nothing to strip (no section to drop,
   * no section header table, or neither an executable nor a shared object).
   *
   * @param what names the file in errors
   * @throws PlinthException BAD_INPUT when {@code elf} is not a valid ELF file
   */
  public static byte[] strip(byte[] elf, String what) throws PlinthException {
    ElfFile f = ElfFile.read(elf, what);
    Plan plan = plan(f, what);
    if (plan == null) {
      return elf;
    }
    byte[] out = new byte[(int) plan.size()];
    int at = 0;
    for (Piece p : plan.pieces()) {
      switch (p.kind()) {
        case COPY -> System.arraycopy(elf, (int) p.from(), out, at, (int) p.length());
        case DATA -> System.arraycopy(p.data(), 0, out, at, p.data().length);
        case ZEROS -> { } // a new array is zeroed
      }
      at += (int) p.length();
    }
    return out;
  }

  /**
   * Strips {@code source} into {@code target} (which may be the same file), streaming the bytes and
   * replacing the target atomically with the source's permissions; copies it unchanged when there
   * is nothing to strip. Memory stays small whatever the file's size (libjvm.so is some 30 MB).
   *
   * @return whether anything was removed
   * @throws PlinthException BAD_INPUT when the source is not a valid ELF file
   */
  public static boolean strip(Path source, Path target) throws IOException, PlinthException {
    String what = source.toString();
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".strip");
    boolean stripped;
    try {
      try {
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(source));
      } catch (UnsupportedOperationException e) {
        // no POSIX permissions here: the temporary file's own stay
      }
      try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
          FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ElfFile f = ElfFile.read(in, what);
        Plan plan = plan(f, what);
        stripped = plan != null;
        if (plan == null) {
          plan = new Plan(List.of(Piece.copy(0, f.length())), f.length());
        }
        for (Piece p : plan.pieces()) {
          switch (p.kind()) {
            case COPY -> transfer(in, p.from(), p.length(), out);
            case DATA -> writeFully(out, ByteBuffer.wrap(p.data()));
            case ZEROS -> zeros(out, p.length());
          }
        }
        if (out.size() != plan.size()) {
          throw new IOException(what + " changed while it was stripped");
        }
        out.force(false);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return stripped;
  }

  // ---- the plan: the output as a sequence of pieces of the input and new bytes ----

  private enum Kind { COPY, DATA, ZEROS }

  private record Piece(Kind kind, long from, long length, byte[] data) {
    static Piece copy(long from, long length) {
      return new Piece(Kind.COPY, from, length, null);
    }

    static Piece data(byte[] data) {
      return new Piece(Kind.DATA, 0, data.length, data);
    }

    static Piece zeros(long length) {
      return new Piece(Kind.ZEROS, 0, length, null);
    }
  }

  private record Plan(List<Piece> pieces, long size) {}

  /** A half-open byte range of the input. */
  private record Range(long start, long end) {}

  /** Null when there is nothing to strip. */
  private static Plan plan(ElfFile f, String what) throws PlinthException {
    if (f.type() != ElfFile.ET_EXEC && f.type() != ElfFile.ET_DYN) {
      return null;
    }
    List<Section> sections = f.sections();
    if (sections.isEmpty()) {
      return null;
    }
    int n = sections.size();

    // What the loader may read stays where it is: the ELF header, the program headers, every
    // segment's bytes, every allocated section. Its end is where the moved part begins.
    List<Range> fixed = new ArrayList<>();
    fixed.add(new Range(0, f.headerSize()));
    if (!f.segments().isEmpty()) {
      long phoff = f.programHeaderOffset();
      fixed.add(new Range(phoff, phoff + (long) f.segments().size() * f.programHeaderSize()));
    }
    long end = f.headerSize();
    for (Segment s : f.segments()) {
      if (s.type() == ElfFile.PT_NULL) {
        continue;
      }
      if (s.fileSize() > 0) {
        fixed.add(new Range(s.offset(), s.end()));
      }
    }
    for (Range r : fixed) {
      end = Math.max(end, r.end());
    }
    List<Range> segmentRanges = List.copyOf(fixed);
    int lastAlloc = 0;
    for (Section s : sections) {
      if (s.index() > 0 && s.isAlloc()) {
        lastAlloc = s.index();
        if (s.hasBytes()) {
          end = Math.max(end, s.end());
        }
      }
    }

    boolean[] drop = chooseDropped(f, segmentRanges);
    boolean any = false;
    for (boolean d : drop) {
      any |= d;
    }
    if (!any) {
      return null;
    }

    // Sections kept, with their new indices: below the last allocated section an index never
    // changes (a dropped section leaves an SHT_NULL header), above it the kept ones close ranks.
    int[] newIndex = new int[n];
    List<Integer> kept = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!drop[i] || i < lastAlloc) {
        newIndex[i] = drop[i] ? -1 : kept.size();
        kept.add(drop[i] ? -i : i);
      } else {
        newIndex[i] = -1;
      }
    }
    // kept holds i for a kept section, -i for a placeholder of a dropped one (i > 0 there).

    // A kept section that starts before the fixed end stays in place; the fixed end then covers
    // it. Walking by offset settles that in one pass.
    List<Section> byOffset = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      if (!drop[i]) {
        byOffset.add(sections.get(i));
      }
    }
    byOffset.sort(Comparator.comparingLong(Section::offset).thenComparingInt(Section::index));
    boolean[] inPlace = new boolean[n];
    for (Section s : byOffset) {
      if (s.isAlloc() || s.offset() < end) {
        inPlace[s.index()] = true;
        if (s.hasBytes()) {
          end = Math.max(end, s.end());
          fixed.add(new Range(s.offset(), s.end()));
        }
      }
    }

    // The section name table is rebuilt with the kept names, unless it stays in place or another
    // section uses it as its string table.
    int shstrndx = f.sectionNameTableIndex();
    boolean rebuildNames = shstrndx != 0 && !inPlace[shstrndx];
    for (int i = 1; i < n && rebuildNames; i++) {
      if (!drop[i] && i != shstrndx && sections.get(i).link() == shstrndx) {
        rebuildNames = false;
      }
    }
    Map<String, Long> nameOffsets = new LinkedHashMap<>();
    byte[] names = null;
    if (rebuildNames) {
      java.io.ByteArrayOutputStream table = new java.io.ByteArrayOutputStream();
      table.write(0);
      nameOffsets.put("", 0L);
      for (int k : kept) {
        if (k > 0) {
          String name = sections.get(k).name();
          if (!nameOffsets.containsKey(name)) {
            nameOffsets.put(name, (long) table.size());
            table.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            table.write(0);
          }
        }
      }
      names = table.toByteArray();
    }

    // Bytes no longer described by any kept header: zeroed where they lie in the fixed part.
    List<Range> dead = new ArrayList<>();
    for (int i = 1; i < n; i++) {
      Section s = sections.get(i);
      if (drop[i] && s.hasBytes()) {
        dead.add(new Range(s.offset(), s.end()));
      }
    }
    if (rebuildNames && sections.get(shstrndx).hasBytes()) {
      dead.add(new Range(sections.get(shstrndx).offset(), sections.get(shstrndx).end()));
    }
    dead.add(new Range(f.sectionHeaderOffset(),
        f.sectionHeaderOffset() + (long) n * f.sectionHeaderSize()));
    List<Range> zero = subtract(clip(dead, end), fixed);

    // Layout.
    List<Piece> pieces = new ArrayList<>();
    pieces.add(null); // the header, once the section header table's place is known
    long at = f.headerSize();
    for (Range z : zero) {
      if (z.start() > at) {
        pieces.add(Piece.copy(at, z.start() - at));
      }
      pieces.add(Piece.zeros(z.end() - z.start()));
      at = z.end();
    }
    if (end > at) {
      pieces.add(Piece.copy(at, end - at));
    }
    long pos = end;
    long[] newOffset = new long[n];
    for (Section s : byOffset) {
      if (inPlace[s.index()]) {
        newOffset[s.index()] = s.offset();
        continue;
      }
      long align = s.addralign();
      if (align > 1 && Long.bitCount(align) == 1) {
        long padded = alignUp(pos, Math.min(align, MAX_MOVED_ALIGN));
        if (padded > pos) {
          pieces.add(Piece.zeros(padded - pos));
          pos = padded;
        }
      }
      newOffset[s.index()] = pos;
      if (s.index() == shstrndx && rebuildNames) {
        pieces.add(Piece.data(names));
        pos += names.length;
      } else if (s.hasBytes()) {
        pieces.add(Piece.copy(s.offset(), s.size()));
        pos += s.size();
      }
    }
    long shoff = alignUp(pos, f.is64() ? 8 : 4);
    if (shoff > pos) {
      pieces.add(Piece.zeros(shoff - pos));
    }

    // The new section header table.
    List<Section> headers = new ArrayList<>(kept.size());
    int newShnum = kept.size();
    int newShstrndx = shstrndx == 0 ? 0 : newIndex[shstrndx];
    for (int k : kept) {
      if (k < 0) {
        headers.add(new Section(-k, "", 0, ElfFile.SHT_NULL, 0, 0, 0, 0, 0, 0, 0, 0));
        continue;
      }
      Section s = sections.get(k);
      if (k == 0) {
        // Section 0 holds the counts that do not fit the ELF header.
        headers.add(new Section(0, "", rebuildNames ? 0 : s.nameOffset(), s.type(), s.flags(),
            s.addr(), s.offset(),
            newShnum >= ElfFile.SHN_LORESERVE ? newShnum : 0,
            newShstrndx >= ElfFile.SHN_LORESERVE ? newShstrndx : 0,
            s.info(), s.addralign(), s.entsize()));
        continue;
      }
      long link = remap(s.link(), newIndex);
      boolean infoIsIndex = s.type() == ElfFile.SHT_REL || s.type() == ElfFile.SHT_RELA
          || (s.flags() & ElfFile.SHF_INFO_LINK) != 0;
      long info = infoIsIndex ? remap(s.info(), newIndex) : s.info();
      long nameOffset = rebuildNames ? nameOffsets.get(s.name()) : s.nameOffset();
      long size = k == shstrndx && rebuildNames ? names.length : s.size();
      headers.add(new Section(newIndex[k], s.name(), nameOffset, s.type(), s.flags(), s.addr(),
          newOffset[k], size, link, info, s.addralign(), s.entsize()));
    }
    byte[] table = f.encodeSections(headers);
    pieces.add(Piece.data(table));
    long size = shoff + table.length;
    if (size > f.length() + MAX_GROWTH || size > Integer.MAX_VALUE - 8) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
          + " is not a valid ELF file: the alignments of its sections would make it grow");
    }
    if (!f.is64() && size > 0xffffffffL) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + " is not a valid ELF file: stripped, it would not fit in ELF32");
    }
    pieces.set(0, Piece.data(f.headerWithSections(shoff, newShnum, newShstrndx)));
    return new Plan(List.copyOf(pieces), size);
  }

  /** Which sections go; see the class comment. Never index 0, the name table, or loaded bytes. */
  private static boolean[] chooseDropped(ElfFile f, List<Range> segments) {
    List<Section> sections = f.sections();
    int n = sections.size();
    List<Range> loaded = clip(segments, Long.MAX_VALUE);
    boolean[] candidate = new boolean[n];
    for (int i = 1; i < n; i++) {
      Section s = sections.get(i);
      candidate[i] = i != f.sectionNameTableIndex() && !s.isAlloc()
          && !(s.hasBytes() && overlaps(s.offset(), s.end(), loaded));
    }
    boolean[] drop = new boolean[n];
    for (int i = 1; i < n; i++) {
      Section s = sections.get(i);
      drop[i] = candidate[i] && (s.type() == ElfFile.SHT_SYMTAB
          || s.type() == ElfFile.SHT_SYMTAB_SHNDX || isDebugOrNote(s.name()));
    }
    // What refers to a dropped section goes too (.rela.debug_info, --emit-relocs' .rela.text);
    // a string table goes when only dropped sections use it (.strtab). Linear in the sections.
    int[] firstReferrer = new int[n];
    int[] nextReferrer = new int[2 * n];
    int[] referrer = new int[2 * n];
    java.util.Arrays.fill(firstReferrer, -1);
    int edges = 0;
    for (int j = 1; j < n; j++) {
      Section s = sections.get(j);
      boolean infoIsIndex = s.type() == ElfFile.SHT_REL || s.type() == ElfFile.SHT_RELA
          || (s.flags() & ElfFile.SHF_INFO_LINK) != 0;
      for (long target : infoIsIndex ? new long[] {s.link(), s.info()} : new long[] {s.link()}) {
        if (target > 0 && target < n) {
          referrer[edges] = j;
          nextReferrer[edges] = firstReferrer[(int) target];
          firstReferrer[(int) target] = edges++;
        }
      }
    }
    int[] queue = new int[n];
    int head = 0;
    int tail = 0;
    for (int i = 1; i < n; i++) {
      if (drop[i]) {
        queue[tail++] = i;
      }
    }
    while (head < tail) {
      for (int e = firstReferrer[queue[head++]]; e >= 0; e = nextReferrer[e]) {
        int j = referrer[e];
        if (candidate[j] && !drop[j]) {
          drop[j] = true;
          queue[tail++] = j;
        }
      }
    }
    boolean[] usedByKept = new boolean[n];
    boolean[] usedByDropped = new boolean[n];
    for (int j = 1; j < n; j++) {
      long link = sections.get(j).link();
      if (link > 0 && link < n && link != j) {
        if (drop[j]) {
          usedByDropped[(int) link] = true;
        } else {
          usedByKept[(int) link] = true;
        }
      }
    }
    for (int i = 1; i < n; i++) {
      if (candidate[i] && !drop[i] && sections.get(i).type() == ElfFile.SHT_STRTAB) {
        drop[i] = usedByDropped[i] && !usedByKept[i];
      }
    }
    return drop;
  }

  private static boolean isDebugOrNote(String name) {
    return name.startsWith(".debug") || name.startsWith(".zdebug")
        || name.startsWith(".gnu.debuglto_") || name.startsWith(".gnu.lto_")
        || name.startsWith(".stab") || name.equals(".line") || name.equals(".gdb_index")
        || name.equals(".gnu_debugdata") || name.equals(".comment")
        || name.equals(".gnu_debuglink") || name.equals(".gnu_debugaltlink")
        || name.equals(".GCC.command.line") || name.equals(".gnu.build.attributes")
        || name.startsWith(".gnu.build.attributes.") || name.equals(".llvm_addrsig");
  }

  private static boolean refersToDropped(long index, boolean[] drop) {
    return index > 0 && index < drop.length && drop[(int) index];
  }

  private static long remap(long index, int[] newIndex) {
    if (index <= 0 || index >= newIndex.length) {
      return index;
    }
    return Math.max(newIndex[(int) index], 0);
  }

  /** Whether {@code [start, end)} meets one of {@code ranges} (sorted, disjoint). */
  private static boolean overlaps(long start, long end, List<Range> ranges) {
    int lo = 0;
    int hi = ranges.size() - 1;
    int last = -1; // the last range that starts before end
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (ranges.get(mid).start() < end) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return last >= 0 && ranges.get(last).end() > start;
  }

  /** The ranges cut to {@code [0, limit)}, sorted and merged. */
  private static List<Range> clip(List<Range> ranges, long limit) {
    List<Range> sorted = new ArrayList<>();
    for (Range r : ranges) {
      if (r.start() < limit && r.end() > r.start()) {
        sorted.add(new Range(r.start(), Math.min(r.end(), limit)));
      }
    }
    sorted.sort(Comparator.comparingLong(Range::start));
    List<Range> merged = new ArrayList<>();
    for (Range r : sorted) {
      Range last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && r.start() <= last.end()) {
        merged.set(merged.size() - 1, new Range(last.start(), Math.max(last.end(), r.end())));
      } else {
        merged.add(r);
      }
    }
    return merged;
  }

  /** {@code ranges} (sorted, disjoint) minus every range of {@code holes}, in one sweep. */
  private static List<Range> subtract(List<Range> ranges, List<Range> holes) {
    List<Range> sortedHoles = clip(holes, Long.MAX_VALUE);
    List<Range> out = new ArrayList<>();
    int h = 0;
    for (Range r : ranges) {
      while (h < sortedHoles.size() && sortedHoles.get(h).end() <= r.start()) {
        h++;
      }
      long start = r.start();
      for (int k = h; k < sortedHoles.size() && sortedHoles.get(k).start() < r.end(); k++) {
        Range hole = sortedHoles.get(k);
        if (hole.start() > start) {
          out.add(new Range(start, hole.start()));
        }
        start = Math.max(start, hole.end());
      }
      if (start < r.end()) {
        out.add(new Range(start, r.end()));
      }
    }
    return out;
  }

  private static long alignUp(long value, long align) {
    return (value + align - 1) & -align;
  }

  private static void transfer(FileChannel in, long from, long length, FileChannel out)
      throws IOException {
    long done = 0;
    while (done < length) {
      long n = in.transferTo(from + done, length - done, out);
      if (n <= 0) {
        throw new IOException("the file shrank while it was stripped");
      }
      done += n;
    }
  }

  private static void zeros(FileChannel out, long length) throws IOException {
    ByteBuffer z = ByteBuffer.allocate((int) Math.min(length, 65536));
    for (long left = length; left > 0; left -= z.limit()) {
      z.clear().limit((int) Math.min(left, z.capacity()));
      writeFully(out, z);
    }
  }

  private static void writeFully(FileChannel out, ByteBuffer b) throws IOException {
    while (b.hasRemaining()) {
      out.write(b);
    }
  }

  private ElfStrip() {}
}
