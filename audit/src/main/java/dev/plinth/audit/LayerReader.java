package dev.plinth.audit;

import dev.plinth.elf.ElfFile;
import dev.plinth.elf.ElfHeadReader;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerDiff;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads one layer for the audit: {@link LayerDiff} streams it once, checks every name and the
 * layer's digests and fails closed on what is hostile; this keeps only {@link FileFacts} of the
 * contents, and streams it a second time only for the rare large ELF file whose string table lies
 * where the first pass did not look. Nothing is written anywhere.
 */
final class LayerReader implements LayerDiff.Contents<FileFacts> {
  private static final int MAX_ELF_PASSES = 3;
  private static final long MAX_ELF_CAPTURE = 8 << 20;
  /** The most bytes one captured part holds (see {@link #capture}). */
  private static final int PART = 256 * 1024;

  private final Limits limits;
  private final byte[] buf;
  private final String what;
  /** Facts of the large ELF files, once their second pass is done; by ordinal. */
  private final Map<Integer, FileFacts> facts = new HashMap<>();
  /** What the first pass found of the files still pending. */
  private final Map<Integer, FileFacts> firstPass = new HashMap<>();
  private final Map<Integer, Pending> pending = new TreeMap<>();

  /** A large ELF file whose loader view needs a part the last pass did not capture. */
  private record Pending(String path, long size, TreeMap<Long, byte[]> parts, long[] want) {}

  private LayerReader(String what, Limits limits) {
    this.what = what;
    this.limits = limits;
    this.buf = new byte[Math.max(limits.headBytes(), 65536)];
  }

  /**
   * Reads {@code layer}.
   *
   * @param what names the layer in messages, e.g. "oci-archive:app.tar layer sha256:ab…"
   */
  static LayerChanges read(Layer layer, String what, Limits limits)
      throws IOException, PlinthException {
    LayerReader r = new LayerReader(what, limits);
    return r.finish(LayerDiff.read(layer, what, limits.fs(), r), layer);
  }

  /**
   * Reads a layer's uncompressed tar as it is written ({@link LayerDiff#readTar}): the same
   * first pass as {@link #read}, finished by {@link Written#finish} with the layer once it is
   * written (read again only for a large ELF file whose loader data the pass did not capture).
   */
  static Written readTar(InputStream tar, String what, Limits limits)
      throws IOException, PlinthException {
    LayerReader r = new LayerReader(what, limits);
    LayerDiff<FileFacts> diff = LayerDiff.readTar(tar, what, limits.fs(), r);
    return layer -> r.finish(diff, layer);
  }

  /** A layer's first pass, read as it was written. */
  interface Written {
    /** The layer's changes, as {@link #read} gives them; {@code layer} holds the bytes read. */
    LayerChanges finish(Layer layer) throws IOException, PlinthException;
  }

  private LayerChanges finish(LayerDiff<FileFacts> first, Layer layer)
      throws IOException, PlinthException {
    LayerDiff<FileFacts> diff = first;
    for (int pass = 0; pass < MAX_ELF_PASSES && !pending.isEmpty(); pass++) {
      LayerDiff.reread(layer, what, limits.fs(), Set.copyOf(pending.keySet()),
          (ordinal, e, in) -> recapture(ordinal, in));
    }
    for (Map.Entry<Integer, Pending> p : pending.entrySet()) {
      setFacts(p.getKey(), new FileFacts(null, null,
          "its loader data lies in parts of the file too far apart to check", false, null));
    }
    if (!facts.isEmpty()) {
      diff = diff.withContents(facts);
    }
    List<LayerChanges.Note> notes = new ArrayList<>();
    for (LayerDiff.Note n : diff.notes()) {
      notes.add(LayerChanges.Note.of(n));
    }
    if (diff.droppedNotes() > 0) {
      notes.add(new LayerChanges.Note(Rule.PL054, null, "and " + diff.droppedNotes()
          + " more findings about this layer's entries"));
    }
    return new LayerChanges(diff, List.copyOf(notes));
  }

  @Override
  public FileFacts read(int ordinal, String path, TarEntry e, InputStream in)
      throws IOException, PlinthException {
    return facts(ordinal, path, e, in);
  }

  @Override
  public long weight(FileFacts kept) {
    return kept.content() == null ? 0 : kept.content().length;
  }

  // ---- file contents ----

  private FileFacts facts(int ordinal, String path, TarEntry e, InputStream in)
      throws IOException, PlinthException {
    long size = e.size();
    int head = (int) Math.min(size, limits.headBytes());
    int n = in.readNBytes(buf, 0, head);
    if (n < head) {
      throw bad("ends inside '" + e.name() + "'");
    }
    boolean exec = (e.mode() & 0111) != 0;
    String base = FsTree.name(path);
    boolean privateKey = Secrets.isPrivateKey(buf, n, base);
    String shebang = exec ? shebang(buf, n) : null;
    byte[] content = null;
    FileFacts.Elf elf = null;
    String elfError = null;
    if (n >= 4 && ElfFile.isElf(buf) && (exec || isSharedObjectName(base))) {
      TreeMap<Long, byte[]> parts = new TreeMap<>();
      parts.put(0L, Arrays.copyOf(buf, n)); // before capture reads on into buf
      if (size <= limits.elfWholeBytes()) {
        if (capture(in, n, size, List.of(new long[] {n, size - n}), parts) < size) {
          throw bad("ends inside an entry");
        }
      } else {
        capture(in, n, size, ElfHeadReader.regions(buf, n, size), parts);
      }
      try {
        elf = elf(ElfHeadReader.read(size, parts, "/" + path));
      } catch (ElfHeadReader.Missing m) {
        pending.put(ordinal, new Pending(path, size, parts, want(m, size)));
      } catch (PlinthException bad) {
        elfError = bad.getMessage();
      }
    } else if (size <= limits.keepBytes() && wantsContent(path)) {
      content = readWhole(in, n, size);
    }
    FileFacts f = new FileFacts(content, elf, elfError, privateKey, shebang);
    if (pending.containsKey(ordinal)) {
      firstPass.put(ordinal, f);
    }
    return f.isEmpty() ? null : f;
  }

  private byte[] readWhole(InputStream in, int have, long size) throws IOException,
      PlinthException {
    byte[] all = Arrays.copyOf(buf, (int) size);
    int n = in.readNBytes(all, have, (int) size - have);
    if (n < size - have) {
      throw bad("ends inside an entry");
    }
    return all;
  }

  /**
   * Reads on from {@code pos} to the end of the last wanted range, copying the wanted ranges into
   * parts of at most {@value #PART} bytes, and returns where it stopped (before that end if the
   * entry ended first): a part of 1 MiB or more would be a humongous object to
   * G1 (the collector of a Maven JVM, where plinth checks the layers it builds), and each such
   * allocation may start a collection.
   */
  private long capture(InputStream in, long pos, long size, List<long[]> want,
      TreeMap<Long, byte[]> parts) throws IOException {
    List<long[]> ranges = new ArrayList<>();
    long end = pos;
    for (long[] w : want) {
      long from = Math.max(w[0], pos);
      long to = Math.min(w[0] + w[1], size);
      for (long at = from; at < to; at += PART) {
        ranges.add(new long[] {at, Math.min(to, at + PART)});
        end = Math.max(end, Math.min(to, at + PART));
      }
    }
    byte[][] into = new byte[ranges.size()][];
    for (int i = 0; i < ranges.size(); i++) {
      into[i] = new byte[(int) (ranges.get(i)[1] - ranges.get(i)[0])];
    }
    while (pos < end) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, end - pos));
      if (r < 0) {
        break; // the tar reader reports the truncation
      }
      for (int i = 0; i < ranges.size(); i++) {
        long from = Math.max(pos, ranges.get(i)[0]);
        long to = Math.min(pos + r, ranges.get(i)[1]);
        if (to > from) {
          System.arraycopy(buf, (int) (from - pos), into[i], (int) (from - ranges.get(i)[0]),
              (int) (to - from));
        }
      }
      pos += r;
    }
    for (int i = 0; i < ranges.size(); i++) {
      parts.merge(ranges.get(i)[0], into[i], (a, b) -> a.length >= b.length ? a : b);
    }
    return pos;
  }

  /** What to capture on the next pass: the missing part and, since strings follow, more. */
  private static long[] want(ElfHeadReader.Missing m, long size) {
    long from = Math.max(0, m.offset());
    long length = Math.min(Math.max(m.length(), 1 << 20), size - from);
    return new long[] {from, Math.max(0, length)};
  }

  private void recapture(int ordinal, InputStream in) throws IOException {
    Pending p = pending.get(ordinal);
    long captured = 0;
    for (byte[] b : p.parts.values()) {
      captured += b.length;
    }
    if (captured + p.want[1] > MAX_ELF_CAPTURE) {
      pending.remove(ordinal);
      setFacts(ordinal, new FileFacts(null, null, "its loader data is spread over more than "
          + MAX_ELF_CAPTURE + " bytes", false, null));
      return;
    }
    capture(in, 0, p.size, List.of(p.want), p.parts);
    pending.remove(ordinal);
    try {
      setFacts(ordinal, withElf(ordinal, elf(ElfHeadReader.read(p.size, p.parts, "/" + p.path)),
          null));
    } catch (ElfHeadReader.Missing m) {
      pending.put(ordinal, new Pending(p.path, p.size, p.parts, want(m, p.size)));
    } catch (PlinthException bad) {
      setFacts(ordinal, withElf(ordinal, null, bad.getMessage()));
    }
  }

  private FileFacts withElf(int ordinal, FileFacts.Elf elf, String error) {
    FileFacts old = firstPass.get(ordinal);
    return old == null ? new FileFacts(null, elf, error, false, null)
        : new FileFacts(old.content(), elf, error, old.privateKey(), old.shebang());
  }

  private void setFacts(int ordinal, FileFacts f) {
    facts.put(ordinal, f);
  }

  private static FileFacts.Elf elf(ElfFile f) {
    return new FileFacts.Elf(f.machine(), f.type(), f.is64(), f.interpreter(), f.needed(),
        f.runpath());
  }

  static boolean isSharedObjectName(String base) {
    int i = base.indexOf(".so");
    return i > 0 && (i + 3 == base.length() || base.charAt(i + 3) == '.');
  }

  private static String shebang(byte[] b, int n) {
    if (n < 3 || b[0] != '#' || b[1] != '!') {
      return null;
    }
    int end = 2;
    while (end < n && end < 256 && b[end] != '\n') {
      end++;
    }
    return new String(b, 2, end - 2, StandardCharsets.UTF_8).strip();
  }

  /** The small files whose content rules read. */
  static boolean wantsContent(String path) {
    String base = FsTree.name(path);
    String parent = FsTree.name(FsTree.parent(path));
    switch (base) {
      case "passwd", "group", "shadow", "ld.so.conf", ".npmrc", ".netrc", ".git-credentials",
          ".pypirc" -> {
        return true;
      }
      default -> {}
    }
    return parent.equals("ld.so.conf.d")
        || (base.startsWith("ld-musl-") && base.endsWith(".path"))
        || (parent.equals(".docker") && base.equals("config.json"))
        || (parent.equals(".aws") && base.equals("credentials"))
        || (parent.equals(".kube") && base.equals("config"));
  }

  private PlinthException bad(String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " " + why);
  }
}
