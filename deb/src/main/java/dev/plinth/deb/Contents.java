package dev.plinth.deb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which packages ship a library, from a Debian Contents index ({@code dists/SUITE/COMPONENT/
 * Contents-ARCH.gz}: one line per file, "PATH  SECTION/PACKAGE[,SECTION/PACKAGE...]"). The index
 * is streamed line by line, in bounded memory: only the lines of the files asked for are kept.
 *
 * <p>A name is either a file name the loader looks for ("libz.so.1"), matched in any directory
 * and best in one the loader searches by default (lib, lib64, lib/TRIPLET and their /usr
 * twins), or an absolute path (a program interpreter, "/lib64/ld-linux-x86-64.so.2"), matched
 * with and without /usr in front, since merged-/usr releases list either.
 */
public final class Contents {
  /** Lines longer than this are not file lines (Debian's longest are a few hundred bytes). */
  private static final int MAX_LINE = 8192;
  /** The most packages named for one file. */
  static final int MAX_PACKAGES = 5;

  private final Map<String, String> wantedByBase = new HashMap<>();
  /** By name asked for: rank (0 best) to packages. */
  private final Map<String, TreeMap<Integer, Set<String>>> found = new HashMap<>();

  private Contents(Collection<String> names) {
    for (String n : names) {
      wantedByBase.put(n.substring(n.lastIndexOf('/') + 1), n);
    }
  }

  /**
   * For each of {@code names}, the packages that ship it, best matches first (at most {@value
   * #MAX_PACKAGES}); a name no line matches is absent from the map.
   *
   * @param in the uncompressed index
   */
  public static Map<String, List<String>> search(InputStream in, Collection<String> names)
      throws IOException {
    Contents c = new Contents(names);
    byte[] line = new byte[MAX_LINE];
    byte[] buf = new byte[1 << 16];
    int len = 0;
    boolean overlong = false;
    for (int r; (r = in.read(buf)) >= 0; ) {
      for (int i = 0; i < r; i++) {
        byte b = buf[i];
        if (b == '\n') {
          if (!overlong) {
            c.line(line, len);
          }
          len = 0;
          overlong = false;
        } else if (len < MAX_LINE) {
          line[len++] = b;
        } else {
          overlong = true;
        }
      }
    }
    if (!overlong && len > 0) {
      c.line(line, len);
    }
    Map<String, List<String>> out = new TreeMap<>();
    c.found.forEach((name, ranks) -> {
      List<String> p = new ArrayList<>(ranks.firstEntry().getValue());
      out.put(name, List.copyOf(p.subList(0, Math.min(MAX_PACKAGES, p.size()))));
    });
    return out;
  }

  private void line(byte[] b, int len) {
    int end = len;
    while (end > 0 && (b[end - 1] == ' ' || b[end - 1] == '\t' || b[end - 1] == '\r')) {
      end--;
    }
    int sep = end;
    while (sep > 0 && b[sep - 1] != ' ' && b[sep - 1] != '\t') {
      sep--;
    }
    int pathEnd = sep;
    while (pathEnd > 0 && (b[pathEnd - 1] == ' ' || b[pathEnd - 1] == '\t')) {
      pathEnd--;
    }
    if (sep == 0 || pathEnd == 0) {
      return; // not "PATH LOCATION" (a header line of an old index)
    }
    int slash = pathEnd - 1;
    while (slash >= 0 && b[slash] != '/') {
      slash--;
    }
    String wanted = wantedByBase.get(new String(b, slash + 1, pathEnd - slash - 1,
        StandardCharsets.UTF_8));
    if (wanted == null) {
      return;
    }
    String path = new String(b, 0, pathEnd, StandardCharsets.UTF_8);
    int rank = rank(wanted, path);
    if (rank < 0) {
      return;
    }
    Set<String> packages = found.computeIfAbsent(wanted, k -> new TreeMap<>())
        .computeIfAbsent(rank, k -> new LinkedHashSet<>());
    for (String location : new String(b, sep, end - sep, StandardCharsets.UTF_8).split(",")) {
      String p = location.substring(location.lastIndexOf('/') + 1).strip();
      if (!p.isEmpty()) {
        packages.add(p);
      }
    }
  }

  /** 0 for the best match, higher for worse ones, -1 for none. */
  private static int rank(String wanted, String path) {
    String p = unUsr(path.startsWith("/") ? path.substring(1) : path);
    if (wanted.startsWith("/")) {
      return p.equals(unUsr(wanted.substring(1))) ? 0 : 2;
    }
    String dir = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "";
    boolean loaderDir = dir.equals("lib") || dir.equals("lib64") || dir.equals("lib32")
        || (dir.startsWith("lib/") && dir.indexOf('/', 4) < 0 && dir.endsWith("-linux-gnu"))
        || (dir.startsWith("lib/") && dir.indexOf('/', 4) < 0 && dir.contains("-linux-gnueabi"));
    return loaderDir ? 0 : 1;
  }

  private static String unUsr(String p) {
    return p.startsWith("usr/") ? p.substring(4) : p;
  }
}
