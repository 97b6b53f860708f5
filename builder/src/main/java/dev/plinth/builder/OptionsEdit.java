package dev.plinth.builder;

import dev.plinth.http.Proxies;
import dev.plinth.oci.Compression;
import dev.plinth.registry.RegistryOptions;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@link Plinth.Options}'s fields, to change one or two of and {@link #build} anew: the
 * withers' one list of every field (a new field is added here, not to each wither). A file of
 * its own so that Plinth.java stays the facade.
 */
final class OptionsEdit {
  private long epochSeconds;
  private int gzipLevel;
  private boolean locked;
  private Path cacheDir;
  private RegistryOptions registry;
  private String dockerHost;
  private String debianMirror;
  private Path javaHome;
  private Proxies proxies;
  private long createdSeconds;
  private Plinth.Listener listener;
  private List<Path> jdkPath;
  private long cacheMax;
  private Compression compression;

  OptionsEdit(Plinth.Options o) {
    epochSeconds = o.epochSeconds();
    gzipLevel = o.gzipLevel();
    locked = o.locked();
    cacheDir = o.cacheDir();
    registry = o.registry();
    dockerHost = o.dockerHost();
    debianMirror = o.debianMirror();
    javaHome = o.javaHome();
    proxies = o.proxies();
    createdSeconds = o.createdSeconds();
    listener = o.listener();
    jdkPath = o.jdkPath();
    cacheMax = o.cacheMax();
    compression = o.compression();
  }

  OptionsEdit epochSeconds(long v) {
    epochSeconds = v;
    return this;
  }

  OptionsEdit createdSeconds(long v) {
    createdSeconds = v;
    return this;
  }

  OptionsEdit gzipLevel(int v) {
    gzipLevel = v;
    return this;
  }

  OptionsEdit compression(Compression v) {
    compression = v;
    return this;
  }

  OptionsEdit locked(boolean v) {
    locked = v;
    return this;
  }

  OptionsEdit cacheDir(Path v) {
    cacheDir = v;
    return this;
  }

  OptionsEdit registry(RegistryOptions v) {
    registry = v;
    return this;
  }

  OptionsEdit dockerHost(String v) {
    dockerHost = v;
    return this;
  }

  OptionsEdit listener(Plinth.Listener v) {
    listener = v;
    return this;
  }

  OptionsEdit cacheMax(long v) {
    cacheMax = v;
    return this;
  }

  OptionsEdit jdkPath(List<Path> v) {
    jdkPath = v;
    return this;
  }

  OptionsEdit proxies(Proxies v) {
    proxies = v;
    return this;
  }

  Plinth.Options build() {
    return new Plinth.Options(epochSeconds, gzipLevel, locked, cacheDir, registry, dockerHost,
        debianMirror, javaHome, proxies, createdSeconds, listener, jdkPath, cacheMax, compression);
  }
}
