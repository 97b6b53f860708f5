package dev.plinth.builder;

import dev.plinth.oci.ZipDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The META-INF/maven/GROUP/ARTIFACT/pom.properties entries of a jar, found by their names in its
 * central directory ({@link ZipDirectory}), compared as bytes: the JDK's ZipFile makes a
 * ZipEntry, name decoded, of each of a jar's entries to list them (the large bench app's 86 jars
 * hold 64,000), some 60 ms of CPU in a fresh JVM, where this reads the one or two entries it
 * wants. Anything it does not read as expected (what ZipDirectory does not read, a local header
 * or size out of range, a compression other than none or deflate) gives null, and the caller
 * reads the jar with ZipFile, as before.
 */
final class PomEntries {
  private static final byte[] PREFIX = "META-INF/maven/".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SUFFIX = "/pom.properties".getBytes(StandardCharsets.US_ASCII);

  private PomEntries() {}

  /**
   * The content of each pom.properties entry (in central directory order), at most {@code max}
   * bytes of each; null when this does not read the jar (the caller's ZipFile does then).
   */
  static List<byte[]> read(Path jar, int max) throws IOException {
    try (FileChannel ch = FileChannel.open(jar)) {
      ZipDirectory dir = ZipDirectory.read(ch, 0, ch.size());
      if (dir == null) {
        return null;
      }
      List<byte[]> out = new ArrayList<>();
      while (dir.next()) {
        // META-INF/maven/GROUP/ARTIFACT/pom.properties: the prefix, the suffix, four slashes
        if (dir.nameIs(PREFIX, SUFFIX) && dir.name().chars().filter(c -> c == '/').count() == 4) {
          byte[] content = content(dir, max);
          if (content == null) {
            return null;
          }
          out.add(content);
        }
      }
      return dir.complete() ? out : null;
    } catch (RuntimeException | DataFormatException e) {
      return null;
    }
  }

  /** The current entry's first {@code max} bytes at most; null when they cannot be read. */
  private static byte[] content(ZipDirectory dir, int max)
      throws IOException, DataFormatException {
    long compressed = dir.compressedSize();
    long length = dir.size();
    if (compressed > 4L * max + 1024) {
      return null; // ZipFile streams a bigger one
    }
    byte[] raw = dir.storedData();
    if (raw == null) {
      return null;
    }
    int want = (int) Math.min(max, length);
    if (dir.method() == 0) {
      return compressed == length ? java.util.Arrays.copyOf(raw, want) : null;
    }
    if (dir.method() != 8) {
      return null;
    }
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(raw);
      byte[] buf = new byte[want];
      int n = 0;
      while (n < want && !inf.finished()) {
        int got = inf.inflate(buf, n, want - n);
        if (got == 0 && (inf.needsInput() || inf.needsDictionary())) {
          break;
        }
        n += got;
      }
      return n == want ? buf : null;
    } finally {
      inf.end();
    }
  }
}
