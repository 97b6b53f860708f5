package dev.plinth.jvm;

import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/** The modules a JDK has, and module names checked against them. */
public final class JdkModules {
  /** A module name as the JDK spells them: dotted Java identifiers. */
  public static final Pattern NAME =
      Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

  private JdkModules() {}

  /**
   * The modules of {@code jdk}: the MODULES line of its {@code release} file, which JDK builds
   * write, else as its {@code java --list-modules} names them.
   */
  public static Set<String> of(JavaRuntime.Jdk jdk, Path work) throws PlinthException {
    try {
      String listed = Jdks.release(jdk.home()).get("MODULES");
      Set<String> names = listed == null ? Set.of() : parse(listed.replace(' ', '\n'));
      if (names.contains("java.base")) {
        return names;
      }
    } catch (IOException e) {
      // no readable release file: ask the JDK
    }
    List<String> cmd = new ArrayList<>(jdk.quietCommand("java"));
    cmd.add("--list-modules");
    return parse(JavaRuntime.run(cmd, work, "java --list-modules (the JDK's modules)"));
  }

  /** The names in {@code java --list-modules} output: one {@code name@version} a line. */
  public static Set<String> parse(String listing) {
    Set<String> names = new TreeSet<>();
    for (String line : listing.split("\n")) {
      String n = line.strip();
      int at = n.indexOf('@');
      n = at < 0 ? n : n.substring(0, at);
      if (NAME.matcher(n).matches()) {
        names.add(n);
      }
    }
    return names;
  }

  /**
   * Fails with a usage error when a name of {@code names} is not a module of the JDK, naming
   * it and the JDK's modules that are close to it.
   *
   * @param field where the names come from, e.g. "java.modules"
   * @param jdk the JDK, for the message
   */
  public static void check(Collection<String> names, Set<String> known, String field,
      String jdk) throws PlinthException {
    for (String name : names) {
      if (!known.contains(name)) {
        List<String> close = close(name, known);
        throw new PlinthException(Kind.USAGE, field + ": " + name + " is not a module of JDK "
            + jdk + (close.isEmpty() ? "" : "; close: " + String.join(", ", close))
            + " (java --list-modules lists them all)");
      }
    }
  }

  /** Up to five known names close to {@code name}: by edit distance, or sharing its last part. */
  static List<String> close(String name, Set<String> known) {
    String last = name.substring(name.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
    int bound = Math.max(2, name.length() / 4);
    List<String> out = new ArrayList<>();
    for (String k : known) {
      String kLast = k.substring(k.lastIndexOf('.') + 1).toLowerCase(java.util.Locale.ROOT);
      if (distance(name.toLowerCase(java.util.Locale.ROOT), k.toLowerCase(java.util.Locale.ROOT))
          <= bound || kLast.equals(last) || (last.length() >= 3 && kLast.contains(last))) {
        out.add(k);
      }
    }
    out.sort(Comparator.comparingInt((String k) -> distance(name, k)).thenComparing(k -> k));
    return out.subList(0, Math.min(5, out.size()));
  }

  /** Levenshtein distance. */
  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
