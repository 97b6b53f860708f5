package dev.plinth.jvm;

import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.PlinthException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spring Boot executable jar or war (Boot 2 to 4), laid out as Spring Boot's own extracted
 * "launcher" layout runs: unpacked into {@code /app} ({@code BOOT-INF/lib/*.jar},
 * {@code BOOT-INF/classes/**}, the loader's {@code org/springframework/boot/loader/**},
 * {@code META-INF/**}) and started as it was packaged to start, {@code java -cp /app
 * <Main-Class>}: the launcher reads {@code BOOT-INF} (and its classpath.idx) from {@code /app}.
 *
 * <p>The layers follow the jar's {@code layers.idx} when it has one (Boot's default: dependencies,
 * spring-boot-loader, snapshot-dependencies, application), with the layer that holds the classes
 * split into resources and classes; without one: release dependencies, snapshot dependencies,
 * loader, resources, classes. A change to the app's code changes only the top layer.
 */
final class SpringBootJar {
  /** The grouping rules; bump when they change. */
  private static final String RECIPE = "spring-boot-2";
  static final String LOADER = "org/springframework/boot/loader/";
  private static final long MAX_INDEX = 1 << 20;
  private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private SpringBootJar() {}

  /**
   * Whether the manifest is a Spring Boot executable jar's or war's: its Main-Class is one of
   * Boot's launchers (org.springframework.boot.loader.JarLauncher before 3.2,
   * ...loader.launch.JarLauncher since, WarLauncher, PropertiesLauncher), or it names Boot's
   * class or lib directory.
   */
  static boolean is(Manifest mf) {
    if (mf == null) {
      return false;
    }
    Attributes a = mf.getMainAttributes();
    String main = a.getValue("Main-Class");
    return (main != null && main.startsWith("org.springframework.boot.loader."))
        || a.getValue("Spring-Boot-Lib") != null || a.getValue("Spring-Boot-Classes") != null;
  }

  static JavaApp.Plan plan(Path jar, Manifest mf, Path store, UnpackedJar.Limits limits)
      throws IOException, PlinthException {
    Attributes a = mf.getMainAttributes();
    String main = a.getValue("Main-Class");
    if (main == null || main.isBlank()) {
      throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " is a Spring Boot jar"
          + " without a Main-Class (its launcher) in its manifest; repackage it with"
          + " spring-boot-maven-plugin");
    }
    boolean war = main.endsWith("WarLauncher");
    String classes = dir(jar, a, "Spring-Boot-Classes", war ? "WEB-INF/classes/" : "BOOT-INF/classes/");
    String lib = dir(jar, a, "Spring-Boot-Lib", war ? "WEB-INF/lib/" : "BOOT-INF/lib/");
    List<String> libs = war ? List.of(lib, "WEB-INF/lib-provided/") : List.of(lib);
    String layersIdx = a.getValue("Spring-Boot-Layers-Index");
    String classpathIdx = a.getValue("Spring-Boot-Classpath-Index");
    List<UnpackedJar.Group> groups = UnpackedJar.unpack(jar, store, RECIPE,
        tree -> grouping(jar, tree, layersIdx, classes, libs), limits);

    List<JavaApp.Part> parts = new ArrayList<>();
    List<Path> jars = new ArrayList<>();
    List<Path> classDirs = new ArrayList<>();
    Map<String, Path> nested = new LinkedHashMap<>();
    for (UnpackedJar.Group g : groups) {
      LayerBuilder layer = new LayerBuilder();
      boolean hasClasses = false;
      for (String rel : JavaApp.files(g.dir(), "the unpacked " + jar)) {
        layer.file(JavaApp.APP + "/" + rel, g.dir().resolve(rel), 0644, 0, 0);
        if (rel.endsWith(".jar") && libs.stream().anyMatch(rel::startsWith)) {
          nested.put(rel, g.dir().resolve(rel));
        } else if (rel.endsWith(".class") && !rel.startsWith("META-INF/")) {
          hasClasses = true;
        }
      }
      if (hasClasses) {
        classDirs.add(g.dir());
      }
      parts.add(new JavaApp.Part(g.name(), layer));
    }
    // jdeps reads what runs: the classes, the loader and every nested jar, in the launcher's order
    List<Path> jdeps = new ArrayList<>(classDirs);
    Path cpIdx = classpathIdx == null ? null : find(groups, classpathIdx);
    if (cpIdx != null) {
      for (String entry : quoted(jar, cpIdx)) {
        String rel = entry.contains("/") ? entry : lib + entry;
        Path p = nested.remove(rel);
        if (p != null) {
          jars.add(p);
        }
      }
    }
    jars.addAll(nested.values());
    jdeps.addAll(jars);
    String app = JavaApp.APP;
    return new JavaApp.Plan(parts, List.of(app), main, jdeps, List.of("-cp", app, main));
  }

  /** Boot's directory attribute, checked as a safe relative directory name. */
  private static String dir(Path jar, Attributes a, String name, String fallback)
      throws PlinthException {
    String v = a.getValue(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    v = v.strip();
    if (!v.endsWith("/")) {
      v = v + "/";
    }
    if (UnpackedJar.checkName(v) != null) {
      throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": its manifest's " + name
          + " '" + v + "' is not a relative directory in the jar");
    }
    return v;
  }

  private static UnpackedJar.Grouping grouping(Path jar, Path tree, String layersIdx,
      String classes, List<String> libs) throws IOException, PlinthException {
    Path idx = layersIdx == null ? null : safeFile(tree, layersIdx);
    if (idx != null) {
      return Indexed.of(jar, layersIdx, parseLayers(jar, idx), classes);
    }
    return new UnpackedJar.Grouping() {
      @Override
      public List<String> order() {
        return List.of(JavaApp.RELEASE, JavaApp.SNAPSHOT, "loader", JavaApp.RESOURCES,
            JavaApp.CLASSES);
      }

      @Override
      public String groupOf(String name) {
        if (libs.stream().anyMatch(name::startsWith)) {
          return JavaApp.isSnapshot(name) ? JavaApp.SNAPSHOT : JavaApp.RELEASE;
        }
        if (name.startsWith(LOADER)) {
          return "loader";
        }
        return name.endsWith(".class") && name.startsWith(classes) ? JavaApp.CLASSES
            : JavaApp.RESOURCES;
      }
    };
  }

  /**
   * Boot's layers.idx: each file goes to the first layer with an entry that is its name or a
   * directory ("x/") above it; a file none names goes to the last (top) layer. The layer holding
   * the classes is split into resources and, on top, classes.
   */
  private record Indexed(List<String> order, Map<String, List<String>> layers, String split,
      String top) implements UnpackedJar.Grouping {
    static Indexed of(Path jar, String idxName, Map<String, List<String>> layers, String classes)
        throws PlinthException {
      if (layers.isEmpty()) {
        throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": " + idxName
            + " names no layer");
      }
      List<String> names = new ArrayList<>(layers.keySet());
      String split = match(layers, classes + "x.class", names.get(names.size() - 1));
      List<String> order = new ArrayList<>();
      for (String n : names) {
        if (n.equals(split)) {
          order.add(JavaApp.RESOURCES);
          order.add(JavaApp.CLASSES);
        } else {
          order.add(n);
        }
      }
      if (order.size() != new java.util.HashSet<>(order).size()) {
        throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": " + idxName
            + " has a layer named 'resources' or 'classes' beside the application's");
      }
      return new Indexed(List.copyOf(order), layers, split, names.get(names.size() - 1));
    }

    @Override
    public String groupOf(String name) {
      String layer = match(layers, name, top);
      if (!layer.equals(split)) {
        return layer;
      }
      return name.endsWith(".class") && !name.startsWith("META-INF/") ? JavaApp.CLASSES
          : JavaApp.RESOURCES;
    }

    private static String match(Map<String, List<String>> layers, String name, String last) {
      for (Map.Entry<String, List<String>> l : layers.entrySet()) {
        for (String e : l.getValue()) {
          if (e.equals(name) || (e.endsWith("/") && name.startsWith(e))) {
            return l.getKey();
          }
        }
      }
      return last;
    }
  }

  /** layers.idx: {@code - "layer":} lines, each followed by its {@code   - "entry"} lines. */
  static Map<String, List<String>> parseLayers(Path jar, Path idx) throws IOException,
      PlinthException {
    Map<String, List<String>> layers = new LinkedHashMap<>();
    List<String> current = null;
    int lineNo = 0;
    for (String line : small(jar, idx).split("\n")) {
      lineNo++;
      String t = line.stripTrailing();
      if (t.isEmpty()) {
        continue;
      }
      Matcher m = QUOTED.matcher(t);
      if (t.startsWith("- \"") && t.endsWith("\":") && m.find()) {
        String name = unquote(m.group(1));
        if (name.isEmpty() || name.length() > 100 || !name.matches("[\\p{Print}&&[^/]]+")
            || layers.containsKey(name)) {
          throw badIdx(jar, idx, lineNo, "'" + name + "' is not a usable layer name");
        }
        current = new ArrayList<>();
        layers.put(name, current);
      } else if (t.startsWith("  - \"") && t.endsWith("\"") && m.find() && current != null) {
        current.add(unquote(m.group(1)));
      } else {
        throw badIdx(jar, idx, lineNo, "expected '- \"layer\":' or '  - \"path\"'");
      }
    }
    return layers;
  }

  /** The quoted names of classpath.idx's {@code - "BOOT-INF/lib/x.jar"} lines. */
  private static List<String> quoted(Path jar, Path idx) throws IOException, PlinthException {
    List<String> out = new ArrayList<>();
    for (String line : small(jar, idx).split("\n")) {
      Matcher m = QUOTED.matcher(line);
      if (line.startsWith("- ") && m.find()) {
        out.add(unquote(m.group(1)));
      }
    }
    return out;
  }

  private static String unquote(String s) {
    return s.replace("\\\"", "\"").replace("\\\\", "\\");
  }

  private static String small(Path jar, Path file) throws IOException, PlinthException {
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      byte[] b = in.readNBytes((int) MAX_INDEX + 1);
      if (b.length > MAX_INDEX) {
        throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": "
            + file.getFileName() + " is larger than " + MAX_INDEX + " bytes");
      }
      return new String(b, StandardCharsets.UTF_8);
    }
  }

  private static PlinthException badIdx(Path jar, Path idx, int line, String why) {
    return new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + ": " + idx.getFileName()
        + " line " + line + ": " + why);
  }

  /** The file {@code name} (a manifest attribute) under {@code tree}, or null. */
  private static Path safeFile(Path tree, String name) {
    String n = name.strip();
    if (UnpackedJar.checkName(n) != null || n.endsWith("/")) {
      return null;
    }
    Path p = tree.resolve(n);
    return Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? p : null;
  }

  private static Path find(List<UnpackedJar.Group> groups, String name) {
    for (UnpackedJar.Group g : groups) {
      Path p = safeFile(g.dir(), name);
      if (p != null) {
        return p;
      }
    }
    return null;
  }
}
