package dev.plinth.deb;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The fields of a repository's Release file that plinth relies on, parsed from the text an {@link
 * InRelease} signature covers. Only SHA256 sums are trusted: a Release with MD5Sum or SHA1 alone
 * is refused, as apt refuses it.
 *
 * @param sha256 every index the Release lists, by path relative to {@code dists/SUITE/}
 * @param validUntil null when the Release sets none (Debian's main archive sets none)
 * @param acquireByHash whether the mirror also serves indexes under {@code by-hash/SHA256/}
 */
public record Release(
    String origin,
    String suite,
    String codename,
    Instant date,
    Instant validUntil,
    List<String> architectures,
    List<String> components,
    Map<String, FileHash> sha256,
    boolean acquireByHash) {

  /** The SHA256 sum and size the Release lists for one file. */
  public record FileHash(Digest sha256, long size) {}

  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern SIZE = Pattern.compile("[0-9]{1,18}");

  public Release {
    architectures = List.copyOf(architectures);
    components = List.copyOf(components);
    sha256 = Collections.unmodifiableMap(new TreeMap<>(sha256));
  }

  /**
   * The hash and size of one listed file, e.g. {@code main/binary-amd64/Packages.xz}; NOT_FOUND
   * naming the path and the suite when the Release does not list it.
   */
  public FileHash file(String path) throws PlinthException {
    FileHash h = sha256.get(path);
    if (h == null) {
      throw new PlinthException(Kind.NOT_FOUND, "the Release of suite " + suite + " does not list "
          + path + " (architectures: " + String.join(" ", architectures) + "; components: "
          + String.join(" ", components) + ")");
    }
    return h;
  }

  /**
   * Where to fetch a listed file so that it cannot change under us while the mirror updates:
   * {@code dir/by-hash/SHA256/<hex>} when the Release says Acquire-By-Hash, else the path itself.
   */
  public String fetchPath(String path) throws PlinthException {
    FileHash h = file(path);
    if (!acquireByHash) {
      return path;
    }
    int slash = path.lastIndexOf('/');
    String dir = slash < 0 ? "" : path.substring(0, slash + 1);
    return dir + "by-hash/SHA256/" + h.sha256().hex();
  }

  /**
   * Parses a Release (the signed text of an InRelease). BAD_INPUT naming {@code what} when a field
   * plinth needs is missing or malformed, or when there is no SHA256 field.
   */
  public static Release parse(String text, String what) throws PlinthException {
    Map<String, String> f = fields(text, what);
    String date = f.get("date");
    if (date == null) {
      throw bad(what, "has no Date field; a Release without a Date cannot be checked for replay");
    }
    String hashes = f.get("sha256");
    if (hashes == null) {
      List<String> weak = new ArrayList<>();
      for (String k : List.of("md5sum", "sha1")) {
        if (f.containsKey(k)) {
          weak.add(k.equals("md5sum") ? "MD5Sum" : "SHA1");
        }
      }
      throw bad(what, "has no SHA256 field" + (weak.isEmpty() ? "" : " (only "
          + String.join(" and ", weak) + ", which are too weak to trust)")
          + "; plinth, like apt, needs SHA256 sums");
    }
    return new Release(
        f.getOrDefault("origin", ""),
        f.getOrDefault("suite", ""),
        f.getOrDefault("codename", ""),
        date(date, "Date", what),
        f.containsKey("valid-until") ? date(f.get("valid-until"), "Valid-Until", what) : null,
        words(f.get("architectures")),
        words(f.get("components")),
        sums(hashes, what),
        "yes".equalsIgnoreCase(f.getOrDefault("acquire-by-hash", "no").trim()));
  }

  private static List<String> words(String v) {
    if (v == null || v.isBlank()) {
      return List.of();
    }
    return Arrays.asList(v.trim().split("\\s+"));
  }

  private static Map<String, FileHash> sums(String block, String what) throws PlinthException {
    Map<String, FileHash> m = new LinkedHashMap<>();
    for (String line : block.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] p = line.trim().split("\\s+");
      if (p.length != 3 || !HEX64.matcher(p[0]).matches() || !SIZE.matcher(p[1]).matches()) {
        throw bad(what, "has a malformed SHA256 line: '" + line.trim() + "'");
      }
      String path = p[2];
      if (path.startsWith("/") || path.contains("\\") || Arrays.asList(path.split("/")).contains("..")) {
        throw bad(what, "lists a file outside its suite directory: " + path);
      }
      if (m.put(path, new FileHash(new Digest(p[0]), Long.parseLong(p[1]))) != null) {
        throw bad(what, "lists " + path + " twice under SHA256");
      }
    }
    if (m.isEmpty()) {
      throw bad(what, "has an empty SHA256 field");
    }
    return m;
  }

  /** Release dates are RFC 2822 with a zone name: {@code Sat, 11 Jul 2026 10:16:37 UTC}. */
  static Instant date(String v, String field, String what) throws PlinthException {
    String s = v.trim().replaceAll("\\s+", " ");
    if (s.endsWith(" UTC") || s.endsWith(" GMT") || s.endsWith(" Z")) {
      s = s.substring(0, s.lastIndexOf(' ')) + " +0000";
    }
    try {
      return ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ENGLISH))
          .toInstant();
    } catch (DateTimeParseException e) {
      throw bad(what, "has an unreadable " + field + ": '" + v.trim()
          + "' (expected e.g. 'Sat, 11 Jul 2026 10:16:37 UTC')");
    }
  }

  /**
   * A deb822 reader for the one paragraph of a Release: field names lower-cased, continuation
   * lines joined with '\n'. Duplicate fields and stray lines are refused, since they would let two
   * readers of the same signed text see different values.
   */
  private static Map<String, String> fields(String text, String what) throws PlinthException {
    Map<String, String> f = new LinkedHashMap<>();
    Map<String, StringBuilder> more = new java.util.HashMap<>();
    String current = null;
    boolean ended = false;
    for (String line : text.split("\n", -1)) {
      if (line.isBlank()) {
        if (current != null) {
          ended = true;
        }
        continue;
      }
      if (ended) {
        throw bad(what, "has more than one paragraph; a Release has exactly one");
      }
      if (line.startsWith("#")) {
        continue;
      }
      if (line.startsWith(" ") || line.startsWith("\t")) {
        if (current == null) {
          throw bad(what, "starts with a continuation line: '" + line.trim() + "'");
        }
        // joined once the field ends: a Release lists thousands of files under one field
        StringBuilder v = more.computeIfAbsent(current, k -> new StringBuilder(f.get(k)));
        if (!v.isEmpty()) {
          v.append('\n');
        }
        v.append(line.trim());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw bad(what, "has a line that is not a field: '" + line + "'");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (f.containsKey(name)) {
        throw bad(what, "has the field " + line.substring(0, colon) + " twice");
      }
      f.put(name, line.substring(colon + 1).trim());
      current = name;
    }
    if (f.isEmpty()) {
      throw bad(what, "is empty");
    }
    more.forEach((name, v) -> f.put(name, v.toString()));
    return f;
  }

  private static PlinthException bad(String what, String msg) {
    return new PlinthException(Kind.BAD_INPUT, what + " " + msg);
  }
}
