package dev.plinth.audit;

import dev.plinth.elf.Elf;

import dev.plinth.elf.ElfFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every ELF program and library the image holds can load: its interpreter and each DT_NEEDED
 * library are found where the dynamic loader looks, and it is built for the image's platform
 * (PL040-PL043). Programs are files with an execute bit, libraries files named *.so or *.so.N;
 * other ELF files (objects, test data) are left alone.
 *
 * <p>Libraries are looked for as glibc's ld.so does, and a little more generously (a
 * library found where only one loader would look counts as found): the object's DT_RPATH or
 * DT_RUNPATH ($ORIGIN, $LIB and $PLATFORM expanded), LD_LIBRARY_PATH from the config's Env, the
 * directories /etc/ld.so.conf and its includes list (what ldconfig caches), musl's
 * /etc/ld-musl-ARCH.path, then the default directories, multiarch triplets included. A candidate
 * built for another machine or class is skipped, as the loader skips it.
 */
final class BinaryChecks {
  private static final int MAX_CONF_DEPTH = 4;

  private final ImageContext c;
  private final List<String> systemDirs;
  private final List<String> envDirs = new ArrayList<>();
  private final Map<String, FsTree.Node> found = new HashMap<>();

  private BinaryChecks(ImageContext c) {
    this.c = c;
    List<String> dirs = new ArrayList<>();
    confDirs("/etc/ld.so.conf", dirs, 0);
    for (String musl : List.of("x86_64", "aarch64", "armhf", "i386")) {
      byte[] path = c.content("/etc/ld-musl-" + musl + ".path");
      if (path != null) {
        for (String d : new String(path, StandardCharsets.UTF_8).split("[:\\s]+")) {
          if (d.startsWith("/")) {
            dirs.add(d);
          }
        }
      }
    }
    this.systemDirs = dirs;
    String ld = c.env.get("LD_LIBRARY_PATH");
    if (ld != null) {
      for (String d : ld.split(":")) {
        if (d.startsWith("/")) {
          envDirs.add(d);
        }
      }
    }
  }

  static void check(ImageContext c) {
    new BinaryChecks(c).run();
  }

  /**
   * What the loader would not find in the image: for each missing interpreter and library, the
   * files that need it; and the files built for another machine.
   *
   * @param benign the missing libraries needed only by libraries and present elsewhere in the
   *     image (where the loader does not look, but a program loads them first, as the JDK's
   *     launcher loads lib/server/libjvm.so): they work
   * @param elsewhere where a missing library is in the image, by library name
   */
  record Gaps(Map<String, List<String>> interpreters, Map<String, List<String>> libraries,
      Set<String> benign, Map<String, String> elsewhere, Map<String, List<String>> wrongMachine) {}

  /** The {@link Gaps} of the image {@code c} holds. */
  static Gaps gaps(ImageContext c) {
    return new BinaryChecks(c).gaps();
  }

  private Gaps gaps() {
    int expected = machine(c.platform.architecture());
    Map<String, List<String>> missingInterpreters = new LinkedHashMap<>();
    Map<String, List<String>> missingLibraries = new LinkedHashMap<>();
    Map<String, List<String>> wrongMachine = new LinkedHashMap<>();
    for (Map.Entry<String, FsTree.Node> e : c.tree.all().entrySet()) {
      FsTree.Node n = e.getValue();
      FileFacts f = n.facts();
      if (!n.isFile() || f == null) {
        continue;
      }
      String path = "/" + e.getKey();
      if (f.elfError() != null) {
        c.add(Rule.PL043, path, f.elfError());
        continue;
      }
      FileFacts.Elf elf = f.elf();
      if (elf == null || (elf.type() != ElfFile.ET_EXEC && elf.type() != ElfFile.ET_DYN)) {
        continue;
      }
      if (expected >= 0 && !compatible(expected, elf.machine())) {
        wrongMachine.computeIfAbsent(ElfFile.machineName(elf.machine()),
            k -> new ArrayList<>()).add(path);
        continue;
      }
      if (elf.interpreter() != null) {
        FsTree.Node i = c.tree.resolve(elf.interpreter());
        if (i == null || !i.isFile()) {
          missingInterpreters.computeIfAbsent(elf.interpreter(), k -> new ArrayList<>())
              .add(path);
        }
      }
      for (String lib : elf.needed()) {
        if (!find(lib, path, elf)) {
          missingLibraries.computeIfAbsent(lib, k -> new ArrayList<>()).add(path);
        }
      }
    }
    Map<String, String> elsewhere = new HashMap<>();
    Set<String> benign = new HashSet<>();
    if (!missingLibraries.isEmpty()) {
      Map<String, String> byName = librariesByName();
      missingLibraries.forEach((lib, users) -> {
        String there = byName.get(lib);
        if (there != null) {
          elsewhere.put(lib, there);
          if (users.stream().noneMatch(this::isProgram)) {
            benign.add(lib);
          }
        }
      });
    }
    return new Gaps(missingInterpreters, missingLibraries, benign, elsewhere, wrongMachine);
  }

  private void run() {
    Gaps g = gaps();
    int expected = machine(c.platform.architecture());
    g.interpreters().forEach((interp, users) -> c.add(Rule.PL040, users.get(0),
        "the program loader " + interp + " is missing; " + needers(users)
            + " cannot start (\"no such file or directory\")"));
    g.libraries().forEach((lib, users) -> {
      String there = g.elsewhere().get(lib);
      if (g.benign().contains(lib)) {
        c.add(Rule.PL041, Severity.INFO, users.get(0), lib + " is not where the loader looks for "
            + needers(users) + ", but " + there + " is: it works once a program has loaded that"
            + " one first (as the JDK's launcher loads lib/server/libjvm.so)");
      } else {
        List<String> programs = users.stream().filter(this::isProgram).toList();
        List<String> failing = programs.isEmpty() ? users : programs;
        c.add(Rule.PL041, failing.get(0), lib + " is not found; " + needers(failing)
            + " fail to load (\"cannot open shared object file\")"
            + (there == null ? "" : "; " + there + " exists, but not where the loader looks"));
      }
    });
    g.wrongMachine().forEach((machine, files) -> c.add(Rule.PL042, files.get(0), files.size()
        + (files.size() == 1 ? " file is" : " files are") + " built for " + machine + ", not "
        + c.platform + " (" + ElfFile.machineName(expected) + "): " + ImageContext.list(files, 5)
        + " (\"exec format error\")"));
  }

  /** Whether the ELF file at {@code path} is a program (it names an interpreter). */
  private boolean isProgram(String path) {
    FsTree.Node n = c.tree.get(path.substring(1));
    return n != null && n.facts() != null && n.facts().elf() != null
        && n.facts().elf().interpreter() != null;
  }

  /** Every shared library in the image by file name and by soname. */
  private Map<String, String> librariesByName() {
    Map<String, String> m = new HashMap<>();
    for (Map.Entry<String, FsTree.Node> e : c.tree.all().entrySet()) {
      FileFacts f = e.getValue().facts();
      if (e.getValue().isFile() && f != null && f.elf() != null
          && f.elf().type() == ElfFile.ET_DYN) {
        m.putIfAbsent(FsTree.name(e.getKey()), "/" + e.getKey());
      }
    }
    return m;
  }

  private static String needers(List<String> users) {
    return users.size() == 1 ? users.get(0) : users.size() + " files (" + ImageContext.list(users,
        4) + ")";
  }

  /** Whether the loader finds {@code lib} for the ELF file at {@code path}. */
  private boolean find(String lib, String path, FileFacts.Elf elf) {
    if (lib.contains("/")) {
      return usable(lib.startsWith("/") ? lib : parent(path) + "/" + lib, elf);
    }
    Set<String> dirs = new LinkedHashSet<>();
    for (String r : elf.runpath()) {
      dirs.addAll(expand(r, path, elf));
    }
    dirs.addAll(envDirs);
    dirs.addAll(systemDirs);
    dirs.addAll(defaults(elf));
    for (String d : dirs) {
      if (usable(d + "/" + lib, elf)) {
        return true;
      }
    }
    return false;
  }

  private boolean usable(String candidate, FileFacts.Elf by) {
    FsTree.Node n = found.computeIfAbsent(candidate, p -> {
      FsTree.Node r = c.tree.resolve(p);
      return r == null ? new FsTree.Node(FsTree.Kind.FIFO, 0, 0, 0, 0, null, null, -1) : r;
    });
    if (!n.isFile()) {
      return false;
    }
    FileFacts.Elf lib = n.facts() == null ? null : n.facts().elf();
    return lib == null || (lib.machine() == by.machine() && lib.is64() == by.is64());
  }

  private List<String> expand(String entry, String path, FileFacts.Elf elf) {
    String origin = parent(path);
    List<String> out = new ArrayList<>();
    String e = entry.replace("${ORIGIN}", "$ORIGIN").replace("${LIB}", "$LIB")
        .replace("${PLATFORM}", "$PLATFORM").replace("$ORIGIN", origin)
        .replace("$PLATFORM", names(elf.machine()).platform());
    if (e.contains("$LIB")) {
      for (String lib : List.of("lib", "lib64", "lib/" + names(elf.machine()).triplet())) {
        out.add(e.replace("$LIB", lib));
      }
    } else {
      out.add(e);
    }
    out.removeIf(d -> !d.startsWith("/"));
    return out;
  }

  private static List<String> defaults(FileFacts.Elf elf) {
    List<String> d = new ArrayList<>();
    String t = names(elf.machine()).triplet();
    if (t != null) {
      d.add("/lib/" + t);
      d.add("/usr/lib/" + t);
    }
    if (elf.machine() == ElfFile.EM_ARM) {
      d.add("/lib/arm-linux-gnueabi");
      d.add("/usr/lib/arm-linux-gnueabi");
    }
    if (elf.is64()) {
      d.add("/lib64");
      d.add("/usr/lib64");
    } else {
      d.add("/lib32");
      d.add("/usr/lib32");
    }
    d.add("/lib");
    d.add("/usr/lib");
    d.add("/usr/local/lib");
    return d;
  }

  /** Directories an ld.so.conf lists, following "include" globs. */
  private void confDirs(String file, List<String> dirs, int depth) {
    byte[] content = c.content(file);
    if (content == null || depth > MAX_CONF_DEPTH) {
      return;
    }
    for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
      int hash = line.indexOf('#');
      String l = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (l.isEmpty() || l.startsWith("hwcap")) {
        continue;
      }
      if (l.startsWith("include") && l.length() > 7 && Character.isWhitespace(l.charAt(7))) {
        for (String pattern : l.substring(8).strip().split("\\s+")) {
          String p = pattern.startsWith("/") ? pattern : parent(file) + "/" + pattern;
          for (String match : glob(p)) {
            confDirs(match, dirs, depth + 1);
          }
        }
        continue;
      }
      for (String d : l.split("[\\s,:=]+")) {
        if (d.startsWith("/")) {
          dirs.add(d);
        }
      }
    }
  }

  /** Files matching a glob whose wildcards are in the last component only (as ld.so.conf.d/*.conf). */
  private List<String> glob(String pattern) {
    String dir = parent(pattern);
    String name = pattern.substring(pattern.lastIndexOf('/') + 1);
    String real = c.tree.lookup(dir, true);
    List<String> out = new ArrayList<>();
    if (real == null) {
      return out;
    }
    StringBuilder re = new StringBuilder();
    for (char ch : name.toCharArray()) {
      re.append(ch == '*' ? "[^/]*" : ch == '?' ? "[^/]" : Pattern.quote(String.valueOf(ch)));
    }
    Pattern p = Pattern.compile(re.toString());
    for (String child : c.tree.below(real).keySet()) {
      String rel = child.substring(real.isEmpty() ? 0 : real.length() + 1);
      if (!rel.contains("/") && p.matcher(rel).matches()) {
        out.add(dir + "/" + rel);
      }
    }
    return out;
  }

  private static String parent(String path) {
    int i = path.lastIndexOf('/');
    return i <= 0 ? "/" : path.substring(0, i);
  }

  /** The ELF machine of an OCI architecture, or -1 when unknown. */
  static int machine(String architecture) {
    return switch (architecture) {
      case "amd64" -> ElfFile.EM_X86_64;
      case "arm64" -> ElfFile.EM_AARCH64;
      case "arm" -> ElfFile.EM_ARM;
      case "386" -> ElfFile.EM_386;
      case "riscv64" -> ElfFile.EM_RISCV;
      case "ppc64le", "ppc64" -> 21;
      case "s390x" -> 22;
      case "mips64le", "mips64", "mipsle", "mips" -> 8;
      case "loong64" -> 258;
      default -> -1;
    };
  }

  /** 64-bit x86 and Arm run their 32-bit programs too. */
  private static boolean compatible(int expected, int machine) {
    return machine == expected
        || (expected == ElfFile.EM_X86_64 && machine == ElfFile.EM_386)
        || (expected == ElfFile.EM_AARCH64 && machine == ElfFile.EM_ARM);
  }

  /**
   * What a machine is called where the loader looks for libraries: Debian's multiarch triplet
   * (null when Debian has none) and glibc's $PLATFORM.
   */
  private record MachineNames(String triplet, String platform) {}

  private static MachineNames names(int machine) {
    return switch (machine) {
      case ElfFile.EM_X86_64 -> new MachineNames("x86_64-linux-gnu", "x86_64");
      case ElfFile.EM_AARCH64 -> new MachineNames("aarch64-linux-gnu", "aarch64");
      case ElfFile.EM_ARM -> new MachineNames("arm-linux-gnueabihf", "v7l");
      case ElfFile.EM_386 -> new MachineNames("i386-linux-gnu", "i686");
      case ElfFile.EM_RISCV -> new MachineNames("riscv64-linux-gnu", "unknown");
      case 21 -> new MachineNames("powerpc64le-linux-gnu", "unknown");
      case 22 -> new MachineNames("s390x-linux-gnu", "unknown");
      default -> new MachineNames(null, "unknown");
    };
  }
}
