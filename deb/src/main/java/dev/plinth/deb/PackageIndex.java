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

  /**
   * This index with only {@code pins} for their names (e.g. the versions plinth.lock holds): a
   * pinned name has exactly that version, every other name what this index has.
   */
  public PackageIndex pinned(java.util.Collection<PackageRecord> pins) {
    PackageIndex out = new PackageIndex();
    byName.forEach((name, records) -> out.byName.put(name, new ArrayList<>(records)));
    providers.forEach((name, records) -> out.providers.put(name, new ArrayList<>(records)));
    for (PackageRecord pin : pins) {
      List<PackageRecord> old = out.byName.put(pin.name(), new ArrayList<>(List.of(pin)));
      if (old != null) {
        for (PackageRecord r : old) {
          for (PackageRecord.Relation p : r.provides()) {
            out.providers.get(p.name()).remove(r);
          }
        }
      }
      for (PackageRecord.Relation p : pin.provides()) {
        out.providers.computeIfAbsent(p.name(), k -> new ArrayList<>()).add(pin);
      }
    }
    return out;
  }

  public int size() {
    return byName.size();
  }
}
