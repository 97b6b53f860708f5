package dev.plinth.deb.testing;

import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarWriter;
import io.airlift.compress.zstd.ZstdOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Builds .deb bytes for tests, laid out as {@code dpkg-deb --build} lays them out: an ar archive
 * of {@code debian-binary} ("2.0\n"), {@code control.tar[.EXT]} (./, ./control, then the other
 * control files) and {@code data.tar[.EXT]} (./, then the entries as added, named {@code ./path}).
 * Owners, modes and times are explicit, so the same calls give the same bytes.
 *
 * <pre>{@code
 * byte[] deb = TestDeb.of("tini", "0.19.0-1", "amd64")
 *     .dir("/usr/bin", 0755)
 *     .file("/usr/bin/tini", "#!tini", 0755)
 *     .symlink("/usr/bin/init", "tini")
 *     .build();
 * }</pre>
 *
 * For hostile tests: {@link #members()} gives the ar members to drop, reorder or replace ({@link
 * Member} takes any raw header field), {@link #dataTar(byte[])} takes any tar bytes (see {@link
 * #tarHeader} and {@link #tar}), {@link #controlText(String)} any control file, and {@link
 * #sparse} writes a file whose last member claims a size without the bytes being allocated.
 */
public final class TestDeb {
  /** How a tarball member is compressed; the name is the member's extension. */
  public enum Compression {
    NONE(""), GZ(".gz"), XZ(".xz"), ZST(".zst");

    public final String ext;

    Compression(String ext) {
      this.ext = ext;
    }
  }

  /** The mtime written everywhere (ar headers and tar entries). */
  public static final long MTIME = 1_700_000_000L;

  private record Entry(TarEntry header, byte[] content) {}

  private final Map<String, String> fields = new LinkedHashMap<>();
  private final Map<String, byte[]> controlFiles = new LinkedHashMap<>();
  private final List<Entry> entries = new ArrayList<>();
  private String controlText;
  private byte[] dataTar;
  private Compression controlCompression = Compression.GZ;
  private Compression dataCompression = Compression.XZ;

  private TestDeb() {}

  /** A package with Package, Version, Architecture, Maintainer and a two-line Description. */
  public static TestDeb of(String name, String version, String arch) {
    return new TestDeb()
        .field("Package", name)
        .field("Version", version)
        .field("Architecture", arch)
        .field("Maintainer", "Plinth Tests <tests@plinth.dev>")
        .field("Description", name + " for tests\nA package built by plinth's TestDeb.\n\nIt does nothing.");
  }

  /**
   * Sets a control field. A multi-line value is written as continuation lines (" text", and
   * " ." for an empty line), so {@code Control.Paragraph.get} gives it back as given.
   */
  public TestDeb field(String name, String value) {
    fields.put(name, value);
    return this;
  }

  /** The control fields, in order. */
  public Map<String, String> fields() {
    return new LinkedHashMap<>(fields);
  }

  /** Replaces the generated control file with this text, as is. */
  public TestDeb controlText(String text) {
    this.controlText = text;
    return this;
  }

  /** Adds a file to the control tarball, e.g. "md5sums", "postinst", "conffiles". */
  public TestDeb controlFile(String name, String content) {
    return controlFile(name, content.getBytes(StandardCharsets.UTF_8));
  }

  public TestDeb controlFile(String name, byte[] content) {
    controlFiles.put(name, content.clone());
    return this;
  }

  public TestDeb controlCompression(Compression c) {
    this.controlCompression = c;
    return this;
  }

  public TestDeb dataCompression(Compression c) {
    this.dataCompression = c;
    return this;
  }

  public TestDeb dir(String path, int mode) {
    return dir(path, mode, 0, 0);
  }

  public TestDeb dir(String path, int mode, long uid, long gid) {
    return entry(new TarEntry(tarName(path) + "/", TarEntry.Type.DIRECTORY, mode, uid, gid, 0,
        null, MTIME), new byte[0]);
  }

  public TestDeb file(String path, String content, int mode) {
    return file(path, content.getBytes(StandardCharsets.UTF_8), mode, 0, 0);
  }

  public TestDeb file(String path, byte[] content, int mode, long uid, long gid) {
    return entry(new TarEntry(tarName(path), TarEntry.Type.FILE, mode, uid, gid, content.length,
        null, MTIME), content);
  }

  /** A symlink; the target is written as given. */
  public TestDeb symlink(String path, String target) {
    return entry(new TarEntry(tarName(path), TarEntry.Type.SYMLINK, 0777, 0, 0, 0, target, MTIME),
        new byte[0]);
  }

  /** A hardlink to an absolute path, written as dpkg-deb does ("./usr/bin/x"). */
  public TestDeb hardlink(String path, String target, int mode) {
    return entry(new TarEntry(tarName(path), TarEntry.Type.HARDLINK, mode, 0, 0, 0,
        tarName(target), MTIME), new byte[0]);
  }

  /** Any tar entry, its name and link written exactly as given. */
  public TestDeb entry(TarEntry header, byte[] content) {
    entries.add(new Entry(header, content));
    return this;
  }

  /** Replaces the data tarball (before compression) with these bytes, as is. */
  public TestDeb dataTar(byte[] tar) {
    this.dataTar = tar.clone();
    return this;
  }

  /** The .deb. */
  public byte[] build() {
    return ar(members());
  }

  /** Writes the .deb to {@code file} and returns the file. */
  public Path write(Path file) throws IOException {
    Files.write(file, build());
    return file;
  }

  /** The three members in dpkg's order, as a mutable list to drop, reorder or replace. */
  public List<Member> members() {
    List<Member> m = new ArrayList<>();
    m.add(Member.of("debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII)));
    m.add(Member.of("control.tar" + controlCompression.ext,
        compress(controlTar(), controlCompression)));
    m.add(Member.of("data.tar" + dataCompression.ext,
        compress(dataTar == null ? dataTarFromEntries() : dataTar, dataCompression)));
    return m;
  }

  /** The control file's text, as it goes into the control tarball. */
  public String controlFileText() {
    if (controlText != null) {
      return controlText;
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> f : fields.entrySet()) {
      String[] lines = f.getValue().split("\n", -1);
      sb.append(f.getKey()).append(": ").append(lines[0]).append('\n');
      for (int i = 1; i < lines.length; i++) {
        sb.append(lines[i].isEmpty() ? " ." : " " + lines[i]).append('\n');
      }
    }
    return sb.toString();
  }

  private byte[] controlTar() {
    List<Entry> c = new ArrayList<>();
    c.add(new Entry(new TarEntry("./", TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, null, MTIME),
        new byte[0]));
    byte[] control = controlFileText().getBytes(StandardCharsets.UTF_8);
    c.add(new Entry(new TarEntry("./control", TarEntry.Type.FILE, 0644, 0, 0, control.length, null,
        MTIME), control));
    for (Map.Entry<String, byte[]> f : controlFiles.entrySet()) {
      int mode = f.getKey().endsWith("inst") || f.getKey().endsWith("rm") ? 0755 : 0644;
      c.add(new Entry(new TarEntry("./" + f.getKey(), TarEntry.Type.FILE, mode, 0, 0,
          f.getValue().length, null, MTIME), f.getValue()));
    }
    return tar(c);
  }

  private byte[] dataTarFromEntries() {
    List<Entry> d = new ArrayList<>();
    d.add(new Entry(new TarEntry("./", TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, null, MTIME),
        new byte[0]));
    d.addAll(entries);
    return tar(d);
  }

  private static String tarName(String absolute) {
    if (!absolute.startsWith("/")) {
      throw new IllegalArgumentException("use absolute paths, or entry() for raw names: " + absolute);
    }
    return "." + absolute;
  }

  private static byte[] tar(List<Entry> entries) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarWriter w = new TarWriter(out)) {
      for (Entry e : entries) {
        w.write(e.header(), new ByteArrayInputStream(e.content()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Compresses with the given method ({@link Compression#NONE}: as is). */
  public static byte[] compress(byte[] b, Compression c) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = switch (c) {
      case NONE -> out;
      case GZ -> new GZIPOutputStream(out);
      case XZ -> new XZOutputStream(out, new LZMA2Options());
      case ZST -> new ZstdOutputStream(out);
    }) {
      z.write(b);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  // ---- ar ----

  /**
   * One ar member: a 60-byte header made of raw text fields (each space-padded, or cut, to its
   * width) and the content. {@link #of} fills the fields as dpkg-deb does.
   */
  public record Member(String name, String mtime, String uid, String gid, String mode,
      String size, String end, byte[] content) {
    public static Member of(String name, byte[] content) {
      return new Member(name, Long.toString(MTIME), "0", "0", "100644",
          Integer.toString(content.length), "`\n", content);
    }

    public Member withName(String n) {
      return new Member(n, mtime, uid, gid, mode, size, end, content);
    }

    /** The size field as written, e.g. "12x" or a size the content does not have. */
    public Member withSize(String s) {
      return new Member(name, mtime, uid, gid, mode, s, end, content);
    }

    /** The two header-terminating bytes, normally "`\n". */
    public Member withEnd(String e) {
      return new Member(name, mtime, uid, gid, mode, size, e, content);
    }

    public Member withContent(byte[] c) {
      return new Member(name, mtime, uid, gid, mode, Integer.toString(c.length), end, c);
    }

    /** The 60 header bytes. */
    public byte[] header() {
      String h = field(name, 16) + field(mtime, 12) + field(uid, 6) + field(gid, 6)
          + field(mode, 8) + field(size, 10) + field(end, 2);
      return h.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String field(String s, int width) {
      return s.length() >= width ? s.substring(0, width) : s + " ".repeat(width - s.length());
    }
  }

  /** "!&lt;arch&gt;\n", then each member's header, content and a '\n' pad to an even offset. */
  public static byte[] ar(List<Member> members) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
    for (Member m : members) {
      out.writeBytes(m.header());
      out.writeBytes(m.content());
      if (m.content().length % 2 != 0) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  /**
   * Writes {@code head} and then {@code claimed} zero bytes as a sparse extension of the file:
   * a member whose header (ending {@code head}) claims a huge size, with the bytes "there" but
   * never allocated by the test.
   */
  public static Path sparse(Path file, byte[] head, long claimed) throws IOException {
    Files.write(file, head);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(head.length + claimed);
    }
    return file;
  }

  // ---- raw tar ----

  /**
   * A 512-byte ustar header with the given fields and a correct checksum; {@code type} is the
   * raw type flag ('0' file, '2' symlink, 'L' GNU long name, 'x' PAX...). Change bytes and call
   * {@link #checksum} to forge any other field.
   */
  public static byte[] tarHeader(String name, char type, int mode, long size, String link) {
    byte[] h = new byte[512];
    put(h, 0, name.getBytes(StandardCharsets.UTF_8), 100);
    put(h, 100, String.format("%07o\0", mode).getBytes(StandardCharsets.US_ASCII), 8);
    put(h, 108, "0000000\0".getBytes(StandardCharsets.US_ASCII), 8);
    put(h, 116, "0000000\0".getBytes(StandardCharsets.US_ASCII), 8);
    put(h, 124, String.format("%011o\0", size).getBytes(StandardCharsets.US_ASCII), 12);
    put(h, 136, String.format("%011o\0", MTIME).getBytes(StandardCharsets.US_ASCII), 12);
    h[156] = (byte) type;
    put(h, 157, (link == null ? "" : link).getBytes(StandardCharsets.UTF_8), 100);
    put(h, 257, "ustar\00000".getBytes(StandardCharsets.US_ASCII), 8);
    return checksum(h);
  }

  /** Recomputes a header's checksum in place and returns it. */
  public static byte[] checksum(byte[] h) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 8);
    return h;
  }

  /** A PAX extended header block ('x') with its records, padded; put it before a header. */
  public static byte[] paxHeader(Map<String, String> records) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : records.entrySet()) {
      String body = " " + e.getKey() + "=" + e.getValue() + "\n";
      int n = body.getBytes(StandardCharsets.UTF_8).length;
      int len = n + 1;
      while (len != n + Integer.toString(len).length()) {
        len = n + Integer.toString(len).length();
      }
      sb.append(len).append(body);
    }
    byte[] data = sb.toString().getBytes(StandardCharsets.UTF_8);
    return tar(false, tarHeader("./PaxHeaders/x", 'x', 0644, data.length, null), data);
  }

  /**
   * Concatenates raw blocks (headers, contents), padding each to 512 bytes, and ends the archive
   * with two zero blocks.
   */
  public static byte[] tar(byte[]... blocks) {
    return tar(true, blocks);
  }

  private static byte[] tar(boolean end, byte[]... blocks) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] b : blocks) {
      out.writeBytes(b);
      int rem = b.length % 512;
      if (rem != 0) {
        out.writeBytes(new byte[512 - rem]);
      }
    }
    if (end) {
      out.writeBytes(new byte[1024]);
    }
    return out.toByteArray();
  }

  private static void put(byte[] h, int off, byte[] b, int max) {
    System.arraycopy(b, 0, h, off, Math.min(b.length, max));
  }
}
