package dev.plinth.build;

import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Just enough ELF to check that a binary suits a platform and is static. */
final class Elf {
  private static final int PT_INTERP = 3;

  /**
   * Checks that {@code bytes} is a 64-bit little-endian ELF executable for the platform's machine
   * with no program interpreter (statically linked).
   *
   * @param what names the file in errors
   */
  static void checkStatic(byte[] bytes, Platform platform, String what) throws PlinthException {
    if (bytes.length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
      throw bad(what + " is not an ELF executable");
    }
    if (bytes[4] != 2 || bytes[5] != 1) {
      throw bad(what + " is not a 64-bit little-endian ELF file");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int machine = b.getShort(18) & 0xffff;
    if (machine != platform.elfMachine()) {
      throw bad(what + " is built for ELF machine " + machineName(machine) + ", not for "
          + platform + " (" + machineName(platform.elfMachine()) + ")");
    }
    long phoff = b.getLong(32);
    int phentsize = b.getShort(54) & 0xffff;
    int phnum = b.getShort(56) & 0xffff;
    if (phentsize < 56 || phoff < 0 || phoff + (long) phnum * phentsize > bytes.length) {
      throw bad(what + " has a damaged program header table");
    }
    for (int i = 0; i < phnum; i++) {
      if (b.getInt((int) (phoff + (long) i * phentsize)) == PT_INTERP) {
        throw bad(what + " is dynamically linked (it names a program interpreter); an init must"
            + " be a static binary");
      }
    }
  }

  static String machineName(int machine) {
    return switch (machine) {
      case 3 -> "x86 (32-bit)";
      case 40 -> "ARM (32-bit)";
      case 62 -> "x86-64";
      case 183 -> "AArch64";
      case 243 -> "RISC-V";
      default -> "#" + machine;
    };
  }

  private static PlinthException bad(String message) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, message);
  }

  static byte[] read(java.nio.file.Path p) throws IOException {
    return java.nio.file.Files.readAllBytes(p);
  }

  private Elf() {}
}
