package dev.plinth.builder;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Filesystem;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerDiff;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Images a build takes from: the {@code from:} base (per platform, its layers first) and the
 * images {@code copyFrom:} takes paths out of (their layers flattened, whiteouts applied).
 */
final class ImageSources {
  /** Reads {@code ref} and picks its image for each platform. */
  static Map<Platform, Image> perPlatform(ImageRef ref, List<Platform> platforms,
      Plinth.Options options, String what) throws IOException, PlinthException {
    ImageIndex r;
    try {
      r = ImageTransports.of(options).source(ref)
          .read(p -> platforms.stream().anyMatch(w -> w.matches(p)));
    } catch (PlinthException e) {
      if (e.kind() != PlinthException.Kind.NOT_FOUND) {
        throw e;
      }
      throw new PlinthException(e.kind(), what + ": " + e.getMessage(), e);
    }
    Map<Platform, Image> out = new LinkedHashMap<>();
    List<String> have = new ArrayList<>();
    for (Image i : r.images()) {
      have.add(i.platform().toString());
    }
    for (Platform p : platforms) {
      Image found = null;
      for (Image i : r.images()) {
        if (p.matches(i.platform())) {
          found = i;
          break;
        }
      }
      if (found == null) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + ": " + ref
            + " has no image for " + p + " (it has " + String.join(", ", have) + ")");
      }
      out.put(p, found);
    }
    return out;
  }

  /** The image's layers, Docker's gzip media type given as OCI's (same bytes, same digest). */
  static List<Layer> layers(Image image) throws IOException {
    List<Layer> out = new ArrayList<>();
    for (Layer l : image.layers()) {
      Descriptor d = l.blob().descriptor();
      if (d.mediaType().equals(MediaTypes.DOCKER_LAYER_GZIP)) {
        Blob b = l.blob() instanceof dev.plinth.registry.RegistryClient.RemoteBlob rb
            ? rb.withMediaType(MediaTypes.OCI_LAYER_GZIP)
            : retyped(l.blob(), MediaTypes.OCI_LAYER_GZIP);
        out.add(new Layer.Value(b, l.diffId(), l.uncompressedSize()));
      } else {
        out.add(l);
      }
    }
    return out;
  }

  private static Blob retyped(Blob b, String mediaType) throws IOException {
    Descriptor d = b.descriptor();
    return Blob.of(new Descriptor(mediaType, d.digest(), d.size(), d.platform(), d.annotations()),
        b::open);
  }

  /** Where the bytes of a copied file went in the spill file. */
  private record Slot(long offset, long length) {}

  /**
   * Adds to {@code into} every entry at or under {@code paths} in the image's flattened
   * {@link Filesystem} (the one the audit sees): layers applied bottom first, each layer's
   * whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq}) removing what the layers below had, never
   * what the layer itself has. Modes and owners are kept, times are the build's; symlinks stay
   * links (never followed); a hardlink becomes a copy of what it links to; devices and FIFOs are
   * left out. A layer that is hostile or does not match its descriptor is BAD_INPUT.
   *
   * <p>File contents are not held in memory: those under {@code paths} are spilled into one file
   * in {@code work} as their layer streams past; a file copied in by a hardlink from elsewhere is
   * read from its layer again.
   *
   * @return the bytes of file content added
   */
  static long extract(Image image, List<String> paths, LayerBuilder into, Path work, String what)
      throws IOException, PlinthException {
    List<String> keys = new ArrayList<>();
    for (String p : paths) {
      keys.add(p.substring(1));
    }
    Filesystem.Limits limits = Filesystem.Limits.DEFAULT;
    Filesystem<Slot> fs = new Filesystem<>(what, limits);
    SortedMap<String, Filesystem.Node<Slot>> copied = new TreeMap<>();
    Map<Long, Slot> reread = new HashMap<>();
    Path file = Files.createTempFile(work, "copyfrom-", ".spill");
    try (Spill spill = new Spill(file)) {
      List<Layer> layers = image.layers();
      for (int i = 0; i < layers.size(); i++) {
        Layer layer = layers.get(i);
        String layerWhat = layerWhat(what, i, layer);
        LayerDiff<Slot> diff = LayerDiff.read(layer, layerWhat, limits,
            (ordinal, path, e, in) -> selected(path, keys) ? spill.add(in, e.size()) : null);
        fs.apply(diff, i, layerWhat, new ArrayList<>());
      }
      for (String key : keys) {
        SortedMap<String, Filesystem.Node<Slot>> tree = fs.tree(key);
        if (tree.isEmpty()) {
          throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + " has no /" + key
              + " (symlinks on the way are not followed: name the real path)");
        }
        copied.putAll(tree);
      }
      // Files whose bytes were not spilled on the way (a hardlink to a file outside the paths, an
      // entry written through a symlink into them): their layers streamed again.
      Map<Integer, Set<Integer>> missing = new TreeMap<>();
      for (Filesystem.Node<Slot> n : copied.values()) {
        if (n.isFile() && n.content() == null) {
          missing.computeIfAbsent(n.dataLayer(), k -> new HashSet<>()).add(n.dataOrdinal());
        }
      }
      for (Map.Entry<Integer, Set<Integer>> m : missing.entrySet()) {
        int li = m.getKey();
        Layer layer = layers.get(li);
        LayerDiff.reread(layer, layerWhat(what, li, layer), limits, m.getValue(),
            (ordinal, e, in) -> reread.put(key(li, ordinal), spill.add(in, e.size())));
      }
    }
    long bytes = 0;
    for (Map.Entry<String, Filesystem.Node<Slot>> x : copied.entrySet()) {
      Filesystem.Node<Slot> n = x.getValue();
      if (x.getKey().isEmpty()) {
        continue; // the root: its attributes are the image's, not the copy's
      }
      String path = "/" + x.getKey();
      int mode = n.mode() & 07777;
      switch (n.kind()) {
        case DIRECTORY -> into.directory(path, mode, n.uid(), n.gid());
        case FILE -> {
          Slot s = n.content() != null ? n.content()
              : reread.get(key(n.dataLayer(), n.dataOrdinal()));
          if (s == null) {
            throw new IllegalStateException(path + ": its bytes were not found in layer "
                + (n.dataLayer() + 1) + " again");
          }
          into.file(path, file, s.offset(), s.length(), mode, n.uid(), n.gid());
          bytes += s.length();
        }
        case SYMLINK -> into.symlink(path, n.link(), n.uid(), n.gid());
        default -> {} // devices and FIFOs are not copied
      }
    }
    return bytes;
  }

  private static long key(int layer, int ordinal) {
    return ((long) layer << 32) | (ordinal & 0xffffffffL);
  }

  private static String layerWhat(String what, int index, Layer layer) throws IOException {
    return what + " layer " + (index + 1) + " (" + layer.blob().descriptor().digest() + ")";
  }

  private static boolean selected(String name, List<String> keys) {
    for (String k : keys) {
      if (k.isEmpty() || name.equals(k)
          || (name.startsWith(k) && name.length() > k.length() && name.charAt(k.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  /** One temp file the copied files' bytes are appended to, one after the other. */
  private static final class Spill implements java.io.Closeable {
    private final OutputStream out;
    private final byte[] buf = new byte[65536];
    private long size;

    Spill(Path file) throws IOException {
      out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 65536);
    }

    /** Appends exactly {@code length} bytes of {@code in}. */
    Slot add(InputStream in, long length) throws IOException {
      long start = size;
      long left = length;
      while (left > 0) {
        int r = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (r < 0) {
          throw new java.io.EOFException("a layer ends inside a file");
        }
        out.write(buf, 0, r);
        left -= r;
      }
      size += length;
      return new Slot(start, length);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  private ImageSources() {}
}
