package dev.plinth.deb;

import java.io.IOException;
import java.io.InputStream;
import org.tukaani.xz.ArrayCache;
import org.tukaani.xz.BasicArrayCache;
import org.tukaani.xz.XZInputStream;

/**
 * XZ streams that decode every block into one dictionary buffer. A .deb or index compressed by a
 * multi-threaded xz holds many blocks, and the decoder takes a new dictionary (8 MiB and more)
 * for each one unless a cache hands the last back: without one, unpacking a JDK package made
 * about 600 MB of garbage in humongous arrays, which grew the heap of the JVM running plinth (a
 * Maven JVM's G1 heap to several GB). The cache lives as long as the stream.
 */
final class Xz {
  private Xz() {}

  /**
   * Decompresses {@code in}.
   *
   * @param memoryLimitKiB the most the decoder may take, in KiB; -1 for no limit
   */
  static XZInputStream open(InputStream in, int memoryLimitKiB) throws IOException {
    return open(in, memoryLimitKiB, new BasicArrayCache());
  }

  /** As {@link #open(InputStream, int)}, its buffers from {@code cache}. */
  static XZInputStream open(InputStream in, int memoryLimitKiB, ArrayCache cache)
      throws IOException {
    return new XZInputStream(in, memoryLimitKiB, true, cache);
  }
}
