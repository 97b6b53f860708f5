package dev.plinth.nativeinit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Where the binaries under test and the peers the tests use are. */
final class Tools {
  private Tools() {}

  static final Path QEMU_AARCH64 = Path.of("/usr/bin/qemu-aarch64-static");

  /** native/ (surefire runs in the module's directory and sets basedir). */
  static Path moduleDir() {
    String basedir = System.getProperty("basedir");
    return (basedir != null ? Path.of(basedir) : Path.of("")).toAbsolutePath();
  }

  /** A committed binary: bin/ARCH/NAME. */
  static Path binary(String arch, String name) {
    return moduleDir().resolve("bin").resolve(arch).resolve(name);
  }

  /**
   * The static x86-64 busybox the child programs run with (scripts/test exports
   * PLINTH_TEST_BUSYBOX_AMD64; Debian's busybox-static installs /bin/busybox).
   */
  static Path busybox() {
    String env = System.getenv("PLINTH_TEST_BUSYBOX_AMD64");
    Path p = env != null && !env.isEmpty() ? Path.of(env) : Path.of("/bin/busybox");
    assumeTrue(Files.isExecutable(p), "no static busybox at " + p + " (Debian: apt-get install busybox-static)");
    return p;
  }

  static final Path PERL = Path.of("/usr/bin/perl");

  /**
   * A prefix that starts a program with an empty signal mask, as a container runtime starts PID 1.
   * Processes the JVM starts inherit SIGQUIT blocked (HotSpot blocks it in every thread but its
   * signal dispatcher), and init rightly hands its original mask on to its child. Perl is part of
   * every Debian system (perl-base is essential); without it the prefix is empty.
   */
  static List<String> emptySignalMask() {
    if (!Files.isExecutable(PERL)) {
      return List.of();
    }
    return List.of(PERL.toString(), "-MPOSIX", "-e",
        "sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die \"sigprocmask: $!\";"
            + " exec { $ARGV[0] } @ARGV or die \"exec $ARGV[0]: $!\"");
  }

  /** Whether {@link #emptySignalMask()} can do its job here. */
  static boolean canClearSignalMask() {
    return Files.isExecutable(PERL);
  }

  /**
   * The command that runs plinth's init for ARCH on this x86-64 host, started with an empty signal
   * mask; arm64 goes through qemu.
   */
  static List<String> init(String arch) {
    List<String> cmd = new ArrayList<>(emptySignalMask());
    if (arch.equals("arm64")) {
      assumeTrue(Files.isExecutable(QEMU_AARCH64),
          "no " + QEMU_AARCH64 + " to run the arm64 init (Debian: apt-get install qemu-user-static)");
      cmd.add(QEMU_AARCH64.toString());
    }
    cmd.add(binary(arch, "init").toString());
    return cmd;
  }

  /** A small, fixed environment: PATH with busybox's directory, BB = busybox. */
  static Map<String, String> env() {
    Path bb = busybox();
    return Map.of("PATH", bb.getParent() + ":/usr/bin:/bin", "BB", bb.toString());
  }

  static List<String> concat(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  /**
   * Writes an executable x86-64 ELF file that names {@code interpreter} in its PT_INTERP program
   * header and has nothing else: the kernel's execve opens the interpreter before it maps anything,
   * so when that is missing execve fails with ENOENT although the file exists.
   */
  static Path elfWithInterpreter(Path file, String interpreter) throws IOException {
    byte[] name = (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(64 + 56 + name.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1}); // ELFCLASS64, little endian, EV_CURRENT
    b.position(16);
    b.putShort((short) 2).putShort((short) 62).putInt(1); // ET_EXEC, EM_X86_64, EV_CURRENT
    b.putLong(0x400000).putLong(64).putLong(0).putInt(0); // e_entry, e_phoff, e_shoff, e_flags
    b.putShort((short) 64).putShort((short) 56).putShort((short) 1); // e_ehsize, e_phentsize, e_phnum
    b.putShort((short) 64).putShort((short) 0).putShort((short) 0); // e_shentsize, e_shnum, e_shstrndx
    b.putInt(3).putInt(4).putLong(120).putLong(0).putLong(0); // PT_INTERP, PF_R, p_offset, vaddr, paddr
    b.putLong(name.length).putLong(name.length).putLong(1); // p_filesz, p_memsz, p_align
    b.put(name);
    Files.write(file, b.array());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** An ELF interpreter that is nowhere, for {@link #elfWithInterpreter}. */
  static final String MISSING_LD = "/no/such/ld-plinth.so.1";

  /** What init says (exit 127) of {@code program} when its ELF interpreter, MISSING_LD, is missing. */
  static String missingInterpreter(Object program) {
    return "plinth-init: cannot run " + program + ": its ELF interpreter " + MISSING_LD
        + " is missing\n";
  }

  /**
   * Runs, through {@code init}, an ELF file in {@code dir} whose interpreter (MISSING_LD) is
   * missing: init exits 127 and its stderr ends with a message naming both; returns that stderr.
   */
  static String assertMissingInterpreter(Path dir, Function<String[], Proc.Result> init)
      throws IOException {
    Path f = elfWithInterpreter(dir.resolve("zv"), MISSING_LD);
    Proc.Result r = init.apply(new String[] {"--", f.toString()});
    assertEquals(127, r.exitCode(), r.toString());
    assertTrue(r.stderr().endsWith(missingInterpreter(f)), r.toString());
    return r.stderr();
  }

  /** Writes an executable script whose first line is {@code shebang}. */
  static Path script(Path file, String shebang) throws IOException {
    Files.writeString(file, shebang + "\necho never\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /**
   * Init's -v log says it sent the child's group SIGTERM and later SIGKILL. Init sends SIGKILL
   * only once its grace time has run out, so the order shows it waited, with no clock read here.
   */
  static void assertTermThenKill(Proc.Result r) {
    String log = r.stderr();
    int term = log.indexOf("sent signal 15 to group ");
    int kill = log.indexOf("sent signal 9 to group ");
    assertTrue(term >= 0 && kill > term,
        "SIGTERM to the group, then SIGKILL when the grace time was over: " + r);
  }
}
