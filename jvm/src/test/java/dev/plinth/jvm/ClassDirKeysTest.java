package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A no-change build takes the resources and classes layers of class directories by the keys an
 * earlier build recorded for the same listing (ClassDirKeys): the same layers as listing them file
 * by file, and a layer of its own for every change and every app sharing the cache.
 */
class ClassDirKeysTest {
  @TempDir Path tmp;

  /**
   * An app's class directory: more files than HostTree lists through the JDK (find lists it),
   * one resource, each file's content its name and {@code variant}.
   */
  private Path app(String name, String variant) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(name + "/classes"));
    for (int i = 0; i < 300; i++) { // HostTree lists more than 256 through find
      Path f = d.resolve("com/example/p" + i % 4 + "/C" + i + ".class");
      Files.createDirectories(f.getParent());
      Files.writeString(f, variant + i);
    }
    Files.writeString(d.resolve("application.properties"), "greeting=" + variant);
    Files.createDirectories(tmp.resolve(name + "/lib"));
    Files.writeString(tmp.resolve(name + "/lib/dep-1.0.jar"), "not read: a layer of its own");
    return d;
  }

  private static JavaSpec java(Path classes) {
    return new JavaSpec(null, "com.example.Main", List.of(classes,
        classes.resolveSibling("lib/dep-1.0.jar")), 25, List.of(), List.of(), null, "trixie");
  }

  private Path keys() {
    return tmp.resolve("cache/class-dirs");
  }

  private LayerCache cache() {
    return new LayerCache(tmp.resolve("cache/layers"));
  }

  private JavaApp.Plan plan(Path classes) throws Exception {
    return JavaApp.plan(java(classes), tmp.resolve("cache/jars"), keys());
  }

  /** Builds the plan's layers as a build does, then records what it remembers; by part name. */
  private Map<String, Layer> build(JavaApp.Plan plan, LayerCache cache) throws Exception {
    Map<String, Layer> out = new TreeMap<>();
    for (JavaApp.Part p : plan.parts()) {
      out.put(p.name(), p.layer().build(tmp.resolve("work"), 0, 6, cache));
    }
    if (plan.remember() != null) {
      plan.remember().run();
    }
    return out;
  }

  private static List<Digest> diffIds(Map<String, Layer> layers) throws Exception {
    List<Digest> out = new ArrayList<>();
    for (Layer l : layers.values()) {
      out.add(l.diffId());
    }
    return out;
  }

  /** The parts of the plan whose builder still waits for its entries. */
  private static List<String> deferred(JavaApp.Plan plan) {
    List<String> out = new ArrayList<>();
    for (JavaApp.Part p : plan.parts()) {
      if (p.layer().isDeferred()) {
        out.add(p.name());
      }
    }
    return out;
  }

  /** What the same plan builds without any cache or keys: the layers listed file by file. */
  private Map<String, Layer> plainly(Path classes) throws Exception {
    Map<String, Layer> out = new TreeMap<>();
    for (JavaApp.Part p : JavaApp.plan(java(classes), tmp.resolve("cache/jars")).parts()) {
      out.put(p.name(), p.layer().build(tmp.resolve("plain"), 0, 6));
    }
    return out;
  }

  @Test
  void aSecondBuild_takesTheLayersByTheirKeys_theSameLayers() throws Exception {
    Path a = app("a", "one");
    Thread.sleep(3100); // past the 3 seconds in which a changed file's stamp does not settle it
    LayerCache cache = cache();
    JavaApp.Plan first = plan(a);
    assertEquals(List.of(), deferred(first));
    assertNotNull(first.remember(), "find listed the directory, no symlink in it");
    Map<String, Layer> built = build(first, cache);
    try (var entries = Files.list(keys())) {
      assertEquals(1, entries.count(), "one entry recorded");
    }
    JavaApp.Plan second = plan(a);
    assertEquals(List.of("resources", "classes"), deferred(second));
    assertNull(second.remember(), "nothing new to record");
    assertEquals(first.classpath(), second.classpath());
    assertEquals(first.javaArgs(), second.javaArgs());
    Map<String, Layer> again = build(second, cache);
    assertEquals(List.of("resources", "classes"), deferred(second),
        "taken from the cache without listing a file");
    assertEquals(diffIds(built), diffIds(again));
    assertEquals(diffIds(plainly(a)), diffIds(again), "the layers of a build without keys");
    for (JavaApp.Part p : second.parts()) {
      assertEquals(built.get(p.name()).uncompressedSize(), again.get(p.name()).uncompressedSize());
    }
  }

  @Test
  void twoAppsSharingACache_andEveryChange_getTheirOwnLayers() throws Exception {
    Path a = app("a", "one");
    Path b = app("b", "two"); // the same names and sizes, other content
    Thread.sleep(3100);
    LayerCache cache = cache();
    Map<String, Layer> la = build(plan(a), cache);
    Map<String, Layer> lb = build(plan(b), cache);
    assertNotEquals(la.get("classes").diffId(), lb.get("classes").diffId());
    assertEquals(diffIds(plainly(b)), diffIds(lb));
    // each again, by its keys
    JavaApp.Plan pa = plan(a);
    JavaApp.Plan pb = plan(b);
    assertEquals(List.of("resources", "classes"), deferred(pa));
    assertEquals(diffIds(la), diffIds(build(pa, cache)));
    assertEquals(diffIds(lb), diffIds(build(pb, cache)));
    // one class written again with other bytes of the same size
    Files.writeString(a.resolve("com/example/p1/C5.class"), "ONE5");
    JavaApp.Plan changed = plan(a);
    assertEquals(List.of(), deferred(changed), "the listing changed: listed file by file");
    Map<String, Layer> lc = build(changed, cache);
    assertEquals(diffIds(plainly(a)), diffIds(lc));
    assertNotEquals(la.get("classes").diffId(), lc.get("classes").diffId());
    assertEquals(la.get("resources").diffId(), lc.get("resources").diffId());
    // a resource added, a class removed
    Files.writeString(a.resolve("logback.xml"), "<configuration/>");
    Files.delete(a.resolve("com/example/p0/C0.class"));
    Map<String, Layer> ld = build(plan(a), cache);
    assertEquals(diffIds(plainly(a)), diffIds(ld));
    assertNotEquals(lc.get("resources").diffId(), ld.get("resources").diffId());
    assertNotEquals(lc.get("classes").diffId(), ld.get("classes").diffId());
  }

  @Test
  void aLayerGoneFromTheCache_isMadeAgainFromTheFiles() throws Exception {
    Path a = app("a", "one");
    Thread.sleep(3100);
    Map<String, Layer> built = build(plan(a), cache());
    // the layers pruned: a new cache directory, the same recorded keys
    LayerCache empty = new LayerCache(tmp.resolve("other-layers"));
    JavaApp.Plan plan = plan(a);
    assertEquals(List.of("resources", "classes"), deferred(plan));
    Map<String, Layer> again = build(plan, empty);
    assertEquals(List.of(), deferred(plan), "the files listed after all");
    assertEquals(diffIds(built), diffIds(again));
  }

  @Test
  void noEntry_forASymlinkOrARecentChange_andADamagedEntryIsIgnored() throws Exception {
    Path a = app("a", "one");
    // changed in the last 3 seconds: the layer's key cannot name its entries yet
    JavaApp.Plan racy = plan(a);
    build(racy, cache());
    assertFalse(Files.exists(keys()) && Files.list(keys()).findAny().isPresent(),
        "no entry for files that changed just now");
    Path b = app("b", "two");
    Files.createSymbolicLink(b.resolve("link.class"), b.resolve("com/example/p0/C0.class"));
    Thread.sleep(3100);
    assertNull(plan(b).remember(), "a symlink: its target's stamp is not in the listing");
    build(plan(a), cache());
    Path entry;
    try (var entries = Files.list(keys())) {
      entry = entries.findFirst().orElseThrow();
    }
    String text = Files.readString(entry);
    for (String damaged : List.of("", "plinth-class-dirs-1\n", text.replace("classes ",
        "classes x"), text.replace("resources ", "resourcez "), text + "more\n",
        text.replaceFirst(" [0-9]+\n", " -1\n"))) {
      Files.writeString(entry, damaged);
      JavaApp.Plan p = plan(a);
      assertEquals(List.of(), deferred(p), "damaged: " + damaged);
      assertEquals(diffIds(plainly(a)), diffIds(build(p, cache())));
    }
    assertEquals(text, Files.readString(entry), "written again by the last build");
  }
}
