package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DebVersionTest {
  private static DebVersion v(String s) {
    return DebVersion.parse(s);
  }

  /** Each version sorts strictly before the next, as dpkg --compare-versions says. */
  static final List<String> ASCENDING = List.of(
      "0.9",
      "1.0~~",
      "1.0~~a",
      "1.0~",
      "1.0~rc1",
      "1.0~rc2",
      "1.0",
      "1.0-1~deb12u1",
      "1.0-1",
      "1.0-1+b1",
      "1.0-1.1",
      "1.0-2",
      "1.0-10",
      "1.0a",
      "1.0+",
      "1.0+b1",
      "1.0.0",
      "1.1",
      "1.2.3-1~deb12u1",
      "1.2.3-1",
      "1.9",
      "1.10",
      "9",
      "10",
      "1:0.1",
      "1:9",
      "2:1");

  @Test
  void compareTo_followsDpkgOrdering() {
    for (int i = 0; i < ASCENDING.size(); i++) {
      for (int j = 0; j < ASCENDING.size(); j++) {
        int c = Integer.signum(v(ASCENDING.get(i)).compareTo(v(ASCENDING.get(j))));
        assertEquals(Integer.signum(Integer.compare(i, j)), c,
            ASCENDING.get(i) + " vs " + ASCENDING.get(j));
      }
    }
  }

  @Test
  void sort_shuffled_givesDpkgOrder() {
    List<DebVersion> shuffled = new ArrayList<>();
    for (String s : ASCENDING) {
      shuffled.add(v(s));
    }
    Collections.shuffle(shuffled, new Random(7));
    Collections.sort(shuffled);
    assertEquals(ASCENDING, shuffled.stream().map(DebVersion::toString).toList());
  }

  @ParameterizedTest
  @CsvSource({
      "1.0~rc1, 1.0",
      "1.0, 1.0-1",
      "1.0-1, 1.0+b1",
      "1:9, 2:1",
      "9.9-9, 1:0",
      "1.2.3-1~deb12u1, 1.2.3-1",
      "1.0a, 1.0+",
      "1.0~, 1.0",
      "1.0, 1.0a",
      "1.0-a, 1.0-b",
      "1.0-1, 1.0-1-1",
      "2.36-9+deb12u3, 2.36-9+deb12u4",
      "2.36-9+deb12u9, 2.36-9+deb12u10",
  })
  void compareTo_lowerFirst(String lower, String higher) {
    assertTrue(v(lower).compareTo(v(higher)) < 0, lower + " < " + higher);
    assertTrue(v(higher).compareTo(v(lower)) > 0, higher + " > " + lower);
  }

  @ParameterizedTest
  @CsvSource({
      "1.010, 1.10",
      "0:1.0, 1.0",
      "1.0, 1.0-0",
      "1.00a, 1.0a",
      "1:2.3-04, 1:2.3-4",
  })
  void equalVersions_areEqual_withTheSameHashCode_andKeepTheirText(String a, String b) {
    assertEquals(0, v(a).compareTo(v(b)));
    assertEquals(v(a), v(b));
    assertEquals(v(a).hashCode(), v(b).hashCode());
    assertEquals(a, v(a).toString());
    assertEquals(b, v(b).toString());
  }

  @Test
  void equals_differentVersions_notEqual() {
    assertNotEquals(v("1.0"), v("1.0-1"));
    assertNotEquals(v("1.0"), v("1:1.0"));
    assertNotEquals(v("1.0~"), v("1.0"));
  }

  @Test
  void parse_splitsEpochUpstreamRevision() {
    DebVersion a = v("1:2.3.4-5+deb12u1");
    assertEquals(1, a.epoch());
    assertEquals("2.3.4", a.upstream());
    assertEquals("5+deb12u1", a.revision());

    DebVersion b = v("2.36");
    assertEquals(0, b.epoch());
    assertEquals("2.36", b.upstream());
    assertEquals("", b.revision());

    // the revision is after the last hyphen; upstream may hold hyphens then
    DebVersion c = v("1.0-beta-3");
    assertEquals("1.0-beta", c.upstream());
    assertEquals("3", c.revision());

    // a colon after the first is part of upstream (dpkg accepts "1:2:3")
    DebVersion d = v("1:2:3");
    assertEquals(1, d.epoch());
    assertEquals("2:3", d.upstream());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",                        // nothing
      "1.0-",                    // revision is empty
      ":1.0",                    // epoch is empty
      "1:",                      // nothing after the colon
      "a:1.0",                   // epoch not a number
      "-1:1.0",                  // negative epoch
      "99999999999999999999:1",  // epoch too big
      "1.0 1",                   // embedded space
      "1.0_1",                   // invalid character
      "-1",                      // upstream is empty
      "1.0\n",                   // control character
  })
  void parse_badSyntax_rejected(String s) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> v(s));
    assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a message saying why");
  }

  @Test
  void parse_null_rejected() {
    assertThrows(RuntimeException.class, () -> v(null));
  }

  @Test
  void satisfies_eachOperator() {
    DebVersion one = v("1.0-1");
    DebVersion same = v("1.0-1");
    DebVersion newer = v("1.0-2");
    DebVersion older = v("1.0~rc1-1");

    assertTrue(one.satisfies("=", same));
    assertFalse(one.satisfies("=", newer));

    assertTrue(one.satisfies(">=", same));
    assertTrue(one.satisfies(">=", older));
    assertFalse(one.satisfies(">=", newer));

    assertTrue(one.satisfies("<=", same));
    assertTrue(one.satisfies("<=", newer));
    assertFalse(one.satisfies("<=", older));

    assertTrue(one.satisfies(">>", older));
    assertFalse(one.satisfies(">>", same));
    assertFalse(one.satisfies(">>", newer));

    assertTrue(one.satisfies("<<", newer));
    assertFalse(one.satisfies("<<", same));
    assertFalse(one.satisfies("<<", older));
  }

  @Test
  void satisfies_legacyOperators_meanOrEqual() {
    DebVersion one = v("2.0");
    // Debian policy: the deprecated "<" and ">" mean "<=" and ">="
    assertTrue(one.satisfies("<", v("2.0")));
    assertTrue(one.satisfies("<", v("3.0")));
    assertFalse(one.satisfies("<", v("1.0")));
    assertTrue(one.satisfies(">", v("2.0")));
    assertTrue(one.satisfies(">", v("1.0")));
    assertFalse(one.satisfies(">", v("3.0")));
  }

  @Test
  void satisfies_epochAndTilde() {
    // libc6 (>= 2.36) is satisfied by a security update, not by a pre-release
    assertTrue(v("2.36-9+deb12u4").satisfies(">=", v("2.36")));
    assertFalse(v("2.36~rc1-1").satisfies(">=", v("2.36")));
    assertTrue(v("1:0.1").satisfies(">>", v("9.9")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"==", "!=", "", "=>", "<>"})
  void satisfies_unknownOperator_rejected(String op) {
    assertThrows(IllegalArgumentException.class, () -> v("1.0").satisfies(op, v("1.0")));
  }

  /** The real peer: every pair of ASCENDING as dpkg itself compares it. */
  @Test
  void ordering_agreesWithDpkg() throws Exception {
    Path dpkg = onPath("dpkg");
    assumeTrue(dpkg != null, "dpkg is not installed");
    List<String> all = new ArrayList<>(ASCENDING);
    all.addAll(List.of("1.010", "1.0-0", "0:1.0", "1.0-beta-3", "2.36-9+deb12u10"));
    for (String a : all) {
      for (String b : all) {
        int ours = Integer.signum(v(a).compareTo(v(b)));
        String op = ours < 0 ? "lt" : ours == 0 ? "eq" : "gt";
        Process p = new ProcessBuilder(dpkg.toString(), "--compare-versions", a, op, b)
            .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "dpkg disagrees that " + a + " " + op + " " + b);
      }
    }
  }

  static Path onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
