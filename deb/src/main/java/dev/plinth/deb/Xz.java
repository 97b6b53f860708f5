package dev.plinth.deb;

import java.io.IOException;
import java.io.InputStream;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.XZInputStream;

/**
 * XZ streams that take their dictionary buffers from one cache. The decoder takes a new
 * dictionary (8 MiB and more) for each block of each stream unless a cache hands one back: a first
 * Java build reads a hundred or so .deb data members (the JDK packages several times, each
 * library package), and without a cache that made about 1.2 GB of garbage in humongous arrays,
 * which grew the heap of the JVM running plinth (a Maven JVM's G1 heap to several GB). The cache
 * is the xz library's own shared one, made for this: thread-safe, holding its arrays by soft
 * references, so the collector takes them back when memory is short.
 */
final class Xz {
  /** Shared by every stream plinth opens (see the class comment). */
  static final ArrayCache CACHE = BasicArrayCache.getInstance();

  private Xz() {}

  /**
   * Decompresses {@code in}.
   *
   * @param memoryLimitKiB the most the decoder may take, in KiB; -1 for no limit
   */
  static XZInputStream open(InputStream in, int memoryLimitKiB) throws IOException {
    return open(in, memoryLimitKiB, CACHE);
  }

  /** As {@link #open(InputStream, int)}, its buffers from {@code cache}. */
  static XZInputStream open(InputStream in, int memoryLimitKiB, ArrayCache cache)
      throws IOException {
    return new XZInputStream(in, memoryLimitKiB, true, cache);
  }
}
