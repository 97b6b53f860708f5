package dev.plinth.elf;

import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.nio.ByteOrder;

/** Checks that a binary suits a platform and is static, on top of {@link ElfFile}. */
public final class Elf {
  /**
   * Checks that {@code bytes} is a valid 64-bit little-endian ELF executable for the platform's
   * machine that needs neither a program interpreter nor a shared library (statically linked,
   * static-pie included).
   *
   * @param what names the file in errors
   */
  public static void checkStatic(byte[] bytes, Platform platform, String what) throws PlinthException {
    if (!ElfFile.isElf(bytes)) {
      throw bad(what + " is not an ELF executable");
    }
    ElfFile elf = ElfFile.read(bytes, what);
    if (!elf.is64() || elf.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw bad(what + " is not a 64-bit little-endian ELF file");
    }
    if (elf.type() != ElfFile.ET_EXEC && elf.type() != ElfFile.ET_DYN) {
      throw bad(what + " is not an ELF executable (it is a " + ElfFile.typeName(elf.type()) + ")");
    }
    if (elf.machine() != platform.elfMachine()) {
      throw bad(what + " is built for ELF machine " + machineName(elf.machine()) + ", not for "
          + platform + " (" + machineName(platform.elfMachine()) + ")");
    }
    if (elf.interpreter() != null) {
      throw bad(what + " is dynamically linked (it names the program interpreter "
          + elf.interpreter() + "); an init must be a static binary");
    }
    if (!elf.needed().isEmpty()) {
      throw bad(what + " is dynamically linked (it needs " + String.join(", ", elf.needed())
          + "); an init must be a static binary");
    }
    if (!elf.isStatic()) {
      throw bad(what + " has an empty program interpreter segment (a separate debug-info file?);"
          + " an init must be a static binary");
    }
  }

  public static String machineName(int machine) {
    return ElfFile.machineName(machine);
  }

  private static PlinthException bad(String message) {
    return new PlinthException(PlinthException.Kind.BAD_INPUT, message);
  }

  public static byte[] read(java.nio.file.Path p) throws IOException {
    return java.nio.file.Files.readAllBytes(p);
  }

  private Elf() {}
}
