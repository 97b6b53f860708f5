package dev.plinth.jvm;

import dev.plinth.deb.DebPackage;
import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageInstaller;
import dev.plinth.deb.PackageRecord;
import dev.plinth.elf.ElfBlocks;
import dev.plinth.elf.ElfFile;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ELF closure of a runtime: its interpreter and every DT_NEEDED library not in the runtime
 * itself, found in the Debian packages of its architecture (following their symlinks), and
 * those libraries' own needs, to a fixed point.
 */
public final class NativeLibraries {
  /** Libraries whose package every Debian release agrees on. */
  private static final Map<String, String> KNOWN_LIBRARIES = Map.ofEntries(
      Map.entry("libc.so.6", "libc6"), Map.entry("libm.so.6", "libc6"),
      Map.entry("libdl.so.2", "libc6"), Map.entry("libpthread.so.0", "libc6"),
      Map.entry("librt.so.1", "libc6"), Map.entry("ld-linux-x86-64.so.2", "libc6"),
      Map.entry("ld-linux-aarch64.so.1", "libc6"), Map.entry("libgcc_s.so.1", "libgcc-s1"),
      Map.entry("libstdc++.so.6", "libstdc++6"), Map.entry("libz.so.1", "zlib1g"));

  private final Debs debs;
  private final PackageIndex index;
  private final String arch;
  private final int feature;
  /** package name → its files (path → entry), read once. */
  private final Map<String, Map<String, DebPackage.DataEntry>> listings = new TreeMap<>();
  /**
   * package name → its libraries (path → what each needs), read as the package is listed: a
   * library's bytes are not kept (a JRE's dependencies ship some 100 MB of them).
   */
  private final Map<String, Map<String, Library>> libraries = new TreeMap<>();
  private final Map<String, Path> debFiles = new TreeMap<>();
  private final Map<String, PackageRecord> records = new TreeMap<>();
  /** package name → paths to take from it. */
  private final Map<String, Set<String>> chosen = new TreeMap<>();
  private final Map<String, String> symlinksToAdd = new TreeMap<>();
  private final List<PackageInstaller.Installed> installed = new ArrayList<>();
  /** Where each library is read, in blocks kept for the next (see {@link ElfBlocks}). */
  private final ElfBlocks blocks = new ElfBlocks();

  NativeLibraries(Debs debs, PackageIndex index, String arch, int feature) {
    this.debs = debs;
    this.index = index;
    this.arch = arch;
    this.feature = feature;
  }

  /**
   * Resolves what {@code elves} (runtime path → its file) need, beyond the runtime itself; each
   * file is read in turn, never all at once.
   */
  void resolve(Map<String, Path> elves, Platform platform) throws IOException, PlinthException {
    Set<String> inRuntime = new TreeSet<>();
    for (String p : elves.keySet()) {
      inRuntime.add(p.substring(p.lastIndexOf('/') + 1));
    }
    Deque<String[]> todo = new ArrayDeque<>();  // {soname, needed by, its package or null}
    String interpreter = null;
    for (Map.Entry<String, Path> e : elves.entrySet()) {
      ElfFile elf = ElfFile.read(e.getValue(), e.getKey());   // its headers only
      if (elf.machine() != platform.elfMachine()) {
        throw new PlinthException(Kind.BAD_INPUT, e.getKey() + " is for ELF machine "
            + elf.machine() + ", not " + platform);
      }
      if (elf.interpreter() != null) {
        interpreter = elf.interpreter();
      }
      for (String n : elf.needed()) {
        if (!inRuntime.contains(n)) {
          todo.add(new String[] {n, e.getKey(), null});
        }
      }
    }
    if (interpreter != null) {
      String base = interpreter.substring(interpreter.lastIndexOf('/') + 1);
      String found = take("libc6", base, interpreter, true);
      if (!found.equals(interpreter)) {
        symlinksToAdd.put(interpreter, found);
      }
    }
    Set<String> done = new TreeSet<>();
    while (!todo.isEmpty()) {
      String[] need = todo.poll();
      if (!done.add(need[0])) {
        continue;
      }
      String pkg = packageFor(need[0], need[1], need[2]);
      String path = take(pkg, need[0], null, false);
      String file = resolveLink(pkg, path);
      for (String n : libraries.get(pkg).get(file).needed()) {
        if (!inRuntime.contains(n) && !done.contains(n)) {
          todo.add(new String[] {n, file, pkg});
        }
      }
    }
  }

  /** Installs the chosen files, with each package's status.d entry, into the layer. */
  void installInto(LayerBuilder layer, Path work) throws IOException, PlinthException {
    Files.createDirectories(work);
    PackageInstaller installer = new PackageInstaller(layer, work, false);
    for (Map.Entry<String, Set<String>> e : chosen.entrySet()) {
      Set<String> keep = e.getValue();
      installer.install(debFiles.get(e.getKey()), records.get(e.getKey()).filename(),
          keep::contains);
    }
    for (Map.Entry<String, String> l : symlinksToAdd.entrySet()) {
      if (!layer.contains(l.getKey())) {
        layer.symlink(l.getKey(), l.getValue(), 0, 0);
      }
    }
    installed.addAll(installer.installed());
  }

  List<PackageInstaller.Installed> installed() {
    return installed;
  }

  /** The records of the packages installed from, in the order of {@link #installed}. */
  List<PackageRecord> packages() {
    List<PackageRecord> out = new ArrayList<>();
    for (PackageInstaller.Installed i : installed) {
      out.add(records.get(i.name()));
    }
    return out;
  }

  private String packageFor(String soname, String neededBy, String fromPackage)
      throws IOException, PlinthException {
    String known = KNOWN_LIBRARIES.get(soname);
    if (known != null) {
      return known;
    }
    List<String> candidates = new ArrayList<>();
    if (fromPackage != null) {
      // A library's own needs are in its package, or among its package's dependencies.
      candidates.add(fromPackage);
      for (List<PackageRecord.Relation> group : records.get(fromPackage).depends()) {
        for (PackageRecord.Relation r : group) {
          if (!index.versions(r.name()).isEmpty() && !candidates.contains(r.name())) {
            candidates.add(r.name());
          }
        }
      }
    }
    candidates.addAll(candidates());
    for (String candidate : candidates) {
      if (find(candidate, soname, null) != null) {
        return candidate;
      }
    }
    throw new PlinthException(Kind.NOT_FOUND, neededBy + " needs " + soname + ", which no"
        + " library package that openjdk-" + feature + "-jre(-headless) depends on (" + arch
        + ") ships" + (fromPackage == null ? "" : ", nor " + fromPackage + " or its dependencies")
        + "; list the modules you need in java.modules, or add the package to packages:");
  }

  private List<String> candidates() throws PlinthException {
    List<String> out = new ArrayList<>();
    // The headless JRE's libraries, then the full JRE's (fonts for java.desktop's headless
    // rendering: freetype, harfbuzz).
    for (String name : List.of("openjdk-" + feature + "-jre-headless",
        "openjdk-" + feature + "-jre")) {
      List<PackageRecord> jre = index.versions(name);
      if (jre.isEmpty()) {
        continue;
      }
      for (List<PackageRecord.Relation> group : jre.get(0).depends()) {
        for (PackageRecord.Relation r : group) {
          if ((r.name().startsWith("lib") || r.name().equals("zlib1g"))
              && !out.contains(r.name())) {
            out.add(r.name());
          }
        }
      }
    }
    return out;
  }

  /**
   * Chooses the file or symlink named {@code base} in a lib directory of {@code pkg} (or at
   * {@code exactPath}) and everything its symlinks lead to; returns its path.
   */
  private String take(String pkg, String base, String exactPath, boolean interpreter)
      throws IOException, PlinthException {
    String path = find(pkg, base, exactPath);
    if (path == null) {
      throw new PlinthException(Kind.NOT_FOUND, "Debian's " + pkg + " (" + arch + ") has no "
          + (interpreter ? "dynamic loader " : "") + base);
    }
    Set<String> keep = chosen.computeIfAbsent(pkg, k -> new TreeSet<>());
    String p = path;
    for (int hops = 0; hops < 16; hops++) {
      keep.add(p);
      DebPackage.DataEntry e = listings.get(pkg).get(p);
      if (e.type() != TarEntry.Type.SYMLINK) {
        return path;
      }
      p = target(p, e.linkTarget());
      if (!listings.get(pkg).containsKey(p)) {
        throw new PlinthException(Kind.BAD_INPUT, pkg + ": " + path + " links to " + p
            + ", which the package does not ship");
      }
    }
    throw new PlinthException(Kind.BAD_INPUT, pkg + ": " + path + " is a symlink loop");
  }

  private String resolveLink(String pkg, String path) throws PlinthException {
    String p = path;
    for (int hops = 0; hops < 16; hops++) {
      DebPackage.DataEntry e = listings.get(pkg).get(p);
      if (e == null || e.type() != TarEntry.Type.SYMLINK) {
        return p;
      }
      p = target(p, e.linkTarget());
    }
    throw new PlinthException(Kind.BAD_INPUT, pkg + ": " + path + " is a symlink loop");
  }

  private static String target(String from, String link) {
    String base = link.startsWith("/") ? "" : from.substring(0, from.lastIndexOf('/'));
    Deque<String> parts = new ArrayDeque<>();
    for (String s : (base + "/" + link).split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.equals("..")) {
        parts.pollLast();
      } else {
        parts.addLast(s);
      }
    }
    return "/" + String.join("/", parts);
  }

  private String find(String pkg, String base, String exactPath)
      throws IOException, PlinthException {
    Map<String, DebPackage.DataEntry> files = listing(pkg);
    if (exactPath != null && files.containsKey(exactPath)) {
      return exactPath;
    }
    if (exactPath != null && files.containsKey("/usr" + exactPath)) {
      return "/usr" + exactPath;
    }
    String best = null;
    for (String p : files.keySet()) {
      if (p.endsWith("/" + base) && libraryDir(p.substring(0, p.lastIndexOf('/')))
          && files.get(p).type() != TarEntry.Type.DIRECTORY) {
        if (best == null || p.length() < best.length()) {
          best = p;
        }
      }
    }
    return best;
  }

  private static boolean libraryDir(String dir) {
    return dir.matches("(/usr)?/lib(64|32)?(/[a-z0-9_]+-linux-gnu[a-z0-9_]*)?");
  }

  private Map<String, DebPackage.DataEntry> listing(String pkg)
      throws IOException, PlinthException {
    Map<String, DebPackage.DataEntry> l = listings.get(pkg);
    if (l != null) {
      return l;
    }
    List<PackageRecord> versions = index.versions(pkg);
    if (versions.isEmpty()) {
      throw new PlinthException(Kind.NOT_FOUND, "Debian has no package " + pkg + " for "
          + arch);
    }
    PackageRecord r = versions.get(0);
    Path deb = debs.get(r);
    Map<String, DebPackage.DataEntry> files = new LinkedHashMap<>();
    Map<String, Library> libs = new TreeMap<>();
    DebPackage.open(deb, r.filename()).readData((e, content) -> {
      files.put(e.path(), e);
      String dir = e.path().substring(0, e.path().lastIndexOf('/'));
      if (e.type() == TarEntry.Type.FILE && e.path().contains(".so") && libraryDir(dir)) {
        String what = pkg + " " + e.path();
        try {
          if (e.size() > Integer.MAX_VALUE - 8) {
            throw new IOException(what + " is a library of 2 GB or more");
          }
          libs.put(e.path(), new Library(blocks.read(content, e.size(), what).needed(), null));
        } catch (PlinthException bad) { // a failure only if the library is taken
          libs.put(e.path(), new Library(null, bad));
        }
      }
    });
    listings.put(pkg, files);
    libraries.put(pkg, libs);
    debFiles.put(pkg, deb);
    records.put(pkg, r);
    return files;
  }

  /** What a library needs, or why it could not be read. */
  private record Library(List<String> names, PlinthException error) {
    List<String> needed() throws PlinthException {
      if (error != null) {
        throw error;
      }
      return names;
    }
  }
}
