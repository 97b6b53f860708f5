package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The packages of one architecture (its own and 'all'), by name and by what they provide.
 *
 * <p>A paragraph read from an index is kept packed: the values of its {@link #PACKED} fields as
 * UTF-8 bytes in shared chunks. Its name and what it provides are read when it is added; the rest
 * is read and checked ({@link PackageRecord#of}) only when a resolver asks for its name, which is
 * a few hundred of the 65,000 paragraphs an index holds, and a paragraph that does not read fails
 * then, naming its index and package. Packed, an architecture's index takes about a third of the
 * memory its records took, in a few large arrays that a collector never has to trace, and reading
 * it makes a fifth of the garbage: the heap of a build that reads two indexes stays small, and so
 * does its peak RSS. Names, and the names paragraphs provide, are filed in {@link NameTable}s: a
 * few arrays rather than four objects per name for a collector to copy.
 *
 * <p>A paragraph read from a file that does not change (the cache's copy of an index's text,
 * named by its hash) is kept as its place in that file instead ({@link #add(Control.Paragraph,
 * String, Path, Map)}): about a third of the heap of a packed one again, and read from the file
 * when its name is asked for.
 */
public final class PackageIndex {
  /** The fields a packed paragraph keeps, in the order it keeps them. */
  private static final String[] PACKED = {"Package", "Version", "Architecture", "Pre-Depends",
      "Depends", "Provides", "Filename", "Size", "SHA256", "Source"};
  /** Below half of G1's smallest region: never a humongous object (see {@link NameTable}). */
  private static final int CHUNK = 1 << 18;

  /** Packed paragraphs; an index appends to the chunks only while it is read. */
  private final List<byte[]> chunks;
  /** The index files paragraphs came from, for messages; a packed paragraph starts with one's number. */
  private final List<String> sources;
  /** For each of {@link #sources}: the file of its text, for paragraphs kept where they are. */
  private final List<Path> texts;
  private int used = CHUNK; // bytes used of the last chunk; a new index starts a chunk on first add
  /**
   * For each package ordinal: its chunk number << 32 | offset; for one kept in its text, its
   * source << 40 | offset there; -1 for a record held whole.
   */
  private long[] where;
  /** For each package ordinal: 0 if packed or whole, else the length of its paragraph's text. */
  private int[] lengths;
  /** For each package ordinal: its record, once read (or as added). */
  private PackageRecord[] records;
  private int count;
  private final NameTable byName;
  private final NameTable providers;
  /** The lengths of the values of the paragraph {@link #add} packs. */
  private final int[] valueLengths = new int[PACKED.length];

  public PackageIndex() {
    this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new long[1024], new int[1024],
        new PackageRecord[1024], 0, new NameTable(), new NameTable());
  }

  private PackageIndex(List<byte[]> chunks, List<String> sources, List<Path> texts, long[] where,
      int[] lengths, PackageRecord[] records, int count, NameTable byName,
      NameTable providers) {
    this.chunks = chunks;
    this.sources = sources;
    this.texts = texts;
    this.where = where;
    this.lengths = lengths;
    this.records = records;
    this.count = count;
    this.byName = byName;
    this.providers = providers;
  }

  /** Adds a record as it is (e.g. a version plinth.lock pins). */
  public synchronized void add(PackageRecord r) {
    int ordinal = next(-1);
    records[ordinal] = r;
    index(ordinal, r.name(), List.of(r.provides()));
  }

  /**
   * Adds a Packages paragraph of {@code what}, kept packed (copied: the paragraph may be a view
   * that the reader reuses after this returns): its name and Provides are read now
   * ({@code seen} shares equal relation groups, as in {@link PackageRecord#of}), the rest when
   * the name is asked for.
   */
  public synchronized void add(Control.Paragraph p, String what,
      Map<String, List<PackageRecord.Relation>> seen) throws PlinthException {
    String name = name(p, what);
    List<List<PackageRecord.Relation>> provides = provides(p, what, name, seen);
    int source = source(what, null);
    int[] lengths = this.valueLengths;
    int size = varintSize(source);
    for (int i = 0; i < PACKED.length; i++) {
      lengths[i] = p.valueLength(PACKED[i]);
      size += varintSize(lengths[i] + 1) + Math.max(lengths[i], 0);
    }
    byte[] chunk;
    if (used + size > CHUNK) {
      chunk = new byte[Math.max(CHUNK, size)];
      chunks.add(chunk);
      used = 0;
    } else {
      chunk = chunks.get(chunks.size() - 1);
    }
    int ordinal = next(((long) (chunks.size() - 1) << 32) | used);
    int pos = putVarint(chunk, used, source);
    for (int i = 0; i < PACKED.length; i++) {
      pos = putVarint(chunk, pos, lengths[i] + 1); // 0: no such field
      if (lengths[i] >= 0) {
        p.copyValue(PACKED[i], chunk, pos);
        pos += lengths[i];
      }
    }
    used = pos;
    index(ordinal, name, provides);
  }

  /**
   * Adds a paragraph of {@code what} as a place in {@code text}, the file it was read from (the
   * cache's copy of an index, which never changes): only its name and Provides are read now; the
   * paragraph is read again from the file, and checked, when its name is asked for. An index
   * kept so takes a few megabytes of heap where packed paragraphs take tens.
   */
  public synchronized void add(Control.Paragraph p, String what, Path text,
      Map<String, List<PackageRecord.Relation>> seen) throws PlinthException {
    if (p.offset() < 0 || p.length() <= 0 || p.length() > MAX_PARAGRAPH
        || p.offset() >= 1L << 40) {
      add(p, what, seen);
      return;
    }
    String name = name(p, what);
    List<List<PackageRecord.Relation>> provides = provides(p, what, name, seen);
    int source = source(what, text);
    int ordinal = next(((long) source << 40) | p.offset());
    lengths[ordinal] = p.length();
    index(ordinal, name, provides);
  }

  /** The longest paragraph kept in its file: longer ones are packed. */
  static final int MAX_PARAGRAPH = 1 << 20;

  private static String name(Control.Paragraph p, String what) throws PlinthException {
    String name = p.get("Package");
    if (name == null || name.isBlank()) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + ": a paragraph has no Package");
    }
    return name.trim();
  }

  /** What a paragraph provides (most provide nothing: then no message is made for an error). */
  private static List<List<PackageRecord.Relation>> provides(Control.Paragraph p, String what,
      String name, Map<String, List<PackageRecord.Relation>> seen) throws PlinthException {
    String field = p.get("Provides");
    return field == null ? List.of()
        : PackageRecord.relations(field, what + ": package " + name, seen);
  }

  /** The number of a source (added if new), whose paragraphs are in {@code text} if not null. */
  private int source(String what, Path text) {
    for (int i = 0; i < sources.size(); i++) {
      if (sources.get(i).equals(what) && java.util.Objects.equals(texts.get(i), text)) {
        return i;
      }
    }
    sources.add(what);
    texts.add(text);
    return sources.size() - 1;
  }

  /**
   * Every version of a real package, newest first.
   *
   * @throws PlinthException when one of them does not read, naming its index and package
   */
  public List<PackageRecord> versions(String name) throws PlinthException {
    List<PackageRecord> l = records(byName, name);
    l.sort(Comparator.comparing(PackageRecord::version).reversed());
    return l;
  }

  /**
   * The packages that provide a (virtual) name, by name then newest first.
   *
   * @throws PlinthException when one of them does not read, naming its index and package
   */
  public List<PackageRecord> providers(String name) throws PlinthException {
    List<PackageRecord> l = records(providers, name);
    l.sort(Comparator.comparing(PackageRecord::name)
        .thenComparing(PackageRecord::version, Comparator.reverseOrder()));
    return l;
  }

  /**
   * This index with only {@code pins} for their names (e.g. the versions plinth.lock holds): a
   * pinned name has exactly that version, every other name what this index has.
   */
  public synchronized PackageIndex pinned(java.util.Collection<PackageRecord> pins)
      throws PlinthException {
    // the copy shares the packed chunks, which this index no longer adds to once it is read
    PackageIndex out = new PackageIndex(chunks, sources, texts, where.clone(), lengths.clone(),
        records.clone(), count, byName.copy(), providers.copy());
    out.used = CHUNK;
    for (PackageRecord pin : pins) {
      int[] old = out.byName.get(pin.name());
      if (old != null) {
        out.byName.removeAll(pin.name());
        for (int ordinal : old) {
          for (PackageRecord.Relation p : out.record(ordinal).provides()) {
            out.providers.remove(p.name(), ordinal);
          }
        }
      }
      out.add(pin);
    }
    return out;
  }

  public synchronized int size() {
    return byName.size();
  }

  private synchronized List<PackageRecord> records(NameTable map, String name)
      throws PlinthException {
    int[] ordinals = map.get(name);
    List<PackageRecord> l = new ArrayList<>(ordinals == null ? 0 : ordinals.length);
    if (ordinals != null) {
      for (int ordinal : ordinals) {
        PackageRecord r = record(ordinal);
        if (map == byName && lengths[ordinal] > 0 && !r.name().equals(name)) {
          throw changed((int) (where[ordinal] >>> 40),
              "package " + r.name() + " where " + name + " was");
        }
        l.add(r);
      }
    }
    return l;
  }

  private int next(long at) {
    if (count == where.length) {
      where = Arrays.copyOf(where, count * 2);
      lengths = Arrays.copyOf(lengths, count * 2);
      records = Arrays.copyOf(records, count * 2);
    }
    where[count] = at;
    return count++;
  }

  /** Files an ordinal under its name and each name its groups of {@code provides} hold. */
  private void index(int ordinal, String name, List<List<PackageRecord.Relation>> provides) {
    byName.add(name, ordinal);
    for (List<PackageRecord.Relation> group : provides) {
      for (PackageRecord.Relation p : group) {
        providers.add(p.name(), ordinal);
      }
    }
  }

  /** The record of an ordinal, unpacked (and checked) the first time it is asked for. */
  private PackageRecord record(int ordinal) throws PlinthException {
    PackageRecord r = records[ordinal];
    if (r == null && lengths[ordinal] > 0) {
      r = fromText(ordinal);
      records[ordinal] = r;
    } else if (r == null) {
      long at = where[ordinal];
      byte[] chunk = chunks.get((int) (at >>> 32));
      int[] pos = {(int) at};
      String what = sources.get(varint(chunk, pos));
      Map<String, String> fields = new LinkedHashMap<>();
      for (String field : PACKED) {
        int len = varint(chunk, pos) - 1;
        if (len >= 0) {
          fields.put(field, new String(chunk, pos[0], len, StandardCharsets.UTF_8));
          pos[0] += len;
        }
      }
      r = PackageRecord.of(new Control.Paragraph(fields), what);
      records[ordinal] = r;
    }
    return r;
  }

  /** The record of an ordinal kept in its text: that paragraph, read again and checked. */
  private PackageRecord fromText(int ordinal) throws PlinthException {
    int source = (int) (where[ordinal] >>> 40);
    long offset = where[ordinal] & ((1L << 40) - 1);
    String what = sources.get(source);
    Path text = texts.get(source);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(lengths[ordinal]);
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(text)) {
      while (b.hasRemaining()) {
        if (ch.read(b, offset + b.position()) < 0) {
          break;
        }
      }
    } catch (java.io.IOException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT, "cannot read " + text + " (the"
          + " cache's copy of " + what + ") again: " + e.getMessage() + "; run the build again",
          e);
    }
    // these bytes read as one paragraph when the index was read: anything else is a change
    List<Control.Paragraph> read = List.of();
    if (!b.hasRemaining()) {
      try {
        read = Control.parse(new java.io.ByteArrayInputStream(b.array()), what);
      } catch (PlinthException | java.io.IOException e) {
        read = List.of();
      }
    }
    if (read.size() != 1) {
      throw changed(source, "no package at byte " + offset);
    }
    return PackageRecord.of(read.get(0), what);
  }

  /** BAD_INPUT: the text of {@code source} is not what it was when the index was read. */
  private PlinthException changed(int source, String how) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, texts.get(source) + " (the"
        + " cache's copy of " + sources.get(source) + ") changed while it was read: " + how
        + "; run the build again");
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v >>>= 7) != 0) {
      n++;
    }
    return n;
  }

  private static int putVarint(byte[] b, int pos, int v) {
    while ((v & ~0x7f) != 0) {
      b[pos++] = (byte) ((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    b[pos++] = (byte) v;
    return pos;
  }

  private static int varint(byte[] b, int[] pos) {
    int v = 0;
    for (int shift = 0; ; shift += 7) {
      byte x = b[pos[0]++];
      v |= (x & 0x7f) << shift;
      if (x >= 0) {
        return v;
      }
    }
  }
}
