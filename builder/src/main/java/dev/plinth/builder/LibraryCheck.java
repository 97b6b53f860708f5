package dev.plinth.builder;

import dev.plinth.audit.LibraryClosure;
import dev.plinth.audit.Limits;
import dev.plinth.deb.Architectures;
import dev.plinth.deb.Repository;
import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The ELF closure of a built image: every program's interpreter and every library an ELF file
 * needs must be in the image for its platform, as the loader looks for it (the audit's resolver,
 * {@link LibraryClosure}), or the build fails naming the files, what they miss and the Debian
 * package that ships it, from the suite's signed Contents index (fetched only when something is
 * missing, kept in the cache by its hash). {@code allowMissingLibraries} turns the failure into
 * a note, without looking packages up.
 */
final class LibraryCheck {
  /** At most this many missing libraries are named, each with at most this many files. */
  static final int MAX_LISTED = 10;
  static final int MAX_FILES = 3;

  /**
   * Whether an image of {@code spec} can miss anything: not when it holds nothing but plinth's
   * own programs (its init and /sbin/nologin, static, checked by their own tests), as
   * {@code plinth base} without packages does; a build of only those is spared reading its
   * layers again (and the audit's classes: StartupIT counts them).
   */
  static boolean needed(BuildSpec spec) {
    BuildSpec.Init.Kind init = spec.init().kind();
    return !(spec.files().isEmpty() && spec.packages().isEmpty() && spec.java() == null
        && spec.from() == null && spec.copyFrom().isEmpty()
        && (init == BuildSpec.Init.Kind.PLINTH || init == BuildSpec.Init.Kind.NONE));
  }

  /** What one platform's image misses; run for each platform as it is built. */
  static List<LibraryClosure.Missing> missing(Image image, Plinth.Options options)
      throws IOException, PlinthException {
    try {
      return LibraryClosure.check(image, "the built image (" + image.platform() + ")",
          Limits.DEFAULT, store(options));
    } catch (PlinthException unreadable) {
      // A layer cache entry damaged on disk reads as an invalid layer; read through the cache,
      // it is the cache's own failure (LayerCache.DamagedEntryException), and the build runs
      // again with the layer made afresh.
      for (Layer layer : image.layers()) {
        try (InputStream in = layer.openUncompressed()) {
          in.transferTo(OutputStream.nullOutputStream());
        }
      }
      throw unreadable;
    }
  }

  /**
   * Where each layer's facts are kept between builds (the cache's {@link #DIR}), or nowhere
   * without a cache.
   */
  private static LibraryClosure.Store store(Plinth.Options options) {
    return options.cacheDir() == null ? LibraryClosure.Store.NONE
        : new KeptFiles(options.cacheDir().resolve(DIR), "cached ELF facts", 64 << 20);
  }

  /**
   * Has {@code layer} read, as it is written, for {@link #missing}: what it finds is kept in the
   * cache, where the check looks first, so that the check need not decompress the layer again
   * (a Java runtime's: about a quarter of a second of a first build). Nothing without a cache.
   *
   * @param what names the layer, e.g. "the Java runtime (linux/amd64)"
   */
  static LayerBuilder tapped(LayerBuilder layer, Plinth.Options options, String what) {
    return options.cacheDir() == null ? layer : layer.tap(LibraryClosure.tap(store(options),
        Limits.DEFAULT, "the built layer of " + what), what);
  }

  /**
   * Fails the build (BAD_INPUT) when an image misses something, unless the spec allows it; then
   * it adds a note.
   *
   * @param missing by platform, what {@link #missing} found
   */
  static void check(BuildSpec spec, Map<Platform, List<LibraryClosure.Missing>> missing,
      Plinth.Options options, List<String> notes) throws PlinthException {
    // equals and hashCode of its own: a record's made ones bootstrap method handles the first
    // time (some 10 ms of a build that allows what is missing)
    record Gap(String name, boolean interpreter, List<String> files) {
      @Override
      public boolean equals(Object o) {
        return o instanceof Gap g && g.name.equals(name) && g.interpreter == interpreter
            && g.files.equals(files);
      }

      @Override
      public int hashCode() {
        return (name.hashCode() * 31 + Boolean.hashCode(interpreter)) * 31 + files.hashCode();
      }
    }
    Map<Gap, List<Platform>> gaps = new LinkedHashMap<>();
    Map<String, Set<String>> namesByArch = new TreeMap<>();
    for (Map.Entry<Platform, List<LibraryClosure.Missing>> e : missing.entrySet()) {
      for (LibraryClosure.Missing m : e.getValue()) {
        gaps.computeIfAbsent(new Gap(m.name(), m.interpreter(), m.files()),
            k -> new ArrayList<>()).add(e.getKey());
        namesByArch.computeIfAbsent(arch(e.getKey()),
            k -> new LinkedHashSet<>()).add(m.name());
      }
    }
    if (gaps.isEmpty()) {
      return;
    }
    BuildSpec.Packages p = spec.packages();
    Map<String, Map<String, List<String>>> shipping = new TreeMap<>();
    String lookup = null;
    if (spec.allowMissingLibraries()) {
      lookup = ""; // accepted: no need to fetch the Contents index to name packages
    } else {
      try {
        Repository repository = DebianPackages.open(p, p.suite(), p.components(), options);
        for (Map.Entry<String, Set<String>> e : namesByArch.entrySet()) {
          shipping.put(e.getKey(), repository.shipping(e.getKey(), e.getValue()));
        }
      } catch (PlinthException e) {
        lookup = e.getMessage();
      }
    }
    List<String> items = new ArrayList<>();
    for (Map.Entry<Gap, List<Platform>> e : gaps.entrySet()) {
      Gap g = e.getKey();
      String arch = arch(e.getValue().get(0));
      List<String> shippedBy = lookup != null ? List.of() : shipping.getOrDefault(
          arch, Map.of()).getOrDefault(g.name(), List.of());
      items.add((g.interpreter() ? "the program interpreter " : "") + g.name() + ", needed by "
          + list(g.files(), MAX_FILES) + " (" + String.join(", ",
              e.getValue().stream().map(Platform::toString).toList()) + "), "
          + (lookup != null ? "is missing"
              : shippedBy.isEmpty() ? "is in no package of Debian " + p.suite() + " "
                  + String.join(" ", p.components())
              : "is in Debian's " + String.join(" or ", shippedBy)));
    }
    String what = "the image lacks what its ELF files need to start (they would fail with"
        + " \"cannot open shared object file\" or \"no such file or directory\"): "
        + list(items, MAX_LISTED)
        + (lookup == null || lookup.isEmpty() ? ""
            : " (which Debian package ships them could not be looked up: " + lookup + ")");
    if (spec.allowMissingLibraries()) {
      notes.add("allowMissingLibraries: " + what);
      return;
    }
    throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ". Add the package to"
        + " packages:, or set allowMissingLibraries: true in the build file"
        + " (--allow-missing-libraries; plinth-maven-plugin: -Dplinth.allowMissingLibraries)"
        + " to build it anyway");
  }

  /** The cache's directory of what was found in layers ({@link LibraryClosure.Store}). */
  static final String DIR = "elf-facts";

  /** Debian's name of the platform's architecture, else the OCI one (no Contents to look in). */
  private static String arch(Platform p) {
    try {
      return Architectures.debian(p);
    } catch (PlinthException e) {
      return p.architecture();
    }
  }

  private static String list(List<String> items, int max) {
    String sep = items.stream().anyMatch(i -> i.contains(", ")) ? "; " : ", ";
    if (items.size() <= max) {
      return String.join(sep, items);
    }
    return String.join(sep, items.subList(0, max)) + sep + "and " + (items.size() - max)
        + " more";
  }

  private LibraryCheck() {}
}
