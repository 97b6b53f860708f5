package dev.plinth.cli;

import dev.plinth.builder.CacheDirectory;
import dev.plinth.oci.Json;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/** {@code plinth cache}: shows the cache (its path, size, what each kind holds) or prunes it. */
final class CacheCommand implements Cli.Command {
  final Cli cli = new Cli(this, "plinth cache",
      "Shows plinth's cache ($XDG_CACHE_HOME/plinth, else ~/.cache/plinth): its size and what"
          + " each kind of entry takes; or prunes it, least recently used entries first. A prune"
          + " waits for running builds; whatever it removes, the next build downloads or makes"
          + " again. After each build the cache is pruned to PLINTH_CACHE_MAX (default 10G; 0"
          + " for no bound).",
      "  plinth cache                         # what it holds, and its size",
      "  plinth cache prune --max-size 5G     # down to 5 GiB, oldest first",
      "  plinth cache prune --older-than 30d  # what no build used for 30 days",
      "  plinth cache prune --all             # everything (docs/cache.md)");

  private final Cli.Arg action = cli.parameter("show|prune",
      "What to do (default: show).").defaultValue("show");

  private final Cli.Arg maxSize = cli.option("--max-size", "SIZE",
      "prune: down to this size, least recently used first (K, M, G, T: powers of 1024).");

  private final Cli.Arg olderThan = cli.option("--older-than", "DURATION",
      "prune: entries unused for longer than this (e.g. 30d, 12h).");

  private final Cli.Arg all = cli.flag("--all", "prune: every entry.");

  private final Cli.Arg json = cli.flag("--json", "The report as JSON on stdout.");

  @Override
  public int run(Cli.Context context) throws Exception {
    Path root = context.options().cacheDir();
    if (root == null) {
      throw new PlinthException(Kind.USAGE, "no cache directory: set XDG_CACHE_HOME or HOME");
    }
    PrintWriter out = context.out();
    switch (action.value()) {
      case "show" -> {
        if (maxSize.on() || olderThan.on() || all.on()) {
          throw new PlinthException(Kind.USAGE, "--max-size, --older-than and --all are for"
              + " 'plinth cache prune'");
        }
        CacheDirectory.Report r = CacheDirectory.show(root);
        if (json.on()) {
          print(out, r.toJson());
        } else {
          show(out, r);
        }
      }
      case "prune" -> {
        if (!maxSize.on() && !olderThan.on() && !all.on()) {
          throw new PlinthException(Kind.USAGE, "plinth cache prune: say what to remove:"
              + " --max-size SIZE, --older-than DURATION or --all");
        }
        long max = maxSize.on() ? CacheDirectory.parseSize(maxSize.value(), "--max-size") : -1;
        Duration age = olderThan.on()
            ? CacheDirectory.parseDuration(olderThan.value(), "--older-than") : null;
        CacheDirectory.Pruned p = CacheDirectory.prune(root,
            new CacheDirectory.Bound(max, age, all.on()), true, System.currentTimeMillis());
        if (json.on()) {
          Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("removedEntries", p.entries());
          m.put("removedBytes", p.bytes());
          m.put("cache", p.after().toJson());
          print(out, m);
        } else {
          out.println("removed " + p.entries() + " entries (" + Sizes.decimal(p.bytes()) + ")");
          show(out, p.after());
        }
      }
      default -> throw new PlinthException(Kind.USAGE, "plinth cache: the action is show or"
          + " prune, not '" + action.value() + "'" + Cli.didYouMean(action.value(),
              java.util.List.of("show", "prune")));
    }
    return 0;
  }

  private static void print(PrintWriter out, Map<String, Object> m) {
    out.println(Json.writePretty(m));
  }

  private static void show(PrintWriter out, CacheDirectory.Report r) {
    out.println(r.root() + ": " + Sizes.decimal(r.bytes()));
    for (CacheDirectory.Usage u : r.kinds()) {
      out.printf(Locale.ROOT, "  %-14s %10s %5d %-7s  %s%n", u.kind(), Sizes.decimal(u.bytes()),
          u.entries(), u.entries() == 1 ? "entry" : "entries", u.holds());
    }
  }
}
