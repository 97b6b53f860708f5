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
 * build's suite ({@link DebianJdk}), unpacked on first use. Which one is known without
 * unpacking anything, so a build whose runtime is cached does not unpack it.
 */
public final class Toolchain {
  /** The index of this machine's architecture in the build's suite. */
  public interface HostIndex {
    PackageIndex get() throws PlinthException;
  }

  private final JavaRuntime.Jdk host;
  private final List<PackageRecord> debian;
  private final int feature;
  private final Debs debs;
  private JavaRuntime.Jdk jdk;

  private Toolchain(JavaRuntime.Jdk host, List<PackageRecord> debian, int feature, Debs debs) {
    this.host = host;
    this.debian = debian;
    this.feature = feature;
    this.debs = debs;
  }

  /**
   * The toolchain of {@code feature}: the first JDK of that version on {@code search}, else
   * Debian's from {@code suite}.
   */
  public static Toolchain choose(int feature, String suite, List<Path> search, HostIndex index,
      Debs debs) throws PlinthException {
    JavaRuntime.Jdk host = Jdks.find(feature, search);
    if (host != null) {
      return new Toolchain(host, List.of(), feature, debs);
    }
    return new Toolchain(null, DebianJdk.toolchainPackages(index.get(), feature, suite), feature,
        debs);
  }

  /** What the linker is, wherever it is installed: part of the runtime's cache key. */
  public String identity() {
    return host != null ? host.identity() : DebianJdk.identity(debian);
  }

  /** The JDK, unpacked first if it is Debian's and the cache has not got it yet. */
  public synchronized JavaRuntime.Jdk jdk() throws IOException, PlinthException {
    if (jdk == null) {
      jdk = host != null ? host : DebianJdk.toolchain(debian, feature, debs);
    }
    return jdk;
  }

  /** Whether making {@link #jdk} may extract the jmods of this machine's architecture too. */
  boolean extractsJmods(PackageRecord jdkPackage) {
    return jdk == null && host == null && debian.get(0).sha256().equals(jdkPackage.sha256());
  }
}
