package dev.plinth.deb;

/**
 * A Debian package version, {@code [epoch:]upstream[-revision]}, ordered as dpkg orders them
 * (deb-version(7)): epochs numerically, then upstream and revision by alternating non-digit and
 * digit parts, where '~' sorts before everything, even the end of the string, and letters sort
 * before other characters.
 */
public final class DebVersion implements Comparable<DebVersion> {
  // upstream: [0-9][A-Za-z0-9.+~:-]*, revision: [A-Za-z0-9.+~]+, checked without a regex: an
  // index has 65,000 versions and a Matcher each cost a tenth of reading it

  private final String text;
  private final long epoch;
  private final String upstream;
  private final String revision;

  private DebVersion(String text, long epoch, String upstream, String revision) {
    this.text = text;
    this.epoch = epoch;
    this.upstream = upstream;
    this.revision = revision;
  }

  /**
   * Parses a version.
   *
   * @throws IllegalArgumentException naming the text when it is not a valid version
   */
  public static DebVersion parse(String s) {
    if (s == null || s.isEmpty() || s.length() > 256) {
      throw new IllegalArgumentException("'" + s + "' is not a Debian version");
    }
    String rest = s;
    long epoch = 0;
    int colon = rest.indexOf(':');
    if (colon >= 0) {
      String e = rest.substring(0, colon);
      if (e.isEmpty() || e.length() > 9 || !e.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("'" + s + "' has a bad epoch");
      }
      epoch = Long.parseLong(e);
      rest = rest.substring(colon + 1);
    }
    String revision = "";
    int dash = rest.lastIndexOf('-');
    if (dash >= 0) {
      revision = rest.substring(dash + 1);
      rest = rest.substring(0, dash);
      if (revision.isEmpty() || !only(revision, false)) {
        throw new IllegalArgumentException("'" + s + "' has a bad revision");
      }
    }
    if (rest.isEmpty() || rest.charAt(0) < '0' || rest.charAt(0) > '9' || !only(rest, true)) {
      throw new IllegalArgumentException(
          "'" + s + "' is not a Debian version: the upstream part must start with a digit and "
              + "hold only letters, digits and . + ~ - :");
    }
    return new DebVersion(s, epoch, rest, revision);
  }

  /** Whether {@code s} holds only letters, digits and . + ~ (and : - in an upstream version). */
  private static boolean only(String s, boolean upstream) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || c == '.' || c == '+' || c == '~' || (upstream && (c == ':' || c == '-'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public long epoch() {
    return epoch;
  }

  public String upstream() {
    return upstream;
  }

  /** The Debian revision, or "" when there is none. */
  public String revision() {
    return revision;
  }

  @Override
  public int compareTo(DebVersion o) {
    int c = Long.compare(epoch, o.epoch);
    if (c != 0) {
      return c;
    }
    c = compareParts(upstream, o.upstream);
    return c != 0 ? c : compareParts(revision, o.revision);
  }

  /**
   * Whether this version meets {@code op v}; op is one of {@code << <= = >= >>}, or the obsolete
   * {@code <} and {@code >} which dpkg reads as {@code <=} and {@code >=}.
   */
  public boolean satisfies(String op, DebVersion v) {
    int c = compareTo(v);
    return switch (op) {
      case "<<" -> c < 0;
      case "<=", "<" -> c <= 0;
      case "=" -> c == 0;
      case ">=", ">" -> c >= 0;
      case ">>" -> c > 0;
      default -> throw new IllegalArgumentException("'" + op + "' is not a version relation");
    };
  }

  /** dpkg's verrevcmp. */
  static int compareParts(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() || j < b.length()) {
      int firstDiff = 0;
      while ((i < a.length() && !digit(a.charAt(i))) || (j < b.length() && !digit(b.charAt(j)))) {
        int ac = i < a.length() ? order(a.charAt(i)) : 0;
        int bc = j < b.length() ? order(b.charAt(j)) : 0;
        if (ac != bc) {
          return Integer.compare(ac, bc);
        }
        i++;
        j++;
      }
      while (i < a.length() && a.charAt(i) == '0') {
        i++;
      }
      while (j < b.length() && b.charAt(j) == '0') {
        j++;
      }
      while (i < a.length() && digit(a.charAt(i)) && j < b.length() && digit(b.charAt(j))) {
        if (firstDiff == 0) {
          firstDiff = a.charAt(i) - b.charAt(j);
        }
        i++;
        j++;
      }
      if (i < a.length() && digit(a.charAt(i))) {
        return 1;
      }
      if (j < b.length() && digit(b.charAt(j))) {
        return -1;
      }
      if (firstDiff != 0) {
        return Integer.signum(firstDiff);
      }
    }
    return 0;
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  /** dpkg's order(): '~' lowest, then the end of a part / digits, letters, then the rest. */
  private static int order(char c) {
    if (digit(c)) {
      return 0;
    }
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
      return c;
    }
    if (c == '~') {
      return -1;
    }
    return c + 256;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DebVersion v && compareTo(v) == 0;
  }

  @Override
  public int hashCode() {
    // Equal versions may differ in text (1.0 and 0:1.0, 1.01 and 1.1): hash what they share.
    return Long.hashCode(epoch);
  }

  @Override
  public String toString() {
    return text;
  }
}
