package dev.plinth.jvm;

import dev.plinth.deb.PackageIndex;
import dev.plinth.deb.PackageRecord;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The JDK that runs jlink and jdeps for one Java feature version N, on any machine with Java 17
 * or later: a JDK N found on the search path ({@link Jdks}; its jlink links Debian's jmods of any
 * update release of N), else Debian's own openjdk-N for this machine's architecture from the
 * build's suite ({@link DebianJdk}), unpacked on first use. Which one it is, is known without
 * reading a package index or unpacking anything, so a build whose runtime is cached does
 * neither.
 */
public final class Toolchain {
  /** The index of this machine's architecture in the build's suite. */
  public interface HostIndex {
    PackageIndex get() throws PlinthException;
  }

  private final JavaRuntime.Jdk host;
  private final String identity;
  private final int feature;
  private final String suite;
  private final HostIndex index;
  private final Debs debs;
  private final Object resolving = new Object();
  private List<PackageRecord> debian;
  private volatile JavaRuntime.Jdk jdk;

  private Toolchain(JavaRuntime.Jdk host, String identity, int feature, String suite,
      HostIndex index, Debs debs) {
    this.host = host;
    this.identity = identity;
    this.feature = feature;
    this.suite = suite;
    this.index = index;
    this.debs = debs;
  }

  /**
   * The toolchain of {@code feature}: the first JDK of that version on {@code search}, else
   * Debian's from {@code suite}.
   *
   * @param indexId what determines the packages {@code index} gives: the signed hash of this
   *     machine's architecture's index, and any versions plinth.lock pins in it
   */
  public static Toolchain choose(int feature, String suite, List<Path> search, String indexId,
      HostIndex index, Debs debs) {
    JavaRuntime.Jdk host = Jdks.find(feature, search);
    if (host != null) {
      return new Toolchain(host, host.identity(), feature, suite, index, debs);
    }
    return new Toolchain(null, "Debian " + suite + " openjdk-" + feature + " ("
        + Jdks.hostArch() + ", " + indexId + ")", feature, suite, index, debs);
  }

  /** What the linker is, wherever it is installed: part of the runtime's cache key. */
  public String identity() {
    return identity;
  }

  /**
   * The JDK, unpacked first if it is Debian's and the cache has not got it yet. Debian's, once
   * unpacked, is found again by {@link #identity} without reading the index.
   */
  public synchronized JavaRuntime.Jdk jdk() throws IOException, PlinthException {
    if (jdk == null && host != null) {
      jdk = host;
    }
    if (jdk == null) {
      jdk = DebianJdk.known(debs.cache().root(), identity, feature);
    }
    if (jdk == null) {
      jdk = DebianJdk.toolchain(debian(), feature, debs);
      DebianJdk.remember(debs.cache().root(), identity, jdk);
    }
    return jdk;
  }

  private List<PackageRecord> debian() throws PlinthException {
    synchronized (resolving) {
      if (debian == null) {
        debian = DebianJdk.toolchainPackages(index.get(), feature, suite);
      }
      return debian;
    }
  }

  /**
   * Whether making {@link #jdk} may extract the jmods of this machine's architecture too. Never
   * waits for another platform unpacking the JDK: that one fetches its own jmods meanwhile.
   */
  boolean extractsJmods(PackageRecord jdkPackage) throws PlinthException {
    return jdk == null && host == null && debian().get(0).sha256().equals(jdkPackage.sha256());
  }
}
