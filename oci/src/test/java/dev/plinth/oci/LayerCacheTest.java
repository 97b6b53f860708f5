package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

  /** A layer of every kind of entry, with one field changed by {@code change} (0: none). */
  private LayerBuilder every(int change) throws Exception {
    Path f = tmp.resolve("src/f.bin");
    Path g = tmp.resolve("src/g.bin");
    if (!Files.exists(f)) {
      Files.createDirectories(f.getParent());
      Files.write(f, "0123456789abcdef".getBytes());
      Files.write(g, "0123456789abcdeF".getBytes());
      Files.setLastModifiedTime(g, Files.getLastModifiedTime(f));
    }
    return new LayerBuilder()
        .file(change == 1 ? "/app/B.txt" : "/app/b.txt", "bytes".getBytes(), 0644, 0, 0)
        .file("/app/c.txt", (change == 2 ? "bytez" : "bytes").getBytes(),
            change == 3 ? 0600 : 0644, change == 4 ? 1 : 0, change == 5 ? 1 : 0)
        .file("/app/f.bin", change == 6 ? g : f, 0644, 0, 0)
        .file("/app/slice.bin", f, change == 7 ? 1 : 2, change == 8 ? 5 : 4, 0644, 0, 0)
        .symlink("/app/link", change == 9 ? "f.bin" : "c.txt", 0, 0)
        .directory("/app/d", change == 10 ? 0700 : 0755, 0, 0);
  }

  @Test
  void everyFieldOfAnEntry_isInTheKey_oneCacheServesEachVariantItsOwnLayer() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    every(0);
    // Past the racy window, so that the key alone tells the files' variants apart (a file changed
    // in the last 3 seconds also has its content checked on a hit).
    Thread.sleep(3100);
    for (int change = 0; change <= 10; change++) {
      Layer cached = every(change).build(tmp.resolve("c" + change), 0, 6, cache);
      Layer fresh = every(change).build(tmp.resolve("f" + change), 0, 6);
      assertEquals(fresh.diffId(), cached.diffId(), "variant " + change + " from the cache");
      assertEquals(fresh.blob().descriptor(), cached.blob().descriptor(), "variant " + change);
    }
    // Each variant's layer differs from the first: the cache could not have served another's.
    java.util.Set<Digest> ids = new java.util.HashSet<>();
    for (int change = 0; change <= 10; change++) {
      ids.add(every(change).build(tmp.resolve("again" + change), 0, 6, cache).diffId());
    }
    assertEquals(11, ids.size(), "eleven different layers");
    // The image time and the compression level are in the key too.
    Layer time = every(0).build(tmp.resolve("t"), 1, 6, cache);
    assertEquals(every(0).build(tmp.resolve("t0"), 1, 6).diffId(), time.diffId());
    Layer level = every(0).build(tmp.resolve("l"), 0, 1, cache);
    assertEquals(every(0).build(tmp.resolve("l0"), 0, 1).blob().descriptor(),
        level.blob().descriptor());
  }

  @Test
  void aDeferredBuilder_takesItsLayerByTheKeyAnEarlierBuildSettled_andAddsItsEntriesOnAMiss()
      throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    every(0);
    LayerBuilder fresh = every(0);
    fresh.build(tmp.resolve("racy"), 0, 6, cache);
    assertEquals(null, fresh.entriesKey(), "files changed in the last 3 seconds: no key to name"
        + " the entries by, their content is checked at each hit");
    Thread.sleep(3100);
    LayerBuilder first = every(0);
    Layer built = first.build(tmp.resolve("w1"), 0, 6, cache);
    Digest key = first.entriesKey();
    assertTrue(key != null, "settled: the entries' key");
    long bytes = first.contentBytes();
    int[] fills = new int[1];
    List<LayerBuilder.Entry> want = every(0).entries();
    LayerBuilder.Filler filler = into -> {
      fills[0]++;
      for (LayerBuilder.Entry en : want) {
        if (en.link() != null) {
          into.symlink("/" + en.path(), en.link(), en.uid(), en.gid());
        } else if (en.type() == TarEntry.Type.DIRECTORY) {
          into.directory("/" + en.path(), en.mode(), en.uid(), en.gid());
        } else if (en.bytes() != null) {
          into.file("/" + en.path(), en.bytes(), en.mode(), en.uid(), en.gid());
        } else if (en.length() >= 0) {
          into.file("/" + en.path(), en.source(), en.offset(), en.length(), en.mode(), en.uid(),
              en.gid());
        } else {
          into.file("/" + en.path(), en.source(), en.mode(), en.uid(), en.gid());
        }
      }
    };
    LayerBuilder deferred = LayerBuilder.deferred(key, bytes, filler);
    assertFalse(deferred.isEmpty());
    assertEquals(bytes, deferred.contentBytes());
    Layer hit = deferred.build(tmp.resolve("w2"), 0, 6, cache);
    assertEquals(built.blob().descriptor(), hit.blob().descriptor());
    assertEquals(built.diffId(), hit.diffId());
    assertEquals(0, fills[0], "taken by the key: no entry added");
    assertTrue(deferred.isDeferred());
    assertEquals(key, deferred.entriesKey());
    // The image time and the compression are still in the layer's key: those miss and fill.
    Layer later = LayerBuilder.deferred(key, bytes, filler).build(tmp.resolve("w3"), 7, 6, cache);
    assertEquals(1, fills[0]);
    assertEquals(every(0).build(tmp.resolve("w4"), 7, 6).blob().descriptor(),
        later.blob().descriptor());
    // Another cache (or the layer pruned): the entries are added and the layer made from them.
    LayerCache other = new LayerCache(tmp.resolve("other"));
    LayerBuilder missed = LayerBuilder.deferred(key, bytes, filler);
    assertEquals(built.blob().descriptor(),
        missed.build(tmp.resolve("w5"), 0, 6, other).blob().descriptor());
    assertEquals(2, fills[0]);
    assertFalse(missed.isDeferred());
    assertEquals(key, missed.entriesKey(), "the same entries, the same key");
    // A key that is not its entries': a miss, and the layer its entries make (they decide).
    LayerBuilder wrong = LayerBuilder.deferred(Digest.of("other".getBytes()), 1, filler);
    assertEquals(built.blob().descriptor(),
        wrong.build(tmp.resolve("w6"), 0, 6, cache).blob().descriptor());
    assertEquals(key, wrong.entriesKey());
    // Asked about its entries, a deferred builder adds them first.
    LayerBuilder asked = LayerBuilder.deferred(key, bytes, filler);
    assertTrue(asked.contains("/app/c.txt"));
    assertEquals(first.entries().size(), asked.entries().size());
    // A change the key does not name: another layer.
    Layer changed = every(2).build(tmp.resolve("w7"), 0, 6, cache);
    assertFalse(changed.diffId().equals(built.diffId()));
  }

  /** Reads the layer's blob as a writer does: Blobs.copyVerified. */
  private static byte[] copy(Layer l) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Blobs.copyVerified(l.blob(), out);
    return out.toByteArray();
  }

  private Path blobFile(Layer l) throws java.io.IOException {
    return tmp.resolve("cache/blobs/sha256/" + l.blob().descriptor().digest().hex());
  }

  @Test
  void damagedEntry_failsTheRead_isRemoved_andBuiltAgain() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path blob = blobFile(first);
    byte[] b = Files.readAllBytes(blob);
    b[b.length / 2] ^= 1;
    Files.write(blob, b);
    Layer damaged = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    // Same size, so the hit is not read; the one read that copies it checks it, and fails.
    LayerCache.DamagedEntryException e =
        assertThrows(LayerCache.DamagedEntryException.class, () -> copy(damaged));
    assertTrue(e.getMessage().contains(first.blob().descriptor().digest().toString()), e.getMessage());
    assertFalse(Files.exists(blob), "the damaged blob is removed");
    Layer again = content("hello").build(tmp.resolve("w3"), 0, 9, cache);
    assertEquals(first.blob().descriptor(), again.blob().descriptor());
    assertEquals(first.blob().descriptor().digest(), Digest.of(copy(again)));
    assertEquals(first.blob().descriptor().digest(),
        Digest.of(Files.readAllBytes(blob)), "the cache holds the right bytes again");
  }

  @Test
  void damagedEntry_readUncompressed_failsToo_andIsRemoved() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path blob = blobFile(first);
    byte[] good = Files.readAllBytes(blob);
    // A flipped bit in the deflate data, then one in the gzip trailer (the CRC): gzip may or may
    // not notice; the digest always does.
    for (int at : new int[] {good.length / 2, good.length - 6}) {
      byte[] b = good.clone();
      b[at] ^= 1;
      Files.write(blob, b);
      Layer damaged = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
      assertThrows(LayerCache.DamagedEntryException.class, () -> {
        try (java.io.InputStream in = damaged.openUncompressed()) {
          in.readAllBytes();
        }
      });
      assertFalse(Files.exists(blob), "the damaged blob is removed");
      Layer again = content("hello").build(tmp.resolve("w3"), 0, 9, cache);
      assertEquals("hello", text(again, "app/a.txt"));
    }
  }

  @Test
  void truncatedOrMissingBlob_isAMiss_andBuiltAgain() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path blob = blobFile(first);
    byte[] b = Files.readAllBytes(blob);
    Files.write(blob, java.util.Arrays.copyOf(b, b.length - 1));
    Layer again = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    assertArrayEquals(b, copy(again));
    Files.delete(blob);
    assertArrayEquals(b, copy(content("hello").build(tmp.resolve("w3"), 0, 9, cache)));
  }

  @Test
  void blobRemovedAfterTheHit_failsTheRead_neverAWrongImage() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Layer hit = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    Files.delete(blobFile(hit));
    assertThrows(LayerCache.DamagedEntryException.class, () -> copy(hit));
  }

  private Layer fileLayer(Path source, int mode, LayerCache cache) throws Exception {
    return new LayerBuilder().file("/app/Main.class", source, mode, 0, 0)
        .build(tmp.resolve("w"), 0, 6, cache);
  }

  private static String text(Layer l) throws Exception {
    return text(l, "app/Main.class");
  }

  private static String text(Layer l, String name) throws Exception {
    try (java.io.InputStream in = l.openUncompressed()) {
      TarReader r = new TarReader(in, "layer");
      for (TarEntry e; (e = r.next()) != null; ) {
        if (e.name().equals(name)) {
          return new String(r.content().readAllBytes());
        }
      }
    }
    throw new AssertionError("no " + name);
  }

  @Test
  void fileKey_anyChangeToTheFile_isAMiss_evenSameSizeAtOnce() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Path f = tmp.resolve("src/Main.class");
    Files.createDirectories(f.getParent());
    Files.writeString(f, "v1");
    Layer first = fileLayer(f, 0644, cache);
    assertEquals("v1", text(first));
    assertEquals(first.blob().descriptor(), fileLayer(f, 0644, cache).blob().descriptor(), "hit");
    // Rewritten in place with the same size, within the same clock tick as likely as not.
    Files.writeString(f, "v2");
    assertEquals("v2", text(fileLayer(f, 0644, cache)));
    // The same size again, and the old modification time put back.
    java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(f);
    Files.writeString(f, "v3");
    Files.setLastModifiedTime(f, t);
    assertEquals("v3", text(fileLayer(f, 0644, cache)));
    // Another file renamed over it (a new inode), the same size and time.
    Path other = tmp.resolve("src/other");
    Files.writeString(other, "v4");
    Files.setLastModifiedTime(other, t);
    Files.move(other, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals("v4", text(fileLayer(f, 0644, cache)));
    // A longer file.
    Files.writeString(f, "v5 longer");
    assertEquals("v5 longer", text(fileLayer(f, 0644, cache)));
    // The mode in the image.
    Layer exec = fileLayer(f, 0755, cache);
    assertEquals("v5 longer", text(exec));
    assertFalse(exec.diffId().equals(fileLayer(f, 0644, cache).diffId()));
  }

  private String entryText(LayerCache cache) throws Exception {
    try (var keys = Files.list(tmp.resolve("cache/keys"))) {
      return Files.readString(keys.filter(k -> !k.getFileName().toString().startsWith("."))
          .findFirst().orElseThrow());
    }
  }

  @Test
  void fileKey_untouchedFile_isAHit_notCompressedAgain_beforeAndAfterItSettles() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Path f = tmp.resolve("src/Main.class");
    Files.createDirectories(f.getParent());
    Files.writeString(f, "v1");
    Layer first = fileLayer(f, 0644, cache);
    Path blob = blobFile(first);
    java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(blob);
    Thread.sleep(10);
    // Just written: its attributes could yet stay the same through a change, so the entry keeps
    // its content hash, and a hit hashes it again.
    assertTrue(entryText(cache).contains("racy "), entryText(cache));
    assertEquals(first.blob().descriptor(), fileLayer(f, 0644, cache).blob().descriptor());
    // Settled (changed more than the racy window ago): the same key, still a hit, and from now on
    // the attributes suffice.
    Thread.sleep(3100);
    assertEquals(first.blob().descriptor(), fileLayer(f, 0644, cache).blob().descriptor());
    assertFalse(entryText(cache).contains("racy "), entryText(cache));
    assertEquals(first.blob().descriptor(), fileLayer(f, 0644, cache).blob().descriptor());
    assertEquals(written, Files.getLastModifiedTime(blob), "the cached blob was not written again");
    try (var keys = Files.list(tmp.resolve("cache/keys"))) {
      assertEquals(1, keys.filter(k -> !k.getFileName().toString().startsWith(".")).count());
    }
    assertEquals("v1", text(first));
  }

  @Test
  void bigLayer_compressedOnEveryCore_sameBytesEveryTime_andReadsBack() throws Exception {
    byte[] big = new byte[(int) ParallelGzipOutputStream.THRESHOLD + 12345];
    java.util.Random r = new java.util.Random(1);
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) ("0123456789abcdef".charAt(r.nextInt(16)));
    }
    LayerBuilder b = new LayerBuilder().file("/big.bin", big, 0644, 0, 0)
        .file("/small.txt", "x".getBytes(), 0644, 0, 0);
    Layer one = b.build(tmp.resolve("a"), 0, 6);
    Layer two = b.build(tmp.resolve("b"), 0, 6, new LayerCache(tmp.resolve("cache")));
    assertEquals(one.blob().descriptor(), two.blob().descriptor());
    java.security.MessageDigest md = Digest.sha256();
    try (java.io.InputStream in = one.openUncompressed()) {
      byte[] tar = in.readAllBytes();
      md.update(tar);
      TarReader t = new TarReader(new java.io.ByteArrayInputStream(tar), "layer");
      assertEquals("big.bin", t.next().name());
      assertArrayEquals(big, t.content().readAllBytes());
      assertEquals("small.txt", t.next().name());
    }
    assertEquals(one.diffId(), Digest.of(md), "the diff id is the tar's");
  }

  @Test
  void trustedFile_onlyWhileTheBlobKeepsItsStamp_andTheArchiveIsTheSameEitherWay()
      throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer built = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path blob = blobFile(built);
    // hashed as it was written: trusted then and on a later hit, which the archive copies whole
    assertEquals(blob, built.blob().trustedFile());
    Layer hit = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    assertEquals(blob, hit.blob().trustedFile());
    Path trustedArchive = tmp.resolve("trusted.tar");
    ArchiveWriter.writeOciArchive(trustedArchive, null, index(hit), 0);
    Layer plain = content("hello").build(tmp.resolve("w0"), 0, 9);
    assertEquals(null, plain.blob().trustedFile());
    Path readArchive = tmp.resolve("read.tar");
    ArchiveWriter.writeOciArchive(readArchive, null, index(plain), 0);
    assertArrayEquals(Files.readAllBytes(readArchive), Files.readAllBytes(trustedArchive));

    // the same bytes written again (a new change time): no longer trusted, so read and hashed
    Files.write(blob, Files.readAllBytes(blob));
    assertEquals(null, hit.blob().trustedFile(), "the layer held before the change");
    Layer after = content("hello").build(tmp.resolve("w3"), 0, 9, cache);
    assertEquals(null, after.blob().trustedFile());
    // a read that checks the whole blob gives the entry the blob's new stamp
    assertEquals(built.blob().descriptor().digest(), Digest.of(copy(after)));
    assertEquals(blob, content("hello").build(tmp.resolve("w4"), 0, 9, cache).blob()
        .trustedFile());

    // changed bytes of the same size, the modification time put back: never trusted, and the
    // archive fails naming the blob instead of holding the wrong bytes
    byte[] b = Files.readAllBytes(blob);
    java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(blob);
    b[b.length / 2] ^= 1;
    Files.write(blob, b);
    Files.setLastModifiedTime(blob, mtime);
    Layer damaged = content("hello").build(tmp.resolve("w5"), 0, 9, cache);
    assertEquals(null, damaged.blob().trustedFile());
    Path bad = tmp.resolve("bad.tar");
    Exception e = assertThrows(Exception.class,
        () -> ArchiveWriter.writeOciArchive(bad, null, index(damaged), 0));
    assertTrue(e.getMessage().contains(built.blob().descriptor().digest().hex()), e.getMessage());
    assertFalse(Files.exists(bad), "no half-written archive");
  }

  @Test
  void entryOfAnOlderPlinth_withoutTheStamp_isReadAndHashed_thenTrusted() throws Exception {
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer built = content("hello").build(tmp.resolve("w1"), 0, 9, cache);
    Path entry;
    try (java.util.stream.Stream<Path> keys = Files.list(tmp.resolve("cache/keys"))) {
      entry = keys.filter(k -> !k.getFileName().toString().startsWith(".")).findFirst()
          .orElseThrow();
    }
    String text = Files.readString(entry);
    String[] first = text.substring(0, text.indexOf('\n')).split(" ");
    assertEquals(6, first.length, text);
    Files.writeString(entry, String.join(" ", java.util.Arrays.copyOf(first, 5))
        + text.substring(text.indexOf('\n')));
    Layer old = content("hello").build(tmp.resolve("w2"), 0, 9, cache);
    assertEquals(built.blob().descriptor(), old.blob().descriptor());
    assertEquals(null, old.blob().trustedFile());
    assertEquals(built.blob().descriptor().digest(), Digest.of(copy(old)));
    assertEquals(blobFile(built), content("hello").build(tmp.resolve("w3"), 0, 9, cache).blob()
        .trustedFile());
  }

  @Test
  void put_trustsTheBlobItCopied_notOneThatWasThere() throws Exception {
    Layer plain = content("hello").build(tmp.resolve("w0"), 0, 9);
    LayerCache cache = new LayerCache(tmp.resolve("cache"));
    Layer first = cache.put("k1", plain);
    Path blob = blobFile(plain);
    assertEquals(blob, first.blob().trustedFile(), "copied and checked on the way");
    byte[] b = Files.readAllBytes(blob);
    b[b.length / 2] ^= 1;
    Files.write(blob, b); // the same size: put leaves it there
    Layer second = cache.put("k2", plain);
    assertEquals(null, second.blob().trustedFile(), "a blob put found there is not trusted");
    assertThrows(LayerCache.DamagedEntryException.class, () -> copy(second));
  }

  /**
   * The gain guarded: a trusted blob reaches an archive and a layout without being opened (so
   * without being read through the heap and hashed), copied whole by the kernel.
   */
  @Test
  void trustedBlob_isCopiedWithoutBeingOpened() throws Exception {
    Layer built = content("hello").build(tmp.resolve("w1"), 0, 9,
        new LayerCache(tmp.resolve("cache")));
    Path file = built.blob().trustedFile();
    Blob unopenable = new Blob() {
      @Override
      public Descriptor descriptor() throws java.io.IOException {
        return built.blob().descriptor();
      }

      @Override
      public java.io.InputStream open() {
        throw new AssertionError("a trusted blob was read through its stream");
      }

      @Override
      public Path trustedFile() {
        return file;
      }
    };
    Layer layer = new Layer.Value(unopenable, built.diffId(), built.uncompressedSize());
    Path archive = tmp.resolve("a.tar");
    ArchiveWriter.writeOciArchive(archive, null, index(layer), 0);
    Path reference = tmp.resolve("b.tar");
    ArchiveWriter.writeOciArchive(reference, null,
        index(content("hello").build(tmp.resolve("w0"), 0, 9)), 0);
    assertArrayEquals(Files.readAllBytes(reference), Files.readAllBytes(archive));
    Path blobs = Files.createDirectories(tmp.resolve("layout/blobs/sha256"));
    OciLayoutWriter.writeBlob(blobs, unopenable);
    assertArrayEquals(Files.readAllBytes(file),
        Files.readAllBytes(blobs.resolve(built.blob().descriptor().digest().hex())));
  }

  private static ImageIndex index(Layer layer) throws Exception {
    byte[] cfg = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
        + "\"layers\",\"diff_ids\":[\"" + layer.diffId() + "\"]}}").getBytes();
    return ImageIndex.of(List.of(Image.of(Platform.LINUX_AMD64,
        Blob.of(MediaTypes.OCI_CONFIG, cfg), List.of(layer), java.util.Map.of())),
        java.util.Map.of());
  }
}
