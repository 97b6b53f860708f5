import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the sources of scripts/bench-jib's large app: PACKAGES packages of CLASSES classes each
 * (a few methods and string constants, 2 to 3 KB of bytecode per class), RESOURCES resource
 * files, and a main class bench.app.Main. Deterministic: the same arguments write the same files.
 *
 * <p>java GenApp.java SRC_DIR RESOURCES_DIR PACKAGES CLASSES RESOURCES
 */
public final class GenApp {
  public static void main(String[] args) throws IOException {
    Path src = Path.of(args[0]);
    Path res = Path.of(args[1]);
    int packages = Integer.parseInt(args[2]);
    int classes = Integer.parseInt(args[3]);
    int resources = Integer.parseInt(args[4]);
    List<String> names = new ArrayList<>();
    for (int p = 0; p < packages; p++) {
      String pkg = "bench.app.p" + p;
      Path dir = src.resolve(pkg.replace('.', '/'));
      Files.createDirectories(dir);
      for (int c = 0; c < classes; c++) {
        String name = "Service" + c;
        names.add(pkg + "." + name);
        Files.writeString(dir.resolve(name + ".java"), classSource(pkg, name, p, c),
            StandardCharsets.UTF_8);
      }
    }
    StringBuilder main = new StringBuilder("package bench.app;\n\npublic final class Main {\n"
        + "  public static void main(String[] args) {\n    long sum = 0;\n");
    for (int i = 0; i < names.size(); i += Math.max(1, names.size() / 50)) {
      main.append("    sum += ").append(names.get(i)).append(".checksum(args.length);\n");
    }
    main.append("    System.out.println(sum);\n  }\n}\n");
    Files.createDirectories(src.resolve("bench/app"));
    Files.writeString(src.resolve("bench/app/Main.java"), main, StandardCharsets.UTF_8);
    for (int r = 0; r < resources; r++) {
      Path f = res.resolve("bench/app/r" + (r % 10) + "/messages_" + r + ".properties");
      Files.createDirectories(f.getParent());
      StringBuilder b = new StringBuilder();
      for (int k = 0; k < 40; k++) {
        b.append("message.").append(r).append('.').append(k).append(" = Resource ").append(r)
            .append(" line ").append(k).append(" of the generated benchmark app\n");
      }
      Files.writeString(f, b, StandardCharsets.UTF_8);
    }
  }

  private static String classSource(String pkg, String name, int p, int c) {
    StringBuilder b = new StringBuilder();
    b.append("package ").append(pkg).append(";\n\n");
    b.append("import java.util.ArrayList;\nimport java.util.List;\nimport java.util.Map;\n"
        + "import java.util.TreeMap;\n\n");
    b.append("public final class ").append(name).append(" {\n");
    b.append("  private final Map<String, Integer> counts = new TreeMap<>();\n");
    b.append("  private final List<String> log = new ArrayList<>();\n\n");
    for (int m = 0; m < 6; m++) {
      b.append("  public String operation").append(m).append("(String input, int n) {\n");
      b.append("    String key = \"").append(pkg).append('.').append(name).append(".operation")
          .append(m).append(":\" + input;\n");
      b.append("    counts.merge(key, n, Integer::sum);\n");
      b.append("    if (n > ").append(m * 7 + c % 13).append(") {\n");
      b.append("      log.add(\"large value \" + n + \" in operation ").append(m)
          .append(" of ").append(name).append("\");\n    }\n");
      b.append("    StringBuilder out = new StringBuilder(key.length() + 16);\n");
      b.append("    for (int i = 0; i < Math.min(n, ").append(3 + m).append("); i++) {\n");
      b.append("      out.append(key.charAt(i % key.length()));\n    }\n");
      b.append("    return out.append('#').append(counts.get(key)).toString();\n  }\n\n");
    }
    b.append("  public static long checksum(int seed) {\n");
    b.append("    ").append(name).append(" s = new ").append(name).append("();\n");
    b.append("    long sum = seed + ").append(p * 1000 + c).append("L;\n");
    b.append("    for (int i = 0; i < 3; i++) {\n");
    b.append("      sum += s.operation").append(c % 6).append("(\"x\" + i, i).hashCode();\n");
    b.append("    }\n    return sum;\n  }\n}\n");
    return b.toString();
  }
}
