package dev.plinth.cli;

import dev.plinth.builder.Plinth;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;

/** The plinth command line: thin commands over {@link Plinth}, one place that maps failures. */
public final class Main {
  /** The commands and what each does, in the order help lists them. */
  private static final String[][] COMMANDS = {
    {"base", "Builds the minimal production image, optionally with Debian packages."},
    {"build", "Builds the image a plinth.yaml describes."},
    {"lock", "Resolves the Debian packages of a plinth.yaml into plinth.lock."},
    {"inspect", "Shows an image's platforms, layers, config and sizes."},
    {"copy", "Copies an image from any source to any destination."},
    {"audit", "Checks an image against the production standard."},
    {"verify", "Checks an image's signature against a public key."},
    {"key", "Generates a key pair for signing images (cosign's format)."},
    {"init", "Writes a starter plinth.yaml for the project in a directory."},
    {"cache", "Shows the cache's size and what it holds, or prunes it."},
    {"completion", "Prints shell completion for bash or zsh."},
  };

  /**
   * The commit plinth was built from (build.properties), or "commit unknown". Read by hand, not
   * with Properties or a regex: --version loads some 600 classes, and those would add 100
   * (StartupIT counts them).
   */
  static String commit() {
    try (java.io.InputStream in = Main.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        String text = new String(in.readNBytes(4096), java.nio.charset.StandardCharsets.UTF_8);
        int at = text.indexOf("commit=");
        if (at >= 0) {
          int end = at + "commit=".length();
          int stop = end;
          while (stop < text.length() && (Character.isDigit(text.charAt(stop))
              || (text.charAt(stop) >= 'a' && text.charAt(stop) <= 'f'))) {
            stop++;
          }
          if (stop - end >= 7) {
            return "commit " + text.substring(end, stop);
          }
        }
      }
    } catch (java.io.IOException e) {
      // an unreadable resource: unknown
    }
    return "commit unknown";
  }

  /** The commands' names, in help's order. */
  static java.util.List<String> names() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String[] c : COMMANDS) {
      out.add(c[0]);
    }
    return out;
  }

  /** What each command does, in help's order: name, then its one line. */
  static String[][] commands() {
    return COMMANDS.clone();
  }

  /** The command line of the command a name names, made only when it is named; null for none. */
  static Cli command(String name) {
    return switch (name) {
      case "base" -> new BaseCommand().cli;
      case "build" -> new BuildCommand().cli;
      case "lock" -> new LockCommand().cli;
      case "inspect" -> new InspectCommand().cli;
      case "copy" -> new CopyCommand().cli;
      case "audit" -> new AuditCommand().cli;
      case "verify" -> new VerifyCommand().cli;
      case "key" -> new KeyCommand().cli;
      case "init" -> new InitCommand().cli;
      case "cache" -> new CacheCommand().cli;
      case "completion" -> new CompletionCommand().cli;
      default -> null;
    };
  }

  public static void main(String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        Warmup.start(); // a command that will hash; not for --help or --version alone
        break;
      }
    }
    // The one place plinth reads its environment; everything below is given it.
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        System.getenv(), Path.of(System.getProperty("user.home")), System.in);
    System.exit(code);
  }

  /**
   * Runs plinth in the environment {@code env} and returns its exit code.
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
      Path home) {
    return run(args, out, err, env, home, java.io.InputStream.nullInputStream());
  }

  /** As {@link #run(String[], PrintWriter, PrintWriter, Map, Path)}, with this standard input. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env,
      Path home, java.io.InputStream in) {
    int code = run(args, new Cli.Context(out, err, env, home, in));
    out.flush();
    err.flush();
    return code;
  }

  /** Runs plinth in the environment {@code env} alone (its HOME, if any, is the home). */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    return run(args, out, err, env, null);
  }

  private static int run(String[] args, Cli.Context context) {
    return run(args, context, BY_NAME);
  }

  /**
   * The real commands, as a class of its own: a method reference here (Main::command) made every
   * run, --help too, bootstrap the JDK's lambda machinery, some 85 classes (StartupIT counts them).
   */
  private static final Function<String, Cli> BY_NAME = new Function<>() {
    @Override
    public Cli apply(String name) {
      return command(name);
    }
  };

  /**
   * Runs plinth with these commands (a parameter, so that a test can give one that fails as no
   * real command can be made to: with an OutOfMemoryError).
   */
  static int run(String[] args, Cli.Context context, Function<String, Cli> commands) {
    boolean stacktrace = false;
    try { // the one catch site: every failure, an Error too, ends in failed()
      Cli top = new Cli("plinth",
          "Builds minimal, production-ready container images without a Docker engine.");
      Cli.Arg named = top.parameter("COMMAND",
          "One of the commands below; 'plinth COMMAND --help' shows its options.");
      Cli cli = top;
      try {
        int at = 0; // the command's name: the first argument after plinth's own options
        while (at < args.length && args[at].length() > 1 && args[at].charAt(0) == '-') {
          at++;
        }
        top.parse(args, 0, Math.min(at + 1, args.length));
        if (!top.help.on() && !top.version.on()) {
          if (named.value() == null) {
            throw new Cli.UsageError("name a command: " + String.join(", ", names()));
          }
          Cli command = commands.apply(named.value());
          if (command == null) {
            String hint = Cli.didYouMean(named.value(), names());
            throw new Cli.UsageError("Unknown command: '" + named.value() + "'" + (hint.isEmpty()
                ? "; name one of " + String.join(", ", names()) : hint));
          }
          cli = command;
          cli.parse(args, at + 1, args.length);
        }
      } catch (Cli.UsageError e) {
        context.err().println("plinth: " + e.getMessage());
        context.err().println("Run '" + cli.name() + " --help' for usage.");
        return ExitCode.USAGE.code;
      }
      if (cli.help.on()) {
        cli.printHelp(context.out());
        if (cli == top) {
          printCommands(context.out());
        }
        return ExitCode.OK.code;
      }
      if (cli.version.on()) {
        context.out().println("plinth " + Plinth.VERSION + " (" + commit() + ")");
        return ExitCode.OK.code;
      }
      stacktrace = top.stacktrace.on() || cli.stacktrace.on();
      return cli.command().run(context);
    } catch (Exception | Error e) {
      return failed(e, stacktrace, context.err());
    }
  }

  /**
   * Reports a command's failure in one line (with its stack trace first for --stacktrace) and
   * returns the exit code its type says: a {@link dev.plinth.oci.Failure} its kind's, another IOException
   * OUTPUT, anything else, an Error such as OutOfMemoryError among them, INTERNAL (never 1,
   * which means audit findings).
   */
  static int failed(Throwable e, boolean stacktrace, PrintWriter err) {
    if (stacktrace) {
      e.printStackTrace(err);
    }
    ExitCode code = ExitCode.of(e);
    if (code != ExitCode.INTERNAL) {
      err.println("plinth: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
    } else {
      String hint = e instanceof OutOfMemoryError ? "; give the JVM more memory (e.g."
          + " PLINTH_JAVA_OPTS=-Xmx4g)" : e instanceof StackOverflowError ? "; give the JVM more"
          + " stack (e.g. PLINTH_JAVA_OPTS=-Xss8m)" : "";
      err.println("plinth: internal error: " + e + hint
          + (stacktrace ? "" : " (rerun with --stacktrace and report it)"));
    }
    return code.code;
  }

  private static void printCommands(PrintWriter out) {
    out.println();
    out.println("Commands:");
    for (String[] c : COMMANDS) {
      Cli.print(out, "  " + c[0], c[1], 14);
    }
    out.println();
    Cli.print(out, "", "Exit codes: 0 ok, 1 audit findings, 2 usage, 3 not found, 4 bad input,"
        + " 5 output failed, 6 not verified, 70 internal error (docs/exit-codes.md).", 0);
  }
}
