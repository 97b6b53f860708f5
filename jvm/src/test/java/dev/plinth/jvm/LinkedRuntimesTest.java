package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime cache: a runtime is made once per key, kept whole, and made again if damaged. */
class LinkedRuntimesTest {
  @TempDir Path tmp;

  private final AtomicInteger made = new AtomicInteger();

  /** Makes a small "runtime": a file from its work directory, inline bytes, a link, a dir. */
  private final LinkedRuntimes.Maker maker = (layer, work) -> {
    made.incrementAndGet();
    Path lib = Files.writeString(work.resolve("libjvm.so"), "pretend ELF " + "x".repeat(5000));
    layer.directory("/opt/java/openjdk/lib", 0755, 0, 0);
    layer.file("/opt/java/openjdk/lib/libjvm.so", lib, 0755, 0, 0);
    layer.file("/var/lib/dpkg/status.d/openjdk-25-jdk-headless", "Package: x\n".getBytes(),
        0644, 0, 0);
    layer.symlink("/lib64/ld-linux-x86-64.so.2", "/usr/lib64/ld-linux-x86-64.so.2", 0, 0);
    return Map.of("history", "linked");
  };

  private String digest(LinkedRuntimes.Stored s, long epoch) throws Exception {
    return s.layer().build(tmp.resolve("layers"), epoch, 6).blob().descriptor().digest()
        .toString();
  }

  @Test
  void aKey_isMadeOnce_andTheLayerIsWrittenWithEachBuildsTime() throws Exception {
    LinkedRuntimes store = new LinkedRuntimes(tmp.resolve("runtimes"));
    LinkedRuntimes.Stored first = store.get("runtime-a", maker);
    assertTrue(first.made());
    LinkedRuntimes.Stored again = store.get("runtime-a", maker);
    assertFalse(again.made());
    assertEquals(1, made.get(), "found in the cache: not made again");
    assertEquals("linked", again.meta().path("history").asText());
    assertEquals(digest(first, 0), digest(again, 0));
    assertFalse(digest(again, 0).equals(digest(again, 1_700_000_000L)),
        "the time is the build's, applied when the layer is written");
    store.get("runtime-b", maker);
    assertEquals(2, made.get(), "another key (other modules, say) is another runtime");
    try (Stream<Path> s = Files.list(tmp.resolve("runtimes"))) {
      assertEquals(List.of("runtime-a", "runtime-b"),
          s.map(p -> p.getFileName().toString()).sorted().toList(), "no temp directories left");
    }
  }

  /** Two builds making one key at once (two platforms' .pyc of the same files): both succeed. */
  @Test
  void aKeyStoredMeanwhileByAnotherBuild_isTakenAsItIs() throws Exception {
    LinkedRuntimes store = new LinkedRuntimes(tmp.resolve("runtimes"));
    LinkedRuntimes other = new LinkedRuntimes(tmp.resolve("runtimes"));
    LinkedRuntimes.Stored s = store.get("runtime-a", (layer, work) -> {
      other.get("runtime-a", maker);   // the other build renames its entry into place first
      return maker.make(layer, work);
    });
    assertTrue(s.made());
    assertEquals(2, made.get());
    assertEquals(digest(other.get("runtime-a", maker), 0), digest(s, 0));
    try (Stream<Path> l = Files.list(tmp.resolve("runtimes"))) {
      assertEquals(List.of("runtime-a"), l.map(p -> p.getFileName().toString()).toList(),
          "the loser's temp directory removed");
    }
  }

  @Test
  void aDamagedFile_isFound_andTheRuntimeIsMadeAgain() throws Exception {
    LinkedRuntimes store = new LinkedRuntimes(tmp.resolve("runtimes"));
    String before = digest(store.get("runtime-a", maker), 0);
    Path files = tmp.resolve("runtimes/runtime-a/files");
    Path stored;
    try (Stream<Path> s = Files.list(files)) {
      stored = s.filter(p -> p.toFile().length() > 5000).findFirst().orElseThrow();
    }
    Files.writeString(stored, "pretend ELF " + "y".repeat(5000));   // same size, other bytes
    LinkedRuntimes.Stored after = store.get("runtime-a", maker);
    assertTrue(after.made());
    assertNotNull(after.damaged());
    assertTrue(after.damaged().contains("/opt/java/openjdk/lib/libjvm.so"), after.damaged());
    assertEquals(before, digest(after, 0), "made again: the same runtime");
    Files.delete(stored.getParent().resolve("1").equals(stored) ? files.resolve("0")
        : files.resolve("1"));
    assertTrue(store.get("runtime-a", maker).made(), "a missing file is damage too");
    assertEquals(3, made.get());
    assertNull(store.get("runtime-a", maker).damaged());
  }

  @Test
  void aFileTouchedButUnchanged_isStillAHit() throws Exception {
    LinkedRuntimes store = new LinkedRuntimes(tmp.resolve("runtimes"));
    store.get("runtime-a", maker);
    try (Stream<Path> s = Files.list(tmp.resolve("runtimes/runtime-a/files"))) {
      for (Path p : s.toList()) {
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
      }
    }
    assertFalse(store.get("runtime-a", maker).made(), "same content: hashed, and kept");
  }
}
