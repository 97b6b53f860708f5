package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The flattened filesystem: OCI whiteouts (lower layers only), opaque directories, replacement of
 * directories by files and back, hardlinks, and hostile shapes (deep, wide, lying descriptors).
 * Files keep their content as a String here, to see which version won.
 */
class FilesystemTest {
  private static Filesystem<String> flatten(Layer... layers) throws Exception {
    Filesystem<String> fs = new Filesystem<>("test image", Filesystem.Limits.DEFAULT);
    for (int i = 0; i < layers.length; i++) {
      fs.apply(read(layers[i], "layer " + (i + 1)), i, "layer " + (i + 1), new ArrayList<>());
    }
    return fs;
  }

  private static LayerDiff<String> read(Layer layer, String what) throws Exception {
    return LayerDiff.read(layer, what, Filesystem.Limits.DEFAULT,
        (ordinal, path, e, in) -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
  }

  private static PlinthException badInput(Layer... layers) {
    PlinthException e = assertThrows(PlinthException.class, () -> flatten(layers));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind(), e.getMessage());
    return e;
  }

  private static String content(Filesystem<String> fs, String path) {
    Filesystem.Node<String> n = fs.get(path);
    return n == null ? null : n.content();
  }

  // ---- compressed layers ----

  @Test
  void zstdLayer_whoseDecoderThrowsIndexOutOfBounds_isBadInputNamingTheLayer() throws Exception {
    // found by DebianFuzzTest#deb: aircompressor's zstd throws ArrayIndexOutOfBoundsException on
    // these corrupt sequences, which the audit and copyFrom: reported as an internal error (70)
    byte[] zst = FilesystemTest.class.getResourceAsStream("corrupt-sequences.tar.zst")
        .readAllBytes();
    Layer layer = new Layer.Value(Blob.of("application/vnd.oci.image.layer.v1.tar+zstd", zst),
        Digest.of(new byte[0]), OptionalLong.empty());
    PlinthException e = badInput(layer);
    assertTrue(e.getMessage().startsWith("layer 1: layer 1 is not valid zstd data: "),
        e.getMessage());
  }

  // ---- whiteouts ----

  @Test
  void whiteout_hidesTheLowerLayersFile() throws Exception {
    Filesystem<String> fs = flatten(new TestTar().dir("d/").file("d/a", "a").file("d/b", "b")
        .layer(), new TestTar().file("d/.wh.a", "").layer());
    assertNull(fs.get("d/a"));
    assertEquals("b", content(fs, "d/b"));
  }

  @Test
  void whiteout_neverHidesAFileOfItsOwnLayer_listedBeforeOrAfterIt() throws Exception {
    Layer lower = new TestTar().file("x", "old").file("y", "old").layer();
    Layer upper = new TestTar().file("x", "new").file(".wh.x", "").file(".wh.y", "")
        .file("y", "new").file("z", "own").file(".wh.z", "").layer();
    Filesystem<String> fs = flatten(lower, upper);
    assertEquals("new", content(fs, "x"), "whiteout after the file");
    assertEquals("new", content(fs, "y"), "whiteout before the file");
    assertEquals("own", content(fs, "z"), "a whiteout of a name only its own layer has");
  }

  @Test
  void whiteoutOfADirectory_removesItsWholeTree_andItComesBackEmpty() throws Exception {
    Filesystem<String> fs = flatten(
        new TestTar().dir("d/").dir("d/e/").file("d/e/f", "f").layer(),
        new TestTar().file(".wh.d", "").dir("d/").file("d/g", "g").layer());
    assertEquals(Set.of("d", "d/g"), fs.tree("d").keySet());
  }

  @Test
  void opaqueDirectory_hidesLowerContent_notSiblingsOfItsOwnLayer() throws Exception {
    Layer lower = new TestTar().dir("o/").file("o/old", "old").dir("o/sub/").file("o/sub/x", "x")
        .file("keep", "k").layer();
    Layer upper = new TestTar().dir("o/").file("o/before", "b").file("o/.wh..wh..opq", "")
        .file("o/after", "a").layer();
    Filesystem<String> fs = flatten(lower, upper);
    assertEquals(Set.of("o", "o/before", "o/after"), fs.tree("o").keySet());
    assertEquals("k", content(fs, "keep"));
  }

  @Test
  void whiteoutsOfDotOrNothing_failClosed() {
    for (String name : List.of(".wh..", ".wh...", "d/.wh.", ".wh.x/y")) {
      PlinthException e = badInput(new TestTar().dir("d/").file(name, "").layer());
      assertTrue(e.getMessage().contains("layer 1"), e.getMessage());
    }
  }

  // ---- replacing ----

  @Test
  void aFileReplacesADirectoryTree_andADirectoryAFile() throws Exception {
    Layer one = new TestTar().dir("d/").file("d/x", "x").file("f", "f").layer();
    Layer two = new TestTar().file("d", "now a file").dir("f/").file("f/y", "y").layer();
    Filesystem<String> fs = flatten(one, two);
    assertEquals(Filesystem.Kind.FILE, fs.get("d").kind());
    assertEquals(Set.of("d"), fs.tree("d").keySet());
    assertEquals(Filesystem.Kind.DIRECTORY, fs.get("f").kind());
    assertEquals("y", content(fs, "f/y"));
    Filesystem<String> same = flatten(new TestTar().dir("d/").file("d/x", "x").file("d", "file")
        .layer());
    assertEquals(Set.of("d"), same.tree("d").keySet(), "within one layer too");
  }

  @Test
  void aDirectoryOverADirectory_merges_andTakesTheNewAttributes() throws Exception {
    Filesystem<String> fs = flatten(new TestTar().dir("d/", 0755).file("d/x", "x").layer(),
        new TestTar().dir("d/", 0700).file("d/y", "y").layer());
    assertEquals(0700, fs.get("d").mode());
    assertEquals(1, fs.get("d").layer());
    assertEquals(Set.of("d", "d/x", "d/y"), fs.tree("d").keySet());
  }

  @Test
  void missingParents_areMadeAsDirectories() throws Exception {
    Filesystem<String> fs = flatten(new TestTar().file("a/b/c", "c").layer());
    assertEquals(Filesystem.Kind.DIRECTORY, fs.get("a/b").kind());
    assertEquals(-1, fs.get("a/b").layer());
    assertEquals("a/b/c", fs.lookup("/a/b/c", true));
  }

  @Test
  void anEntryThroughASymlink_landsWhereItPoints_andIsNoted() throws Exception {
    Filesystem<String> fs = new Filesystem<>("test", Filesystem.Limits.DEFAULT);
    List<LayerDiff.Note> notes = new ArrayList<>();
    fs.apply(read(new TestTar().dir("real/").symlink("l", "real").file("l/f", "f").layer(), "l1"),
        0, "l1", notes);
    assertEquals("f", content(fs, "real/f"));
    assertEquals(LayerDiff.NoteKind.THROUGH_SYMLINK, notes.get(0).kind());
    badInput(new TestTar().symlink("l", "../outside").file("l/f", "x").layer());
  }

  // ---- deep and wide ----

  @Test
  void aPathDeeperThanLinuxAllows_failsClosed() {
    String deep = "d/".repeat(5000) + "f";
    PlinthException e = badInput(new TestTar().file(deep, "x").layer());
    assertTrue(e.getMessage().contains("longer than 4096"), e.getMessage());
  }

  @Test
  void twoThousandLevels_eachAnEntry_areApplied_andWhitedOutAtOnce() throws Exception {
    TestTar t = new TestTar();
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      p.append(i == 0 ? "" : "/").append('d');
      t.dir(p + "/");
    }
    t.file(p + "/f", "deep");
    Layer deep = t.layer();
    Filesystem<String> fs = flatten(deep);
    assertEquals(2002, fs.tree("").size(), "the root, 2000 directories and the file");
    assertEquals("deep", fs.resolve(p + "/f").content());
    assertEquals(Set.of(""), flatten(deep, new TestTar().file(".wh.d", "").layer()).tree("")
        .keySet());
  }

  @Test
  void oneHundredThousandFilesInADirectory_thenReplacedByAFile() throws Exception {
    TestTar t = new TestTar().dir("big/");
    for (int i = 0; i < 100_000; i++) {
      t.file("big/f" + i, "");
    }
    Layer wide = t.layer();
    assertEquals(100_001, flatten(wide).tree("big").size());
    Filesystem<String> fs = flatten(wide, new TestTar().file("big", "file").layer());
    assertEquals(Set.of("big"), fs.tree("big").keySet());
  }

  // ---- hardlinks ----

  @Test
  void hardlinkToAnEarlierFile_hasItsAttributesAndItsBytes() throws Exception {
    Layer lower = new TestTar().file("etc/target", "t").layer();
    Layer upper = new TestTar().hardlink("h", "etc/target").file("etc/target", "replaced")
        .layer();
    Filesystem<String> fs = flatten(lower, upper);
    Filesystem.Node<String> h = fs.get("h");
    assertEquals(Filesystem.Kind.FILE, h.kind());
    assertEquals("t", h.content(), "linked before the target was replaced, as a runtime does");
    assertEquals(0, h.dataLayer());
    assertEquals(1, h.layer());
    assertEquals("replaced", content(fs, "etc/target"));
  }

  @Test
  void hardlinkToNothing_toALaterEntry_orToItself_failsClosedNamingIt() {
    PlinthException missing = badInput(new TestTar().hardlink("h", "nothing").layer());
    assertTrue(missing.getMessage().contains("'h'") && missing.getMessage().contains("nothing"),
        missing.getMessage());
    PlinthException later = badInput(new TestTar().hardlink("h2", "later").file("later", "x")
        .layer());
    assertTrue(later.getMessage().contains("'h2'") && later.getMessage().contains("does not exist"),
        later.getMessage());
    PlinthException self = badInput(new TestTar().file("s", "lower").layer(),
        new TestTar().hardlink("s", "s").layer());
    assertTrue(self.getMessage().contains("'s' links to itself"), self.getMessage());
    badInput(new TestTar().dir("d/").hardlink("h", "d").layer());
  }

  // ---- the blob ----

  @Test
  void aDescriptorLargerOrSmallerThanTheBlob_failsClosed() throws Exception {
    byte[] tar = new TestTar().file("x", "x").bytes();
    for (long size : new long[] {tar.length + 100L, tar.length - 100L}) {
      Descriptor d = new Descriptor(MediaTypes.OCI_LAYER_TAR, Digest.of(tar), size);
      Blob lying = Blob.of(d, () -> new java.io.ByteArrayInputStream(tar));
      Layer l = new Layer.Value(lying, Digest.of(tar), OptionalLong.empty());
      PlinthException e = badInput(l);
      assertTrue(e.getMessage().contains("descriptor"), e.getMessage());
      Blob checked = Blob.of(d, () -> Blobs.verifying(d, new java.io.ByteArrayInputStream(tar)));
      assertNotNull(badInput(new Layer.Value(checked, Digest.of(tar), OptionalLong.empty())));
    }
  }

  @Test
  void reread_givesTheContentOfTheChosenEntries() throws Exception {
    Layer l = new TestTar().file("a", "A").file(".wh.z", "").file("b", "B").layer();
    List<String> got = new ArrayList<>();
    LayerDiff.reread(l, "l", Filesystem.Limits.DEFAULT, Set.of(2),
        (ordinal, e, in) -> got.add(e.name() + "=" + new String(in.readAllBytes(),
            StandardCharsets.UTF_8)));
    assertEquals(List.of("b=B"), got);
  }
}
