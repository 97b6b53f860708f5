package dev.plinth.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Outputs as users expect them: readable as the umask says, and no tag lost to a neighbour. */
class OutputFilesTest {
  @TempDir Path tmp;

  @Test
  void outputs_getTheModeAnyProgramWouldGive_notTheTempFiles0600() throws Exception {
    Path reference = Files.createFile(tmp.resolve("reference"));   // 0666 less this JVM's umask
    Set<PosixFilePermission> expected = Files.getPosixFilePermissions(reference);
    AtomicFile.write(tmp.resolve("plain"), "x".getBytes());
    ImageIndex index = ImageIndex.of(ImageIoTest.twoPlatformImages(tmp.resolve("work")), Map.of());
    ArchiveWriter.writeOciArchive(tmp.resolve("a.tar"), "v1", index, 0);
    Path layout = tmp.resolve("layout");
    OciLayoutWriter.write(layout, "v1", index);
    List<Path> outputs = new ArrayList<>(List.of(tmp.resolve("plain"), tmp.resolve("a.tar"),
        layout.resolve("index.json"), layout.resolve("oci-layout")));
    try (var s = Files.list(layout.resolve("blobs/sha256"))) {
      s.forEach(outputs::add);
    }
    for (Path p : outputs) {
      assertEquals(PosixFilePermissions.toString(expected),
          PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
    }
  }

  @Test
  void stagedArchive_changesNothingUntilCommitted_andIsDroppedWhenClosed() throws Exception {
    ImageIndex index = ImageIndex.of(ImageIoTest.twoPlatformImages(tmp.resolve("work")), Map.of());
    Path dir = Files.createDirectories(tmp.resolve("out"));
    Path file = dir.resolve("a.tar");
    Files.writeString(file, "the archive of an earlier build");
    ImageSink sink = new OciArchiveTransport(0).sink(ImageRef.parse("oci-archive:" + file));
    // Staged and dropped: the old file as it was, and nothing else left beside it.
    try (ImageSink.Staged staged = sink.stage(index, n -> {})) {
      assertEquals("the archive of an earlier build", Files.readString(file));
      assertEquals(2, count(dir), "the old file and the staged one");
    }
    assertEquals("the archive of an earlier build", Files.readString(file));
    assertEquals(1, count(dir), "the staged archive is gone");
    // Staged and committed: the same bytes as a plain write, under the file's name.
    try (ImageSink.Staged staged = sink.stage(index, n -> {})) {
      assertEquals(index.top(), staged.commit());
    }
    byte[] committed = Files.readAllBytes(file);
    assertEquals(1, count(dir));
    sink.write(index, n -> {});
    assertTrue(java.util.Arrays.equals(committed, Files.readAllBytes(file)), "as write makes it");
  }

  private static long count(Path dir) throws Exception {
    try (var s = Files.list(dir)) {
      return s.count();
    }
  }

  @Test
  void concurrentWritersToOneLayout_keepEveryTag() throws Exception {
    List<Image> images = ImageIoTest.twoPlatformImages(tmp.resolve("work"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 10; round++) {
        Path layout = tmp.resolve("layout-" + round);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
          String tag = "t" + w;
          // two writers share an image, two write images of their own: shared and new blobs
          ImageIndex index = ImageIndex.of(List.of(images.get(w % 2)), Map.of());
          writers.add(pool.submit(() -> {
            OciLayoutWriter.write(layout, tag, index);
            return null;
          }));
        }
        for (Future<?> f : writers) {
          f.get(2, TimeUnit.MINUTES);
        }
        Set<String> tags = new TreeSet<>(Index.parse(Files.readAllBytes(
            layout.resolve("index.json")), "index.json").refNames());
        assertEquals(Set.of("t0", "t1", "t2", "t3"), tags, "round " + round);
        for (int w = 0; w < 4; w++) {
          assertEquals(images.get(w % 2).manifest().descriptor().digest(), Transports.local()
              .read(ImageRef.parse("oci:" + layout + ":t" + w)).top().digest());
        }
        try (var s = Files.walk(layout)) {
          assertTrue(s.noneMatch(p -> p.toString().endsWith(".plinth-tmp")), "temp files left");
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
