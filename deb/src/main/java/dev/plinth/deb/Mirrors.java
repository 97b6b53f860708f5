package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Which Debian mirror to use: the one the user names in {@value #ENV}, else the one the host's
 * apt already uses for Debian's main archive. plinth names no mirror of its own.
 */
public final class Mirrors {
  /** Overrides the mirror: the archive's base URL, the one that has {@code dists/} below it. */
  public static final String ENV = "PLINTH_DEBIAN_MIRROR";

  private static final Path ETC_APT = Path.of("/etc/apt");
  private static final Set<String> DEBIAN_SUITES = Set.of("oldoldstable", "oldstable", "stable",
      "testing", "unstable", "sid", "experimental", "jessie", "stretch", "buster", "bullseye",
      "bookworm", "trixie", "forky", "duke");

  /**
   * A Debian archive and the suites the host's apt uses from it.
   *
   * @param uri the base, ending in '/', e.g. {@code http://mirror/debian/}
   * @param suites the suites configured for it (empty when the mirror came from {@value #ENV})
   * @param origin where it was found: the environment variable or the apt file
   */
  public record Source(URI uri, List<String> suites, String origin) {
    public Source {
      suites = List.copyOf(suites);
    }
  }

  /**
   * The base URI of the Debian archive to fetch from; NOT_FOUND with instructions if none.
   *
   * @param override the value of {@value #ENV} in the environment the front end read, or null
   */
  public static URI debian(String override) throws PlinthException {
    return debianSource(override).uri();
  }

  /**
   * The Debian archive to fetch from, with the suites apt uses from it: {@code override}, else
   * the host's apt configuration in /etc/apt (read when asked, as a file plinth reads).
   *
   * @param override the value of {@value #ENV} in the environment the front end read, or null
   */
  public static Source debianSource(String override) throws PlinthException {
    return find(override, ETC_APT);
  }

  static Source find(String override, Path etcApt) throws PlinthException {
    if (override != null && !override.isBlank()) {
      URI u = base(override.trim());
      if (u == null) {
        throw new PlinthException(Kind.USAGE, ENV + " is '" + override
            + "', which is not an http:// or https:// URL of a Debian archive");
      }
      return new Source(u, List.of(), ENV);
    }
    List<Entry> entries = aptEntries(etcApt);
    Entry chosen = null;
    for (Entry e : entries) {
      if (isDebianMain(e) && (chosen == null || !isDebianPath(chosen) && isDebianPath(e))) {
        chosen = e;
      }
    }
    if (chosen == null) {
      throw new PlinthException(Kind.NOT_FOUND, "found no Debian mirror: set " + ENV
          + " to the base URL of a Debian archive (the URL apt uses, with dists/ below it), or"
          + " configure apt with Debian's main archive in " + etcApt.resolve("sources.list")
          + " or " + etcApt.resolve("sources.list.d") + " (looked at " + entries.size()
          + " enabled apt entries)");
    }
    List<String> suites = new ArrayList<>();
    for (Entry e : entries) {
      if (e.uri.equals(chosen.uri) && isDebianMain(e) && !suites.contains(e.suite)) {
        suites.add(e.suite);
      }
    }
    return new Source(chosen.uri, suites, chosen.file);
  }

  /** One enabled "deb" line: a URI and a suite, and whether it names Debian's keyring. */
  record Entry(URI uri, String suite, boolean debianKeyring, String file) {}

  private static boolean isDebianMain(Entry e) {
    String s = e.suite.toLowerCase(Locale.ROOT);
    if (s.endsWith("-security") || s.endsWith("/updates")
        || e.uri.toString().toLowerCase(Locale.ROOT).contains("security")) {
      return false;
    }
    String base = s.replaceAll("-(updates|proposed-updates|backports|backports-sloppy)$", "");
    return DEBIAN_SUITES.contains(base) || e.debianKeyring || isDebianPath(e);
  }

  private static boolean isDebianPath(Entry e) {
    String p = e.uri.getPath() == null ? "" : e.uri.getPath();
    return p.endsWith("/debian/");
  }

  /** The enabled "deb" entries of sources.list and sources.list.d, in apt's order. */
  static List<Entry> aptEntries(Path etcApt) throws PlinthException {
    List<Entry> out = new ArrayList<>();
    Path list = etcApt.resolve("sources.list");
    if (Files.isRegularFile(list)) {
      oneLine(list, out);
    }
    Path dir = etcApt.resolve("sources.list.d");
    if (Files.isDirectory(dir)) {
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.sorted().toList();
      } catch (IOException e) {
        throw new PlinthException(Kind.NOT_FOUND, "cannot list " + dir + ": " + e.getMessage(), e);
      }
      for (Path f : files) {
        String name = f.getFileName().toString();
        // apt reads only these two suffixes; *.disabled, *.save, *.dpkg-old etc. are off.
        if (name.endsWith(".list") && Files.isRegularFile(f)) {
          oneLine(f, out);
        } else if (name.endsWith(".sources") && Files.isRegularFile(f)) {
          deb822(f, out);
        }
      }
    }
    return out;
  }

  private static List<String> read(Path f) throws PlinthException {
    try {
      return Files.readAllLines(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new PlinthException(Kind.NOT_FOUND, "cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  /** {@code deb [opt=value ...] uri suite [component ...]}, with # comments. */
  private static void oneLine(Path f, List<Entry> out) throws PlinthException {
    for (String raw : read(f)) {
      int hash = raw.indexOf('#');
      String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
      if (line.isEmpty()) {
        continue;
      }
      String options = "";
      if (line.matches("^\\S+\\s+\\[.*")) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open);
        if (close < 0) {
          continue; // apt refuses such a line; so do we
        }
        options = line.substring(open + 1, close);
        line = line.substring(0, open) + " " + line.substring(close + 1);
      }
      String[] t = line.trim().split("\\s+");
      if (t.length < 3 || !t[0].equals("deb")) {
        continue;
      }
      URI u = base(t[1]);
      if (u != null) {
        out.add(new Entry(u, t[2], options.contains("debian-archive-keyring"), f.toString()));
      }
    }
  }

  /** deb822 paragraphs with Types, URIs, Suites, Enabled and Signed-By. */
  private static void deb822(Path f, List<Entry> out) throws PlinthException {
    List<Map<String, String>> paragraphs = new ArrayList<>();
    Map<String, String> p = new LinkedHashMap<>();
    String last = null;
    for (String line : read(f)) {
      if (line.startsWith("#")) {
        continue;
      }
      if (line.isBlank()) {
        if (!p.isEmpty()) {
          paragraphs.add(p);
          p = new LinkedHashMap<>();
        }
        last = null;
        continue;
      }
      if (Character.isWhitespace(line.charAt(0))) {
        if (last != null) {
          p.put(last, p.get(last) + "\n" + line.trim());
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        last = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        p.put(last, line.substring(colon + 1).trim());
      }
    }
    if (!p.isEmpty()) {
      paragraphs.add(p);
    }
    for (Map<String, String> para : paragraphs) {
      if (para.getOrDefault("enabled", "yes").trim().equalsIgnoreCase("no")
          || !words(para.get("types")).contains("deb")) {
        continue;
      }
      boolean debianKeyring = para.getOrDefault("signed-by", "").contains("debian-archive-keyring");
      for (String uri : words(para.get("uris"))) {
        URI u = base(uri);
        if (u == null) {
          continue;
        }
        for (String suite : words(para.get("suites"))) {
          out.add(new Entry(u, suite, debianKeyring, f.toString()));
        }
      }
    }
  }

  private static List<String> words(String v) {
    return v == null || v.isBlank() ? List.of() : Arrays.asList(v.trim().split("\\s+"));
  }

  /** An http(s) URI ending in '/', or null for anything else (cdrom:, file:, mirror+…). */
  static URI base(String text) {
    try {
      URI u = new URI(text.endsWith("/") ? text : text + "/");
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null
          || u.getRawQuery() != null || u.getRawFragment() != null) {
        return null;
      }
      return u;
    } catch (URISyntaxException e) {
      return null;
    }
  }

  private Mirrors() {}
}
