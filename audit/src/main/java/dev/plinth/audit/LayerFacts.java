package dev.plinth.audit;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Filesystem;
import dev.plinth.oci.LayerDiff;
import dev.plinth.oci.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@link LayerReader} found in one layer, as bytes to keep in a cache and read back: a
 * layer read once is not read again by the next build that has it (a Java runtime's 25 MB
 * layer, a Debian package's). Keyed by {@link #key}: the layer's digest, plinth's version, this
 * format and the limits it was read under, which is everything that decides what the reader
 * finds. Bytes that do not read back as this format (a damaged or foreign file) are a miss.
 *
 * <p>It keeps the loader's view only: of the small files whose whole content the audit reads,
 * just the loader's configuration (ld.so.conf, ld.so.conf.d, musl's ld-musl-*.path), never
 * /etc/shadow or a credential file an image may hold ({@link LayerReader#wantsContent}): those
 * are not written to the cache. It serves {@link LibraryClosure}, not the audit's other rules.
 */
final class LayerFacts {
  /** Bump when {@link LayerReader}, {@link FileFacts} or this format changes what is kept. */
  private static final int FORMAT = 1;
  private static final int MAGIC = 0x504c4643; // "PLFC"
  /** A cached entry larger than this is not believed (the reader's own metadata limit is 256 MiB). */
  static final int MAX_BYTES = 64 << 20;

  static String key(Digest layer, Limits limits) {
    return Digest.of(("plinth layer facts " + FORMAT + "\n" + Version.PLINTH + "\n"
        + limits.key()
        + "\n" + layer).getBytes(StandardCharsets.UTF_8)).hex();
  }

  private static final int CLOSURE_MAGIC = 0x504c4d43; // "PLMC"

  /**
   * The key of what a whole image misses ({@link LibraryClosure.Missing}): everything that
   * decides it, the config (its digest holds the platform, the Env the loader reads and every
   * layer's diff id), the layers' digests, plinth's version, the format and the limits.
   */
  static String closureKey(Digest config, List<Digest> layers, String platform, Limits limits) {
    StringBuilder s = new StringBuilder("plinth library closure " + FORMAT + "\n"
        + Version.PLINTH + "\n" + limits.key() + "\n" + platform + "\n" + config + "\n");
    for (Digest d : layers) {
      s.append(d).append('\n');
    }
    return Digest.of(s.toString().getBytes(StandardCharsets.UTF_8)).hex();
  }

  static byte[] writeMissing(List<LibraryClosure.Missing> missing) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(CLOSURE_MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(missing.size());
      for (LibraryClosure.Missing m : missing) {
        string(out, m.name());
        out.writeBoolean(m.interpreter());
        strings(out, m.files());
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** What {@link #writeMissing} wrote, read defensively: anything else is an IOException. */
  static List<LibraryClosure.Missing> readMissing(byte[] bytes) throws IOException {
    if (bytes.length > MAX_BYTES) {
      throw new IOException("too large");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    if (in.readInt() != CLOSURE_MAGIC || in.readInt() != FORMAT) {
      throw new IOException("not this format");
    }
    int n = count(in, bytes.length);
    List<LibraryClosure.Missing> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String name = string(in);
      if (name == null) {
        throw new IOException("no name");
      }
      out.add(new LibraryClosure.Missing(name, in.readBoolean(), strings(in, bytes.length)));
    }
    if (in.read() >= 0) {
      throw new IOException("trailing bytes");
    }
    return List.copyOf(out);
  }

  static byte[] write(LayerChanges changes) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      LayerDiff<FileFacts> d = changes.diff();
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeInt(d.entries().size());
      for (LayerDiff.Entry<FileFacts> e : d.entries()) {
        out.writeInt(e.ordinal());
        string(out, e.path());
        out.writeByte(e.kind().ordinal());
        string(out, e.hardlinkTo());
        out.writeInt(e.mode());
        out.writeLong(e.uid());
        out.writeLong(e.gid());
        out.writeLong(e.size());
        string(out, e.link());
        facts(out, e.content(), loaderReads(e.path()));
      }
      strings(out, d.whiteouts());
      strings(out, d.opaqueDirs());
      out.writeInt(d.notes().size());
      for (LayerDiff.Note n : d.notes()) {
        out.writeByte(n.kind().ordinal());
        string(out, n.path());
        string(out, n.message());
      }
      out.writeInt(d.droppedNotes());
      out.writeLong(d.uncompressedBytes());
      out.writeLong(d.metadataBytes());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e); // a byte array does not fail
    }
    return bytes.toByteArray();
  }

  /** The changes {@code bytes} hold; throws IOException for anything not written by {@link #write}. */
  static LayerChanges read(byte[] bytes) throws IOException {
    if (bytes.length > MAX_BYTES) {
      throw new IOException("too large");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
      throw new IOException("not this format");
    }
    int n = count(in, bytes.length);
    List<LayerDiff.Entry<FileFacts>> entries = new ArrayList<>(n);
    Filesystem.Kind[] kinds = Filesystem.Kind.values();
    for (int i = 0; i < n; i++) {
      int ordinal = in.readInt();
      String path = string(in);
      int kind = in.readUnsignedByte();
      if (path == null || kind >= kinds.length) {
        throw new IOException("bad entry");
      }
      entries.add(new LayerDiff.Entry<>(ordinal, path, kinds[kind], string(in), in.readInt(),
          in.readLong(), in.readLong(), in.readLong(), string(in), facts(in, bytes.length)));
    }
    List<String> whiteouts = strings(in, bytes.length);
    List<String> opaque = strings(in, bytes.length);
    int notes = count(in, bytes.length);
    List<LayerDiff.Note> noteList = new ArrayList<>(notes);
    LayerDiff.NoteKind[] noteKinds = LayerDiff.NoteKind.values();
    for (int i = 0; i < notes; i++) {
      int kind = in.readUnsignedByte();
      if (kind >= noteKinds.length) {
        throw new IOException("bad note");
      }
      noteList.add(new LayerDiff.Note(noteKinds[kind], string(in), string(in)));
    }
    int dropped = in.readInt();
    long uncompressed = in.readLong();
    long metadata = in.readLong();
    if (in.read() != -1) {
      throw new IOException("trailing bytes");
    }
    LayerDiff<FileFacts> diff = LayerDiff.of(entries, whiteouts, opaque, noteList, dropped,
        uncompressed, metadata);
    List<LayerChanges.Note> out = new ArrayList<>();
    for (LayerDiff.Note note : noteList) {
      out.add(LayerChanges.Note.of(note));
    }
    if (dropped > 0) {
      out.add(new LayerChanges.Note(Rule.PL054, null, "and " + dropped
          + " more findings about this layer's entries"));
    }
    return new LayerChanges(diff, List.copyOf(out));
  }

  /** Whether the loader reads {@code path}'s content: the only content kept. */
  static boolean loaderReads(String path) {
    String base = FsTree.name(path);
    return base.equals("ld.so.conf") || FsTree.name(FsTree.parent(path)).equals("ld.so.conf.d")
        || (base.startsWith("ld-musl-") && base.endsWith(".path"));
  }

  private static void facts(DataOutputStream out, FileFacts f, boolean keepContent)
      throws IOException {
    out.writeBoolean(f != null);
    if (f == null) {
      return;
    }
    byte[] content = keepContent ? f.content() : null;
    out.writeInt(content == null ? -1 : content.length);
    if (content != null) {
      out.write(content);
    }
    out.writeBoolean(f.elf() != null);
    if (f.elf() != null) {
      FileFacts.Elf e = f.elf();
      out.writeInt(e.machine());
      out.writeInt(e.type());
      out.writeBoolean(e.is64());
      string(out, e.interpreter());
      strings(out, e.needed());
      strings(out, e.runpath());
    }
    string(out, f.elfError());
    out.writeBoolean(f.privateKey());
    string(out, f.shebang());
  }

  private static FileFacts facts(DataInputStream in, int max) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    int length = in.readInt();
    if (length < -1 || length > max) {
      throw new IOException("bad content length");
    }
    byte[] content = length < 0 ? null : in.readNBytes(length);
    if (content != null && content.length != length) {
      throw new IOException("truncated");
    }
    FileFacts.Elf elf = null;
    if (in.readBoolean()) {
      elf = new FileFacts.Elf(in.readInt(), in.readInt(), in.readBoolean(), string(in),
          strings(in, max), strings(in, max));
    }
    return new FileFacts(content, elf, string(in), in.readBoolean(), string(in));
  }

  private static void string(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String string(DataInputStream in) throws IOException {
    int length = in.readInt();
    if (length < -1 || length > MAX_BYTES) {
      throw new IOException("bad string length");
    }
    if (length < 0) {
      return null;
    }
    byte[] b = in.readNBytes(length);
    if (b.length != length) {
      throw new IOException("truncated");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static void strings(DataOutputStream out, List<String> list) throws IOException {
    out.writeInt(list.size());
    for (String s : list) {
      string(out, s);
    }
  }

  private static List<String> strings(DataInputStream in, int max) throws IOException {
    int n = count(in, max);
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String s = string(in);
      if (s == null) {
        throw new IOException("null in a list");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  /** A count no larger than the bytes left could hold (each item takes at least 4 bytes). */
  private static int count(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max / 4) {
      throw new IOException("bad count");
    }
    return n;
  }

  private LayerFacts() {}
}
