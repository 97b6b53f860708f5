package dev.plinth.jvm;

import dev.plinth.deb.Cache;
import dev.plinth.deb.PackageRecord;
import dev.plinth.deb.Repository;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Where a Java runtime's Debian packages come from: one suite of the archive, fetched into the
 * cache (its Fetcher announces each download); {@code status} is told the long steps after
 * (unpacking, extracting jmods, linking).
 */
public record Debs(Repository repository, Cache cache, Consumer<String> status) {
  /** The .deb of {@code r}, from the cache or the mirror, checked against its sha256. */
  public Path get(PackageRecord r) throws PlinthException {
    return repository.deb(r.filename(), r.sha256(), r.size());
  }
}
