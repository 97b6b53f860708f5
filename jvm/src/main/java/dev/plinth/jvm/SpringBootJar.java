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
import java.util.jar.JarFile;
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
  /** The dependencies' directory in the extracted layout (Boot's extract writes lib/). */
  static final String EXTRACTED_LIB = JavaApp.APP + "/lib/";
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

  /**
   * The plan of a Spring Boot jar: Boot's launcher layout, or with {@code extracted} (for the
   * JDK's AOT cache, which takes jars only, and classes of the app class loader only) the layout
   * of Boot's own {@code -Djarmode=tools extract}, what Spring documents for CDS and the AOT
   * cache: the app's files in jars of their own, the dependencies in {@code /app/lib}, started
   * without Boot's launcher.
   */
  static JavaApp.Plan plan(Path jar, Manifest mf, Path store, UnpackedJar.Limits limits,
      boolean extracted) throws IOException, PlinthException {
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

    String start = a.getValue("Start-Class");
    if (extracted && (war || start == null || start.isBlank())) {
      throw new PlinthException(Kind.USAGE, "java.aot: " + jar + (war ? " is an executable war"
          : " names no Start-Class in its manifest") + "; the AOT cache needs the app started"
          + " without Boot's launcher, from its Start-Class (an executable jar that"
          + " spring-boot-maven-plugin repackaged has one); drop java.aot");
    }
    List<JavaApp.Part> parts = new ArrayList<>();
    List<Path> classDirs = new ArrayList<>();
    Map<String, Path> nested = new LinkedHashMap<>();
    Map<String, String> libDest = new LinkedHashMap<>();
    List<String> appJars = new ArrayList<>();
    for (UnpackedJar.Group g : groups) {
      LayerBuilder layer = new LayerBuilder();
      java.util.SortedMap<String, Path> inJar = new java.util.TreeMap<>();
      boolean hasClasses = false;
      for (String rel : JavaApp.files(g.dir(), "the unpacked " + jar)) {
        Path file = g.dir().resolve(rel);
        boolean isLib = rel.endsWith(".jar") && libs.stream().anyMatch(rel::startsWith);
        if (isLib) {
          nested.put(rel, file);
        } else if (rel.endsWith(".class") && !rel.startsWith("META-INF/")) {
          hasClasses = true;
        }
        if (!extracted) {
          layer.file(JavaApp.APP + "/" + rel, file, 0644, 0, 0);
        } else if (isLib) {
          String dest = EXTRACTED_LIB + rel.substring(rel.lastIndexOf('/') + 1);
          if (libDest.containsValue(dest)) {
            throw new PlinthException(Kind.BAD_INPUT, "java.jar: " + jar + " holds two"
                + " dependencies named " + dest.substring(EXTRACTED_LIB.length())
                + "; they would be one file in " + EXTRACTED_LIB + " (drop java.aot)");
          }
          libDest.put(rel, dest);
          layer.file(dest, file, 0644, 0, 0);
        } else if (rel.startsWith(classes)) {
          inJar.put(rel.substring(classes.length()), file);
        } else if (!rel.startsWith(LOADER) && !rel.equals(JarFile.MANIFEST_NAME)
            && !rel.startsWith("BOOT-INF/")) {
          inJar.put(rel, file);   // META-INF/maven/... and the like, as Boot's extract keeps them
        }
      }
      if (!inJar.isEmpty()) {
        String dest = JavaApp.APP + "/" + g.name().replaceAll("[^A-Za-z0-9._-]", "-") + ".jar";
        layer.file(dest, ClassJar.write(store, inJar, extractedManifest(mf, start)), 0644, 0, 0);
        appJars.add(0, dest);   // the top layer's first, as Boot puts its classes first
      }
      if (hasClasses) {
        classDirs.add(g.dir());
      }
      if (!layer.isEmpty()) {
        parts.add(new JavaApp.Part(g.name(), layer));
      }
    }
    // jdeps reads what runs: the classes, the loader and every nested jar, in the launcher's order
    List<Path> jdeps = new ArrayList<>(classDirs);
    List<String> cp = new ArrayList<>(appJars);
    Path cpIdx = classpathIdx == null ? null : find(groups, classpathIdx);
    List<String> order = new ArrayList<>();
    if (cpIdx != null) {
      for (String entry : quoted(jar, cpIdx)) {
        order.add(entry.contains("/") ? entry : lib + entry);
      }
    }
    order.addAll(nested.keySet());
    for (String rel : order) {
      Path p = nested.remove(rel);
      if (p != null) {
        jdeps.add(p);
        if (extracted) {
          cp.add(libDest.get(rel));
        }
      }
    }
    if (extracted) {
      return new JavaApp.Plan(parts, cp, start.strip(), jdeps);
    }
    String app = JavaApp.APP;
    return new JavaApp.Plan(parts, List.of(app), main, jdeps, List.of("-cp", app, main));
  }

  /**
   * The manifest of the app's jars in the extracted layout: the Boot jar's, started by its
   * Start-Class, without Boot's own attributes (as Boot's extract writes it, less the Class-Path:
   * the java command lists every jar).
   */
  private static Manifest extractedManifest(Manifest boot, String start) {
    Manifest mf = new Manifest(boot);
    Attributes a = mf.getMainAttributes();
    a.keySet().removeIf(k -> k.toString().startsWith("Spring-Boot-")
        || k.toString().equals("Start-Class") || k.toString().equals("Class-Path"));
    a.put(Attributes.Name.MAIN_CLASS, start.strip());
    mf.getEntries().clear();
    return mf;
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
