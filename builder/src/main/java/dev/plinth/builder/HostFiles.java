package dev.plinth.builder;

import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Puts files from the build host into a layer, as a {@link BuildSpec.FileSpec} says. */
final class HostFiles {
  static void addTo(LayerBuilder layer, BuildSpec.FileSpec f, Platform platform)
      throws IOException, PlinthException {
    String srcText = f.src().replace("${arch}", platform.architecture());
    Path src = f.baseDir().resolve(srcText).normalize();
    if (f.context() != null) {
      // checked at load for amd64 and arm64; again here, as the files may have changed since
      f.context().check(src, f.where(), "src");
    }
    if (!Files.exists(src)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          f.where() + ": src: " + src + " does not exist" + (f.src().contains("${arch}")
              ? " (for " + platform + ")" : ""));
    }
    if (!Files.isReadable(src)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          f.where() + ": src: " + src + " cannot be read");
    }
    if (!BuildContext.ordinary(src) || !BuildContext.ordinary(src.toRealPath())) {
      throw new PlinthException(PlinthException.Kind.BAD_INPUT,
          f.where() + ": src: " + src + " is neither a file, a directory nor a symlink");
    }
    if (Files.isDirectory(src)) {
      addTree(layer, f, src);
    } else {
      layer.file(f.dest(), src, fileMode(f, src), f.uid(), f.gid());
    }
  }

  private static void addTree(LayerBuilder layer, BuildSpec.FileSpec f, Path root)
      throws IOException, PlinthException {
    layer.directory(f.dest(), 0755, f.uid(), f.gid());
    List<Path> paths;
    try (Stream<Path> s = Files.walk(root)) {
      paths = s.filter(p -> !p.equals(root)).sorted().toList();
    }
    for (Path p : paths) {
      String rel = root.relativize(p).toString().replace('\\', '/');
      String dest = f.dest() + "/" + rel;
      if (Files.isSymbolicLink(p)) {
        // copied as the link, never what it points to (as Docker's COPY of a directory)
        layer.symlink(dest, Files.readSymbolicLink(p).toString(), f.uid(), f.gid());
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        layer.directory(dest, 0755, f.uid(), f.gid());
      } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
        layer.file(dest, p, fileMode(f, p), f.uid(), f.gid());
      } else {
        throw new PlinthException(PlinthException.Kind.BAD_INPUT,
            f.where() + ": " + p + " is neither a file, a directory nor a symlink");
      }
    }
  }

  private static int fileMode(BuildSpec.FileSpec f, Path p) {
    if (f.mode() != null) {
      return f.mode();
    }
    return Files.isExecutable(p) ? 0755 : 0644;
  }

  private HostFiles() {}
}
