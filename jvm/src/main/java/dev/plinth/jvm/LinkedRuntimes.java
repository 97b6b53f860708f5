package dev.plinth.jvm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Digest;
import dev.plinth.oci.Json;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Linked runtimes by a key that holds everything they are made of, and nothing of the image
 * being built: no time, no compression level, so every build on this machine (the CLI's, the
 * Maven plugin's) shares them; the layer is written from the stored files with each build's
 * time. An entry is a directory of the layer's files, the list of its entries (path, type,
 * mode, owner; each file's size, sha256 and the attributes it had when stored) and what its
 * maker said about it. Entries are made in a temp directory and renamed into place, so
 * concurrent builds never see half of one. (Any layer made once per key can be kept so: the
 * builder keeps its byte-compiled Python here too.)
 *
 * <p>A hit checks each file's size, modification time and inode against the list, and hashes
 * the files whose attributes changed: an entry whose file is missing or has other content is
 * removed, and the runtime is made again. (A file damaged without any of its attributes
 * changing is not found, as a layer's source files are not.)
 */
public final class LinkedRuntimes {
  /** Bump when an entry's layout changes. */
  private static final String FORMAT = "plinth-runtime-1";

  private final Path root;

  /** Makes what goes in an entry. */
  public interface Maker {
    /**
     * Adds the runtime to {@code layer}, its files under {@code work} (kept only as stored), and
     * returns what to store with it (e.g. its history and packages).
     */
    Map<String, Object> make(LayerBuilder layer, Path work) throws IOException, PlinthException;
  }

  /**
   * A stored runtime.
   *
   * @param layer its entries, the files read from the entry when the layer is written
   * @param meta what its maker returned
   * @param made whether it was made now (false: found in the cache)
   * @param damaged why an entry found under the key was removed first, or null
   */
  public record Stored(LayerBuilder layer, JsonNode meta, boolean made, String damaged) {}

  public LinkedRuntimes(Path root) {
    this.root = root.toAbsolutePath();
  }

  /** The entry of {@code key}, made with {@code maker} if it is not there or damaged. */
  public Stored get(String key, Maker maker) throws IOException, PlinthException {
    String[] damaged = new String[1];
    Optional<Stored> hit = read(key, damaged);
    if (hit.isPresent()) {
      return hit.get();
    }
    Path dir = root.resolve(key);
    Files.createDirectories(root);
    Path tmp = Files.createTempDirectory(root, ".runtime-");
    Cleanup.register(tmp);
    try {
      LayerBuilder made = new LayerBuilder();
      Map<String, Object> meta = maker.make(made, Files.createDirectories(tmp.resolve("work")));
      Path files = Files.createDirectories(tmp.resolve("files"));
      List<Object> entries = new ArrayList<>();
      Map<Path, Path> moved = new java.util.HashMap<>();
      int n = 0;
      for (LayerBuilder.Entry e : made.entries()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", "/" + e.path());
        m.put("type", e.type().name());
        m.put("mode", e.mode());
        m.put("uid", e.uid());
        m.put("gid", e.gid());
        if (e.type() == TarEntry.Type.SYMLINK) {
          m.put("link", e.link());
        } else if (e.type() == TarEntry.Type.FILE) {
          String name = Integer.toString(n++);
          Path file = files.resolve(name);
          store(e, file, tmp, moved);
          m.put("file", name);
          m.put("sha256", Digest.of(file).hex());
          m.put("stamp", stamp(file));
        }
        entries.add(m);
      }
      Cleanup.deleteTree(tmp.resolve("work"));
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("format", FORMAT);
      doc.put("meta", meta);
      doc.put("entries", entries);
      Files.writeString(tmp.resolve("entry.json"), Json.writePretty(doc));
      DebianJdk.moveInto(tmp, dir);
    } finally {
      Cleanup.deleteTree(tmp);
      Cleanup.unregister(tmp);
    }
    String[] unreadable = new String[1];
    Optional<Stored> stored = read(key, unreadable);
    if (stored.isEmpty()) {
      throw new IOException("the runtime just stored cannot be read back: " + unreadable[0]);
    }
    Stored s = stored.get();
    return new Stored(s.layer(), s.meta(), true, damaged[0]);
  }

  /**
   * Moves (or, from outside the entry or a second time, copies) one file's content to {@code
   * file}; {@code moved} remembers where moved sources went.
   */
  private static void store(LayerBuilder.Entry e, Path file, Path tmp, Map<Path, Path> moved)
      throws IOException {
    Path source = e.source() == null ? null : e.source().toAbsolutePath();
    if (e.bytes() != null) {
      Files.write(file, e.bytes());
    } else if (e.length() < 0 && moved.containsKey(source)) {
      Files.copy(moved.get(source), file);
    } else if (e.length() < 0 && source.startsWith(tmp) && !Files.isSymbolicLink(source)) {
      Files.move(source, file);
      moved.put(source, file);
    } else {
      try (InputStream in = Files.newInputStream(source); OutputStream out =
          Files.newOutputStream(file)) {
        if (e.length() < 0) {
          in.transferTo(out);
        } else {
          in.skipNBytes(e.offset());
          out.write(in.readNBytes(Math.toIntExact(e.length())));
        }
      }
    }
  }

  private Optional<Stored> read(String key, String[] damaged) throws IOException {
    Path dir = root.resolve(key);
    JsonNode doc;
    try {
      doc = Json.read(Files.readAllBytes(dir.resolve("entry.json")), dir + "/entry.json");
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (PlinthException e) {
      return remove(dir, damaged, "its list of entries is unreadable");
    }
    if (!FORMAT.equals(doc.path("format").asText())) {
      return remove(dir, damaged, "it is of another format");
    }
    LayerBuilder layer = new LayerBuilder();
    try {
      for (JsonNode e : doc.path("entries")) {
        String path = e.path("path").asText();
        int mode = e.path("mode").asInt();
        long uid = e.path("uid").asLong();
        long gid = e.path("gid").asLong();
        switch (TarEntry.Type.valueOf(e.path("type").asText())) {
          case DIRECTORY -> layer.directory(path, mode, uid, gid);
          case SYMLINK -> layer.symlink(path, e.path("link").asText(), uid, gid);
          case FILE -> {
            Path file = dir.resolve("files").resolve(e.path("file").asText());
            if (!file.normalize().startsWith(dir.resolve("files")) || !intact(file, e)) {
              return remove(dir, damaged, path + " is missing or changed");
            }
            layer.file(path, file, mode, uid, gid);
          }
          default -> {
            return remove(dir, damaged, "it lists a " + e.path("type").asText());
          }
        }
      }
    } catch (IllegalArgumentException e) {
      return remove(dir, damaged, e.getMessage());
    }
    dev.plinth.oci.LayerCache.markUsed(dir.resolve("entry.json"));
    return Optional.of(new Stored(layer, doc.path("meta"), false, null));
  }

  /** Whether a stored file is as stored: the same attributes, else the same content. */
  private static boolean intact(Path file, JsonNode e) throws IOException {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    if (stamp(file).equals(e.path("stamp").asText())) {
      return true;
    }
    return Digest.of(file).hex().equals(e.path("sha256").asText());
  }

  private Optional<Stored> remove(Path dir, String[] damaged, String why) {
    damaged[0] = "the cached runtime " + dir + " was damaged (" + why + ") and is made again";
    try {
      Path trash = Files.createTempDirectory(root, ".damaged-");
      Files.move(dir, trash.resolve("entry"), StandardCopyOption.ATOMIC_MOVE);
      Cleanup.deleteTree(trash);
    } catch (IOException e) {
      // another build removed it first
    }
    return Optional.empty();
  }

  /** Size, modification time and inode: what changes when a file is written or replaced. */
  private static String stamp(Path file) throws IOException {
    Map<String, Object> a;
    try {
      a = Files.readAttributes(file, "unix:size,lastModifiedTime,ino");
    } catch (UnsupportedOperationException e) {
      a = Files.readAttributes(file, "size,lastModifiedTime");
    }
    return a.get("size") + " " + a.get("lastModifiedTime") + " " + a.getOrDefault("ino", "");
  }
}
