package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One command's command line, written out: the command declares its options and parameters on a
 * Cli in code, the Cli parses the arguments into them and prints the help. No annotations and no
 * reflection, and nothing is made for the commands not named: plinth's start is part of every
 * run. The syntax is the usual one: {@code --name value}, {@code --name=value}, {@code -n value},
 * {@code -n=value}, {@code -nVALUE}, flags clustered as {@code -qh}, {@code --} ending the options,
 * options and parameters in any order.
 */
final class Cli {
  /** What a command does with the options its fields declared on its Cli. */
  interface Command {
    /** Runs the command on the parsed options and returns its exit code. */
    int run(Context context) throws Exception;
  }

  /**
   * Where a command writes, and the environment it reads: read once by {@link Main#main} (a
   * parameter, so that tests set it), never again by the library.
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  record Context(PrintWriter out, PrintWriter err, Map<String, String> env, Path home,
      java.io.InputStream in) {
    /** With nothing on standard input. */
    Context(PrintWriter out, PrintWriter err, Map<String, String> env, Path home) {
      this(out, err, env, home, java.io.InputStream.nullInputStream());
    }

    /** The build options this environment (and the JVM's proxy properties) give. */
    Plinth.Options options() throws PlinthException {
      return Plinth.Options.fromEnvironment(env, home, jdkProxyProperties());
    }

    /**
     * The JDK's proxy properties (-Dhttps.proxyHost=... in JAVA_TOOL_OPTIONS or the launcher's
     * JAVA_OPTS): settings of the JVM the front end runs in, read here, never in the library.
     */
    static Map<String, String> jdkProxyProperties() {
      Map<String, String> out = new java.util.TreeMap<>();
      for (String k : List.of("https.proxyHost", "https.proxyPort", "http.proxyHost",
          "http.proxyPort", "http.nonProxyHosts")) {
        String v = System.getProperty(k);
        if (v != null) {
          out.put(k, v);
        }
      }
      return out;
    }
  }

  /** A command line that does not parse: plinth prints it, points to the help and exits 2. */
  static final class UsageError extends Exception {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message, null, false, false);
    }
  }

  /** An option, a flag or a parameter, and after parsing what the command line gave it. */
  static final class Arg {
    private final String names; // as help shows them, "-f, --file"; null for a parameter
    private final String[] nameList;
    private final String label; // FILE; null for a flag
    private final String description;
    private boolean required;
    private boolean split;
    private String defaultValue;
    private boolean given;
    private final List<String> values = new ArrayList<>(2);

    private Arg(String names, String label, String description) {
      this.names = names;
      this.nameList = names == null ? new String[0] : splitNames(names);
      this.label = label;
      this.description = description;
    }

    /** The option or parameter must be given. */
    Arg required() {
      required = true;
      return this;
    }

    /** The option takes comma-separated values and may be given again: all of them add up. */
    Arg split() {
      split = true;
      return this;
    }

    /** The value when the option is not given. */
    Arg defaultValue(String value) {
      defaultValue = value;
      return this;
    }

    /** The value given, else the default (null without one). */
    String value() {
      return values.isEmpty() ? defaultValue : values.get(0);
    }

    /** Every value given, in order (of a split option, each comma-separated one). */
    List<String> values() {
      return values;
    }

    /** Whether the flag (or option) was given. */
    boolean on() {
      return given;
    }

    /** Its names ("-f", "--file"); none for a parameter. */
    List<String> names() {
      return List.of(nameList);
    }

    /** What its value is (FILE, DIR, REF), or null for a flag. */
    String label() {
      return label;
    }

    String description() {
      return description;
    }

    /** The longest name, as errors name the option. */
    private String name() {
      String longest = nameList[0];
      for (String n : nameList) {
        if (n.length() > longest.length()) {
          longest = n;
        }
      }
      return longest;
    }

    private boolean named(String name) {
      for (String n : nameList) {
        if (n.equals(name)) {
          return true;
        }
      }
      return false;
    }

    private static String[] splitNames(String names) {
      List<String> out = new ArrayList<>(2);
      int from = 0;
      for (int comma; (comma = names.indexOf(',', from)) >= 0; from = comma + 1) {
        out.add(names.substring(from, comma).strip());
      }
      out.add(names.substring(from).strip());
      return out.toArray(new String[0]);
    }
  }

  static final int WIDTH = 80;
  private static final int COLUMN = 27;

  private final Command command;
  private final String name;
  private final String[] description;
  private final List<Arg> options = new ArrayList<>();
  private final List<Arg> parameters = new ArrayList<>(2);

  /** With --stacktrace, a failure prints its stack trace. */
  final Arg stacktrace = new Arg("--stacktrace", null, "Print the stack trace of a failure.");
  final Arg help = new Arg("-h, --help", null, "Show this help message and exit.");
  final Arg version = new Arg("-V, --version", null, "Print version information and exit.");

  /**
   * The command line of {@code command}, named {@code name} ("plinth copy"); each description
   * line a paragraph. A command makes its own, {@code new Cli(this, ...)}, and declares its
   * options on it in its fields.
   */
  Cli(Command command, String name, String... description) {
    this.command = command;
    this.name = name;
    this.description = description;
  }

  /** A command line of no command of its own (plinth's, before the command's name). */
  Cli(String name, String... description) {
    this(null, name, description);
  }

  String name() {
    return name;
  }

  /** What runs on the parsed command line; null for plinth's own. */
  Command command() {
    return command;
  }

  /** An option with a value: {@code names} as help shows them ("-f, --file"), its label FILE. */
  Arg option(String names, String label, String description) {
    Arg a = new Arg(names, label, description);
    options.add(a);
    return a;
  }

  /** An option without a value. */
  Arg flag(String names, String description) {
    return option(names, null, description);
  }

  /** The next positional parameter. */
  Arg parameter(String label, String description) {
    Arg a = new Arg(null, label, description);
    parameters.add(a);
    return a;
  }

  /**
   * Parses {@code args[from..to)} into the options and parameters (once: values add up), stopping
   * at --help or --version. Error messages count positions in all of {@code args}, as typed.
   */
  void parse(String[] args, int from, int to) throws UsageError {
    int parameter = 0;
    boolean options = true;
    for (int i = from; i < to; i++) {
      String a = args[i];
      if (!options || a.length() < 2 || a.charAt(0) != '-') {
        if (parameter == parameters.size()) {
          throw new UsageError("Unmatched argument at index " + i + ": '" + a + "'");
        }
        Arg p = parameters.get(parameter++);
        p.given = true;
        p.values.add(a);
      } else if (a.equals("--")) {
        options = false;
      } else if (a.charAt(1) == '-') {
        int eq = a.indexOf('=');
        String n = eq < 0 ? a : a.substring(0, eq);
        Arg o = find(n);
        if (o == null) {
          throw new UsageError("Unknown option: '" + a + "'" + didYouMean(n, optionNames()));
        }
        if (o.label == null) {
          if (eq >= 0) {
            throw new UsageError(
                "option '" + n + "' takes no value, not '" + a.substring(eq + 1) + "'");
          }
          o.given = true;
        } else if (eq >= 0) {
          set(o, n, a.substring(eq + 1));
        } else if (i + 1 < to && !isOption(args[i + 1])) {
          set(o, n, args[++i]);
        } else {
          throw missingValue(o, n);
        }
        if (help.given || version.given) {
          return;
        }
      } else {
        // short names: -q, -qh (flags clustered), -fFILE, -f=FILE, -f FILE
        for (int c = 1; c < a.length(); c++) {
          String n = String.valueOf(new char[] {'-', a.charAt(c)});
          Arg o = find(n);
          if (o == null) {
            throw new UsageError("Unknown option: '" + n + "'"
                + (a.length() > 2 ? " (while processing option: '" + a + "')" : ""));
          }
          if (o.label == null) {
            o.given = true;
            if (help.given || version.given) {
              return;
            }
            continue;
          }
          if (c + 1 < a.length()) {
            set(o, n, a.substring(a.charAt(c + 1) == '=' ? c + 2 : c + 1));
          } else if (i + 1 < to && !isOption(args[i + 1])) {
            set(o, n, args[++i]);
          } else {
            throw missingValue(o, n);
          }
          break;
        }
      }
    }
    for (Arg o : this.options) {
      if (o.required && !o.given) {
        throw new UsageError("Missing required option: '" + o.name() + "=" + o.label + "'");
      }
    }
    List<String> missing = new ArrayList<>(2);
    for (Arg p : parameters) {
      if (p.required && !p.given) {
        missing.add("'" + p.label + "'");
      }
    }
    if (!missing.isEmpty()) {
      throw new UsageError("Missing required parameter" + (missing.size() > 1 ? "s: " : ": ")
          + String.join(", ", missing));
    }
  }

  private void set(Arg o, String n, String value) throws UsageError {
    if (!o.split) {
      if (o.given) {
        throw new UsageError("option '" + n + "' (" + o.label + ") should be specified only once");
      }
      o.values.add(value);
    } else {
      int from = 0;
      for (int comma; (comma = value.indexOf(',', from)) >= 0; from = comma + 1) {
        o.values.add(value.substring(from, comma));
      }
      o.values.add(value.substring(from));
    }
    o.given = true;
  }

  private static UsageError missingValue(Arg o, String n) {
    return new UsageError("Missing required parameter for option '" + n + "' (" + o.label + ")");
  }

  /** An argument that is one of the options, so not the value of the one before it. */
  private boolean isOption(String a) {
    if (a.equals("--")) {
      return true;
    }
    int eq = a.indexOf('=');
    return a.startsWith("-") && find(eq > 0 && a.startsWith("--") ? a.substring(0, eq) : a) != null;
  }

  /** Every option name this command line knows, long and short, --help and the rest too. */
  List<String> optionNames() {
    List<String> out = new ArrayList<>();
    for (Arg o : allOptions()) {
      out.addAll(List.of(o.nameList));
    }
    return out;
  }

  /** The positional parameters, in order. */
  List<Arg> parameters() {
    return parameters;
  }

  /** The options, then --stacktrace, --help and --version. */
  List<Arg> allOptions() {
    List<Arg> all = new ArrayList<>(options);
    all.addAll(List.of(stacktrace, help, version));
    return all;
  }

  /**
   * "; did you mean 'X'?" for the known name closest to {@code typed} (at most two edits, or one
   * per four characters for long names; or a unique name it starts), else "".
   */
  static String didYouMean(String typed, List<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(typed, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    int allowed = Math.max(2, typed.length() / 4);
    if (best != null && bestDistance <= allowed) {
      return "; did you mean '" + best + "'?";
    }
    String prefix = null;
    for (String k : known) {
      if (typed.length() >= 3 && k.startsWith(typed)) {
        if (prefix != null) {
          return "";
        }
        prefix = k;
      }
    }
    return prefix == null ? "" : "; did you mean '" + prefix + "'?";
  }

  /** The edit distance (insertions, deletions, substitutions, swaps of neighbours). */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private Arg find(String n) {
    for (Arg o : options) {
      if (o.named(n)) {
        return o;
      }
    }
    return stacktrace.named(n) ? stacktrace : help.named(n) ? help : version.named(n) ? version
        : null;
  }

  /** The help: usage, description, parameters and options, each with its description. */
  void printHelp(PrintWriter out) {
    StringBuilder usage = new StringBuilder("Usage: ").append(name).append(" [OPTIONS]");
    for (Arg o : options) {
      if (o.required) {
        usage.append(' ').append(o.name()).append('=').append(o.label);
      }
    }
    for (Arg p : parameters) {
      usage.append(' ').append(p.label);
    }
    out.println(usage);
    for (String line : description) {
      if (line.startsWith(" ")) {
        out.println(line); // an example, as it is typed
      } else {
        print(out, "", line, 0);
      }
    }
    if (!parameters.isEmpty()) {
      out.println();
      out.println("Parameters:");
      for (Arg p : parameters) {
        print(out, "  " + p.label, p.description, COLUMN);
      }
    }
    out.println();
    out.println("Options:");
    for (Arg o : options) {
      printOption(out, o);
    }
    printOption(out, stacktrace);
    printOption(out, help);
    printOption(out, version);
  }

  private static void printOption(PrintWriter out, Arg o) {
    StringBuilder left = new StringBuilder(o.names.startsWith("--") ? "      " : "  ");
    left.append(o.names);
    if (o.label != null) {
      left.append('=').append(o.label).append(o.split ? "[,...]" : "");
    }
    print(out, left.toString(), o.description, COLUMN);
  }

  /**
   * Prints {@code text} after {@code start}, from column {@code column} (on the next line when
   * {@code start} reaches it), wrapped at spaces to {@link #WIDTH}, later lines from the column.
   */
  static void print(PrintWriter out, String start, String text, int column) {
    StringBuilder line = new StringBuilder(start);
    if (column > 0 && line.length() > column - 2) {
      out.println(line);
      line.setLength(0);
    }
    pad(line, column);
    for (int from = 0, end; from < text.length(); from = end + 1) {
      end = text.indexOf(' ', from);
      if (end < 0) {
        end = text.length();
      }
      if (end == from) {
        continue;
      }
      if (line.length() > column && line.length() + 1 + end - from > WIDTH) {
        out.println(line);
        line.setLength(0);
        pad(line, column);
      }
      if (line.length() > column) {
        line.append(' ');
      }
      line.append(text, from, end);
    }
    out.println(line);
  }

  private static void pad(StringBuilder line, int column) {
    while (line.length() < column) {
      line.append(' ');
    }
  }
}
