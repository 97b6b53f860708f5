package dev.plinth.deb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The packages of one architecture (its own and 'all'), by name and by what they provide. */
public final class PackageIndex {
  private final Map<String, List<PackageRecord>> byName = new HashMap<>();
  private final Map<String, List<PackageRecord>> providers = new HashMap<>();

  public void add(PackageRecord r) {
    byName.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(r);
    for (PackageRecord.Relation p : r.provides()) {
      providers.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(r);
    }
  }

  /** Every version of a real package, newest first. */
  public List<PackageRecord> versions(String name) {
    List<PackageRecord> l = new ArrayList<>(byName.getOrDefault(name, List.of()));
    l.sort(Comparator.comparing(PackageRecord::version).reversed());
    return l;
  }

  /** The packages that provide a (virtual) name, by name then newest first. */
  public List<PackageRecord> providers(String name) {
    List<PackageRecord> l = new ArrayList<>(providers.getOrDefault(name, List.of()));
    l.sort(Comparator.comparing(PackageRecord::name)
        .thenComparing(PackageRecord::version, Comparator.reverseOrder()));
    return l;
  }

  public int size() {
    return byName.size();
  }
}
