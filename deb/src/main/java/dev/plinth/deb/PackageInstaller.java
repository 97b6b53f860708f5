package dev.plinth.deb;

import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Unpacks .deb files into a layer, as dpkg would without running any maintainer script, and then
 * does what those scripts would have done for the packages plinth knows:
 *
 * <ul>
 *   <li>ca-certificates: /etc/ssl/certs/ca-certificates.crt, the bundle of every packaged
 *       certificate (update-ca-certificates' output); the certificates themselves are not
 *       copied, as the bundle holds them;
 *   <li>tzdata: the duplicate {@code right/} zone tree is left out unless asked for.
 * </ul>
 *
 * Documentation (/usr/share/doc except copyright files, man and info pages, lintian overrides)
 * is left out: nothing in a container reads it; so is what the {@link PathGlobs} given name
 * (debian.excludePaths). Each package gets /var/lib/dpkg/status.d/NAME
 * with its control file, where distroless puts it, so scanners can see what is installed.
 */
public final class PackageInstaller {
  public static final String CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
  static final String CA_DIR = "/usr/share/ca-certificates/";

  /** What an install produced. */
  public record Installed(String name, String version, String architecture, String source,
      Map<String, String> control) {}

  private final LayerBuilder layer;
  private final Path work;
  private final boolean tzdataRight;
  private final PathGlobs excluded;
  private final Map<String, Path> contents = new HashMap<>();
  private final Map<String, String> owners = new HashMap<>();
  private final Map<String, String> symlinks = new HashMap<>();
  private final Map<String, Boolean> kinds = new HashMap<>();
  private final List<Installed> installed = new ArrayList<>();
  private int counter;

  /**
   * @param work a private directory for unpacked file contents (deleted by the caller)
   * @param tzdataRight keep tzdata's right/ tree (leap-second zones)
   */
  public PackageInstaller(LayerBuilder layer, Path work, boolean tzdataRight) {
    this(layer, work, tzdataRight, PathGlobs.NONE);
  }

  /**
   * @param excluded paths left out besides the documentation; the package's status entry still
   *     lists it, so scanners see it is installed
   */
  public PackageInstaller(LayerBuilder layer, Path work, boolean tzdataRight,
      PathGlobs excluded) {
    this.layer = layer;
    this.work = work;
    this.tzdataRight = tzdataRight;
    this.excluded = excluded;
  }

  /** Unpacks one .deb into the layer. */
  public Installed install(Path deb, String what) throws IOException, PlinthException {
    return install(deb, what, path -> true);
  }

  /**
   * Unpacks the entries of one .deb that {@code keep} accepts, e.g. only /usr/bin/tini-static of
   * tini; the parents of what is kept are emitted as root-owned 0755 directories when the
   * package's own are not kept.
   */
  public Installed install(Path deb, String what, java.util.function.Predicate<String> keep)
      throws IOException, PlinthException {
    DebPackage pkg = DebPackage.open(deb, what);
    Control.Paragraph control = pkg.control();
    String name = control.get("Package");
    if (name == null || !name.matches("[a-z0-9][a-z0-9+.-]+")) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + " has no valid Package field");
    }
    pkg.readData((e, content) -> {
      if (keep.test(e.path())) {
        unpack(name, e, content, what);
      }
    });
    layer.file(STATUS_DIR + name, status(control), 0644, 0, 0);
    Installed i = installed(control);
    installed.add(i);
    return i;
  }

  /** Where each package's status entry goes, as in distroless. */
  public static final String STATUS_DIR = "/var/lib/dpkg/status.d/";

  /**
   * A package's /var/lib/dpkg/status.d entry: its control file, as dpkg keeps it (deb822:
   * continuation lines start with a space, an empty one is written " .").
   */
  public static byte[] status(Control.Paragraph control) {
    StringBuilder status = new StringBuilder();
    for (Map.Entry<String, String> f : control.fields().entrySet()) {
      String value = f.getValue();
      status.append(f.getKey()).append(":").append(value.startsWith("\n") ? "" : " ");
      String[] lines = value.split("\n", -1);
      status.append(lines[0]).append('\n');
      for (int i = 1; i < lines.length; i++) {
        status.append(' ').append(lines[i].isEmpty() ? "." : lines[i]).append('\n');
      }
    }
    return status.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** What a package's control file says was installed. */
  public static Installed installed(Control.Paragraph control) {
    Map<String, String> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    fields.putAll(control.fields());
    return new Installed(control.get("Package"), control.get("Version"),
        control.get("Architecture"),
        control.get("Source") == null ? control.get("Package") : control.get("Source").split(" ")[0],
        fields);
  }

  /** Runs what maintainer scripts would have done; call once after every package is installed. */
  public void finish() throws IOException {
    if (installed.stream().anyMatch(i -> i.name().equals("ca-certificates"))) {
      ByteArrayOutputStream bundle = new ByteArrayOutputStream();
      for (Map.Entry<String, Path> e : new TreeMap<>(contents).entrySet()) {
        if (e.getKey().startsWith(CA_DIR) && e.getKey().endsWith(".crt")) {
          byte[] pem = Files.readAllBytes(e.getValue());
          bundle.write(pem);
          if (pem.length > 0 && pem[pem.length - 1] != '\n') {
            bundle.write('\n');
          }
        }
      }
      layer.file(CA_BUNDLE, bundle.toByteArray(), 0644, 0, 0);
    }
  }

  public List<Installed> installed() {
    return List.copyOf(installed);
  }

  /**
   * Whether a file is one of ca-certificates' packaged certificates, which the bundle carries: only
   * the bundle goes into the image, as in distroless, which saves 217 kB.
   */
  static boolean foldedIntoBundle(String path) {
    return path.startsWith(CA_DIR) && path.endsWith(".crt");
  }

  /** Whether a path is left out of the image. */
  boolean leftOut(String path) {
    if (path.startsWith("/usr/share/doc/")) {
      return !path.endsWith("/copyright") && !path.matches("/usr/share/doc/[^/]+");
    }
    return path.startsWith("/usr/share/man/") || path.equals("/usr/share/man")
        || path.startsWith("/usr/share/info/") || path.equals("/usr/share/info")
        || path.startsWith("/usr/share/lintian/") || path.equals("/usr/share/lintian")
        || (!tzdataRight && (path.startsWith("/usr/share/zoneinfo/right/")
            || path.equals("/usr/share/zoneinfo/right")));
  }

  private void unpack(String pkg, DebPackage.DataEntry e, InputStream content, String what)
      throws IOException, PlinthException {
    String path = e.path();
    if (leftOut(path)) {
      return;
    }
    boolean excludedHere = excluded.matches(path);
    if (excludedHere && e.type() != dev.plinth.oci.TarEntry.Type.FILE) {
      return;
    }
    for (String p = parent(path); p != null; p = parent(p)) {
      String owner = symlinks.get(p);
      if (owner != null) {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": " + path
            + " would be written through the symlink " + p + " that " + owner + " ships");
      }
    }
    boolean isDir = e.type() == dev.plinth.oci.TarEntry.Type.DIRECTORY;
    Boolean wasDir = kinds.putIfAbsent(path, isDir);
    if (wasDir != null && (wasDir != isDir)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": " + path
          + " is a " + (isDir ? "directory" : e.type().name().toLowerCase())
          + " here and a " + (wasDir ? "directory" : "file or link") + " in " + owners.get(path)
          + " (or another package)");
    }
    switch (e.type()) {
      case DIRECTORY -> layer.directory(path, e.mode(), e.uid(), e.gid());
      case SYMLINK -> {
        claim(pkg, path, what);
        symlinks.put(path, pkg);
        layer.symlink(path, e.linkTarget(), e.uid(), e.gid());
      }
      case FILE -> {
        claim(pkg, path, what);
        Path file = work.resolve(Integer.toString(counter++));
        Files.copy(content, file);
        contents.put(path, file);   // kept even when excluded: a hardlink may name it
        if (!excludedHere && !(pkg.equals("ca-certificates") && foldedIntoBundle(path))) {
          layer.file(path, file, e.mode(), e.uid(), e.gid());
        }
      }
      case HARDLINK -> {
        claim(pkg, path, what);
        Path target = contents.get(e.linkTarget());
        if (target == null) {
          throw new PlinthException(PlinthException.Kind.BAD_INPUT, what + ": hardlink " + path
              + " points at " + e.linkTarget() + ", which it does not ship");
        }
        contents.put(path, target);
        layer.file(path, target, e.mode(), e.uid(), e.gid());
      }
      default -> throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + ": " + path + " is a " + e.type() + ", which plinth does not install");
    }
  }

  private static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i <= 0 ? null : path.substring(0, i);
  }

  private void claim(String pkg, String path, String what) throws PlinthException {
    String other = owners.putIfAbsent(path, pkg);
    if (other != null && !other.equals(pkg)) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          what + ": " + path + " is shipped by both " + other + " and " + pkg);
    }
  }
}
