package dev.plinth.cli;

import dev.plinth.oci.PlinthException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shell completion for bash and zsh, written from the commands' own option declarations (the
 * same ones --help prints), so it never lags behind them: command names, each command's options,
 * the values of options that list them (text|json), files for FILE and DIR, and image references
 * (the transports, then files) where a command takes one.
 */
final class CompletionCommand implements Cli.Command {
  /** Transport prefixes offered where an image reference goes. */
  static final List<String> TRANSPORTS = List.of("oci:", "oci-archive:", "docker-archive:",
      "dir:", "docker-daemon:");

  final Cli cli = new Cli(this, "plinth completion",
      "Prints a completion script for bash or zsh; load it in your shell's startup file.",
      "  plinth completion bash > /etc/bash_completion.d/plinth",
      "  plinth completion zsh > \"${fpath[1]}/_plinth\"",
      "  source <(plinth completion bash)          # this shell only");

  private final Cli.Arg shell = cli.parameter("bash|zsh", "The shell.").required();

  @Override
  public int run(Cli.Context context) throws Exception {
    Map<String, Cli> commands = clis();
    PrintWriter out = context.out();
    switch (shell.value()) {
      case "bash" -> out.print(bash(commands));
      case "zsh" -> out.print(zsh(commands));
      default -> throw new PlinthException(PlinthException.Kind.USAGE, "completion: SHELL must"
          + " be bash or zsh, not '" + shell.value() + "'");
    }
    return 0;
  }

  /** What the value of an option with this label is: "files", "refs", a word list, or "". */
  static String kind(String label) {
    if (label == null) {
      return "";
    }
    if (label.equals("FILE") || label.equals("DIR")) {
      return "files";
    }
    if (label.equals("REF") || label.equals("SRC") || label.equals("DST")
        || label.equals("IMAGE")) {
      return "refs";
    }
    if (label.contains("|") || label.matches("[a-z][a-z0-9-]*")) {
      return label.replace('|', ' '); // words (placeholders are upper case): one, or a list
    }
    return "";
  }

  static String bash(Map<String, Cli> commands) {
    StringBuilder b = new StringBuilder();
    b.append("# bash completion for plinth (plinth completion bash)\n")
        .append("_plinth() {\n")
        .append("  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n")
        .append("  local cmd=\"\" i opts=\"\" values=\"\" refs=\"\"\n")
        .append("  for ((i = 1; i < COMP_CWORD; i++)); do\n")
        .append("    case \"${COMP_WORDS[i]}\" in -*) ;; *) cmd=\"${COMP_WORDS[i]}\"; break ;; esac\n")
        .append("  done\n")
        .append("  case \"$cmd\" in\n")
        .append("    \"\") COMPREPLY=($(compgen -W \"")
        .append(String.join(" ", commands.keySet())).append(" --help --version\" -- \"$cur\"))")
        .append("; return ;;\n");
    for (Map.Entry<String, Cli> e : commands.entrySet()) {
      Cli c = e.getValue();
      List<String> names = c.optionNames();
      b.append("    ").append(e.getKey()).append(")\n")
          .append("      opts=\"").append(String.join(" ", names)).append("\"\n");
      StringBuilder cases = new StringBuilder();
      for (Cli.Arg o : c.allOptions()) {
        if (o.label() == null) {
          continue;
        }
        String k = kind(o.label());
        String pattern = String.join("|", o.names());
        String action = k.equals("files") ? "COMPREPLY=($(compgen -f -- \"$cur\")); return"
            : k.equals("refs") ? "refs=1"
            : k.isEmpty() ? "return" : "COMPREPLY=($(compgen -W \"" + k + "\" -- \"$cur\")); return";
        cases.append("        ").append(pattern).append(") ").append(action).append(" ;;\n");
      }
      if (cases.length() > 0) {
        b.append("      case \"$prev\" in\n").append(cases).append("      esac\n");
      }
      if (takesRefs(c)) {
        b.append("      refs=1\n");
      }
      for (Cli.Arg p : c.parameters()) {
        String k = kind(p.label());
        if (!k.isEmpty() && !k.equals("refs") && !k.equals("files")) {
          b.append("      values=\"").append(k).append("\"\n");
        }
      }
      b.append("      ;;\n");
    }
    b.append("    *) return ;;\n")
        .append("  esac\n")
        .append("  if [[ \"$cur\" == -* ]]; then\n")
        .append("    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\")); return\n")
        .append("  fi\n")
        .append("  if [[ -n \"$values\" ]]; then\n")
        .append("    COMPREPLY=($(compgen -W \"$values\" -- \"$cur\")); return\n")
        .append("  fi\n")
        .append("  if [[ -n \"$refs\" ]]; then\n")
        .append("    COMPREPLY=($(compgen -W \"").append(String.join(" ", TRANSPORTS))
        .append("\" -- \"$cur\") $(compgen -f -- \"$cur\"))\n")
        .append("  fi\n")
        .append("}\n")
        .append("complete -o default -F _plinth plinth\n");
    return b.toString();
  }

  /** Whether a command's parameters are image references (copy SRC DST, inspect REF, ...). */
  private static boolean takesRefs(Cli c) {
    for (Cli.Arg p : c.parameters()) {
      if (kind(p.label()).equals("refs")) {
        return true;
      }
    }
    return false;
  }

  static String zsh(Map<String, Cli> commands) {
    StringBuilder b = new StringBuilder();
    b.append("#compdef plinth\n")
        .append("# zsh completion for plinth (plinth completion zsh)\n")
        .append("_plinth_refs() {\n")
        .append("  _alternative 'transports:transport:(").append(String.join(" ", TRANSPORTS))
        .append(")' 'files:file:_files'\n")
        .append("}\n")
        .append("_plinth() {\n")
        .append("  local -a commands\n")
        .append("  commands=(\n");
    for (String[] c : Main.commands()) {
      b.append("    '").append(c[0]).append(':').append(quote(c[1])).append("'\n");
    }
    b.append("  )\n")
        .append("  if (( CURRENT == 2 )); then\n")
        .append("    _describe -t commands 'plinth command' commands\n")
        .append("    return\n")
        .append("  fi\n")
        .append("  case $words[2] in\n");
    for (Map.Entry<String, Cli> e : commands.entrySet()) {
      Cli c = e.getValue();
      b.append("    ").append(e.getKey()).append(")\n").append("      _arguments -s");
      for (Cli.Arg o : c.allOptions()) {
        String desc = quote(firstSentence(o.description()));
        String k = kind(o.label());
        String action = o.label() == null ? ""
            : ":" + o.label().toLowerCase(java.util.Locale.ROOT).replace('|', '-') + ":"
                + (k.equals("files") ? "_files" : k.equals("refs") ? "_plinth_refs"
                    : k.isEmpty() ? " " : "(" + k + ")");
        List<String> names = o.names();
        String exclusive = names.size() > 1 ? "(" + String.join(" ", names) + ")" : "";
        for (String n : names) {
          String eq = o.label() != null && n.startsWith("--") ? "=" : "";
          b.append(" \\\n        '").append(exclusive).append(n).append(eq).append('[')
              .append(desc).append(']').append(action).append('\'');
        }
      }
      for (Cli.Arg p : c.parameters()) {
        String k = kind(p.label());
        String action = k.equals("refs") ? "_plinth_refs"
            : k.isEmpty() || k.equals("files") ? "_files" : "(" + k + ")";
        b.append(" \\\n        '*:").append(p.label().toLowerCase(java.util.Locale.ROOT)
            .replace('|', '-')).append(':').append(action).append('\'');
      }
      b.append("\n      ;;\n");
    }
    b.append("  esac\n")
        .append("}\n")
        .append("_plinth \"$@\"\n");
    return b.toString();
  }

  private static String firstSentence(String s) {
    int dot = s.indexOf(". ");
    return dot < 0 ? s : s.substring(0, dot + 1);
  }

  /** Text inside single quotes and a zsh spec: no quote, brackets or colon to end it early. */
  private static String quote(String s) {
    return s.replace("'", "").replace("[", "(").replace("]", ")").replace(":", " -")
        .replace("\\", "");
  }

  /** The commands' cli by name. */
  static Map<String, Cli> clis() {
    Map<String, Cli> commands = new LinkedHashMap<>();
    for (String[] c : Main.commands()) {
      commands.put(c[0], Main.command(c[0]));
    }
    return commands;
  }
}
