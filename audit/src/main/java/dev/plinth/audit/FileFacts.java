package dev.plinth.audit;

import dev.plinth.elf.Elf;

import java.util.List;

/**
 * What an audit keeps of a regular file's content while its layer streams past: the whole of a
 * few small files rules read (/etc/passwd, ld.so.conf, credential files), a loader's view of
 * ELF programs and libraries, whether it holds a private key, a script's #! line. Nothing else.
 *
 * @param content the file's bytes, for the small files rules read; else null
 * @param elf the loader's view of an ELF program or library; null when not one
 * @param elfError why a file with the ELF magic number is not loadable; null when it is
 * @param privateKey whether it holds a PEM or OpenSSH private key
 * @param shebang the interpreter line of an executable script, without "#!"; else null
 */
record FileFacts(byte[] content, Elf elf, String elfError, boolean privateKey, String shebang) {
  static final FileFacts NONE = new FileFacts(null, null, null, false, null);

  boolean isEmpty() {
    return content == null && elf == null && elfError == null && !privateKey && shebang == null;
  }

  /**
   * A loader's view of an ELF file.
   *
   * @param runpath DT_RUNPATH, else DT_RPATH, as written ($ORIGIN unexpanded)
   */
  record Elf(int machine, int type, boolean is64, String interpreter, List<String> needed,
      List<String> runpath) {
    boolean isDynamic() {
      return interpreter != null || !needed.isEmpty();
    }
  }
}
