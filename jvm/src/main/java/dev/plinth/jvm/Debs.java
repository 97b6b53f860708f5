package dev.plinth.jvm;

import dev.plinth.deb.Cache;
import dev.plinth.deb.PackageRecord;
import dev.plinth.deb.Repository;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Where a Java runtime's Debian packages come from: one suite of the archive, fetched into the
 * cache; each download is announced on {@code status} (a first build fetches hundreds of MB).
 */
public record Debs(Repository repository, Cache cache, Consumer<String> status) {
  /** The .deb of {@code r}, from the cache or the mirror, checked against its sha256. */
  public Path get(PackageRecord r) throws PlinthException {
    if (!Files.isRegularFile(cache.path(r.sha256()))) {
      status.accept("fetching " + r.name() + " " + r.version() + " (" + r.architecture() + ", "
          + megabytes(r.size()) + ")");
    }
    return repository.deb(r.filename(), r.sha256(), r.size());
  }

  static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
