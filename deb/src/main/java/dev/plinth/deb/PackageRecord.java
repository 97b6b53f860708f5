package dev.plinth.deb;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One binary package as a Packages index lists it.
 *
 * @param depends Depends and Pre-Depends together: each inner list is a group of alternatives
 * <p>Only these fields are kept, not the paragraph: an index holds some 65,000 records per
 * architecture, and the status.d entry of an installed package comes from its .deb's own
 * control file.
 */
public record PackageRecord(
    String name,
    DebVersion version,
    String architecture,
    List<List<Relation>> depends,
    List<Relation> provides,
    String filename,
    long size,
    Digest sha256,
    String source) {

  /**
   * A relation such as {@code libc6 (>= 2.36)}; {@code op} and {@code version} are null when it
   * names no version.
   */
  public record Relation(String name, String op, DebVersion version) {
    public boolean satisfiedBy(DebVersion v) {
      return op == null || (v != null && v.satisfies(op, version));
    }

    @Override
    public String toString() {
      return name + (op == null ? "" : " (" + op + " " + version + ")");
    }
  }

  /** Reads a Packages paragraph; {@code what} names the index in errors. */
  /** The fields of a Packages paragraph that {@link #of} reads; an index keeps no others. */
  static final java.util.Set<String> FIELDS = java.util.Set.of("Package", "Version",
      "Pre-Depends", "Depends", "Provides", "Filename", "Size", "SHA256", "Source",
      "Architecture");

  public static PackageRecord of(Control.Paragraph p, String what) throws PlinthException {
    return of(p, what, new java.util.HashMap<>());
  }

  /**
   * Reads a Packages paragraph, sharing relation groups equal to one already read through
   * {@code seen} (one map for one index).
   */
  public static PackageRecord of(Control.Paragraph p, String what,
      Map<String, List<Relation>> seen) throws PlinthException {
    String name = required(p, "Package", what);
    String where = what + ": package " + name;
    DebVersion version;
    try {
      version = DebVersion.parse(required(p, "Version", where));
    } catch (IllegalArgumentException e) {
      throw bad(where + ": " + e.getMessage());
    }
    List<List<Relation>> depends = new ArrayList<>();
    depends.addAll(relations(p.get("Pre-Depends"), where, seen));
    depends.addAll(relations(p.get("Depends"), where, seen));
    List<Relation> provides = new ArrayList<>();
    for (List<Relation> group : relations(p.get("Provides"), where, seen)) {
      provides.addAll(group);
    }
    String filename = required(p, "Filename", where);
    if (filename.startsWith("/") || List.of(filename.split("/")).contains("..")) {
      throw bad(where + ": unsafe Filename '" + filename + "'");
    }
    long size;
    Digest sha256;
    try {
      size = Long.parseLong(required(p, "Size", where));
      sha256 = new Digest(required(p, "SHA256", where));
    } catch (IllegalArgumentException e) {
      throw bad(where + ": bad Size or SHA256: " + e.getMessage());
    }
    String source = p.get("Source");
    source = source == null ? name : source.split(" ")[0].intern();
    // Names, architectures and relations recur across the 65,000 records of an index: shared
    // and in lists of their own size, an index takes half the memory.
    return new PackageRecord(name.intern(), version, required(p, "Architecture", where).intern(),
        List.copyOf(depends), List.copyOf(provides), filename, size, sha256, source);
  }

  /**
   * The record of a .deb read from its own control file (a package an index no longer lists,
   * e.g. one plinth.lock pins and the cache holds), with where it was fetched from.
   */
  public static PackageRecord ofDeb(Control.Paragraph control, String filename, long size,
      Digest sha256, String what) throws PlinthException {
    Map<String, String> fields = new java.util.LinkedHashMap<>(control.fields());
    fields.put("Filename", filename);
    fields.put("Size", Long.toString(size));
    fields.put("SHA256", sha256.hex());
    return of(new Control.Paragraph(fields), what);
  }

  private static final java.util.regex.Pattern RELATION = java.util.regex.Pattern.compile(
      "([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\\s*(?:\\(\\s*(<<|<=|=|>=|>>|<|>)\\s*([^)\\s]+)\\s*\\))?");

  private static final java.util.regex.Pattern PROFILE =
      java.util.regex.Pattern.compile("<[!a-z]");

  /** Parses a relation field: comma-separated groups of '|'-separated alternatives. */
  static List<List<Relation>> relations(String field, String where) throws PlinthException {
    return relations(field, where, new java.util.HashMap<>());
  }

  /**
   * As {@link #relations(String, String)}, sharing equal groups through {@code seen}: the same
   * group ("libc6 (>= 2.34)") recurs in thousands of records of an index, and one object for
   * each takes a third of the index's memory away.
   */
  static List<List<Relation>> relations(String field, String where,
      Map<String, List<Relation>> seen) throws PlinthException {
    List<List<Relation>> out = new ArrayList<>();
    if (field == null || field.isBlank()) {
      return out;
    }
    for (String text : field.split(",")) {
      String group = text.trim();
      List<Relation> known = seen.get(group);
      if (known == null) {
        known = group(group, where);
        seen.put(group, known);
      }
      out.add(known);
    }
    return out;
  }

  private static List<Relation> group(String group, String where) throws PlinthException {
    List<Relation> alts = new ArrayList<>();
    for (String alt : group.split("\\|")) {
      String t = alt.trim();
      // Architecture qualifiers [amd64] and build profiles <!nocheck> (rare in binary indexes).
      if (t.indexOf('[') >= 0 || (t.indexOf('<') >= 0 && PROFILE.matcher(t).find())) {
        t = t.replaceAll("\\s*\\[[^]]*]", "").replaceAll("\\s*<[^>]*>", "");
      }
      var m = RELATION.matcher(t);
      if (!m.matches()) {
        throw bad(where + ": cannot read the relation '" + alt.trim() + "'");
      }
      DebVersion v = null;
      if (m.group(3) != null) {
        try {
          v = DebVersion.parse(m.group(3));
        } catch (IllegalArgumentException e) {
          throw bad(where + ": bad version in '" + alt.trim() + "'");
        }
      }
      alts.add(new Relation(m.group(1).intern(), m.group(2) == null ? null
          : m.group(2).intern(), v));
    }
    return List.copyOf(alts);
  }

  private static String required(Control.Paragraph p, String field, String where)
      throws PlinthException {
    String v = p.get(field);
    if (v == null || v.isBlank()) {
      throw bad(where + " has no " + field);
    }
    return v.trim();
  }

  private static PlinthException bad(String message) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, message);
  }
}
