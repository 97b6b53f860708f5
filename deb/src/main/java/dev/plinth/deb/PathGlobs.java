package dev.plinth.deb;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Globs over absolute image paths, as {@code debian.excludePaths} names them: {@code *} is any
 * run of characters within one path segment, {@code ?} one such character, {@code **} any run of
 * whole segments (none included). A path is matched when it or one of its parent directories
 * matches a glob, so {@code /usr/share/locale} leaves out the directory and all it holds, and
 * {@code /usr/lib/*}{@code /gconv/**} everything under each gconv directory.
 */
public final class PathGlobs {
  private final List<Pattern> patterns;

  private PathGlobs(List<Pattern> patterns) {
    this.patterns = patterns;
  }

  public static final PathGlobs NONE = new PathGlobs(List.of());

  /**
   * The globs, each checked: absolute, no {@code .}, {@code ..} or empty segments.
   *
   * @throws IllegalArgumentException naming the glob and what is wrong with it
   */
  public static PathGlobs of(List<String> globs) {
    List<Pattern> out = new ArrayList<>();
    for (String g : globs) {
      out.add(Pattern.compile(regex(g)));
    }
    return new PathGlobs(List.copyOf(out));
  }

  /** Why a glob is refused, or null when it is a valid one. */
  public static String problem(String glob) {
    if (!glob.startsWith("/") || glob.length() < 2) {
      return "is not an absolute path glob such as /usr/share/locale/**";
    }
    for (String segment : glob.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "has an empty, '.' or '..' segment";
      }
      if (segment.contains("**") && !segment.equals("**")) {
        return "has '**' inside a segment: it stands alone, as in /usr/lib/**/gconv";
      }
    }
    return null;
  }

  private static String regex(String glob) {
    String problem = problem(glob);
    if (problem != null) {
      throw new IllegalArgumentException("'" + glob + "' " + problem);
    }
    StringBuilder re = new StringBuilder();
    String[] segments = glob.substring(1).split("/");
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.equals("**")) {
        // any number of whole segments, each with its leading slash
        re.append("(?:/[^/]+)*");
        continue;
      }
      re.append('/');
      StringBuilder literal = new StringBuilder();
      for (char c : s.toCharArray()) {
        if (c == '*' || c == '?') {
          if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
            literal.setLength(0);
          }
          re.append(c == '*' ? "[^/]*" : "[^/]");
        } else {
          literal.append(c);
        }
      }
      if (literal.length() > 0) {
        re.append(Pattern.quote(literal.toString()));
      }
    }
    return re.toString();
  }

  /** Whether {@code path} (absolute, normalized) or one of its parents matches a glob. */
  public boolean matches(String path) {
    if (patterns.isEmpty()) {
      return false;
    }
    for (String p = path; p != null; p = parent(p)) {
      for (Pattern pattern : patterns) {
        if (pattern.matcher(p).matches()) {
          return true;
        }
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  private static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i <= 0 ? null : path.substring(0, i);
  }
}
