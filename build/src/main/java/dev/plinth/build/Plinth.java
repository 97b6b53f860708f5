package dev.plinth.build;

import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Blob;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.ImageReader;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.MediaTypes;
import dev.plinth.oci.OciLayoutWriter;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one facade: everything the CLI and the Maven plugin do is a call here. A build validates
 * its inputs and target first, builds every platform into a private work directory, and only then
 * writes the target, atomically.
 */
public final class Plinth {
  public static final String VERSION = "0.1.0";

  /**
   * How to build.
   *
   * @param epochSeconds the time every file and the config carry (SOURCE_DATE_EPOCH)
   * @param gzipLevel gzip level for layers, 0-9
   */
  public record Options(long epochSeconds, int gzipLevel) {
    public static final Options DEFAULT = new Options(0, 9);

    /** Options from the environment: SOURCE_DATE_EPOCH, default 0. */
    public static Options fromEnvironment(Map<String, String> env) throws PlinthException {
      String s = env.get("SOURCE_DATE_EPOCH");
      if (s == null || s.isBlank()) {
        return DEFAULT;
      }
      try {
        long v = Long.parseLong(s.trim());
        if (v < 0 || v > 253402300799L) {
          throw new NumberFormatException();
        }
        return new Options(v, DEFAULT.gzipLevel);
      } catch (NumberFormatException e) {
        throw new PlinthException(
            PlinthException.Kind.USAGE,
            "SOURCE_DATE_EPOCH='" + s + "' is not a number of seconds since 1970 (unset it for 0)");
      }
    }
  }

  /** Builds {@code spec} and writes it to {@code target}. */
  public static BuildResult build(BuildSpec spec, ImageRef target, Options options)
      throws IOException, PlinthException {
    checkTarget(target, spec.platforms());
    Path work = Files.createTempDirectory("plinth-build-");
    Cleanup.register(work);
    try {
      List<Image> images = new ArrayList<>();
      List<BuildResult.PlatformImage> results = new ArrayList<>();
      for (Platform platform : spec.platforms()) {
        images.add(buildImage(spec, platform, options, work, results));
      }
      ImageIndex index = ImageIndex.of(images, ImageConfigs.annotations(spec, options));
      write(target, index, options);
      return new BuildResult(target, index.top(), results);
    } finally {
      Cleanup.deleteTree(work);
      Cleanup.unregister(work);
    }
  }

  /** Reads an image or index from a source, for inspect. */
  public static ImageReader.Result read(ImageRef ref) throws IOException, PlinthException {
    return ImageReader.read(ref);
  }

  private static void checkTarget(ImageRef target, List<Platform> platforms)
      throws PlinthException {
    switch (target.transport()) {
      case REGISTRY -> throw new PlinthException(
          PlinthException.Kind.USAGE,
          target + ": pushing to a registry is not supported by this version of plinth; write"
              + " oci-archive:FILE and push it with skopeo copy");
      case DOCKER_ARCHIVE -> {
        if (platforms.size() != 1) {
          throw new PlinthException(
              PlinthException.Kind.USAGE,
              target + ": a docker-archive holds one platform, and " + platforms.size()
                  + " were asked for; pick one with --platform (e.g. linux/amd64) or write"
                  + " oci-archive:FILE, which holds them all");
        }
      }
      default -> {}
    }
  }

  private static Image buildImage(
      BuildSpec spec, Platform platform, Options options, Path work,
      List<BuildResult.PlatformImage> results)
      throws IOException, PlinthException {
    List<Layer> layers = new ArrayList<>();
    List<String> history = new ArrayList<>();
    long fileBytes = 0;

    LayerBuilder base = new LayerBuilder();
    if (spec.base() == BuildSpec.Base.MINIMAL) {
      BaseFilesystem.addTo(base, NativeBinaries.nologin(platform), spec.arbitraryUser());
    }
    switch (spec.init().kind()) {
      case PLINTH -> base.file(BaseFilesystem.INIT_PATH, NativeBinaries.init(platform), 0755, 0, 0);
      case CUSTOM -> base.file(ImageConfigs.CUSTOM_INIT_PATH, customInit(spec.init(), platform),
          0755, 0, 0);
      case NONE -> {}
    }
    if (!base.isEmpty()) {
      fileBytes += base.contentBytes();
      layers.add(base.build(work, options.epochSeconds(), options.gzipLevel()));
      history.add("plinth " + spec.base().name().toLowerCase() + " base: "
          + (spec.base() == BuildSpec.Base.MINIMAL ? "filesystem hierarchy, nologin, " : "")
          + "init " + spec.init().kind().name().toLowerCase());
    }
    LayerBuilder files = new LayerBuilder();
    for (BuildSpec.FileSpec f : spec.files()) {
      HostFiles.addTo(files, f, platform);
    }
    if (!files.isEmpty()) {
      fileBytes += files.contentBytes();
      layers.add(files.build(work, options.epochSeconds(), options.gzipLevel()));
      history.add("plinth: " + spec.files().size() + " file entries from the build file");
    }
    if (layers.isEmpty()) {
      throw new PlinthException(
          PlinthException.Kind.USAGE,
          "nothing to put in the image: base 'scratch', init 'none' and no files");
    }
    Blob config =
        Blob.of(MediaTypes.OCI_CONFIG, ImageConfigs.config(spec, platform, layers, history, options));
    Image image = Image.of(platform, config, layers, ImageConfigs.annotations(spec, options));
    long tar = 0;
    long compressed = config.descriptor().size() + image.manifest().descriptor().size();
    for (Layer l : layers) {
      tar += l.uncompressedSize().orElse(0);
      compressed += l.blob().descriptor().size();
    }
    results.add(new BuildResult.PlatformImage(platform, image.manifest().descriptor().digest(),
        layers.size(), fileBytes, tar, compressed));
    return image;
  }

  private static byte[] customInit(BuildSpec.Init init, Platform platform)
      throws IOException, PlinthException {
    Path p = Path.of(init.binary().replace("${arch}", platform.architecture()));
    if (!java.nio.file.Files.isRegularFile(p)) {
      throw new PlinthException(PlinthException.Kind.NOT_FOUND,
          "init: " + p + " does not exist (the init binary for " + platform + ")");
    }
    byte[] bytes = java.nio.file.Files.readAllBytes(p);
    Elf.checkStatic(bytes, platform, "init " + p);
    return bytes;
  }

  private static void write(ImageRef target, ImageIndex index, Options options)
      throws IOException, PlinthException {
    try {
      switch (target.transport()) {
        case OCI -> OciLayoutWriter.write(target.path(), target.name(), index);
        case OCI_ARCHIVE -> ArchiveWriter.writeOciArchive(
            target.path(), target.name(), index, options.epochSeconds());
        case DOCKER_ARCHIVE -> ArchiveWriter.writeDockerArchive(
            target.path(), target.name(), index.images().get(0), options.epochSeconds());
        case REGISTRY -> throw new IllegalStateException("checked before the build");
      }
    } catch (java.nio.file.FileSystemException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": cannot write " + e.getFile() + ": " + (e.getReason() == null
              ? e.getClass().getSimpleName() : e.getReason()), e);
    } catch (IOException e) {
      throw new PlinthException(PlinthException.Kind.OUTPUT,
          target + ": writing failed: " + e.getMessage(), e);
    }
  }

  static String iso(long epochSeconds) {
    return Instant.ofEpochSecond(epochSeconds).toString();
  }

  private Plinth() {}
}
