package dev.plinth.audit;

import dev.plinth.oci.Filesystem;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageConfig;
import dev.plinth.oci.Layer;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether every ELF program and library of an image can load: the audit's loader rules (PL040,
 * PL041) as a question a build asks of the image it made, before it writes it. The same
 * resolver answers both (RUNPATH/RPATH with $ORIGIN, ld.so.conf and its includes, the default
 * and multiarch directories, LD_LIBRARY_PATH of the config's Env); what the audit reports as
 * info (a library that only libraries need and that is elsewhere in the image, as libjvm.so)
 * is not missing here either.
 */
public final class LibraryClosure {
  /**
   * A program interpreter (PT_INTERP) or a library (DT_NEEDED) the loader does not find.
   *
   * @param name the library as DT_NEEDED names it ("libz.so.1"), or the interpreter's path
   * @param interpreter whether it is a program interpreter
   * @param files the ELF files that need it, absolute paths in the image, sorted
   */
  public record Missing(String name, boolean interpreter, List<String> files) {
    public Missing {
      files = List.copyOf(files);
    }
  }

  /**
   * What the loader would not find in {@code image}: interpreters first, then libraries, each in
   * the order of the first file that needs it. Reads every layer once, keeping only what the
   * loader needs of each file (see {@link Limits}).
   *
   * @param what names the image in errors, e.g. "the built image (linux/arm64)"
   */
  public static List<Missing> check(Image image, String what, Limits limits)
      throws IOException, PlinthException {
    return check(image, what, limits, Store.NONE);
  }

  /**
   * Where what was found in a layer is kept between builds, by a key that holds everything that
   * decides it (the layer's digest, plinth's version, the format, the limits): a build that has
   * the layers of the last one reads none of them again. What it holds is plinth's own
   * bytes, read back defensively; what does not read back is read from the layer again. Called
   * from several threads at once (one per layer read).
   */
  public interface Store {
    Store NONE = new Store() {
      @Override
      public byte[] get(String key) {
        return null;
      }

      @Override
      public void put(String key, byte[] value) {}
    };

    /** The bytes kept under {@code key} (at most 64 MiB are asked for), or null. */
    byte[] get(String key) throws IOException;

    /** Keeps {@code value} under {@code key}, atomically; a failure only loses the entry. */
    void put(String key, byte[] value) throws IOException;
  }

  /** {@link #check(Image, String, Limits)}, each layer's facts taken from and kept in {@code store}. */
  public static List<Missing> check(Image image, String what, Limits limits, Store store)
      throws IOException, PlinthException {
    // A build whose image is the last one's (no change) reads nothing: the answer is kept by a
    // key that holds the whole image.
    List<Layer> layers = image.layers();
    List<dev.plinth.oci.Digest> digests = new ArrayList<>();
    for (Layer l : layers) {
      digests.add(l.blob().descriptor().digest());
    }
    String whole = LayerFacts.closureKey(image.config().descriptor().digest(), digests,
        image.platform().toString(), limits);
    try {
      byte[] kept = store.get(whole);
      if (kept != null) {
        return LayerFacts.readMissing(kept);
      }
    } catch (IOException unreadable) {
      // not plinth's bytes, damaged, or not readable: work it out again
    }
    List<Missing> out = check(image, layers, digests, what, limits, store);
    try {
      store.put(whole, LayerFacts.writeMissing(out));
    } catch (IOException notKept) {
      // only costs the next build the work
    }
    return out;
  }

  private static List<Missing> check(Image image, List<Layer> layers,
      List<dev.plinth.oci.Digest> digests, String what, Limits limits, Store store)
      throws IOException, PlinthException {
    ImageConfig config = ImageConfig.parse(image.config().readAllBytes(), what + " config");
    Filesystem<FileFacts> fs = new Filesystem<>(what, limits.fs());
    // The layers not kept in the store are read several at a time (as the audit reads them): a
    // new runtime's and a new app's layers at once.
    List<java.util.concurrent.Future<LayerChanges>> read = new ArrayList<>();
    java.util.concurrent.ExecutorService pool = Audit.layerReaders("plinth-library-check");
    try {
      for (int i = 0; i < layers.size(); i++) {
        int at = i;
        read.add(pool.submit(
            () -> changes(layers.get(at), at, digests.get(at), what, limits, store)));
      }
      Audit.apply(image, what, fs, (i, digest) -> dev.plinth.oci.Parallel.join(read.get(i)),
          new ArrayList<>());
    } finally {
      pool.shutdownNow();
    }
    ImageContext c = new ImageContext(image.platform(), config, new FsTree(fs));
    BinaryChecks.Gaps gaps = BinaryChecks.gaps(c);
    List<Missing> out = new ArrayList<>();
    gaps.interpreters().forEach((name, files) -> out.add(new Missing(name, true, files)));
    gaps.libraries().forEach((name, files) -> {
      if (!gaps.benign().contains(name)) {
        out.add(new Missing(name, false, files));
      }
    });
    return out;
  }

  /**
   * A tap ({@link dev.plinth.oci.LayerBuilder#tap}) that reads a layer as it is written and keeps
   * what it finds in {@code store}, under the key {@link #check} looks for (the written layer's
   * digest and {@code limits}): a build's check then reads none of the layers it has just written
   * again, nor decompresses them. What it keeps is what reading the written layer would find.
   *
   * @param what names the layer in messages
   */
  public static dev.plinth.oci.LayerBuilder.Tap tap(Store store, Limits limits, String what) {
    return tar -> {
      LayerReader.Written first = LayerReader.readTar(tar, what, limits);
      return layer -> {
        dev.plinth.oci.Digest digest = layer.blob().descriptor().digest();
        LayerChanges changes = first.finish(layer);
        store.put(LayerFacts.key(digest, limits), LayerFacts.write(changes));
      };
    };
  }

  /** What layer {@code i} changes: from the store, else read from the layer and kept there. */
  private static LayerChanges changes(Layer layer, int i, dev.plinth.oci.Digest digest,
      String what, Limits limits, Store store) throws IOException, PlinthException {
    String key = LayerFacts.key(digest, limits);
    try {
      byte[] kept = store.get(key);
      if (kept != null) {
        return LayerFacts.read(kept);
      }
    } catch (IOException unreadable) {
      // not plinth's bytes, damaged, or not readable: read the layer again
    }
    LayerChanges changes = LayerReader.read(layer,
        what + " layer " + (i + 1) + " (" + digest + ")", limits);
    try {
      store.put(key, LayerFacts.write(changes));
    } catch (IOException notKept) {
      // a cache that cannot be written (read-only, full) only costs the next build a read
    }
    return changes;
  }

  private LibraryClosure() {}
}
