package dev.plinth.audit;

import dev.plinth.oci.PlinthException;
import java.util.regex.Pattern;

/**
 * A finding accepted on purpose, with the reason: it is still reported, marked suppressed, and no
 * longer fails the audit. From a project's {@code .plinth-audit.yaml} ({@link Suppressions}) or
 * {@code plinth audit --ignore RULE[:PATH]}.
 *
 * @param rule the rule it accepts (its id, PL041)
 * @param path a glob of the absolute paths it accepts ({@code *} within a name, {@code **}
 *     across directories, {@code ?} one character); null for every finding of the rule
 * @param reason why the finding is accepted (SARIF's justification)
 * @param source where it was given, for messages: ".plinth-audit.yaml:4" or "--ignore"
 */
public record Suppression(Rule rule, String path, String reason, String source) {
  public Suppression {
    if (rule == null || reason == null || source == null) {
      throw new IllegalArgumentException("rule, reason and source are required");
    }
  }

  /** Parses {@code --ignore RULE[:PATH]}: the rule by id (PL041) or name (library-missing). */
  public static Suppression parse(String arg, String source, String reason)
      throws PlinthException {
    int colon = arg.indexOf(':');
    String rule = colon < 0 ? arg : arg.substring(0, colon);
    String path = colon < 0 ? null : arg.substring(colon + 1);
    if (path != null && !path.startsWith("/")) {
      throw new PlinthException(PlinthException.Kind.USAGE, source + ": '" + arg + "': the path"
          + " after the rule must be absolute, as in PL041:/usr/lib/python3/*.so");
    }
    return new Suppression(rule(rule, source), path, reason, source);
  }

  /** The rule named by its id or name; USAGE naming {@code source} when there is none. */
  static Rule rule(String name, String source) throws PlinthException {
    for (Rule r : Rule.values()) {
      if (r.id().equalsIgnoreCase(name) || r.slug().equals(name)) {
        return r;
      }
    }
    throw new PlinthException(PlinthException.Kind.USAGE, source + ": '" + name
        + "' is no audit rule (give its id, such as PL041, or its name, as docs/audit.md"
        + " lists them)");
  }

  /** Whether it accepts {@code f}. */
  public boolean matches(Finding f) {
    return f.rule() == rule && (path == null || (f.path() != null && glob(path).matcher(f.path())
        .matches()));
  }

  /** What it accepts, as --ignore takes it: "PL041:/usr/lib/*.so". */
  public String describe() {
    return rule.id() + (path == null ? "" : ":" + path);
  }

  private static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
        re.append(".*");
        i++;
      } else if (c == '*') {
        re.append("[^/]*");
      } else if (c == '?') {
        re.append("[^/]");
      } else {
        re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString());
  }
}
