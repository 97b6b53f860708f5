package dev.plinth.deb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The table answers as the {@code Map<String, int[]>} it replaces would, copies included. */
class NameTableTest {

  /** The map the index kept before, and what it did on each operation. */
  private static final class Model {
    final Map<String, List<Integer>> map = new HashMap<>();

    void add(String name, int v) {
      map.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
    }

    int[] get(String name) {
      List<Integer> l = map.get(name);
      return l == null || l.isEmpty() ? null : l.stream().mapToInt(Integer::intValue).toArray();
    }

    void remove(String name, int v) {
      List<Integer> l = map.get(name);
      if (l != null) {
        l.removeIf(x -> x == v);
      }
    }

    int size() {
      return (int) map.values().stream().filter(l -> !l.isEmpty()).count();
    }

    Model copy() {
      Model m = new Model();
      map.forEach((k, v) -> m.map.put(k, new ArrayList<>(v)));
      return m;
    }
  }

  private static String[] names(Random r, int n) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      out[i] = switch (i % 7) {
        case 0 -> "lib" + Integer.toString(r.nextInt(1 << 20), 36) + "-dev";
        case 1 -> "x".repeat(1 + r.nextInt(40)) + i;
        case 2 -> "paquet-é" + i + "-日本";   // not ASCII: names are compared as UTF-8
        case 3 -> "n" + (char) ('a' + r.nextInt(26));   // short, many collisions of hash bits
        case 4 -> i % 97 == 4 ? "L" + "o".repeat(NameTable.BLOCK + r.nextInt(10)) + i
            : "python3-" + i;  // a few longer than a block, as a hostile index may have
        case 5 -> "Aa" + "BB".repeat(i % 3);   // equal String hash codes: "Aa" and "BB"
        default -> "BB" + "Aa".repeat(i % 3);
      };
    }
    return out;
  }

  @Test
  void randomOperations_answerAsTheMapWould_andCopiesChangeApart() {
    Random r = new Random(7);
    String[] pool = names(r, 3_000);
    NameTable table = new NameTable();
    Model model = new Model();
    NameTable copy = null;
    Model copyModel = null;
    for (int op = 0; op < 120_000; op++) {
      String name = pool[r.nextInt(pool.length)];
      int v = r.nextInt(50);
      int what = r.nextInt(100);
      boolean onCopy = copy != null && r.nextBoolean();
      NameTable t = onCopy ? copy : table;
      Model m = onCopy ? copyModel : model;
      if (what < 80) {
        t.add(name, v);
        m.add(name, v);
      } else if (what < 90) {
        t.remove(name, v);
        m.remove(name, v);
      } else if (what < 93) {
        t.removeAll(name);
        m.map.remove(name);
      } else if (what < 94 && copy == null && op > 60_000) {
        copy = table.copy();
        copyModel = model.copy();
      }
      assertArrayEquals(m.get(name), t.get(name), name + " after op " + op);
    }
    for (String name : pool) {
      assertArrayEquals(model.get(name), table.get(name), name);
      assertArrayEquals(copyModel.get(name), copy.get(name), name + " (copy)");
    }
    assertEquals(model.size(), table.size());
    assertEquals(copyModel.size(), copy.size());
  }

  @Test
  void aHundredThousandNames_eachWithItsNumbers_inTheOrderFiled() {
    NameTable t = new NameTable();
    for (int i = 0; i < 100_000; i++) {
      t.add("package-" + i, i);
      if (i % 10 == 0) {
        t.add("package-" + i, -i);
      }
    }
    assertEquals(100_000, t.size());
    for (int i = 0; i < 100_000; i++) {
      int[] want = i % 10 == 0 ? new int[] {i, -i} : new int[] {i};
      assertArrayEquals(want, t.get("package-" + i), "package-" + i);
    }
    assertNull(t.get("package-100000"));
    assertNull(t.get(""));
    t.removeAll("package-5");
    assertNull(t.get("package-5"));
    assertEquals(99_999, t.size());
    t.add("package-5", 55);
    assertArrayEquals(new int[] {55}, t.get("package-5"));
  }
}
