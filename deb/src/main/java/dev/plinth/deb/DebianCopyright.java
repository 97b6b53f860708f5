package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The licenses of a package as its machine-readable copyright file
 * (usr/share/doc/PKG/copyright, DEP-5: {@code Format: .../copyright-format/1.0/}) gives them,
 * as one SPDX license expression: each Files paragraph's License short name, Debian's names
 * mapped to SPDX identifiers (GPL-2+ is GPL-2.0-or-later), joined with AND; a name SPDX does not
 * know becomes {@code LicenseRef-<name>}.
 */
public final class DebianCopyright {
  /** SPDX identifiers that Debian writes as they are, in any case ({@code zlib} for Zlib). */
  private static final List<String> SPDX = List.of("LGPL-2.1", "GFDL-1.2", "GFDL-1.3",
      "Apache-2.0", "MIT", "ISC", "Zlib", "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause",
      "MPL-1.1", "MPL-2.0", "Artistic-2.0", "CC0-1.0", "OpenSSL", "bzip2-1.0.6", "curl",
      "Unicode-DFS-2016", "X11", "IJG", "Libpng", "libpng-2.0", "FTL",
      "MPL-2.0-no-copyleft-exception", "EPL-1.0", "EPL-2.0", "CDDL-1.0", "Python-2.0",
      "Unlicense", "WTFPL", "0BSD", "BSL-1.0");
  /** Debian's short names (lower case, without a trailing +) and their SPDX identifiers. */
  private static final Map<String, String> NAMES = names(Map.ofEntries(
      Map.entry("gpl-1", "GPL-1.0"), Map.entry("gpl-2", "GPL-2.0"), Map.entry("gpl-3", "GPL-3.0"),
      Map.entry("lgpl-2", "LGPL-2.0"), Map.entry("lgpl-3", "LGPL-3.0"),
      Map.entry("agpl-3", "AGPL-3.0"), Map.entry("apache-2", "Apache-2.0"),
      Map.entry("expat", "MIT"), Map.entry("artistic", "Artistic-1.0-Perl"),
      Map.entry("cc0", "CC0-1.0"), Map.entry("psf-2", "PSF-2.0")));
  /** Identifiers that have -only and -or-later forms in SPDX 3. */
  private static final Set<String> VERSIONED_GNU = Set.of("GPL-1.0", "GPL-2.0", "GPL-3.0",
      "LGPL-2.0", "LGPL-2.1", "LGPL-3.0", "AGPL-3.0", "GFDL-1.2", "GFDL-1.3");

  private DebianCopyright() {}

  /** Debian's own names, and each of {@link #SPDX} under its lower-case form. */
  private static Map<String, String> names(Map<String, String> debian) {
    Map<String, String> all = new java.util.HashMap<>(debian);
    for (String id : SPDX) {
      all.put(id.toLowerCase(Locale.ROOT), id);
    }
    return Map.copyOf(all);
  }

  /**
   * The SPDX expression of a copyright file, or null when it is not machine-readable (no
   * copyright-format Format field, no License in its Files paragraphs, or not parseable).
   */
  public static String license(byte[] copyright) {
    List<Control.Paragraph> paragraphs;
    try {
      paragraphs = Control.parse(new ByteArrayInputStream(copyright), "copyright");
    } catch (IOException | PlinthException e) {
      return null;
    }
    if (paragraphs.isEmpty() || paragraphs.get(0).get("Format") == null
        || !paragraphs.get(0).get("Format").contains("copyright-format/1.0")) {
      return null;
    }
    Set<String> terms = new LinkedHashSet<>();
    for (Control.Paragraph p : paragraphs) {
      String license = p.get("License");
      if (p.get("Files") != null && license != null) {
        String name = license.split("\n", 2)[0].strip();
        if (!name.isEmpty()) {
          terms.add(expression(name));
        }
      }
    }
    if (terms.isEmpty()) {
      return null;
    }
    List<String> sorted = new ArrayList<>(terms);
    sorted.sort(null);
    if (sorted.size() == 1) {
      return sorted.get(0);
    }
    List<String> parts = new ArrayList<>();
    for (String t : sorted) {
      parts.add(t.contains(" ") ? "(" + t + ")" : t);
    }
    return String.join(" AND ", parts);
  }

  /** One License short name ("GPL-2+ or Artistic", "BSD-3-clause and MIT") as SPDX. */
  static String expression(String debian) {
    String[] ors = debian.split("(?i)\\s+or\\s+|\\s*\\|\\s*");
    List<String> out = new ArrayList<>();
    for (String or : ors) {
      String[] ands = or.split("(?i)\\s+and\\s+|,\\s*");
      List<String> conj = new ArrayList<>();
      for (String a : ands) {
        if (!a.isBlank()) {
          conj.add(id(a.strip()));
        }
      }
      String c = String.join(" AND ", conj);
      out.add(conj.size() > 1 && ors.length > 1 ? "(" + c + ")" : c);
    }
    return String.join(" OR ", out);
  }

  /** One name as an SPDX identifier, or a LicenseRef of the name. */
  static String id(String name) {
    String exception = null;
    int with = name.toLowerCase(Locale.ROOT).indexOf(" with ");
    if (with > 0) {
      exception = name.substring(with + 6).strip();
      name = name.substring(0, with).strip();
    }
    boolean later = name.endsWith("+");
    String base = later ? name.substring(0, name.length() - 1) : name;
    String spdx = NAMES.get(base.toLowerCase(Locale.ROOT));
    String id;
    if (spdx == null) {
      id = ref(name);
    } else if (VERSIONED_GNU.contains(spdx)) {
      id = spdx + (later ? "-or-later" : "-only");
    } else {
      id = spdx + (later ? "+" : "");
    }
    // exceptions (e.g. "GPL-2+ with OpenSSL exception") are not mapped: the whole is a LicenseRef
    return exception == null || id.startsWith("LicenseRef-") ? id : ref(name + "-with-" + exception);
  }

  /** A LicenseRef for a name SPDX does not know: letters, digits, '.' and '-' only. */
  public static String ref(String name) {
    return "LicenseRef-" + name.replaceAll("[^A-Za-z0-9.-]+", "-");
  }
}
