package dev.plinth.audit;

import dev.plinth.elf.Elf;

import dev.plinth.elf.ElfFile;
import dev.plinth.elf.ElfHeadReader;
import dev.plinth.oci.BulkFilterInputStream;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

/**
 * Reads one layer into {@link LayerChanges} without writing anything anywhere: the tar streams
 * through once (a second time only for the rare large ELF file whose string table lies where the
 * first pass did not look), names are checked as they come, and only {@link FileFacts} are kept of
 * contents.
 *
 * <p>Fails closed, as BAD_INPUT naming the layer and the entry: names with "..", backslashes or
 * drive letters; an entry replacing the root with a non-directory; whiteouts of ".", ".." or
 * nothing, or used as directories; hardlinks to such names; data after the end of the archive;
 * content that does not match the layer's digest or diff_id; more entries, metadata or bytes than
 * {@link Limits} allow. Handled as a runtime does, with a finding: absolute names (applied below
 * the root), a path twice in one layer (the last wins), device nodes.
 */
final class LayerReader {
  private static final String OPAQUE = ".wh..wh..opq";
  private static final String WHITEOUT = ".wh.";
  private static final String AUFS = ".wh..wh.";
  private static final int MAX_NOTES = 200;
  private static final int MAX_ELF_PASSES = 3;
  private static final long MAX_ELF_CAPTURE = 8 << 20;

  private final Layer layer;
  private final String what;
  private final Limits limits;
  private final byte[] buf;

  private final List<LayerChanges.Entry> entries = new ArrayList<>();
  private final Map<Integer, Integer> entryIndex = new HashMap<>();
  private final List<String> whiteouts = new ArrayList<>();
  private final List<String> opaque = new ArrayList<>();
  private final List<LayerChanges.Note> notes = new ArrayList<>();
  private final Map<String, FsTree.Kind> seen = new HashMap<>();
  private final Map<Integer, Pending> pending = new TreeMap<>();
  private int droppedNotes;
  private long entryCount;
  private long metadata;
  private long uncompressed;

  /** A large ELF file whose loader view needs a part the last pass did not capture. */
  private record Pending(String path, long size, TreeMap<Long, byte[]> parts, long[] want) {}

  private LayerReader(Layer layer, String what, Limits limits) {
    this.layer = layer;
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
    LayerReader r = new LayerReader(layer, what, limits);
    r.stream(true);
    for (int pass = 0; pass < MAX_ELF_PASSES && !r.pending.isEmpty(); pass++) {
      r.stream(false);
    }
    for (Map.Entry<Integer, Pending> p : r.pending.entrySet()) {
      r.setFacts(p.getKey(), new FileFacts(null, null,
          "its loader data lies in parts of the file too far apart to check", false, null));
    }
    if (r.droppedNotes > 0) {
      r.notes.add(new LayerChanges.Note(Rule.PL054, null, "and " + r.droppedNotes
          + " more findings about this layer's entries"));
    }
    return new LayerChanges(List.copyOf(r.entries), List.copyOf(r.whiteouts),
        List.copyOf(r.opaque), List.copyOf(r.notes), r.uncompressed, r.metadata);
  }

  // ---- streaming ----

  private void stream(boolean first) throws IOException, PlinthException {
    InputStream raw;
    try {
      raw = new BufferedInputStream(layer.blob().open(), 65536);
    } catch (IOException e) {
      throw unreadable(e);
    }
    try (raw) {
      String mediaType = layer.blob().descriptor().mediaType();
      InputStream decompressed;
      if (mediaType.endsWith(".tar") || mediaType.endsWith("tar")) {
        decompressed = raw;
      } else if (mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip")) {
        decompressed = new GZIPInputStream(raw, 65536);
      } else if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) {
        decompressed = new io.airlift.compress.zstd.ZstdInputStream(raw);
      } else {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has media type "
            + mediaType + ", which is not a layer plinth can read (tar, tar+gzip, tar+zstd)");
      }
      Hashing tarBytes = new Hashing(decompressed, limits.maxLayerBytes());
      TarReader tar = new TarReader(tarBytes, what);
      TarEntry e;
      int ordinal = 0;
      while ((e = tar.next()) != null) {
        if (Thread.currentThread().isInterrupted()) {
          throw new java.io.InterruptedIOException(what + ": reading stopped");
        }
        if (first) {
          entry(ordinal, e, tar);
        } else if (pending.containsKey(ordinal)) {
          recapture(ordinal, tar.content());
        }
        ordinal++;
      }
      // Read to the end before accepting: the end-of-archive blocks, then only zero padding,
      // then the end of the compressed stream, so that both digests are checked.
      int r;
      while ((r = tarBytes.read(buf, 0, buf.length)) >= 0) {
        for (int i = 0; i < r; i++) {
          if (buf[i] != 0) {
            throw new PlinthException(PlinthException.Kind.BAD_INPUT, what
                + " has data after the end of its tar archive (other tools may read it as more"
                + " entries)");
          }
        }
      }
      while (raw.read(buf, 0, buf.length) >= 0) {
        // drain: the blob's digest is checked when its stream ends
      }
      Digest diffId = Digest.of(tarBytes.sha);
      if (!diffId.equals(layer.diffId())) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " decompresses to "
            + diffId + ", not to the diff_id " + layer.diffId() + " its config lists");
      }
      uncompressed = tarBytes.count;
    } catch (PlinthException e) {
      throw e;
    } catch (TooLarge e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " decompresses to more than "
          + limits.maxLayerBytes() + " bytes (a decompression bomb?)", e);
    } catch (IOException e) {
      throw unreadable(e);
    }
  }

  private PlinthException unreadable(IOException e) {
    if (e instanceof java.nio.file.FileSystemException || e instanceof java.net.SocketException
        || e instanceof java.net.UnknownHostException
        || e instanceof java.net.SocketTimeoutException) {
      return new PlinthException(PlinthException.Kind.NOT_FOUND, what + " cannot be read: "
          + e.getMessage(), e);
    }
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a valid layer: "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
  }

  // ---- first pass: one entry ----

  private void entry(int ordinal, TarEntry e, TarReader tar) throws IOException, PlinthException {
    entryCount++;
    metadata += 64 + e.name().length() + (e.linkTarget() == null ? 0 : e.linkTarget().length());
    if (entryCount > limits.maxEntries()) {
      throw bad("has more than " + limits.maxEntries() + " entries");
    }
    checkMetadata();
    Name name = normalize(e.name(), "name");
    List<String> parts = FsTree.split(name.path);
    // Whiteouts and AUFS metadata.
    for (int i = 0; i < parts.size(); i++) {
      String seg = parts.get(i);
      boolean last = i == parts.size() - 1;
      if (!seg.startsWith(WHITEOUT)) {
        continue;
      }
      String parent = String.join("/", parts.subList(0, i));
      if (last && seg.equals(OPAQUE)) {
        opaque.add(parent);
        return;
      }
      if (seg.startsWith(AUFS)) {
        return; // AUFS hardlink and orphan metadata (.wh..wh.plnk, .wh..wh.orph): not content
      }
      if (!last) {
        throw bad("has the entry '" + e.name() + "', which uses the whiteout '" + seg
            + "' as a directory");
      }
      String target = seg.substring(WHITEOUT.length());
      if (target.isEmpty() || target.equals(".") || target.equals("..")) {
        throw bad("has the invalid whiteout '" + e.name() + "' (it would remove '"
            + (target.isEmpty() ? "" : target) + "')");
      }
      whiteouts.add(parent.isEmpty() ? target : parent + "/" + target);
      return;
    }
    if (name.absolute) {
      note(Rule.PL054, name.path, "the entry '" + e.name() + "' has an absolute name; runtimes"
          + " apply it below the image root, other tools may not");
    }
    FsTree.Kind kind = switch (e.type()) {
      case FILE, HARDLINK -> FsTree.Kind.FILE;
      case DIRECTORY -> FsTree.Kind.DIRECTORY;
      case SYMLINK -> FsTree.Kind.SYMLINK;
      case CHAR_DEVICE -> FsTree.Kind.CHAR_DEVICE;
      case BLOCK_DEVICE -> FsTree.Kind.BLOCK_DEVICE;
      case FIFO -> FsTree.Kind.FIFO;
    };
    if (name.path.isEmpty() && kind != FsTree.Kind.DIRECTORY) {
      throw bad("has the entry '" + e.name() + "', a " + e.type().name().toLowerCase()
          .replace('_', ' ') + " that would replace the image root");
    }
    if (kind == FsTree.Kind.CHAR_DEVICE || kind == FsTree.Kind.BLOCK_DEVICE) {
      note(Rule.PL054, name.path, "a device node; runtimes provide /dev, and an image that"
          + " carries devices may give access to the host's hardware");
    }
    FsTree.Kind before = seen.put(name.path, kind);
    if (before != null && !(before == FsTree.Kind.DIRECTORY && kind == FsTree.Kind.DIRECTORY)) {
      note(Rule.PL053, name.path, "the layer has this path twice; the last one is applied");
    }
    String hardlinkTo = null;
    String link = null;
    if (e.type() == TarEntry.Type.HARDLINK) {
      hardlinkTo = normalize(e.linkTarget(), "hardlink target").path;
      if (hardlinkTo.isEmpty()) {
        throw bad("has the hardlink '" + e.name() + "' to the image root");
      }
    } else if (e.type() == TarEntry.Type.SYMLINK) {
      link = e.linkTarget() == null ? "" : e.linkTarget();
    }
    FileFacts facts = null;
    long size = 0;
    if (e.type() == TarEntry.Type.FILE) {
      size = e.size();
      facts = facts(ordinal, name.path, e, tar.content());
    }
    entryIndex.put(ordinal, entries.size());
    entries.add(new LayerChanges.Entry(ordinal, name.path, kind, hardlinkTo, e.mode() & 07777,
        e.uid(), e.gid(), size, link, facts));
  }

  private record Name(String path, boolean absolute) {}

  private Name normalize(String raw, String role) throws PlinthException {
    if (raw == null || raw.isEmpty()) {
      throw bad("has an entry with an empty " + role);
    }
    if (raw.indexOf('\0') >= 0) {
      throw bad("has an entry whose " + role + " holds a NUL byte");
    }
    if (raw.indexOf('\\') >= 0) {
      throw bad("has the " + role + " '" + raw + "' with a backslash (a Windows-style path)");
    }
    if (raw.length() >= 2 && raw.charAt(1) == ':' && Character.isLetter(raw.charAt(0))) {
      throw bad("has the " + role + " '" + raw + "', which starts with a drive letter");
    }
    List<String> parts = new ArrayList<>();
    for (String seg : raw.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        throw bad("has the " + role + " '" + raw + "', which climbs with '..'");
      }
      parts.add(seg);
    }
    return new Name(String.join("/", parts), raw.startsWith("/"));
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
      if (size <= limits.elfWholeBytes()) {
        parts.put(0L, readWhole(in, n, size));
      } else {
        parts.put(0L, Arrays.copyOf(buf, n));
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
      metadata += content.length;
      checkMetadata();
    }
    FileFacts f = new FileFacts(content, elf, elfError, privateKey, shebang);
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

  /** Reads on from {@code pos} to the end of the entry, copying the wanted ranges into parts. */
  private void capture(InputStream in, long pos, long size, List<long[]> want,
      TreeMap<Long, byte[]> parts) throws IOException {
    List<long[]> ranges = new ArrayList<>();
    long end = pos;
    for (long[] w : want) {
      long from = Math.max(w[0], pos);
      long to = Math.min(w[0] + w[1], size);
      if (to > from) {
        ranges.add(new long[] {from, to});
        end = Math.max(end, to);
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
    FileFacts old = entries.get(entryIndex.get(ordinal)).facts();
    return old == null ? new FileFacts(null, elf, error, false, null)
        : new FileFacts(old.content(), elf, error, old.privateKey(), old.shebang());
  }

  private void setFacts(int ordinal, FileFacts f) {
    int i = entryIndex.get(ordinal);
    entries.set(i, entries.get(i).withFacts(f));
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

  // ---- bookkeeping ----

  private void note(Rule rule, String path, String message) {
    if (notes.size() < MAX_NOTES) {
      notes.add(new LayerChanges.Note(rule, path, message));
    } else {
      droppedNotes++;
    }
  }

  private void checkMetadata() throws PlinthException {
    if (metadata > limits.maxMetadataBytes()) {
      throw bad("has more than " + limits.maxMetadataBytes() + " bytes of names and metadata");
    }
  }

  private PlinthException bad(String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " " + why);
  }

  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
  }

  /** Counts and hashes what is read (skips included), and stops at a cap. */
  private static final class Hashing extends BulkFilterInputStream {
    final MessageDigest sha = Digest.sha256();
    final long max;
    long count;

    Hashing(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = super.read(b, off, len);
      if (r > 0) {
        sha.update(b, off, r);
        count += r;
        if (count > max) {
          throw new TooLarge();
        }
      }
      return r;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] b = new byte[(int) Math.min(65536, Math.max(1, n))];
      int r = read(b, 0, (int) Math.min(b.length, n));
      return Math.max(r, 0);
    }
  }
}
