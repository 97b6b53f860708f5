package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResolverTest {
  private final PackageIndex index = new PackageIndex();

  private void pkg(String name, String version, String depends, String provides) throws Exception {
    List<PackageRecord.Relation> prov = new ArrayList<>();
    for (List<PackageRecord.Relation> g : PackageRecord.relations(provides, "test")) {
      prov.addAll(g);
    }
    index.add(new PackageRecord(name, DebVersion.parse(version), "amd64",
        PackageRecord.relations(depends, "test"), prov, "pool/" + name + "_" + version + ".deb", 1,
        Digest.of(name.getBytes()), name));
  }

  private List<String> resolve(String... names) throws Exception {
    return Resolver.resolve(index, List.of(names), Set.of(), "linux/amd64").packages().stream()
        .map(p -> p.name() + "=" + p.version()).toList();
  }

  @Test
  void dependencies_areFollowedTransitively_newestSatisfyingVersion() throws Exception {
    pkg("app", "1.0", "libc6 (>= 2.36), libssl3", null);
    pkg("libc6", "2.35-1", "libgcc-s1", null);
    pkg("libc6", "2.36-9", "libgcc-s1", null);
    pkg("libc6", "2.37~rc1", "libgcc-s1", null);
    pkg("libgcc-s1", "12.2.0-14", "gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)", null);
    pkg("gcc-12-base", "12.2.0-14", null, null);
    pkg("libssl3", "3.0.11-1", "libc6 (>= 2.34)", null);
    assertEquals(List.of("app=1.0", "gcc-12-base=12.2.0-14", "libc6=2.37~rc1",
        "libgcc-s1=12.2.0-14", "libssl3=3.0.11-1"), resolve("app"));
  }

  @Test
  void versionConstraints_pickAnOlderVersionWhenTheNewestDoesNotFit() throws Exception {
    pkg("app", "1.0", "lib (<< 2.0)", null);
    pkg("lib", "1.5", null, null);
    pkg("lib", "2.1", null, null);
    assertEquals(List.of("app=1.0", "lib=1.5"), resolve("app"));
  }

  @Test
  void alternatives_takeTheFirstSatisfiable_orOneAlreadyChosen() throws Exception {
    pkg("app", "1", "missing | second | third", null);
    pkg("second", "1", null, null);
    pkg("third", "1", null, null);
    assertEquals(List.of("app=1", "second=1"), resolve("app"));
    pkg("other", "1", "third | second", null);
    assertEquals(List.of("app=1", "other=1", "second=1"), resolve("app", "other"));
  }

  @Test
  void virtualPackages_areSatisfiedByAProvider() throws Exception {
    pkg("app", "1", "mail-transport-agent", null);
    pkg("postfix", "3.7", null, "mail-transport-agent");
    pkg("exim4", "4.96", null, "mail-transport-agent");
    assertEquals(List.of("app=1", "exim4=4.96"), resolve("app"));
  }

  @Test
  void maintainerScriptDependencies_areLeftOut_andSaidSo() throws Exception {
    pkg("ca-certificates", "20230311", "openssl (>= 1.1.1), debconf (>= 0.5) | debconf-2.0", null);
    pkg("openssl", "3.0.11", null, null);
    pkg("debconf", "1.5.82", "perl-base", null);
    Resolver.Result r = Resolver.resolve(index, List.of("ca-certificates"), Set.of(), "x");
    assertEquals(List.of("ca-certificates"), r.packages().stream().map(PackageRecord::name).toList());
    assertEquals(2, r.skipped().size(), r.skipped().toString());
    assertTrue(r.skipped().get(0).contains("openssl") && r.skipped().get(0).contains("maintainer scripts"));
    // Asked for by name, a script-only package is installed.
    assertEquals(List.of("ca-certificates=20230311", "openssl=3.0.11"), resolve("ca-certificates", "openssl"));
  }

  @Test
  void excluded_areNeverInstalled() throws Exception {
    pkg("app", "1", "libfoo", null);
    pkg("libfoo", "1", null, null);
    Resolver.Result r = Resolver.resolve(index, List.of("app"), Set.of("libfoo"), "x");
    assertEquals(List.of("app"), r.packages().stream().map(PackageRecord::name).toList());
    assertTrue(r.skipped().get(0).contains("excluded"));
  }

  @Test
  void unknownPackage_isNotFound_andUnsatisfiable_isAnError() throws Exception {
    pkg("app", "1", "lib (>= 9)", null);
    pkg("lib", "1", null, null);
    PlinthException unknown = assertThrows(PlinthException.class, () -> resolve("nope"));
    assertEquals(PlinthException.Kind.NOT_FOUND, unknown.kind());
    assertTrue(unknown.getMessage().contains("'nope'") && unknown.getMessage().contains("linux/amd64"));
    PlinthException unsat = assertThrows(PlinthException.class, () -> resolve("app"));
    assertTrue(unsat.getMessage().contains("lib (>= 9)") && unsat.getMessage().contains("app"),
        unsat.getMessage());
  }

  @Test
  void conflictingConstraints_onAChosenPackage_areAnError() throws Exception {
    pkg("a", "1", "lib (>= 2)", null);
    pkg("b", "1", "lib (<< 2)", null);
    pkg("lib", "1", null, null);
    pkg("lib", "2", null, null);
    PlinthException e = assertThrows(PlinthException.class, () -> resolve("a", "b"));
    assertTrue(e.getMessage().contains("lib (<< 2)"), e.getMessage());
  }

  @Test
  void relations_parseQualifiersAndRestrictions() throws Exception {
    List<List<PackageRecord.Relation>> r = PackageRecord.relations(
        "libc6 (>= 2.36), python3:any (>= 3.11~), foo [amd64] | bar <!nocheck>", "t");
    assertEquals(3, r.size());
    assertEquals("python3", r.get(1).get(0).name());
    assertEquals(">=", r.get(1).get(0).op());
    assertEquals("bar", r.get(2).get(1).name());
    assertThrows(PlinthException.class, () -> PackageRecord.relations("lib (>= )", "t"));
  }
}
