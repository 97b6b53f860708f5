package dev.plinth.cli;

import dev.plinth.build.Plinth;
import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The plinth command line: thin commands over {@link Plinth}, one place that maps failures. */
@Command(
    name = "plinth",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Builds minimal, production-ready container images without a Docker engine.",
    footer = {"", "Exit codes: 0 ok, 1 audit findings, 2 usage, 3 not found, 4 bad input,"
        + " 5 output failed, 70 internal error (docs/exit-codes.md)."})
public final class Main implements Runnable {
  @Option(names = "--stacktrace", scope = CommandLine.ScopeType.INHERIT,
      description = "Print the stack trace of a failure.")
  boolean stacktrace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** The environment commands read (SOURCE_DATE_EPOCH); a parameter so tests can set it. */
  Map<String, String> env = System.getenv();

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: base, build, lock, inspect, copy or audit");
  }

  public static void main(String[] args) {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true),
        System.getenv());
    dev.plinth.registry.ClientThreads.releaseBeforeExit(); // else JDK 17's exit waits 300 ms
    System.exit(code);
  }

  /** Runs plinth and returns its exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Map<String, String> env) {
    Main main = new Main();
    main.env = env;
    CommandLine cl = new CommandLine(main);
    addCommands(cl, args);
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(t -> ExitCode.INTERNAL.code);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("plinth: " + ex.getMessage());
      err.println("Run '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
      return ExitCode.USAGE.code;
    });
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (main.stacktrace) {
        ex.printStackTrace(err);
      }
      if (ex instanceof PlinthException p) {
        err.println("plinth: " + p.getMessage());
        return ExitCode.of(p.kind()).code;
      }
      if (ex instanceof java.io.IOException) {
        err.println("plinth: " + ex.getMessage());
        return ExitCode.OUTPUT.code;
      }
      err.println("plinth: internal error: " + ex + (main.stacktrace ? "" : " (rerun with --stacktrace and report it)"));
      return ExitCode.INTERNAL.code;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The commands in the order help lists them; each is made only when it is needed. */
  private static final Map<String, java.util.function.Supplier<Object>> COMMANDS =
      new java.util.LinkedHashMap<>();

  static {
    COMMANDS.put("base", BaseCommand::new);
    COMMANDS.put("build", BuildCommand::new);
    COMMANDS.put("lock", LockCommand::new);
    COMMANDS.put("inspect", InspectCommand::new);
    COMMANDS.put("copy", CopyCommand::new);
    COMMANDS.put("audit", AuditCommand::new);
  }

  /**
   * Adds the command the arguments name, or every command when they name none (for help and
   * errors): picocli reads a command's annotations when it is added, a fifth of a short run when
   * it is all of them.
   */
  static void addCommands(CommandLine cl, String[] args) {
    for (String a : args) {
      if (!a.startsWith("-")) {
        java.util.function.Supplier<Object> named = COMMANDS.get(a);
        if (named != null) {
          cl.addSubcommand(a, named.get());
          return;
        }
        break;
      }
    }
    COMMANDS.forEach((name, make) -> cl.addSubcommand(name, make.get()));
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"plinth " + Plinth.VERSION};
    }
  }
}
