package dev.plinth.deb;

import dev.plinth.oci.BulkFilterInputStream;
import dev.plinth.oci.Failure;
import dev.plinth.oci.ImagePath;
import dev.plinth.oci.LimitedInputStream;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import dev.plinth.oci.ZstdStream;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * A binary package (deb(5)) read in Java: an ar archive of {@code debian-binary}, {@code
 * control.tar[.gz|.xz|.zst]} and {@code data.tar[.gz|.xz|.zst]}. Nothing in it is trusted: the
 * structure, sizes and every path are checked, and anything that could write outside the image
 * root or through a link fails closed with BAD_INPUT naming the package.
 */
public final class DebPackage {
  /** The largest control tarball accepted, compressed and uncompressed. */
  static final long MAX_CONTROL_TAR = 16L << 20;
  /** The largest control file accepted. */
  static final long MAX_CONTROL_FILE = 4L << 20;

  /** One entry of the data tarball, its path absolute and normalized. */
  public record DataEntry(
      String path, TarEntry.Type type, int mode, long uid, long gid, long size, String linkTarget) {}

  /** Receives the data entries in archive order, with the content of regular files. */
  public interface DataVisitor {
    void entry(DataEntry e, InputStream content) throws IOException, PlinthException;
  }

  private final Path file;
  private final String what;
  private final Control.Paragraph control;
  private final Map<String, byte[]> controlFiles;
  private final String dataName;
  private final long dataOffset;
  private final long dataSize;

  private DebPackage(Path file, String what, Control.Paragraph control,
      Map<String, byte[]> controlFiles, String dataName, long dataOffset, long dataSize) {
    this.file = file;
    this.what = what;
    this.control = control;
    this.controlFiles = controlFiles;
    this.dataName = dataName;
    this.dataOffset = dataOffset;
    this.dataSize = dataSize;
  }

  /** Reads the structure and control data of a .deb; {@code what} names it in errors. */
  public static DebPackage open(Path deb, String what) throws IOException, PlinthException {
    long length = Files.size(deb);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(deb))) {
      ArReader ar = new ArReader(in, length, what);
      ArReader.Member first = ar.next();
      if (first == null || !first.name().equals("debian-binary")) {
        throw bad(what, "does not start with a debian-binary member"
            + (first == null ? "" : " (the first member is '" + first.name() + "')"));
      }
      byte[] version = ar.content().readNBytes(64);
      if (!new String(version, StandardCharsets.US_ASCII).startsWith("2.")) {
        throw bad(what, "has format version '"
            + new String(version, StandardCharsets.US_ASCII).strip() + "', not 2.x");
      }
      Map<String, byte[]> controlFiles = null;
      ArReader.Member m;
      while ((m = ar.next()) != null) {
        if (m.name().startsWith("control.tar")) {
          if (controlFiles != null) {
            throw bad(what, "has two control members");
          }
          if (m.size() > MAX_CONTROL_TAR) {
            throw bad(what, "has a " + m.size() + "-byte control member (the limit is "
                + MAX_CONTROL_TAR + ")");
          }
          byte[] packed = ar.content().readAllBytes();
          controlFiles = readControl(
              decompress(m.name().substring("control.tar".length()), new ByteArrayInputStream(packed),
                  what + " " + m.name()), what + " " + m.name());
        } else if (m.name().startsWith("data.tar")) {
          if (controlFiles == null) {
            throw bad(what, "has its data member before its control member");
          }
          Control.Paragraph control = controlParagraph(controlFiles, what);
          // Check the compression is one we read before anyone relies on this package.
          compression(m.name().substring("data.tar".length()), what + " " + m.name());
          return new DebPackage(deb, what, control, Collections.unmodifiableMap(controlFiles),
              m.name(), m.offset(), m.size());
        } else if (!m.name().startsWith("_")) {
          throw bad(what, "has an unexpected member '" + m.name() + "'");
        }
      }
      throw bad(what, controlFiles == null ? "has no control member" : "has no data member");
    }
  }

  /** The package's control paragraph. */
  public Control.Paragraph control() {
    return control;
  }

  /** Every regular file of the control tarball by name: control, md5sums, postinst, … */
  public Map<String, byte[]> controlFiles() {
    return controlFiles;
  }

  /** Streams the data tarball's entries to {@code visitor}, checking each one. */
  public void readData(DataVisitor visitor) throws IOException, PlinthException {
    String where = what + " " + dataName;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ch.position(dataOffset);
      InputStream raw = new BufferedInputStream(bounded(Channels.newInputStream(ch), dataSize, false));
      try (InputStream in = decompress(dataName.substring("data.tar".length()), raw, where)) {
        TarReader tar = new TarReader(in, where);
        Map<String, TarEntry.Type> seen = new HashMap<>();
        Set<String> links = new HashSet<>();
        TarEntry t;
        while ((t = tar.next()) != null) {
          DataEntry e = check(t, seen, links, where);
          if (e != null) {
            visitor.entry(e, e.type() == TarEntry.Type.FILE ? tar.content() : InputStream.nullInputStream());
          }
        }
        // Read to the end, so a corrupt compressed stream is noticed.
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    } catch (java.io.EOFException | java.util.zip.ZipException | org.tukaani.xz.XZIOException
        | io.airlift.compress.MalformedInputException e) {
      throw bad(what, "has a truncated or corrupt " + dataName + ": " + e.getMessage());
    } catch (StreamFailure e) { // the tar's or checked()'s, which name the member
      throw new PlinthException(e.kind(), e.getMessage(), e);
    }
  }

  /** Checks one data entry; null for the root directory. */
  private static DataEntry check(
      TarEntry t, Map<String, TarEntry.Type> seen, Set<String> links, String where)
      throws PlinthException {
    String name = t.name();
    if (name.startsWith("/")) {
      throw bad(where, "has an absolute path '" + name + "'");
    }
    while (name.startsWith("./")) {
      name = name.substring(2);
    }
    if (name.isEmpty() || name.equals(".")) {
      if (t.type() != TarEntry.Type.DIRECTORY) {
        throw bad(where, "has a " + t.type() + " at the root '" + t.name() + "'");
      }
      return null;
    }
    String path = "/" + normalize(name, t.name(), where);
    for (String p = ImagePath.parent(path.substring(1)); p != null; p = ImagePath.parent(p)) {
      if (links.contains("/" + p)) {
        throw bad(where, "writes '" + t.name() + "' through the symlink /" + p);
      }
      TarEntry.Type parentType = seen.get("/" + p);
      if (parentType != null && parentType != TarEntry.Type.DIRECTORY) {
        throw bad(where, "has '" + t.name() + "' under /" + p + ", which is not a directory");
      }
    }
    TarEntry.Type before = seen.put(path, t.type());
    if (before != null && !(before == TarEntry.Type.DIRECTORY && t.isDirectory())) {
      throw bad(where, "has '" + path + "' twice");
    }
    String link = null;
    switch (t.type()) {
      case DIRECTORY, FILE -> { }
      case SYMLINK -> {
        link = t.linkTarget();
        if (link == null || link.isEmpty() || link.indexOf('\0') >= 0) {
          throw bad(where, "has the symlink '" + path + "' with an empty target");
        }
        if (!link.startsWith("/")) {
          climbCheck(path, link, where);
        }
        links.add(path);
      }
      case HARDLINK -> {
        String target = t.linkTarget() == null ? "" : t.linkTarget();
        if (target.startsWith("/")) {
          throw bad(where, "has the hardlink '" + path + "' to the absolute path '" + target + "'");
        }
        while (target.startsWith("./")) {
          target = target.substring(2);
        }
        link = "/" + normalize(target, t.linkTarget(), where);
        if (seen.get(link) != TarEntry.Type.FILE) {
          throw bad(where, "has the hardlink '" + path + "' to '" + t.linkTarget()
              + "', which is not a regular file earlier in the archive");
        }
      }
      default -> throw bad(where, "has '" + path + "', a " + t.type()
          + "; plinth installs no device or fifo");
    }
    return new DataEntry(path, t.type(), t.mode(), t.uid(), t.gid(), t.size(), link);
  }

  /** A symlink's relative target must stay inside the root when resolved from its directory. */
  private static void climbCheck(String path, String link, String where) throws PlinthException {
    int depth = (int) path.chars().filter(c -> c == '/').count() - 1;
    for (String part : link.split("/")) {
      if (part.equals("..")) {
        depth--;
        if (depth < 0) {
          throw bad(where, "has the symlink '" + path + "' -> '" + link
              + "', which climbs out of the image root");
        }
      } else if (!part.isEmpty() && !part.equals(".")) {
        depth++;
      }
    }
  }

  private static String normalize(String name, String raw, String where) throws PlinthException {
    try {
      return ImagePath.normalize("/" + name);
    } catch (IllegalArgumentException e) {
      throw bad(where, "has an unsafe path '" + raw + "': " + e.getMessage());
    }
  }

  private static Map<String, byte[]> readControl(InputStream in, String where)
      throws IOException, PlinthException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (InputStream bounded = bounded(in, MAX_CONTROL_TAR, true)) {
      TarReader tar = new TarReader(bounded, where);
      TarEntry t;
      while ((t = tar.next()) != null) {
        if (t.type() != TarEntry.Type.FILE) {
          continue;
        }
        String name = t.name().startsWith("./") ? t.name().substring(2) : t.name();
        if (name.isEmpty() || name.contains("/") || name.contains("\0")) {
          throw bad(where, "has a control file with an unsafe name '" + t.name() + "'");
        }
        if (t.size() > MAX_CONTROL_FILE) {
          throw bad(where, "has a " + t.size() + "-byte control file '" + name
              + "' (the limit is " + MAX_CONTROL_FILE + ")");
        }
        if (files.put(name, tar.content().readAllBytes()) != null) {
          throw bad(where, "has the control file '" + name + "' twice");
        }
      }
    } catch (java.io.EOFException | java.util.zip.ZipException | org.tukaani.xz.XZIOException
        | io.airlift.compress.MalformedInputException e) {
      throw bad(where, "is truncated, corrupt or too large: " + e.getMessage());
    } catch (StreamFailure e) {
      throw new PlinthException(e.kind(), e.getMessage(), e);
    }
    return files;
  }

  private static Control.Paragraph controlParagraph(Map<String, byte[]> files, String what)
      throws IOException, PlinthException {
    byte[] control = files.get("control");
    if (control == null) {
      throw bad(what, "has no control file in its control member");
    }
    List<Control.Paragraph> ps =
        Control.parse(new ByteArrayInputStream(control), what + " control file");
    if (ps.size() != 1) {
      throw bad(what, "has " + ps.size() + " paragraphs in its control file, not 1");
    }
    return ps.get(0);
  }

  private enum Compression { NONE, GZIP, XZ, ZSTD }

  private static Compression compression(String suffix, String where) throws PlinthException {
    return switch (suffix) {
      case "" -> Compression.NONE;
      case ".gz" -> Compression.GZIP;
      case ".xz" -> Compression.XZ;
      case ".zst" -> Compression.ZSTD;
      default -> throw bad(where, "is compressed as '" + suffix
          + "', which plinth does not read (it reads none, .gz, .xz and .zst)");
    };
  }

  private static InputStream decompress(String suffix, InputStream in, String where)
      throws IOException, PlinthException {
    try {
      return checked(switch (compression(suffix, where)) {
        case NONE -> in;
        case GZIP -> new GZIPInputStream(in, 65536);
        case XZ -> Xz.open(in, 256 * 1024);
        case ZSTD -> new ZstdStream(in, where);
      }, where);
    } catch (org.tukaani.xz.MemoryLimitException e) {
      throw bad(where, "needs more memory to decompress than plinth allows: " + e.getMessage());
    } catch (java.util.zip.ZipException | org.tukaani.xz.XZIOException | java.io.EOFException
        | io.airlift.compress.MalformedInputException e) {
      throw bad(where, "is not valid " + suffix + " data: " + e.getMessage());
    }
  }

  /**
   * {@code in}, whose complaints about the bytes are a failure naming {@code where}: each
   * decompressor has its own exceptions for corrupt data (aircompressor's zstd a bare IOException
   * "Not enough input bytes", found by DebianFuzzTest), which would otherwise leave as an I/O
   * error (exit 5). A failure of the file system underneath stays what it is.
   */
  private static InputStream checked(InputStream in, String where) {
    return new BulkFilterInputStream(in) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return in.read(b, off, len);
        } catch (IOException | io.airlift.compress.MalformedInputException e) {
          if (e instanceof Failure || e instanceof java.nio.file.FileSystemException) {
            throw e;
          }
          throw new StreamFailure(PlinthException.Kind.BAD_INPUT, where
              + " is truncated or corrupt: " + e.getMessage(), e);
        }
      }
    };
  }

  /**
   * At most {@code limit} bytes of {@code in}; when {@code strict}, more is an error (a
   * decompression bomb), not a silent cut.
   */
  private static InputStream bounded(InputStream in, long limit, boolean strict) {
    return new LimitedInputStream(in, limit, null, strict ? "more than " + limit + " bytes" : null);
  }


  private static PlinthException bad(String what, String why) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, what + " is not a safe .deb: it " + why);
  }
}
