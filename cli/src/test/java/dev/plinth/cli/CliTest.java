package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser on a command line like copy's: each syntax, each error, the help. */
class CliTest {
  /** A command line with an option of each kind, fresh for each parse. */
  static final class Line {
    final Cli cli = new Cli("plinth test", "Tests the parser.",
        "Example: plinth test -f a.yaml SRC DST");
    final Cli.Arg file = cli.option("-f, --file", "FILE", "The file (default: plinth.yaml).")
        .defaultValue("plinth.yaml");
    final Cli.Arg to = cli.option("--to", "REF", "Where to write.");
    final Cli.Arg insecure = cli.option("--insecure", "HOST", "Plain HTTP hosts.").split();
    final Cli.Arg quiet = cli.flag("-q, --quiet", "No progress.");
    final Cli.Arg json = cli.flag("--json", "JSON.");
    final Cli.Arg source = cli.parameter("SRC", "The source.").required();
    final Cli.Arg target = cli.parameter("DST", "The target.").required();

    Line parse(String... args) throws Cli.UsageError {
      cli.parse(args, 0, args.length);
      return this;
    }

    static String error(String... args) {
      return assertThrows(Cli.UsageError.class, () -> new Line().parse(args)).getMessage();
    }
  }

  @Test
  void optionValue_everySyntax_parsesTheSame() throws Exception {
    for (List<String> form : List.of(List.of("--file", "x.yaml"), List.of("--file=x.yaml"),
        List.of("-f", "x.yaml"), List.of("-f=x.yaml"), List.of("-fx.yaml"))) {
      List<String> args = new java.util.ArrayList<>(form);
      args.addAll(List.of("a", "b"));
      Line l = new Line().parse(args.toArray(String[]::new));
      assertEquals("x.yaml", l.file.value(), form.toString());
      assertTrue(l.file.on());
    }
    assertEquals("a=b", new Line().parse("--to=a=b", "a", "b").to.value());
    assertEquals("", new Line().parse("--to=", "a", "b").to.value());
  }

  @Test
  void default_whenNotGiven_andNullWithoutOne() throws Exception {
    Line l = new Line().parse("a", "b");
    assertEquals("plinth.yaml", l.file.value());
    assertFalse(l.file.on());
    assertNull(l.to.value());
    assertEquals(List.of(), l.insecure.values());
  }

  @Test
  void flags_longShortAndClustered() throws Exception {
    assertTrue(new Line().parse("-q", "a", "b").quiet.on());
    assertTrue(new Line().parse("--quiet", "a", "b").quiet.on());
    Line none = new Line().parse("a", "b");
    assertFalse(none.quiet.on() || none.json.on() || none.cli.stacktrace.on());
    Line cluster = new Line().parse("-qfx.yaml", "a", "b");
    assertTrue(cluster.quiet.on());
    assertEquals("x.yaml", cluster.file.value());
    Line clusterThenValue = new Line().parse("-qf", "y.yaml", "a", "b");
    assertEquals("y.yaml", clusterThenValue.file.value());
    Line help = new Line().parse("-qh");
    assertTrue(help.quiet.on() && help.cli.help.on());
    assertTrue(new Line().parse("a", "--stacktrace", "b").cli.stacktrace.on());
  }

  @Test
  void parameters_inOrder_interleavedWithOptions() throws Exception {
    Line l = new Line().parse("SRC", "--quiet", "DST", "--to", "x");
    assertEquals("SRC", l.source.value());
    assertEquals("DST", l.target.value());
    assertTrue(l.quiet.on());
    assertEquals("x", l.to.value());
    assertEquals("-", new Line().parse("-", "b").source.value());
  }

  @Test
  void doubleDash_endsTheOptions() throws Exception {
    Line l = new Line().parse("--quiet", "--", "--json", "-f");
    assertEquals("--json", l.source.value());
    assertEquals("-f", l.target.value());
    assertFalse(l.json.on());
    assertEquals("plinth.yaml", l.file.value());
    assertEquals("--", new Line().parse("a", "--", "--").target.value());
  }

  @Test
  void splitOption_accumulatesCommaSeparatedValues() throws Exception {
    Line l = new Line().parse("--insecure", "a,b", "x", "--insecure=c", "y", "--insecure", "d");
    assertEquals(List.of("a", "b", "c", "d"), l.insecure.values());
    assertEquals("a", l.insecure.value());
  }

  @Test
  void aValueMayStartWithADash_unlessItIsAnOption() throws Exception {
    assertEquals("-secret", new Line().parse("--to", "-secret", "a", "b").to.value());
    assertEquals("Missing required parameter for option '--to' (REF)",
        Line.error("--to", "--quiet", "a", "b"));
    assertEquals("Missing required parameter for option '--to' (REF)",
        Line.error("--to", "--file=x", "a", "b"));
    assertEquals("Missing required parameter for option '--to' (REF)",
        Line.error("a", "b", "--to", "--"));
  }

  @Test
  void errors_nameTheProblem() {
    assertEquals("Unknown option: '--frobnicate'", Line.error("a", "b", "--frobnicate"));
    assertEquals("Unknown option: '--frobnicate=1'", Line.error("--frobnicate=1", "a", "b"));
    assertEquals("Unknown option: '-x'", Line.error("-x", "a", "b"));
    assertEquals("Unknown option: '-x' (while processing option: '-qx')",
        Line.error("-qx", "a", "b"));
    assertEquals("Missing required parameter for option '--to' (REF)",
        Line.error("a", "b", "--to"));
    assertEquals("Missing required parameter for option '-f' (FILE)", Line.error("a", "b", "-f"));
    assertEquals("Missing required parameter for option '-f' (FILE)", Line.error("a", "b", "-qf"));
    assertEquals("option '--to' (REF) should be specified only once",
        Line.error("--to", "x", "a", "b", "--to=y"));
    assertEquals("option '--file' (FILE) should be specified only once",
        Line.error("-fx", "a", "b", "--file", "y"));
    assertEquals("option '--quiet' takes no value, not 'yes'", Line.error("--quiet=yes", "a", "b"));
    assertEquals("Missing required parameters: 'SRC', 'DST'", Line.error("-q"));
    assertEquals("Missing required parameter: 'DST'", Line.error("a"));
    assertEquals("Unmatched argument at index 3: 'c'", Line.error("a", "-q", "b", "c"));
  }

  @Test
  void requiredOption_isNamedWithItsLabel() throws Exception {
    Cli cli = new Cli("plinth base");
    Cli.Arg to = cli.option("--to", "REF", "Where.").required();
    String[] none = {"base"};
    assertEquals("Missing required option: '--to=REF'",
        assertThrows(Cli.UsageError.class, () -> cli.parse(none, 1, 1)).getMessage());
    String[] args = {"base", "--to", "x"};
    cli.parse(args, 1, args.length);
    assertEquals("x", to.value());
  }

  @Test
  void positions_countFromTheStartOfTheWholeCommandLine() {
    Line l = new Line();
    String[] args = {"--stacktrace", "copy", "a", "b", "c"};
    assertEquals("Unmatched argument at index 4: 'c'",
        assertThrows(Cli.UsageError.class, () -> l.cli.parse(args, 2, args.length)).getMessage());
  }

  @Test
  void helpAndVersion_stopParsing_beforeRequiredChecks() throws Exception {
    assertTrue(new Line().parse("--help").cli.help.on());
    assertTrue(new Line().parse("-h", "--frobnicate").cli.help.on());
    assertTrue(new Line().parse("a", "-V").cli.version.on());
    assertTrue(new Line().parse("--version").cli.version.on());
  }

  @Test
  void help_listsEveryOptionWithItsLabel_wrappedTo80Columns() {
    StringWriter w = new StringWriter();
    Cli cli = new Line().cli;
    cli.printHelp(new PrintWriter(w));
    String help = w.toString();
    assertTrue(help.startsWith("Usage: plinth test [OPTIONS] SRC DST\nTests the parser.\n"), help);
    for (String s : List.of("  SRC   ", "  DST   ", "  -f, --file=FILE   ", "      --to=REF   ",
        "      --insecure=HOST[,...]\n", "  -q, --quiet   ", "      --json   ",
        "      --stacktrace   ", "  -h, --help   ", "  -V, --version   ",
        "(default: plinth.yaml)", "\nExample: plinth test -f a.yaml SRC DST\n")) {
      assertTrue(help.contains(s), s + " in\n" + help);
    }
    assertTrue(help.lines().allMatch(l -> l.length() <= Cli.WIDTH), help);
  }

  @Test
  void print_wrapsAtSpaces_continuingAtTheColumn() {
    StringWriter w = new StringWriter();
    String text = "word ".repeat(30).strip();
    Cli.print(new PrintWriter(w), "  --name=VALUE", text, 27);
    List<String> lines = w.toString().lines().toList();
    assertTrue(lines.get(0).startsWith("  --name=VALUE             word word"), lines.get(0));
    for (String l : lines.subList(1, lines.size())) {
      assertTrue(l.startsWith(" ".repeat(27) + "word") && l.length() <= 80, l);
    }
    assertEquals(30, String.join(" ", lines).split("word", -1).length - 1);
    StringWriter longName = new StringWriter();
    Cli.print(new PrintWriter(longName), "      --manifest-format=oci|v2s2", "Push.", 27);
    assertEquals("      --manifest-format=oci|v2s2\n" + " ".repeat(27) + "Push.\n",
        longName.toString().replace(System.lineSeparator(), "\n"));
  }
}
