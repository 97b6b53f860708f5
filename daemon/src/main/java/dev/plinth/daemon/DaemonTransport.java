package dev.plinth.daemon;

import dev.plinth.oci.ArchiveWriter;
import dev.plinth.oci.Cleanup;
import dev.plinth.oci.DockerArchiveTransport;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.ImageSink;
import dev.plinth.oci.ImageSource;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code docker-daemon:NAME[:TAG]}: a Docker or Podman daemon. Reading saves the image to a temp
 * docker-archive (kept until the process ends, its layers read lazily); writing loads a
 * docker-archive of one image: the only one, else the daemon's own platform.
 *
 * @param connect finds the daemon when it is first needed
 * @param mtime the time (seconds since 1970) of the archive entries loaded
 */
public record DaemonTransport(Connect connect, long mtime) implements Transport.AllNamesAtOnce {
  /** Finds the daemon when it is first needed (a bad DOCKER_HOST fails only then). */
  @FunctionalInterface
  public interface Connect {
    DockerDaemon daemon() throws PlinthException;
  }

  /** A daemon runs one platform: of several, its own. */
  @Override
  public List<Platform> check(ImageRef target, List<Platform> platforms) throws PlinthException {
    if (platforms.size() <= 1) {
      return platforms;
    }
    DockerDaemon daemon = connect.daemon();
    String arch = daemon.architecture();
    List<Platform> own = platforms.stream().filter(p -> p.architecture().equals(arch)).toList();
    if (own.isEmpty()) {
      throw new PlinthException(PlinthException.Kind.USAGE, target + ": the daemon at "
          + daemon.where() + " runs " + arch + ", and the image is for " + platforms
          + "; pick one with --platform");
    }
    return own.subList(0, 1);
  }

  @Override
  public ImageSource source(ImageRef ref) {
    return want -> {
      Path dir = Files.createTempDirectory("plinth-daemon-");
      Cleanup.register(dir);
      Path archive = dir.resolve("image.tar");
      connect.daemon().save(ref.name(), archive);
      return new DockerArchiveTransport(mtime).source(
          ImageRef.parse(ImageRef.DOCKER_ARCHIVE + ":" + archive)).read(want);
    };
  }

  /** One load, of an archive naming the image {@code ref} and each of {@code tags}. */
  @Override
  public ImageSink sink(ImageRef ref, List<String> tags) throws PlinthException {
    List<String> repoTags = ref.namesWith(tags);
    return (index, notes) -> {
      DockerDaemon daemon = connect.daemon();
      List<Platform> platforms = index.images().stream().map(Image::platform).toList();
      if (platforms.isEmpty()) {
        throw new PlinthException(PlinthException.Kind.USAGE, ref
            + ": the source holds no image, only artifacts, which a daemon cannot run");
      }
      Platform chosen = check(ref, platforms).get(0);
      Image image = index.images().get(platforms.indexOf(chosen));
      DockerArchiveTransport.leftOut(ref, index, notes);
      Path dir = Files.createTempDirectory("plinth-daemon-");
      Cleanup.register(dir);
      try {
        Path archive = dir.resolve("image.tar");
        ArchiveWriter.writeDockerArchiveTags(archive, repoTags, image, mtime);
        String loaded = daemon.load(archive);
        notes.accept("loaded " + image.platform() + " into the daemon at " + daemon.where()
            + (loaded.isEmpty() ? "" : ": " + loaded));
        return image.manifest().descriptor();
      } finally {
        Cleanup.deleteTree(dir);
        Cleanup.unregister(dir);
      }
    };
  }
}
