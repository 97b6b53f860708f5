package dev.plinth.oci;

import static dev.plinth.oci.Fuzzing.onlyFailures;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

/**
 * Fuzzing of what oci reads from others: a layer's tar flattened into the filesystem view (what
 * the audit and copyFrom: see), the typed documents, and oci-archive and docker-archive files.
 * Seeds: tars GNU tar and plinth wrote, the documents and archives of real images.
 */
class OciFuzzTest {
  /** The runs of one fuzzing execution in the build; see docs/architecture.md to fuzz longer. */
  static final long RUNS = 10_000;

  @FuzzTest(maxExecutions = RUNS)
  void layer(byte[] data) throws Exception {
    byte[] tar = Fuzzing.tarChecksumsFixed(data);
    onlyFailures(() -> {
      Filesystem<Long> fs = new Filesystem<>("fuzzed image", Filesystem.Limits.DEFAULT);
      for (int i = 0; i < 2; i++) { // twice: the second applies whiteouts and links over the first
        LayerDiff<Long> diff = LayerDiff.read(TestTar.layer(tar), "layer " + i,
            Filesystem.Limits.DEFAULT, (ordinal, path, e, in) -> drain(in));
        fs.apply(diff, i, "layer " + i, new ArrayList<>());
      }
      fs.tree("");
    });
  }

  @FuzzTest(maxExecutions = RUNS)
  void documents(byte[] data) throws Exception {
    onlyFailures(() -> Manifest.parse(data, "fuzzed manifest"));
    onlyFailures(() -> Index.parse(data, "fuzzed index"));
    onlyFailures(() -> ImageConfig.parse(data, "fuzzed config"));
    onlyFailures(() -> ImageConfig.essentials(data, "fuzzed config"));
  }

  @FuzzTest(maxExecutions = RUNS / 5)
  void archive(byte[] data) throws Exception {
    Path file = Files.createTempFile("plinth-fuzz", ".tar");
    try {
      Files.write(file, Fuzzing.tarChecksumsFixed(data));
      onlyFailures(() -> readAll(new OciArchiveTransport(0), "oci-archive:" + file));
      onlyFailures(() -> readAll(new DockerArchiveTransport(0), "docker-archive:" + file));
    } finally {
      Files.delete(file);
    }
  }

  private static void readAll(Transport transport, String ref) throws Exception {
    ImageIndex index = transport.source(ImageRef.parse(ref)).read();
    for (Image image : index.images()) {
      image.manifest();
      for (Layer layer : image.layers()) {
        try (InputStream in = layer.blob().open()) {
          drain(in);
        }
      }
    }
  }

  private static long drain(InputStream in) throws IOException {
    return in.transferTo(java.io.OutputStream.nullOutputStream());
  }
}
