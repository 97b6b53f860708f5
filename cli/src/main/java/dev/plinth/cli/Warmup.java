package dev.plinth.cli;

import dev.plinth.oci.Digest;
import java.security.MessageDigest;

/**
 * Gets SHA-256 ready on a spare core while the command line is read and the command set up:
 * every command that does work hashes (a push checks each blob it sends, a build each layer it
 * writes), and the first few megabytes a fresh JVM hashes run through the interpreter and C1,
 * without the CPU's SHA instructions, until C2 has compiled the digest loop. Measured on two
 * cores: the first 21 MB blob hashed in 18 ms of CPU after this instead of 46 ms (measured again
 * on a busy machine after 150 ms of other work: 50 ms of the main thread's CPU instead of 77,
 * medians of 11). The thread is a daemon: a command that ends first does not wait for it.
 * StartupIT checks that commands start it and help does not; LauncherIT that the launcher's JIT
 * options still name this JDK's SHA-256 classes, which is what makes 512 KB enough.
 */
final class Warmup {
  /**
   * What is hashed: enough for C2 to compile the digest code with the launcher's JIT options (a
   * few hundred KB; about 3 MB without them, where this still helps).
   */
  static final int BLOCKS = 8;

  static void start() {
    Thread t = new Thread(Warmup::run, "plinth-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run() {
    MessageDigest md = Digest.sha256();
    byte[] block = new byte[64 * 1024];
    for (int i = 0; i < BLOCKS; i++) {
      md.update(block);
    }
    md.digest();
  }

  private Warmup() {}
}
