package dev.plinth.builder;

import dev.plinth.oci.Blob;
import dev.plinth.oci.Descriptor;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImagePath;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    Descriptor nd = new Descriptor(mediaType, d.digest(), d.size(), d.platform(), d.annotations());
    return new Blob() {
      @Override
      public Descriptor descriptor() {
        return nd;
      }

      @Override
      public InputStream open() throws IOException {
        return b.open();
      }
    };
  }

  /** A flattened file: what its last layer said, and (for a file) where its content was put. */
  private record Entry(TarEntry tar, int layer, Path content) {}

  /**
   * Adds to {@code into} every entry at or under {@code paths} in the image's flattened
   * filesystem: layers applied bottom first, whiteouts ({@code .wh.NAME}, {@code .wh..wh..opq})
   * removing what lower layers had. Modes and owners are kept, times are the build's; symlinks
   * stay links (never followed); a hard link becomes a copy of its target; devices and FIFOs are
   * left out. A name that is not a safe relative path is an error.
   *
   * @return the bytes of file content added
   */
  static long extract(Image image, List<String> paths, LayerBuilder into, Path work, String what)
      throws IOException, PlinthException {
    Map<String, Entry> fs = new TreeMap<>();
    Path dir = Files.createTempDirectory(work, "copyfrom-");
    int n = 0;
    for (int li = 0; li < image.layers().size(); li++) {
      Layer layer = image.layers().get(li);
      Map<String, Entry> added = new HashMap<>();
      try (InputStream in = layer.openUncompressed()) {
        TarReader tar = new TarReader(in, what + " layer " + layer.blob().descriptor().digest());
        TarEntry e;
        while ((e = tar.next()) != null) {
          String name = safeName(e.name(), what);
          if (name == null) {
            continue; // the root itself
          }
          String base = name.substring(name.lastIndexOf('/') + 1);
          String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
          if (base.equals(".wh..wh..opq")) {
            String prefix = parent.isEmpty() ? "" : parent + "/";
            removeBelow(fs, prefix, li);
            continue;
          }
          if (base.startsWith(".wh.")) {
            String gone = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
            fs.remove(gone);
            removeBelow(fs, gone + "/", li + 1);
            continue;
          }
          if (!selected(name, paths)) {
            continue;
          }
          Path content = null;
          if (e.type() == TarEntry.Type.FILE) {
            content = dir.resolve(Integer.toString(n++));
            try (OutputStream out = Files.newOutputStream(content)) {
              tar.content().transferTo(out);
            }
          } else if (e.type() == TarEntry.Type.HARDLINK) {
            String target = safeName(e.linkTarget(), what);
            Entry t = target == null ? null : added.getOrDefault(target, fs.get(target));
            if (t == null || t.content() == null) {
              continue; // its target is not copied
            }
            content = t.content();
            e = new TarEntry(e.name(), TarEntry.Type.FILE, e.mode(), e.uid(), e.gid(),
                Files.size(content), null, e.mtime());
          }
          if (!e.isDirectory()) {
            removeBelow(fs, name + "/", li + 1); // a file replaces a directory
          }
          Entry en = new Entry(e, li, content);
          fs.put(name, en);
          added.put(name, en);
        }
      } catch (IOException ex) {
        PlinthException registry = dev.plinth.registry.RegistryFailure.in(ex);
        if (registry != null) {
          throw registry;
        }
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": reading layer "
            + layer.blob().descriptor().digest() + " failed: " + ex.getMessage(), ex);
      }
    }
    for (String p : paths) {
      String key = p.substring(1);
      boolean found = fs.containsKey(key) || fs.keySet().stream().anyMatch(k -> k.startsWith(key + "/"));
      if (!found) {
        throw new PlinthException(PlinthException.Kind.NOT_FOUND, what + " has no " + p
            + " (symlinks on the way are not followed: name the real path)");
      }
    }
    long bytes = 0;
    for (Map.Entry<String, Entry> x : fs.entrySet()) {
      TarEntry t = x.getValue().tar();
      String path = "/" + x.getKey();
      int mode = t.mode() & 07777;
      switch (t.type()) {
        case DIRECTORY -> into.directory(path, mode, t.uid(), t.gid());
        case FILE, HARDLINK -> {
          into.file(path, x.getValue().content(), mode, t.uid(), t.gid());
          bytes += Files.size(x.getValue().content());
        }
        case SYMLINK -> into.symlink(path, t.linkTarget(), t.uid(), t.gid());
        default -> {} // devices and FIFOs are not copied
      }
    }
    return bytes;
  }

  private static boolean selected(String name, List<String> paths) {
    for (String p : paths) {
      String k = p.substring(1);
      if (name.equals(k) || name.startsWith(k + "/")) {
        return true;
      }
    }
    return false;
  }

  private static void removeBelow(Map<String, Entry> fs, String prefix, int beforeLayer) {
    Iterator<Map.Entry<String, Entry>> it = fs.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Entry> e = it.next();
      if ((prefix.isEmpty() || e.getKey().startsWith(prefix)) && e.getValue().layer() < beforeLayer) {
        it.remove();
      }
    }
  }

  /** The entry's path relative to the root, or null for the root; unsafe names are an error. */
  private static String safeName(String raw, String what) throws PlinthException {
    String n = raw;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    if (n.isEmpty() || n.equals(".")) {
      return null;
    }
    try {
      return ImagePath.normalize("/" + n);
    } catch (IllegalArgumentException e) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": a layer holds the"
          + " unsafe path '" + raw.replaceAll("[^\\x20-\\x7e]", "?") + "'");
    }
  }

  private ImageSources() {}
}
