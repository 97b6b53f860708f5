package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerCacheTest {
  @TempDir Path tmp;

  private static LayerBuilder content(String text) {
    return new LayerBuilder().file("/app/a.txt", text.getBytes(), 0644, 0, 0)
        .directory("/app/d", 0755, 0, 0);
  }

  @Test
  void sameContent_comesFromTheCache_withTheSameDigests() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Layer plain = content("hello").build(tmp.resolve("w0"), 0, 9);
    assertEquals(plain.blob().descriptor(), first.blob().descriptor());
    assertEquals(plain.diffId(), first.diffId());
    Layer second = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    assertEquals(first.blob().descriptor(), second.blob().descriptor());
    assertTrue(second.blob().descriptor().digest().hex().length() == 64);
    // The second build wrote no layer file of its own: it was not compressed again.
    assertFalse(Files.exists(tmp.resolve("w2")), "nothing written for a cache hit");
    Layer other = content("changed").build(tmp.resolve("w3"), 0, 9, cache);
    assertFalse(other.diffId().equals(first.diffId()));
    Layer otherLevel = content("hello").build(tmp.resolve("w4"), 0, 1, cache);
    assertEquals(first.diffId(), otherLevel.diffId());
  }

  @Test
  void damagedEntry_isDropped_andBuiltAgain() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path blob = tmp.resolve("cache/blobs/sha256/" + first.blob().descriptor().digest().hex());
    byte[] b = Files.readAllBytes(blob);
    b[b.length / 2] ^= 1;
    Files.write(blob, b);
    Layer again = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    assertEquals(first.blob().descriptor(), again.blob().descriptor());
    assertEquals(first.blob().descriptor().digest(),
        Digest.of(Files.readAllBytes(blob)), "the cache holds the right bytes again");
  }
}
