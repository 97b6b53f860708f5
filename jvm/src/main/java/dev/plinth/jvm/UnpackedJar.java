package dev.plinth.jvm;

import dev.plinth.oci.AtomicFile;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Digest;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * A jar unpacked into a store of directories named by their content, one directory per group of
 * its files (one group per layer). A group whose files did not change since an earlier jar keeps
 * its directory, so the layer made from it keeps its cache entry: a changed class unpacks anew,
 * the dependencies do not move.
 *
 * <p>The jar is untrusted: it is streamed entry by entry (never held whole), and an entry name
 * that is absolute, holds {@code ..}, {@code .}, an empty segment, a backslash, a drive letter
 * or a control character, an entry given twice or one that is both a file and a directory, and a
 * jar that holds too many entries or unpacks to too many bytes (a zip bomb) fail the build naming
 * the jar and the entry. Every entry is written as a regular file of its bytes: nothing in a jar
 * becomes a symlink.
 */
public final class UnpackedJar {
  /** Bump when what is unpacked for the same jar changes. */
  private static final String RECIPE = "plinth-unpack-1";

  /** One group of the jar's files: its name, and a directory holding them at their jar paths. */
  public record Group(String name, Path dir) {}

  /** Decides each file's group, once the jar is unpacked (it may read an index file in it). */
  public interface Grouping {
    /** The groups, bottom to top. */
    List<String> order();

    /** The group of the file at {@code name} (a path in the jar). */
    String groupOf(String name);
  }

  /** Makes the grouping from the unpacked files, at their jar paths under {@code tree}. */
  @FunctionalInterface
  public interface Grouper {
    Grouping of(Path tree) throws IOException, PlinthException;
  }

  /**
   * How much a jar may hold.
   *
   * @param maxEntries entries of any kind
   * @param maxBytes bytes of all files unpacked, at most
   * @param ratio the files may weigh at most this many times the jar (plus 64 MiB)
   */
  public record Limits(int maxEntries, long maxBytes, int ratio) {
    public static final Limits DEFAULT = new Limits(200_000, 4L << 30, 100);

    long bytesFor(long jarSize) {
      long byRatio = jarSize > (Long.MAX_VALUE >> 8) / ratio ? Long.MAX_VALUE
          : (64L << 20) + jarSize * ratio;
      return Math.min(maxBytes, byRatio);
    }
  }

  /** The longest entry name, in bytes, and the longest of its segments (Linux's NAME_MAX). */
  private static final int MAX_NAME = 1024;
  private static final int MAX_SEGMENT = 255;
  /** All entry names together, in bytes: what this class keeps in memory while it unpacks. */
  private static final long MAX_NAMES = 16L << 20;

  private record Entry(String name, long size, Digest digest) {}

  private UnpackedJar() {}

  /**
   * The groups of {@code jar}'s files (empty groups left out, in the grouping's order), unpacked
   * into {@code store} unless a jar of the same content was unpacked there before.
   *
   * @param recipe names the grouping rules: a different recipe unpacks the same jar again
   */
  public static List<Group> unpack(Path jar, Path store, String recipe, Grouper grouper,
      Limits limits) throws IOException, PlinthException {
    Files.createDirectories(store);
    Path index = store.resolve("jar-" + key(recipe, Digest.of(jar)));
    List<Group> known = read(index, store);
    if (known != null) {
      return known;
    }
    Path tmp = Files.createTempDirectory(store, ".unpack-");
    Cleanup.register(tmp);
    try {
      Path tree = tmp.resolve("all");
      Files.createDirectories(tree);
      MessageDigest whole = Digest.sha256();
      List<Entry> entries = extract(jar, tree, whole, limits);
      Grouping grouping = grouper.of(tree);
      Map<String, List<Entry>> byGroup = new LinkedHashMap<>();
      for (String g : grouping.order()) {
        byGroup.put(g, new ArrayList<>());
      }
      for (Entry e : entries) {
        String g = grouping.groupOf(e.name());
        if (!byGroup.containsKey(g)) {
          throw new IllegalStateException("group " + g + " is not in " + grouping.order());
        }
        byGroup.get(g).add(e);
      }
      List<Group> groups = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      int n = 0;
      for (Map.Entry<String, List<Entry>> g : byGroup.entrySet()) {
        if (g.getValue().isEmpty()) {
          continue;
        }
        Path dir = store.resolve("files-" + groupHash(g.getValue()));
        if (!Files.isDirectory(dir)) {
          Path staged = tmp.resolve("g" + n++);
          for (Entry e : g.getValue()) {
            Path to = staged.resolve(e.name());
            Files.createDirectories(to.getParent());
            Files.move(tree.resolve(e.name()), to);
          }
          try {
            Files.move(staged, dir, StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException e) {
            // ENOTEMPTY (not always a DirectoryNotEmptyException): another build unpacked the
            // same files at the same time, and theirs serve
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
              throw e;
            }
          }
        }
        groups.add(new Group(g.getKey(), dir));
        text.append(dir.getFileName()).append(' ').append(g.getKey()).append('\n');
      }
      AtomicFile.write(store.resolve("jar-" + key(recipe, Digest.of(whole))),
          text.toString().getBytes(StandardCharsets.UTF_8));
      return groups;
    } finally {
      Cleanup.deleteTree(tmp);
      Cleanup.unregister(tmp);
    }
  }

  /** The groups an earlier unpacking recorded in {@code index}, or null. */
  private static List<Group> read(Path index, Path store) throws IOException {
    if (!Files.isRegularFile(index)) {
      return null;
    }
    List<Group> out = new ArrayList<>();
    for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
      int sp = line.indexOf(' ');
      if (sp < 0) {
        return null;
      }
      Path dir = store.resolve(line.substring(0, sp));
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return null;   // removed since: unpack again
      }
      out.add(new Group(line.substring(sp + 1), dir));
    }
    return out;
  }

  private static String key(String recipe, Digest jar) {
    MessageDigest md = Digest.sha256();
    md.update((RECIPE + "\0" + recipe + "\0" + jar.hex()).getBytes(StandardCharsets.UTF_8));
    return Digest.of(md).hex();
  }

  private static String groupHash(List<Entry> entries) {
    MessageDigest md = Digest.sha256();
    md.update((RECIPE + "\n").getBytes(StandardCharsets.UTF_8));
    Map<String, Entry> sorted = new TreeMap<>();
    entries.forEach(e -> sorted.put(e.name(), e));
    for (Entry e : sorted.values()) {
      md.update((e.name() + "\0" + e.size() + " " + e.digest().hex() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    return Digest.of(md).hex();
  }

  /**
   * Streams {@code jar}'s entries into {@code tree}, each at its name, feeding every byte of the
   * jar to {@code whole}; directories are left out (their files make them).
   */
  private static List<Entry> extract(Path jar, Path tree, MessageDigest whole, Limits limits)
      throws IOException, PlinthException {
    long maxBytes = limits.bytesFor(Files.size(jar));
    List<Entry> entries = new ArrayList<>();
    long bytes = 0;
    long names = 0;
    int count = 0;
    byte[] buf = new byte[65536];
    try (InputStream file = Files.newInputStream(jar);
        DigestInputStream hashed = new DigestInputStream(file, whole);
        ZipInputStream zip = new ZipInputStream(skipLaunchScript(new BufferedInputStream(
            hashed, 65536), jar))) {
      for (ZipEntry ze; (ze = next(zip, jar)) != null; ) {
        String name = ze.getName();
        if (++count > limits.maxEntries()) {
          throw bad(jar, name, "is one entry more than the " + limits.maxEntries() + " allowed");
        }
        names += name.length();
        if (names > MAX_NAMES) {
          throw bad(jar, name, "takes the entry names over " + MAX_NAMES + " bytes");
        }
        String why = checkName(name);
        if (why != null) {
          throw bad(jar, name, why);
        }
        boolean dir = name.endsWith("/");
        String path = dir ? name.substring(0, name.length() - 1) : name;
        Path target = tree.resolve(path);
        try {
          Files.createDirectories(dir ? target : target.getParent());
        } catch (FileAlreadyExistsException e) {
          throw bad(jar, name, "lies under an earlier entry that is a file");
        }
        if (dir) {
          continue;
        }
        MessageDigest md = Digest.sha256();
        long size = 0;
        try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
          for (int r; (r = read(zip, buf, jar, name)) > 0; ) {
            size += r;
            bytes += r;
            if (bytes > maxBytes) {
              throw bad(jar, name, "takes what the jar unpacks to over " + maxBytes + " bytes"
                  + " (a zip bomb?)");
            }
            md.update(buf, 0, r);
            out.write(buf, 0, r);
          }
        } catch (FileAlreadyExistsException e) {
          throw bad(jar, name, "is given twice (or is also a directory)");
        }
        entries.add(new Entry(path, size, Digest.of(md)));
      }
      if (count == 0) {
        throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " is not a jar (no zip"
            + " entries)");
      }
      // the rest (the central directory) counts for the jar's hash too
      hashed.transferTo(OutputStream.nullOutputStream());
    }
    return entries;
  }

  /** Why {@code name} cannot be unpacked safely, or null when it can. */
  static String checkName(String name) {
    if (name.isEmpty()) {
      return "has an empty name";
    }
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME) {
      return "has a name longer than " + MAX_NAME + " bytes";
    }
    if (name.startsWith("/")) {
      return "has an absolute name";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '\\') {
        return "has a control character or a backslash in its name";
      }
    }
    if (name.length() >= 2 && name.charAt(1) == ':') {
      return "has a name with a drive letter";
    }
    String path = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "has an empty, '.' or '..' segment in its name";
      }
      if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT) {
        return "has a name segment longer than " + MAX_SEGMENT + " bytes";
      }
    }
    return null;
  }

  private static ZipEntry next(ZipInputStream zip, Path jar) throws PlinthException {
    try {
      return zip.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " is not a readable jar: "
          + e.getMessage(), e);
    }
  }

  private static int read(ZipInputStream zip, byte[] buf, Path jar, String name)
      throws PlinthException {
    try {
      return zip.read(buf);
    } catch (ZipException e) {
      throw bad(jar, name, "is corrupt: " + e.getMessage());
    } catch (IOException e) {
      throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": cannot read entry "
          + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code in} from its first zip entry: a jar made "fully executable" starts with a shell script
   * (at most 1 MiB of it is skipped).
   */
  static InputStream skipLaunchScript(InputStream in, Path jar) throws IOException,
      PlinthException {
    int max = 1 << 20;
    in.mark(max);
    byte[] head = in.readNBytes(max);
    in.reset();
    if (head.length < 2 || head[0] != '#' || head[1] != '!') {
      return in;
    }
    for (int i = 2; i + 3 < head.length; i++) {
      if (head[i] == 'P' && head[i + 1] == 'K' && head[i + 2] == 3 && head[i + 3] == 4) {
        in.skipNBytes(i);
        return in;
      }
    }
    throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " starts with '#!' and no"
        + " zip entry follows within 1 MiB");
  }

  private static PlinthException bad(Path jar, String entry, String why) {
    return new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": entry '"
        + entry.replaceAll("\\p{Cntrl}", "?") + "' " + why + "; plinth refuses the jar (rebuild"
        + " it with the project's own tools)");
  }
}
