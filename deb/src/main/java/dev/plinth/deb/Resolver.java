package dev.plinth.deb;

import dev.plinth.oci.PlinthException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Picks the packages an image needs: the requested ones and, transitively, what they Depend and
 * Pre-Depend on, taking the first satisfiable alternative of each group, the newest version that
 * meets the version constraints, and a provider for a virtual name. Deterministic: the same index
 * and request give the same set.
 *
 * <p>No maintainer script ever runs in an image, so dependencies that exist only for them are not
 * pulled in: {@link #SCRIPT_ONLY} packages for everyone, and {@link #SCRIPT_DEPENDENCIES} for the
 * packages plinth knows. Asking for such a package by name still installs it.
 */
public final class Resolver {
  /** Packages whose only role in a dependency is to run maintainer scripts. */
  public static final Set<String> SCRIPT_ONLY =
      Set.of("debconf", "debconf-2.0", "cdebconf", "dpkg", "perl-base", "init-system-helpers",
          "install-info");

  /** Dependencies of a package that only its maintainer scripts use. */
  public static final Map<String, Set<String>> SCRIPT_DEPENDENCIES =
      Map.of("ca-certificates", Set.of("openssl"));

  /**
   * What was resolved.
   *
   * @param packages sorted by name
   * @param skipped dependencies deliberately left out, and why
   */
  public record Result(List<PackageRecord> packages, List<String> skipped) {}

  private record Need(List<PackageRecord.Relation> alternatives, String neededBy) {}

  /**
   * Resolves {@code requested} against {@code index}.
   *
   * @param exclude names never installed (a dependency group made only of them is left out)
   * @param what names the platform and repository in errors, e.g. "linux/arm64 (bookworm main)"
   */
  public static Result resolve(
      PackageIndex index, List<String> requested, Collection<String> exclude, String what)
      throws PlinthException {
    Map<String, PackageRecord> selected = new LinkedHashMap<>();
    Map<String, PackageRecord> provided = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    Deque<Need> queue = new ArrayDeque<>();
    for (String name : requested) {
      if (index.versions(name).isEmpty() && index.providers(name).isEmpty()) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND,
            "no package named '" + name + "' for " + what);
      }
      queue.add(new Need(List.of(new PackageRecord.Relation(name, null, null)), null));
    }
    while (!queue.isEmpty()) {
      Need need = queue.poll();
      if (satisfied(need, selected, provided, what)) {
        continue;
      }
      List<PackageRecord.Relation> usable = new ArrayList<>();
      for (PackageRecord.Relation r : need.alternatives) {
        if (exclude.contains(r.name())) {
          continue;
        }
        if (need.neededBy != null && (SCRIPT_ONLY.contains(r.name())
            || SCRIPT_DEPENDENCIES.getOrDefault(need.neededBy, Set.of()).contains(r.name()))) {
          continue;
        }
        usable.add(r);
      }
      if (usable.isEmpty()) {
        skipped.add(describe(need.alternatives) + " (needed by " + need.neededBy + "): "
            + (need.alternatives.stream().allMatch(r -> exclude.contains(r.name()))
                ? "excluded" : "only maintainer scripts use it"));
        continue;
      }
      PackageRecord chosen = choose(index, usable);
      if (chosen == null) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            "cannot satisfy " + describe(need.alternatives)
                + (need.neededBy == null ? "" : ", a dependency of " + need.neededBy)
                + ", for " + what + ": no version of it meets the constraint");
      }
      PackageRecord already = selected.get(chosen.name());
      if (already != null) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            chosen.name() + " " + already.version() + " is already chosen for " + what
                + " but " + need.neededBy + " needs " + describe(need.alternatives));
      }
      selected.put(chosen.name(), chosen);
      for (PackageRecord.Relation p : chosen.provides()) {
        provided.putIfAbsent(p.name(), chosen);
      }
      for (List<PackageRecord.Relation> group : chosen.depends()) {
        queue.add(new Need(group, chosen.name()));
      }
    }
    List<PackageRecord> out = new ArrayList<>(selected.values());
    out.sort(Comparator.comparing(PackageRecord::name));
    return new Result(out, skipped);
  }

  private static boolean satisfied(
      Need need, Map<String, PackageRecord> selected, Map<String, PackageRecord> provided,
      String what) throws PlinthException {
    for (PackageRecord.Relation r : need.alternatives) {
      PackageRecord s = selected.get(r.name());
      if (s != null) {
        if (r.satisfiedBy(s.version())) {
          return true;
        }
        if (need.alternatives.size() == 1) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT,
              need.neededBy + " needs " + r + " but " + s.name() + " " + s.version()
                  + " is chosen for " + what);
        }
      }
      PackageRecord p = provided.get(r.name());
      if (p != null && r.op() == null) {
        return true;
      }
    }
    return false;
  }

  private static PackageRecord choose(PackageIndex index, List<PackageRecord.Relation> usable)
      throws PlinthException {
    for (PackageRecord.Relation r : usable) {
      for (PackageRecord candidate : index.versions(r.name())) {
        if (r.satisfiedBy(candidate.version())) {
          return candidate;
        }
      }
      for (PackageRecord provider : index.providers(r.name())) {
        for (PackageRecord.Relation p : provider.provides()) {
          if (p.name().equals(r.name()) && (r.op() == null || r.satisfiedBy(p.version()))) {
            return provider;
          }
        }
      }
    }
    return null;
  }

  private static String describe(List<PackageRecord.Relation> alternatives) {
    StringBuilder sb = new StringBuilder();
    for (PackageRecord.Relation r : alternatives) {
      if (sb.length() > 0) {
        sb.append(" | ");
      }
      sb.append(r);
    }
    return sb.toString();
  }

  private Resolver() {}
}
