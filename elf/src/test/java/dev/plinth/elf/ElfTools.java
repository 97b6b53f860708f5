package dev.plinth.elf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Real peers for the ELF tests: compilers, readelf, strip, qemu. */
final class ElfTools {
  /** A static AArch64 program without libc: writes "hi aarch64" and exits 0. */
  static final String AARCH64_START = """
      static const char msg[] = "hi aarch64\\n";
      void _start(void) {
        register long x0 __asm__("x0") = 1;
        register long x1 __asm__("x1") = (long) msg;
        register long x2 __asm__("x2") = sizeof msg - 1;
        register long x8 __asm__("x8") = 64; /* write */
        __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8) : "memory");
        register long y0 __asm__("x0") = 0;
        register long y8 __asm__("x8") = 93; /* exit */
        __asm__ volatile("svc #0" : : "r"(y0), "r"(y8));
        for (;;) {}
      }
      """;

  /** A static i386 program without libc: writes "hi i386" and exits 0. */
  static final String I386_START = """
      static const char msg[] = "hi i386\\n";
      void _start(void) {
        int r;
        __asm__ volatile("int $0x80" : "=a"(r) : "a"(4), "b"(1), "c"(msg), "d"(sizeof msg - 1)
            : "memory");
        __asm__ volatile("int $0x80" : : "a"(1), "b"(0));
        for (;;) {}
      }
      """;

  record Result(int exit, String out, String err) {
    Result ok(List<String> cmd) {
      assertEquals(0, exit, String.join(" ", cmd) + " failed:\n" + out + err);
      return this;
    }
  }

  /** The tool's path, or the test is skipped when it is not installed. */
  static String tool(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    Path abs = Path.of(name);
    assumeTrue(abs.isAbsolute() && Files.isExecutable(abs), name + " is not installed");
    return name;
  }

  static Result run(Path dir, Map<String, String> env, String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
      pb.environment().putAll(env);
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = drain(p.getInputStream());
      CompletableFuture<String> err = drain(p.getErrorStream());
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", cmd) + " timed out");
      }
      return new Result(p.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static Result run(Path dir, String... cmd) {
    return run(dir, Map.of(), cmd);
  }

  static Result ok(Path dir, String... cmd) {
    return run(dir, cmd).ok(List.of(cmd));
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        in.transferTo(b);
        return b.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /**
   * Compiles C source with {@code compiler}, flags after the source (libraries resolve what it
   * uses); skips the test when the compiler is missing, fails it when the build fails.
   */
  static Path cc(Path dir, String compiler, String source, String out, String... flags)
      throws IOException {
    String gcc = tool(compiler);
    Path src = dir.resolve(out + ".c");
    Files.writeString(src, source);
    List<String> cmd = new ArrayList<>(List.of(gcc, "-o", out, src.getFileName().toString()));
    cmd.addAll(Arrays.asList(flags));
    run(dir, cmd.toArray(String[]::new)).ok(cmd);
    return dir.resolve(out);
  }

  /** What readelf says about a file (-h -l -d), parsed. */
  record ReadElf(String cls, String data, String type, String machine, String interpreter,
      List<String> needed, String soname, String runpath, String rpath) {}

  private static final Pattern BRACKET = Pattern.compile("\\[(.*)]");

  static ReadElf readelf(String readelf, Path file) {
    Result r = ok(file.getParent(), readelf, "-h", "-l", "-d", "-W", file.toString());
    assertEquals("", r.err(), readelf + " warns about " + file);
    Map<String, String> header = new LinkedHashMap<>();
    String interp = null;
    List<String> needed = new ArrayList<>();
    String soname = null;
    String runpath = null;
    String rpath = null;
    for (String line : r.out().split("\n")) {
      String t = line.trim();
      int colon = t.indexOf(':');
      if (colon > 0 && header.size() < 30 && !t.startsWith("0x") && !t.startsWith("[")) {
        header.putIfAbsent(t.substring(0, colon).trim(), t.substring(colon + 1).trim());
      }
      Matcher m = BRACKET.matcher(t);
      String value = m.find() ? m.group(1) : null;
      if (t.startsWith("[Requesting program interpreter:")) {
        interp = t.substring(t.indexOf(':') + 1, t.length() - 1).trim();
      } else if (t.contains("(NEEDED)")) {
        needed.add(value);
      } else if (t.contains("(SONAME)")) {
        soname = value;
      } else if (t.contains("(RUNPATH)")) {
        runpath = value;
      } else if (t.contains("(RPATH)")) {
        rpath = value;
      }
    }
    return new ReadElf(header.get("Class"), header.get("Data"), header.get("Type"),
        header.get("Machine"), interp, needed, soname, runpath, rpath);
  }

  /** Runs readelf over everything it can show and fails on any complaint. */
  static void assertReadelfClean(String readelf, Path file) {
    Result r = ok(file.getParent(), readelf, "-a", "-W", file.toString());
    assertEquals("", r.err(), readelf + " -a warns about " + file);
    assertTrue(!r.out().contains("readelf: ") && !r.out().contains("<corrupt"),
        readelf + " -a complains about " + file);
  }

  /** A section as {@code readelf -S -W} lists it, without its index. */
  record SectionRow(String name, String type, String address, String offset, String size,
      String flags) {}

  private static final Pattern SECTION = Pattern.compile(
      "^\\s*\\[\\s*\\d+]\\s+(\\S*)\\s+(\\S+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+([0-9a-f]+)\\s+"
          + "[0-9a-f]+\\s+([A-Za-z]*)\\s+\\d+\\s+\\d+\\s+\\d+\\s*$");

  static List<SectionRow> sections(String readelf, Path file) {
    Result r = ok(file.getParent(), readelf, "-S", "-W", file.toString());
    assertEquals("", r.err(), readelf + " -S warns about " + file);
    List<SectionRow> rows = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      Matcher m = SECTION.matcher(line);
      if (m.matches() && !line.contains("[ 0]")) {
        rows.add(new SectionRow(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5),
            m.group(6)));
      }
    }
    assertTrue(!rows.isEmpty() || r.out().contains("no sections"), "no sections parsed from "
        + r.out());
    return rows;
  }

  static List<SectionRow> allocated(List<SectionRow> rows) {
    return rows.stream().filter(s -> s.flags().contains("A")).toList();
  }

  private ElfTools() {}
}
