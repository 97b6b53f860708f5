package dev.plinth.audit;

import static dev.plinth.audit.TestImages.flatten;
import static dev.plinth.audit.TestImages.gzipLayer;
import static dev.plinth.audit.TestImages.tarLayer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Layer;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TestTar;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * shared/BAD-INPUTS.md cases 1-19: hostile layers are applied in memory as a runtime would, or
 * fail closed as BAD_INPUT with a message naming the layer and the entry.
 */
class HostileLayersTest {
  private static PlinthException badInput(Layer... layers) {
    PlinthException e = assertThrows(PlinthException.class, () -> flatten(layers));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("layer"), e.getMessage());
    return e;
  }

  private static LayerChanges read(Layer layer) throws Exception {
    return LayerReader.read(layer, "test layer", Limits.DEFAULT);
  }

  // 1
  @ParameterizedTest
  @ValueSource(strings = {"../x", "/../x", "a/../../x", "./../x"})
  void case1_traversalNames_failClosed(String name) {
    PlinthException e = badInput(gzipLayer(new TestTar().file(name, "x").bytes()));
    assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
  }

  @Test
  void case1_absoluteName_landsBelowTheRoot_withAFinding() throws Exception {
    Layer l = gzipLayer(new TestTar().file("/abs/x", "x").bytes());
    assertTrue(flatten(l).get("abs/x").isFile());
    LayerChanges c = read(l);
    assertEquals(Rule.PL054, c.notes().get(0).rule());
    assertTrue(c.notes().get(0).message().contains("absolute"));
  }

  // 2
  @ParameterizedTest
  @ValueSource(strings = {"..\\..\\x", "\\x", "C:\\x", "C:/x", "c:x"})
  void case2_windowsNames_failClosed(String name) {
    PlinthException e = badInput(gzipLayer(new TestTar().file(name, "x").bytes()));
    assertTrue(e.getMessage().contains("backslash") || e.getMessage().contains("drive letter"),
        e.getMessage());
  }

  // 3
  @Test
  void case3_fileThroughASymlinkOutOfTheRoot_failsClosed() {
    PlinthException e = badInput(gzipLayer(new TestTar().symlink("l", "../outside")
        .file("l/file", "x").bytes()));
    assertTrue(e.getMessage().contains("out of the image root"), e.getMessage());
  }

  // 4
  @Test
  void case4_nestedSymlinkOutOfTheRoot_failsClosed() {
    PlinthException e = badInput(gzipLayer(new TestTar().dir("dir/", 0755)
        .symlink("dir/l", "../../outside").file("dir/l/new/file", "x").bytes()));
    assertTrue(e.getMessage().contains("dir/l/new/file"), e.getMessage());
  }

  // 5
  @Test
  void case5_fileAfterASymlinkOfTheSameName_replacesTheLink() throws Exception {
    FsTree t = flatten(gzipLayer(new TestTar().dir("etc/", 0755).file("etc/passwd", "root")
        .symlink("l", "/etc/passwd").file("l", "mine").bytes()));
    assertEquals(FsTree.Kind.FILE, t.get("l").kind());
    assertEquals(4, t.get("l").size());
    assertEquals(4, t.get("etc/passwd").size(), "the link's target is untouched");
  }

  // 6
  @ParameterizedTest
  @ValueSource(strings = {"../x", "/../x"})
  void case6_hardlinkOutOfTheRoot_failsClosed(String target) {
    PlinthException e = badInput(gzipLayer(new TestTar().file("x", "x").hardlink("h", target)
        .bytes()));
    assertTrue(e.getMessage().contains(target), e.getMessage());
  }

  @Test
  void case6_hardlinkedDirectoryUsedAsParent_failsClosed() {
    PlinthException e = badInput(gzipLayer(new TestTar().dir("d/", 0755).hardlink("d2", "d")
        .file("d2/file", "x").bytes()));
    assertTrue(e.getMessage().contains("directory"), e.getMessage());
  }

  // 7
  @Test
  void case7_absoluteSymlink_resolvesInsideTheImageRoot() throws Exception {
    Layer lower = gzipLayer(new TestTar().dir("etc/", 0755).bytes());
    Layer upper = gzipLayer(new TestTar().symlink("etc2", "/etc").file("etc2/file", "x").bytes());
    FsTree t = flatten(lower, upper);
    assertTrue(t.get("etc/file").isFile(), "written inside the image's /etc");
    assertNull(t.get("etc2/file"));
    assertEquals("etc/file", t.lookup("/etc2/file", true));
  }

  // 8
  @ParameterizedTest
  @ValueSource(strings = {"..", "", "a/sub/.."})
  void case8_symlinksNamedDotDotOrEmpty_failClosed(String name) {
    badInput(gzipLayer(new TestTar().dir("a/sub/", 0755).symlink(name, "/etc").bytes()));
  }

  // 9
  @Test
  void case9_hardlinkToAnOutsideSymlinkThenChmod_changesOnlyTheLink() throws Exception {
    Layer lower = gzipLayer(new TestTar().dir("etc/", 0755)
        .file("etc/shadow", "root:*:1::::::\n".getBytes(StandardCharsets.UTF_8), 0640).bytes());
    Layer upper = gzipLayer(new TestTar().symlink("l", "../../../etc/shadow").hardlink("h", "l")
        .entry(new TarEntry("h", TarEntry.Type.FILE, 0777, 0, 0, 0, null, 0), new byte[0])
        .bytes());
    FsTree t = flatten(lower, upper);
    assertEquals(0640, t.get("etc/shadow").mode(), "the link's target keeps its mode");
    assertEquals(FsTree.Kind.SYMLINK, t.get("l").kind());
    assertEquals(0777, t.get("h").mode());
    assertEquals(FsTree.Kind.FILE, t.get("h").kind());
  }

  // 10
  @Test
  void case10_hardlinkToASymlinkMadeBeforeItsTarget_isThatSymlink() throws Exception {
    FsTree t = flatten(gzipLayer(new TestTar().symlink("l", "target").hardlink("h", "l")
        .file("target", "x").bytes()));
    assertEquals(FsTree.Kind.SYMLINK, t.get("h").kind());
    assertEquals("target", t.get("h").link());
    assertTrue(t.resolve("/h").isFile());
  }

  // 11
  @ParameterizedTest
  @ValueSource(strings = {".", "/", "./"})
  void case11_symlinkNamedDotOrSlash_failsClosed(String name) {
    PlinthException e = badInput(gzipLayer(new TestTar().symlink(name, "/tmp").bytes()));
    assertTrue(e.getMessage().contains("replace the image root"), e.getMessage());
  }

  // 12
  @Test
  void case12_directoryReplacedBySymlinkAndBack() throws Exception {
    Layer one = gzipLayer(new TestTar().dir("d/", 0755).file("d/f", "f").bytes());
    Layer two = gzipLayer(new TestTar().symlink("d", "/etc").bytes());
    Layer three = gzipLayer(new TestTar().dir("d/", 0700).file("d/g", "g").bytes());
    FsTree afterTwo = flatten(one, two);
    assertEquals(FsTree.Kind.SYMLINK, afterTwo.get("d").kind());
    assertNull(afterTwo.get("d/f"));
    FsTree t = flatten(one, two, three);
    assertTrue(t.get("d").isDirectory());
    assertEquals(0700, t.get("d").mode());
    assertNull(t.get("d/f"), "the first layer's file does not come back");
    assertTrue(t.get("d/g").isFile());
  }

  // 13
  @ParameterizedTest
  @ValueSource(strings = {".wh..", ".wh...", "etc/.wh..", ".wh."})
  void case13_whiteoutsOfDotOrDotDot_areAnInvalidArchive(String name) {
    PlinthException e = badInput(gzipLayer(new TestTar().dir("etc/", 0755).file(name, "").bytes()));
    assertTrue(e.getMessage().contains("invalid whiteout"), e.getMessage());
  }

  @Test
  void case13_whiteoutUsedAsADirectory_failsClosed() {
    badInput(gzipLayer(new TestTar().file(".wh.x/y", "").bytes()));
  }

  // 14
  @Test
  void case14_whiteoutOfALink_removesTheLinkNotItsTarget() throws Exception {
    Layer one = gzipLayer(new TestTar().dir("etc/", 0755).file("etc/real", "r")
        .symlink("link", "/etc/real").bytes());
    Layer two = gzipLayer(new TestTar().file(".wh.link", "").bytes());
    FsTree t = flatten(one, two);
    assertNull(t.get("link"));
    assertTrue(t.get("etc/real").isFile());
  }

  // 15
  @Test
  void case15_opaqueMarkerListedAfterItsSiblings_stillAppliesFirst() throws Exception {
    Layer one = gzipLayer(new TestTar().dir("d/", 0755).file("d/a", "a").file("d/b", "b").bytes());
    Layer two = gzipLayer(new TestTar().dir("d/", 0755).file("d/c", "c").file("d/.wh..wh..opq", "")
        .bytes());
    FsTree t = flatten(one, two);
    assertEquals(List.of("d/c"), List.copyOf(t.below("d").keySet()));
  }

  @Test
  void case15_aWhiteoutNeverHidesAnEntryOfItsOwnLayer() throws Exception {
    Layer one = gzipLayer(new TestTar().file("x", "old").bytes());
    Layer two = gzipLayer(new TestTar().file("x", "new!").file(".wh.x", "").bytes());
    FsTree t = flatten(one, two);
    assertEquals(4, t.get("x").size());
  }

  // 16
  @Test
  void case16_aufsMetadata_isDropped() throws Exception {
    FsTree t = flatten(gzipLayer(new TestTar().dir(".wh..wh.plnk/", 0700)
        .file(".wh..wh.plnk/1234.5678", "x").file(".wh..wh.orph", "").file("kept", "k").bytes()));
    assertEquals(List.of("kept"), List.copyOf(t.all().keySet()));
  }

  // 17
  @Test
  void case17_samePathTwiceInOneLayer_lastWins_andAFinding() throws Exception {
    Layer l = gzipLayer(new TestTar().file("x", "first".getBytes(StandardCharsets.UTF_8), 0644)
        .file("x", "second!".getBytes(StandardCharsets.UTF_8), 0600).bytes());
    FsTree t = flatten(l);
    assertEquals(0600, t.get("x").mode());
    assertEquals(7, t.get("x").size());
    assertEquals(Rule.PL053, read(l).notes().get(0).rule());
  }

  // 18
  @Test
  void case18_bytesThatDoNotMatchTheDigest_failClosed() throws Exception {
    byte[] tar = new TestTar().file("x", "x").bytes();
    Layer good = gzipLayer(tar);
    byte[] other = gzip(new TestTar().file("y", "y").bytes());
    Descriptor d = good.blob().descriptor();
    Layer lying = new Layer.Value(Blob.of(d, () -> dev.plinth.oci.Blobs.verifying(d,
        new java.io.ByteArrayInputStream(other))), good.diffId(), OptionalLong.empty());
    PlinthException e = badInput(lying);
    assertTrue(e.getMessage().contains("digest"), e.getMessage());
  }

  @Test
  void case18_validTarFollowedByTrailingBytes_failsClosed() {
    byte[] tar = new TestTar().file("x", "x").bytes();
    byte[] withTrailer = Arrays.copyOf(tar, tar.length + 512);
    withTrailer[tar.length + 10] = 'Z';
    PlinthException e = badInput(gzipLayer(withTrailer));
    assertTrue(e.getMessage().contains("after the end"), e.getMessage());
    PlinthException raw = badInput(tarLayer(withTrailer));
    assertTrue(raw.getMessage().contains("after the end"), raw.getMessage());
  }

  @Test
  void case18_zeroPaddingAfterTheArchive_isFine() throws Exception {
    byte[] tar = new TestTar().file("x", "x").bytes();
    assertNotNull(flatten(tarLayer(Arrays.copyOf(tar, tar.length + 10240))).get("x"));
  }

  @Test
  void case18_contentThatDoesNotMatchTheDiffId_failsClosed() throws Exception {
    byte[] tar = new TestTar().file("x", "x").bytes();
    Layer l = gzipLayer(tar);
    Layer wrongDiffId = new Layer.Value(l.blob(), Digest.of(new byte[1]), OptionalLong.empty());
    PlinthException e = badInput(wrongDiffId);
    assertTrue(e.getMessage().contains("diff_id"), e.getMessage());
  }

  // 19
  @Test
  void case19_decompressionBomb_failsClosed() {
    byte[] tar = new TestTar().file("zeros", new byte[4 << 20], 0644).bytes();
    Limits small = new Limits(1000, 1 << 20, 1 << 20, 65536, 1 << 20, 1 << 20);
    PlinthException e = assertThrows(PlinthException.class,
        () -> flatten(small, gzipLayer(tar)));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertTrue(e.getMessage().contains("bomb"), e.getMessage());
  }

  @Test
  void case19_tooManyEntries_failClosed() {
    TestTar t = new TestTar();
    for (int i = 0; i < 50; i++) {
      t.file("f" + i, "");
    }
    Limits small = new Limits(40, 1 << 20, 1 << 20, 65536, 1 << 20, 1 << 20);
    PlinthException e = assertThrows(PlinthException.class,
        () -> flatten(small, gzipLayer(t.bytes())));
    assertTrue(e.getMessage().contains("more than 40 entries"), e.getMessage());
  }

  @Test
  void case19_tooMuchMetadata_failsClosed() {
    TestTar t = new TestTar();
    for (int i = 0; i < 20; i++) {
      t.file("x".repeat(200) + "/" + "y".repeat(200) + i, "");
    }
    Limits small = new Limits(1000, 4096, 1 << 20, 65536, 1 << 20, 1 << 20);
    PlinthException e = assertThrows(PlinthException.class,
        () -> flatten(small, gzipLayer(t.bytes())));
    assertTrue(e.getMessage().contains("metadata"), e.getMessage());
  }

  @Test
  void case19_absurdEntrySize_failsClosed() {
    byte[] tar = new TestTar().file("big", new byte[0], 0644).bytes();
    // Claim a terabyte in the size field (octal, 11 digits) and fix the checksum.
    String size = String.format("%011o", 1L << 40);
    System.arraycopy(size.getBytes(StandardCharsets.US_ASCII), 0, tar, 124, 11);
    fixChecksum(tar, 0);
    PlinthException e = badInput(gzipLayer(tar));
    assertTrue(e.getMessage().contains("test layer"), e.getMessage());
  }

  @Test
  void unknownMediaType_failsClosed() {
    byte[] tar = new TestTar().file("x", "x").bytes();
    Layer l = new Layer.Value(Blob.of("application/vnd.example.layer+lz4", tar), Digest.of(tar),
        OptionalLong.empty());
    PlinthException e = badInput(l);
    assertTrue(e.getMessage().contains("lz4"), e.getMessage());
  }

  @Test
  void zstdLayer_isRead() throws Exception {
    byte[] tar = new TestTar().file("x", "x").bytes();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (var z = new io.airlift.compress.zstd.ZstdOutputStream(out)) {
      z.write(tar);
    }
    Layer l = new Layer.Value(Blob.of("application/vnd.oci.image.layer.v1.tar+zstd",
        out.toByteArray()), Digest.of(tar), OptionalLong.empty());
    assertTrue(flatten(l).get("x").isFile());
  }

  @Test
  void deviceNode_isAFinding() throws Exception {
    Layer l = gzipLayer(new TestTar().dir("dev/", 0755)
        .entry(new TarEntry("dev/sda", TarEntry.Type.BLOCK_DEVICE, 0660, 0, 0, 0, null, 0), null)
        .bytes());
    assertEquals(Rule.PL054, read(l).notes().get(0).rule());
  }

  @Test
  void missingHardlinkTarget_failsClosed() {
    PlinthException e = badInput(gzipLayer(new TestTar().hardlink("h", "nothing").bytes()));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void fileInsideAFile_failsClosed() {
    PlinthException e = badInput(gzipLayer(new TestTar().file("f", "x").file("f/g", "y").bytes()));
    assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
  }

  @Test
  void symlinkLoop_failsClosedWhenWrittenThrough() {
    PlinthException e = badInput(gzipLayer(new TestTar().symlink("a", "b").symlink("b", "a")
        .file("a/x", "x").bytes()));
    assertTrue(e.getMessage().contains("symbolic links"), e.getMessage());
  }

  @Test
  void truncatedLayer_failsClosed() {
    byte[] tar = new TestTar().file("x", new byte[5000], 0644).bytes();
    badInput(tarLayerUnchecked(Arrays.copyOf(tar, 2048)));
  }

  private static Layer tarLayerUnchecked(byte[] tar) {
    return new Layer.Value(Blob.of(MediaTypes.OCI_LAYER_TAR, tar), Digest.of(tar),
        OptionalLong.empty());
  }

  static byte[] gzip(byte[] b) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
        gz.write(b);
      }
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void fixChecksum(byte[] tar, int header) {
    TestTar.fixChecksum(tar, header);
  }

}
