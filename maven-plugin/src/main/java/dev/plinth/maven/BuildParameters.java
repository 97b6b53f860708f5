package dev.plinth.maven;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.jvm.AotSpec;
import dev.plinth.jvm.JavaSpec;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code build} goal's parameters as plain values, and their one mapping onto a {@link
 * BuildSpec}: no Maven types here, so the mapping is tested without Maven. Null means "not set";
 * the defaults are the library's own ({@link BuildSpec#DEFAULT_PLATFORMS}, {@link
 * JavaSpec#DEFAULT_VERSION}, {@link JavaSpec#DEFAULT_SUITE}). A bad value is a {@link
 * PlinthException.Kind#USAGE} naming the parameter.
 *
 * @param name the image title
 * @param platforms comma-separated, e.g. {@code linux/amd64,linux/arm64}
 * @param app what runs: the project's classes and jars, or a run jar (Quarkus)
 * @param javaVersion the runtime's feature version (the goal's, else the project's release)
 * @param args the default arguments (the image's cmd)
 * @param ports {@code 8080}, {@code 8080/tcp} or {@code 53/udp}
 * @param aotGet the AOT training run's URLs (http on 127.0.0.1 or localhost); implies aot
 * @param labels the image config's labels, over plinth's own
 * @param user {@code nonroot}, {@code root} or a numeric {@code uid[:gid]}; null: nonroot
 * @param allowMissingLibraries build even when an ELF file's library is missing from the image
 *     (the CLI's {@code --allow-missing-libraries}); the build lists them as notes
 */
record BuildParameters(
    String name,
    String platforms,
    App app,
    Integer javaVersion,
    List<String> modules,
    List<String> jvmFlags,
    boolean aot,
    String suite,
    List<String> packages,
    List<String> args,
    Map<String, String> env,
    List<String> ports,
    List<String> aotGet,
    Map<String, String> labels,
    String user,
    boolean allowMissingLibraries) {

  /**
   * What runs.
   *
   * @param mainClass the main class; null with a jar: its Main-Class
   * @param jar an executable jar (Main-Class, Class-Path beside it), or null
   * @param classes the project's output directory, first on the classpath (no jar)
   * @param jars the runtime classpath jars, in Maven's order (no jar)
   */
  record App(String mainClass, Path jar, Path classes, List<Path> jars) {
    App {
      jars = jars == null ? List.of() : List.copyOf(jars);
    }

    /** The project's classes and runtime jars, started by {@code mainClass}. */
    static App classpath(String mainClass, Path classes, List<Path> jars) {
      return new App(mainClass, null, classes, jars);
    }
  }

  private static final Pattern WORD = Pattern.compile("[a-z0-9][a-z0-9_.-]*");
  private static final Pattern PACKAGE = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern PORT = Pattern.compile("([0-9]{1,5})(?:/(tcp|udp|sctp))?");
  private static final Pattern CLASS_NAME = MainClassResolver.CLASS_NAME;

  BuildParameters {
    modules = orEmpty(modules);
    jvmFlags = orEmpty(jvmFlags);
    packages = orEmpty(packages);
    args = orEmpty(args);
    ports = orEmpty(ports);
    aotGet = orEmpty(aotGet);
    env = env == null ? Map.of() : env;
    labels = labels == null ? Map.of() : labels;
  }

  /** The spec to build, every parameter checked. */
  BuildSpec toSpec() throws PlinthException {
    String main = app.mainClass();
    if (main == null ? app.jar() == null : !CLASS_NAME.matcher(main).matches()) {
      throw usage("mainClass: '" + main + "' is not a class name");
    }
    List<Path> classpath = new ArrayList<>();
    if (app.jar() == null) {
      classpath.add(app.classes());
      classpath.addAll(app.jars());
    }
    int feature = feature();
    JavaSpec java = new JavaSpec(app.jar(), main, classpath, feature,
        names(modules, CLASS_NAME, "modules", "a module name"), jvmFlags, aotSpec(),
        suite == null ? defaultSuite(feature) : word(suite, "suite", "trixie"));
    BuildSpec spec = BuildSpec.base(platformList())
        .withName(name)
        .withJava(java)
        .withCmd(args)
        .withEnv(sorted(env, "env"))
        .withLabels(sorted(labels, "labels"))
        .withPorts(portList())
        .withAllowMissingLibraries(allowMissingLibraries);
    if (user != null && !user.isBlank()) {
      try {
        spec = spec.withUser(BuildSpec.User.parse(user.trim()));
      } catch (IllegalArgumentException e) {
        throw usage("user: " + e.getMessage());
      }
    }
    if (!packages.isEmpty()) {
      spec = spec.withPackages(
          BuildSpec.Packages.NONE.withNames(names(packages, PACKAGE, "packages", "a Debian package name")));
    }
    return spec;
  }

  /**
   * The spec with a ready runtime directory in place of the linked one (the goal's {@code
   * runtime}, plinth.yaml's {@code java.runtime}); null: unchanged.
   *
   * @throws PlinthException USAGE when the directory has no bin/java
   */
  static BuildSpec withRuntime(BuildSpec spec, Path runtime) throws PlinthException {
    if (runtime == null) {
      return spec;
    }
    Path dir = runtime.toAbsolutePath().normalize();
    if (!java.nio.file.Files.isRegularFile(dir.resolve("bin/java"))) {
      throw usage("runtime: " + dir + " has no bin/java: give a Java runtime directory, such as"
          + " jlink's output or a JDK");
    }
    return spec.withJava(spec.java().withRuntime(dir));
  }

  /**
   * The Debian suite of a runtime's packages: {@link JavaSpec#defaultSuite} for the versions
   * plinth links (bookworm for 17), else {@link JavaSpec#DEFAULT_SUITE}.
   */
  static String defaultSuite(int feature) throws PlinthException {
    return JavaSpec.SUPPORTED.contains(feature) ? JavaSpec.defaultSuite(feature)
        : JavaSpec.DEFAULT_SUITE;
  }

  private AotSpec aotSpec() throws PlinthException {
    if (!aot && aotGet.isEmpty()) {
      return null;
    }
    for (String url : aotGet) {
      if (!AotSpec.isLoopbackHttp(url)) {
        throw usage("aotGet: '" + url + "' is not an http URL on 127.0.0.1 or localhost, e.g."
            + " http://127.0.0.1:8080/");
      }
    }
    return new AotSpec(aotGet, Map.of(), AotSpec.DEFAULT_TIMEOUT);
  }

  /**
   * The SBOM formats {@code sbom} names (spdx, cyclonedx, or none), written next to a file
   * output, as plinth.yaml's {@code sbom:}; null (SPDX, the default) when unset.
   */
  static List<BuildSpec.SbomFormat> sbom(List<String> sbom) throws PlinthException {
    if (sbom == null || sbom.isEmpty()) {
      return null;
    }
    List<BuildSpec.SbomFormat> out = new ArrayList<>();
    for (String raw : sbom) {
      String name = raw == null ? "" : raw.trim().toLowerCase(java.util.Locale.ROOT);
      if (name.equals("none") && sbom.size() == 1) {
        return List.of();
      }
      BuildSpec.SbomFormat f = BuildSpec.SbomFormat.named(name);
      if (f == null || out.contains(f)) {
        throw new PlinthException(PlinthException.Kind.USAGE, "sbom (plinth.sbom): '" + raw
            + (f == null ? "' is not an SBOM format: give spdx, cyclonedx, both"
                + " (-Dplinth.sbom=spdx,cyclonedx) or none" : "' is listed twice"));
      }
      out.add(f);
    }
    return out;
  }

  /**
   * The layer compression {@code compression} names (gzip, zstd, zstd:LEVEL), as the CLI's
   * --compression; null (the build's gzip) when unset.
   */
  static dev.plinth.oci.Compression compression(String compression, int gzipLevel)
      throws PlinthException {
    if (compression == null || compression.isBlank()) {
      return null;
    }
    return dev.plinth.oci.Compression.parse(compression, gzipLevel,
        "compression (plinth.compression)");
  }

  /**
   * The attestations {@code attest} asks for (none when unset or blank), validated: they need
   * signKey, and a registry or file target.
   */
  static java.util.Set<dev.plinth.builder.Attestations.Kind> attestations(String attest,
      boolean signKey, dev.plinth.oci.ImageRef target) throws PlinthException {
    if (attest == null || attest.isBlank()) {
      return java.util.Set.of();
    }
    return dev.plinth.builder.Attestations.requested(attest, "attest (plinth.attest)", "attest",
        signKey, "signKey (plinth.signKey)", target);
  }

  /**
   * The cosign private key {@code signKey} opened before the build, as the CLI's --sign-key: its
   * password the first line of {@code keyPasswordFile}, else $COSIGN_PASSWORD (Maven has no
   * terminal to ask on), for a registry target only; null without signKey.
   */
  static java.security.PrivateKey signingKey(Path signKey, Path keyPasswordFile,
      Map<String, String> environment, dev.plinth.oci.ImageRef target) throws PlinthException {
    return signingKey(signKey, keyPasswordFile, environment, target, false);
  }

  /**
   * As {@link #signingKey(Path, Path, Map, dev.plinth.oci.ImageRef)}; when {@code attesting}, a
   * file target is allowed too: its attestations are signed and written next to it (and no
   * image signature is made), as the CLI's --attest does.
   */
  static java.security.PrivateKey signingKey(Path signKey, Path keyPasswordFile,
      Map<String, String> environment, dev.plinth.oci.ImageRef target, boolean attesting)
      throws PlinthException {
    if (signKey == null) {
      if (keyPasswordFile != null) {
        throw new PlinthException(PlinthException.Kind.USAGE, "keyPasswordFile is for signKey;"
            + " set signKey (plinth.signKey) to the cosign private key to sign with");
      }
      return null;
    }
    if (!(attesting && target.path() != null)) {
      dev.plinth.registry.SigningKey.requireRegistry(target, signKey, "signKey");
    }
    byte[] password = dev.plinth.registry.SigningKey.password(keyPasswordFile, environment,
        "keyPasswordFile");
    if (password == null) {
      throw new PlinthException(PlinthException.Kind.USAGE, "signKey: the key's password: set"
          + " keyPasswordFile (plinth.keyPasswordFile) to a file whose first line it is, or the"
          + " environment variable " + dev.plinth.registry.SigningKey.PASSWORD_ENV);
    }
    return dev.plinth.registry.SigningKey.decrypt(signKey, password, "signKey");
  }

  /**
   * The build options from the environment: the files' time is SOURCE_DATE_EPOCH when set, else
   * the project's {@code project.build.outputTimestamp} as reproducible Maven builds read it
   * (seconds since 1970, or an ISO-8601 date with an offset; one character or nothing means
   * none), else time 0. The image's creation time is the same unless {@code creationTime} says
   * otherwise, as Jib's does: {@code EPOCH} (1970), {@code USE_CURRENT_TIMESTAMP} ({@code now}),
   * or a time (ISO-8601 or seconds since 1970).
   *
   * @param home the user's home directory (Java's user.home) for when HOME is unset, or null
   */
  static Plinth.Options options(Map<String, String> environment, Path home,
      String outputTimestamp, String creationTime, Instant now) throws PlinthException {
    Plinth.Options options = Plinth.Options.fromEnvironment(environment, home);
    String epoch = environment.get("SOURCE_DATE_EPOCH");
    if ((epoch == null || epoch.isBlank()) && outputTimestamp != null
        && outputTimestamp.trim().length() >= 2) {
      options = options.withEpochSeconds(seconds(outputTimestamp, "project.build.outputTimestamp"));
    }
    if (creationTime == null || creationTime.isBlank()) {
      return options;
    }
    return options.withCreatedSeconds(switch (creationTime.trim()) {
      case "EPOCH" -> 0;
      case "USE_CURRENT_TIMESTAMP" -> now.getEpochSecond();
      default -> seconds(creationTime, "creationTime");
    });
  }

  /** Seconds since 1970, or an ISO-8601 time with an offset, as seconds. */
  private static long seconds(String text, String param) throws PlinthException {
    String t = text.trim();
    long seconds;
    try {
      seconds = t.chars().allMatch(Character::isDigit)
          ? Long.parseLong(t)
          : OffsetDateTime.parse(t).toEpochSecond();
    } catch (NumberFormatException | DateTimeException e) {
      throw usage(param + ": '" + t + "' is neither seconds since 1970 nor an ISO-8601 time"
          + " such as 2024-01-01T00:00:00Z" + (param.equals("creationTime")
          ? " (nor EPOCH or USE_CURRENT_TIMESTAMP)" : ""));
    }
    if (seconds < 0 || seconds > 253402300799L) {
      throw usage(param + ": '" + t + "' is out of range");
    }
    return seconds;
  }

  private List<Platform> platformList() throws PlinthException {
    if (platforms == null || platforms.isBlank()) {
      return BuildSpec.DEFAULT_PLATFORMS;
    }
    List<Platform> out = new ArrayList<>();
    for (String s : platforms.split(",")) {
      String text = s.trim();
      Platform p;
      try {
        p = Platform.parse(text);
      } catch (IllegalArgumentException e) {
        throw usage("platforms: " + e.getMessage());
      }
      if (!p.os().equals("linux") || p.elfMachine() < 0) {
        throw usage("platforms: '" + text + "' is not supported: use linux/amd64 or linux/arm64");
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private int feature() throws PlinthException {
    if (javaVersion == null) {
      return JavaSpec.DEFAULT_VERSION;
    }
    if (javaVersion < 17) {
      throw usage("javaVersion: " + javaVersion
          + " is not a JDK feature version of 17 or later (e.g. 17, 21, 25)");
    }
    return javaVersion;
  }

  /** Sorted, each name checked: an env's a variable name, a label's not blank. */
  private static Map<String, String> sorted(Map<String, String> values, String param)
      throws PlinthException {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      boolean ok = param.equals("env") ? ENV_KEY.matcher(e.getKey()).matches()
          : !e.getKey().isBlank();
      if (!ok) {
        throw usage(param + ": '" + e.getKey() + "' is not a valid "
            + (param.equals("env") ? "variable" : "label") + " name");
      }
      out.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
    }
    return out;
  }

  private List<String> portList() throws PlinthException {
    List<String> out = new ArrayList<>();
    for (String text : ports) {
      Matcher m = PORT.matcher(text.trim());
      int port = m.matches() ? Integer.parseInt(m.group(1)) : 0;
      if (port < 1 || port > 65535) {
        throw usage("ports: '" + text + "' is not a port such as 8080 or 53/udp");
      }
      out.add(port + "/" + (m.group(2) == null ? "tcp" : m.group(2)));
    }
    return out;
  }

  private static List<String> names(List<String> values, Pattern valid, String param, String what)
      throws PlinthException {
    List<String> out = new ArrayList<>();
    for (String v : values) {
      String t = v.trim();
      if (!valid.matcher(t).matches()) {
        throw usage(param + ": '" + v + "' is not " + what);
      }
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  private static String word(String value, String param, String example) throws PlinthException {
    if (!WORD.matcher(value).matches()) {
      throw usage(param + ": '" + value + "' is not a Debian suite name such as " + example);
    }
    return value;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list.stream().filter(Objects::nonNull).toList();
  }

  private static PlinthException usage(String message) {
    return new PlinthException(PlinthException.Kind.USAGE, message);
  }
}
