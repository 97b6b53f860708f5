package dev.plinth.oci;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What one layer changes, read once from its blob without writing anything anywhere: its entries
 * (names checked and normalized), whiteouts and opaque directories, and findings about the layer
 * itself. Of a file's content only what a {@link Contents} reader takes as it streams past is kept.
 * Applying it is {@link Filesystem}'s job.
 *
 * <p>Fails closed, as BAD_INPUT naming the layer and the entry: names with "..", backslashes or
 * drive letters, or longer than {@link Filesystem.Limits#maxPathLength}; an entry replacing the
 * root with a non-directory; whiteouts of ".", ".." or nothing, or used as directories; hardlinks
 * to such names or to the root; data after the end of the archive; a blob shorter or longer than
 * its descriptor says; content that does not match the layer's digest or diff_id; more entries,
 * metadata or decompressed bytes than the limits allow. Handled as a runtime does, with a {@link
 * Note}: absolute names (applied below the root), a path twice in one layer (the last wins),
 * device nodes. AUFS metadata ({@code .wh..wh.plnk/}, {@code .wh..wh.orph}) is dropped.
 *
 * @param <T> what is kept of a file's content
 */
public final class LayerDiff<T> {
  private static final String OPAQUE = ".wh..wh..opq";
  private static final String WHITEOUT = ".wh.";
  private static final String AUFS = ".wh..wh.";
  private static final int MAX_NOTES = 200;

  /** What a finding about an entry is about. */
  public enum NoteKind { ABSOLUTE_NAME, DUPLICATE, DEVICE, THROUGH_SYMLINK }

  /** A finding about an entry: a duplicate path, an absolute name, a device, a write through a link. */
  public record Note(NoteKind kind, String path, String message) {}

  /**
   * One tar entry.
   *
   * @param ordinal its position in the tar, counting every entry (for {@link #reread})
   * @param path where it goes, relative to the root ("" for the root directory itself)
   * @param kind a hardlink's is FILE (what it links to decides when it is applied)
   * @param hardlinkTo for a hardlink, the path it links to (normalized like {@code path}); else
   *     null
   * @param link a symlink's target as written; else null
   * @param content what the {@link Contents} reader kept of a file's content; else null
   */
  public record Entry<T>(int ordinal, String path, Filesystem.Kind kind, String hardlinkTo,
      int mode, long uid, long gid, long size, String link, T content) {
    public Entry<T> withContent(T c) {
      return new Entry<>(ordinal, path, kind, hardlinkTo, mode, uid, gid, size, link, c);
    }
  }

  /** Takes what is to be kept of a regular file's content as the layer streams past. */
  public interface Contents<T> {
    /**
     * @param path the file's normalized path
     * @param content its bytes; need not be read to the end
     * @return what to keep; null for nothing
     */
    T read(int ordinal, String path, TarEntry entry, InputStream content)
        throws IOException, PlinthException;

    /** How many bytes {@code kept} holds in memory, counted against the metadata limit. */
    default long weight(T kept) {
      return 0;
    }
  }

  /** Reads the content of chosen entries when a layer streams again ({@link #reread}). */
  public interface Reader {
    void read(int ordinal, TarEntry entry, InputStream content) throws IOException, PlinthException;
  }

  private final List<Entry<T>> entries;
  private final List<String> whiteouts;
  private final List<String> opaqueDirs;
  private final List<Note> notes;
  private final int droppedNotes;
  private final long uncompressedBytes;
  private final long metadataBytes;

  private LayerDiff(List<Entry<T>> entries, List<String> whiteouts, List<String> opaqueDirs,
      List<Note> notes, int droppedNotes, long uncompressedBytes, long metadataBytes) {
    this.entries = List.copyOf(entries);
    this.whiteouts = List.copyOf(whiteouts);
    this.opaqueDirs = List.copyOf(opaqueDirs);
    this.notes = List.copyOf(notes);
    this.droppedNotes = droppedNotes;
    this.uncompressedBytes = uncompressedBytes;
    this.metadataBytes = metadataBytes;
  }

  public List<Entry<T>> entries() {
    return entries;
  }

  /** Paths whited out ({@code .wh.NAME}), in tar order. */
  public List<String> whiteouts() {
    return whiteouts;
  }

  /** Directories made opaque ({@code .wh..wh..opq}), "" for the root. */
  public List<String> opaqueDirs() {
    return opaqueDirs;
  }

  /** The first findings about the layer's entries. */
  public List<Note> notes() {
    return notes;
  }

  /** How many more findings there were than {@link #notes} holds. */
  public int droppedNotes() {
    return droppedNotes;
  }

  /** The size of the layer's tar. */
  public long uncompressedBytes() {
    return uncompressedBytes;
  }

  /** What its names, link targets and kept contents weigh in memory, for the limits. */
  public long metadataBytes() {
    return metadataBytes;
  }

  /**
   * A layer's changes as {@link #read} found them, made again from what was kept of them (a
   * cache of what a reader found in a layer).
   */
  public static <T> LayerDiff<T> of(List<Entry<T>> entries, List<String> whiteouts,
      List<String> opaqueDirs, List<Note> notes, int droppedNotes, long uncompressedBytes,
      long metadataBytes) {
    return new LayerDiff<>(entries, whiteouts, opaqueDirs, notes, droppedNotes,
        uncompressedBytes, metadataBytes);
  }

  /** This layer with the contents of some entries (by ordinal) replaced. */
  public LayerDiff<T> withContents(Map<Integer, T> byOrdinal) {
    List<Entry<T>> out = new ArrayList<>(entries.size());
    for (Entry<T> e : entries) {
      out.add(byOrdinal.containsKey(e.ordinal()) ? e.withContent(byOrdinal.get(e.ordinal())) : e);
    }
    return new LayerDiff<>(out, whiteouts, opaqueDirs, notes, droppedNotes, uncompressedBytes,
        metadataBytes);
  }

  /**
   * Reads {@code layer}.
   *
   * @param what names the layer in messages, e.g. "oci-archive:app.tar layer 2 (sha256:ab…)"
   */
  public static <T> LayerDiff<T> read(Layer layer, String what, Filesystem.Limits limits,
      Contents<T> contents) throws IOException, PlinthException {
    Pass<T> pass = new Pass<>(what, limits, contents);
    long size = stream(layer, what, limits, pass::entry);
    return new LayerDiff<>(pass.entries, pass.whiteouts, pass.opaque, pass.notes,
        pass.droppedNotes, size, pass.metadata);
  }

  /**
   * Reads a layer's uncompressed tar from {@code tar}, checked as {@link #read} checks a layer's
   * entries, for a layer being written (its digests are the writer's to compute): a reader that
   * gets the bytes as they are compressed need not decompress them again.
   */
  public static <T> LayerDiff<T> readTar(InputStream tar, String what, Filesystem.Limits limits,
      Contents<T> contents) throws IOException, PlinthException {
    Pass<T> pass = new Pass<>(what, limits, contents);
    Counting tarBytes = new Counting(tar, limits.maxLayerBytes(), false);
    try {
      walk(tarBytes, what, pass::entry, new byte[65536]);
    } catch (TooLarge e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is more than "
          + limits.maxLayerBytes() + " bytes", e);
    }
    return new LayerDiff<>(pass.entries, pass.whiteouts, pass.opaque, pass.notes,
        pass.droppedNotes, tarBytes.count, pass.metadata);
  }

  /**
   * Streams {@code layer} again, checked as {@link #read} checks it, and gives {@code reader} the
   * content of the entries at {@code ordinals}.
   */
  public static void reread(Layer layer, String what, Filesystem.Limits limits,
      Set<Integer> ordinals, Reader reader) throws IOException, PlinthException {
    stream(layer, what, limits, (ordinal, e, tar) -> {
      if (ordinals.contains(ordinal)) {
        reader.read(ordinal, e, tar.content());
      }
    });
  }

  private interface Visitor {
    void entry(int ordinal, TarEntry e, TarReader tar) throws IOException, PlinthException;
  }

  /** Streams the layer through {@code visitor}, then checks it; returns the tar's size. */
  private static long stream(Layer layer, String what, Filesystem.Limits limits, Visitor visitor)
      throws IOException, PlinthException {
    Descriptor d = layer.blob().descriptor();
    Counting counted;
    try {
      counted = new Counting(layer.blob().open(), d.size(), false);
    } catch (IOException e) {
      throw unreadable(what, e);
    }
    byte[] buf = new byte[65536];
    try (InputStream raw = new BufferedInputStream(counted, 65536)) {
      String mediaType = d.mediaType();
      InputStream decompressed;
      if (mediaType.endsWith("tar")) {
        decompressed = raw;
      } else if (mediaType.endsWith("+gzip") || mediaType.endsWith(".gzip")) {
        decompressed = new GZIPInputStream(raw, 65536);
      } else if (mediaType.endsWith("+zstd") || mediaType.endsWith(".zstd")) {
        decompressed = new ZstdStream(raw, what);
      } else {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has media type "
            + mediaType + ", which is not a layer plinth can read (tar, tar+gzip, tar+zstd)");
      }
      Counting tarBytes = new Counting(decompressed, limits.maxLayerBytes(), true);
      walk(tarBytes, what, visitor, buf);
      // then the end of the compressed stream, so that both digests are checked
      while (raw.read(buf, 0, buf.length) >= 0) {
        // drain: the blob's digest is checked when its stream ends
      }
      if (counted.count != d.size()) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has " + counted.count
            + " bytes, not the " + d.size() + " its descriptor says");
      }
      Digest diffId = Digest.of(tarBytes.sha);
      if (!diffId.equals(layer.diffId())) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " decompresses to "
            + diffId + ", not to the diff_id " + layer.diffId() + " its config lists");
      }
      return tarBytes.count;
    } catch (PlinthException e) {
      throw e;
    } catch (TooLarge e) {
      throw e.compressed
          ? new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is longer than the "
              + d.size() + " bytes its descriptor says", e)
          : new PlinthException(PlinthException.Kind.BAD_INPUT, what + " decompresses to more"
              + " than " + limits.maxLayerBytes() + " bytes (a decompression bomb?)", e);
    } catch (IOException e) {
      throw unreadable(what, e);
    }
  }

  /**
   * Gives {@code visitor} every entry of the tar in {@code tarBytes}, then reads to its end: the
   * end-of-archive blocks, then only zero padding.
   */
  private static void walk(InputStream tarBytes, String what, Visitor visitor, byte[] buf)
      throws IOException, PlinthException {
    TarReader tar = new TarReader(tarBytes, what);
    TarEntry e;
    int ordinal = 0;
    while ((e = tar.next()) != null) {
      if (Thread.currentThread().isInterrupted()) {
        throw new java.io.InterruptedIOException(what + ": reading stopped");
      }
      visitor.entry(ordinal++, e, tar);
    }
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
  }

  private static PlinthException unreadable(String what, IOException e) {
    if (e instanceof StreamFailure f) { // of its own kind: a registry's refusal, a bad digest
      return new PlinthException(f.kind(), what + ": " + f.getMessage(), e);
    }
    if (e instanceof java.nio.file.FileSystemException || e instanceof java.net.SocketException
        || e instanceof java.net.UnknownHostException
        || e instanceof java.net.SocketTimeoutException) {
      return new PlinthException(PlinthException.Kind.NOT_FOUND, what + " cannot be read: "
          + e.getMessage(), e);
    }
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a valid layer: "
        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
  }

  /** The first pass: every entry checked and recorded. */
  private static final class Pass<T> {
    final String what;
    final Filesystem.Limits limits;
    final Contents<T> contents;
    final List<Entry<T>> entries = new ArrayList<>();
    final List<String> whiteouts = new ArrayList<>();
    final List<String> opaque = new ArrayList<>();
    final List<Note> notes = new ArrayList<>();
    final Map<String, Filesystem.Kind> seen = new HashMap<>();
    int droppedNotes;
    long entryCount;
    long metadata;

    Pass(String what, Filesystem.Limits limits, Contents<T> contents) {
      this.what = what;
      this.limits = limits;
      this.contents = contents;
    }

    void entry(int ordinal, TarEntry e, TarReader tar) throws IOException, PlinthException {
      entryCount++;
      metadata += 64 + e.name().length() + (e.linkTarget() == null ? 0 : e.linkTarget().length());
      if (entryCount > limits.maxEntries()) {
        throw bad("has more than " + limits.maxEntries() + " entries");
      }
      checkMetadata();
      Name name = normalize(e.name(), "name");
      List<String> parts = name.path.contains(WHITEOUT) ? Filesystem.components(name.path)
          : List.of();
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
          throw bad("has the invalid whiteout '" + e.name() + "' (it would remove '" + target
              + "')");
        }
        whiteouts.add(parent.isEmpty() ? target : parent + "/" + target);
        return;
      }
      if (name.absolute) {
        note(NoteKind.ABSOLUTE_NAME, name.path, "the entry '" + e.name() + "' has an absolute"
            + " name; runtimes apply it below the image root, other tools may not");
      }
      Filesystem.Kind kind = switch (e.type()) {
        case FILE, HARDLINK -> Filesystem.Kind.FILE;
        case DIRECTORY -> Filesystem.Kind.DIRECTORY;
        case SYMLINK -> Filesystem.Kind.SYMLINK;
        case CHAR_DEVICE -> Filesystem.Kind.CHAR_DEVICE;
        case BLOCK_DEVICE -> Filesystem.Kind.BLOCK_DEVICE;
        case FIFO -> Filesystem.Kind.FIFO;
      };
      if (name.path.isEmpty() && kind != Filesystem.Kind.DIRECTORY) {
        throw bad("has the entry '" + e.name() + "', a " + e.type().name().toLowerCase()
            .replace('_', ' ') + " that would replace the image root");
      }
      if (kind == Filesystem.Kind.CHAR_DEVICE || kind == Filesystem.Kind.BLOCK_DEVICE) {
        note(NoteKind.DEVICE, name.path, "a device node; runtimes provide /dev, and an image"
            + " that carries devices may give access to the host's hardware");
      }
      Filesystem.Kind before = seen.put(name.path, kind);
      if (before != null && !(before == Filesystem.Kind.DIRECTORY
          && kind == Filesystem.Kind.DIRECTORY)) {
        note(NoteKind.DUPLICATE, name.path, "the layer has this path twice; the last one is"
            + " applied");
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
        if (link.length() > limits.maxPathLength()) {
          throw bad("has the symlink '" + clip(e.name()) + "' to a target longer than "
              + limits.maxPathLength() + " characters");
        }
      }
      T content = null;
      long size = 0;
      if (e.type() == TarEntry.Type.FILE) {
        size = e.size();
        content = contents.read(ordinal, name.path, e, tar.content());
        if (content != null) {
          metadata += contents.weight(content);
          checkMetadata();
        }
      }
      entries.add(new Entry<>(ordinal, name.path, kind, hardlinkTo, e.mode() & 07777, e.uid(),
          e.gid(), size, link, content));
    }

    private record Name(String path, boolean absolute) {}

    private Name normalize(String raw, String role) throws PlinthException {
      if (raw == null || raw.isEmpty()) {
        throw bad("has an entry with an empty " + role);
      }
      if (raw.length() > limits.maxPathLength()) {
        throw bad("has the " + role + " '" + clip(raw) + "', longer than "
            + limits.maxPathLength() + " characters");
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
      StringBuilder path = new StringBuilder(raw.length());
      for (String seg : Filesystem.components(raw)) {
        if (seg.equals(".")) {
          continue;
        }
        if (seg.equals("..")) {
          throw bad("has the " + role + " '" + raw + "', which climbs with '..'");
        }
        path.append(path.length() == 0 ? "" : "/").append(seg);
      }
      return new Name(path.toString(), raw.startsWith("/"));
    }

    private static String clip(String s) {
      return s.length() <= 100 ? s : s.substring(0, 100) + "…";
    }

    private void note(NoteKind kind, String path, String message) {
      if (notes.size() < MAX_NOTES) {
        notes.add(new Note(kind, path, message));
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
  }

  /** Thrown when a stream goes past its cap. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;
    final boolean compressed;

    TooLarge(boolean compressed) {
      this.compressed = compressed;
    }
  }

  /** Counts what is read (skips included) and stops at a cap; the tar's bytes it also hashes. */
  private static final class Counting extends BulkFilterInputStream {
    final MessageDigest sha;
    final long max;
    long count;

    Counting(InputStream in, long max, boolean hash) {
      super(in);
      this.max = max;
      this.sha = hash ? Digest.sha256() : null;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int r = super.read(b, off, len);
      if (r > 0) {
        if (sha != null) {
          sha.update(b, off, r);
        }
        count += r;
        if (count > max) {
          throw new TooLarge(sha == null);
        }
      }
      return r;
    }
  }
}
