package dev.plinth.maven;

import dev.plinth.jvm.AotSpec;

import dev.plinth.jvm.JavaSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.builder.BuildSpec;
import dev.plinth.builder.Plinth;
import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuildParametersTest {
  private static final Path CLASSES = Path.of("/p/target/classes");
  private static final List<Path> JARS =
      List.of(Path.of("/m2/b/b-2.jar"), Path.of("/m2/a/a-1.jar"));

  private static final BuildParameters.App APP =
      BuildParameters.App.classpath("hello.Main", CLASSES, JARS);

  /** Only what every build has: a name, the main class and the classpath. */
  private static BuildParameters minimal() {
    return new BuildParameters("hello", null, APP, null, null, null, false, null, null, null,
        null, null, null, null, null, false);
  }

  private static BuildParameters with(String platforms, Integer javaVersion, List<String> modules,
      String suite, List<String> packages, Map<String, String> env, List<String> ports) {
    return new BuildParameters("hello", platforms, APP, javaVersion, modules, null, false, suite,
        packages, null, env, ports, null, null, null, false);
  }

  private static BuildParameters withLabelsAndUser(Map<String, String> labels, String user) {
    return new BuildParameters("hello", null, APP, null, null, null, false, null, null, null,
        null, null, null, labels, user, false);
  }

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  /** The options without a creationTime. */
  private static Plinth.Options options(Map<String, String> env, Path home, String outputTimestamp)
      throws PlinthException {
    return BuildParameters.options(env, home, outputTimestamp, null, NOW);
  }

  private static String usage(BuildParameters p) {
    PlinthException e = assertThrows(PlinthException.class, p::toSpec);
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    return e.getMessage();
  }

  @Test
  void unsetParameters_takeTheLibraryDefaults() throws Exception {
    BuildSpec spec = minimal().toSpec();
    assertEquals("hello", spec.name());
    assertEquals(BuildSpec.DEFAULT_PLATFORMS, spec.platforms());
    assertEquals(BuildSpec.Init.PLINTH, spec.init());
    assertEquals(BuildSpec.User.NONROOT, spec.user());
    assertSame(BuildSpec.Packages.NONE, spec.packages());
    assertEquals(List.of(), spec.cmd());
    assertEquals(Map.of(), spec.env());
    assertEquals(List.of(), spec.exposedPorts());
    JavaSpec java = spec.java();
    assertNull(java.jar());
    assertEquals("hello.Main", java.mainClass());
    assertEquals(JavaSpec.DEFAULT_VERSION, java.version());
    assertEquals(JavaSpec.DEFAULT_SUITE, java.suite());
    assertEquals(List.of(), java.modules());
    assertEquals(List.of(), java.jvmFlags());
    assertNull(java.aot());
  }

  @Test
  void aotGet_impliesAot_andMustBeLoopbackHttp() throws Exception {
    BuildParameters p = new BuildParameters("hello", null, APP, null, null, null, false, null,
        null, null, null, null, List.of("http://127.0.0.1:8080/"), null, null, false);
    assertEquals(new AotSpec(List.of("http://127.0.0.1:8080/"), Map.of(),
        AotSpec.DEFAULT_TIMEOUT), p.toSpec().java().aot());
    BuildParameters remote = new BuildParameters("hello", null, APP, null, null, null, true, null,
        null, null, null, null, List.of("https://example.org/"), null, null, false);
    assertEquals("aotGet: 'https://example.org/' is not an http URL on 127.0.0.1 or localhost,"
        + " e.g. http://127.0.0.1:8080/", usage(remote));
  }

  @Test
  void classpath_isTheOutputDirectoryFirst_thenTheJarsInMavensOrder() throws Exception {
    assertEquals(List.of(CLASSES, JARS.get(0), JARS.get(1)), minimal().toSpec().java().classpath());
  }

  @Test
  void everyParameter_landsInTheSpec() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("Z_LAST", "z");
    env.put("A_FIRST", "a");
    env.put("EMPTY", null);
    BuildSpec spec = new BuildParameters("api", "linux/arm64",
        BuildParameters.App.classpath("dev.x.App", CLASSES, JARS), 21,
        List.of("java.base", "java.net.http"), List.of("-Xss512k", "-XX:+UseSerialGC"), true,
        "bookworm", List.of("curl", "ca-certificates"), List.of("--port", "8080"), env,
        List.of("8080", "53/udp"), null, Map.of("org.example.team", "api", "z", ""), "1000:2000",
        true)
        .toSpec();
    assertEquals("api", spec.name());
    assertEquals(List.of(Platform.LINUX_ARM64), spec.platforms());
    assertEquals(new JavaSpec(null, "dev.x.App", List.of(CLASSES, JARS.get(0), JARS.get(1)),
        21, List.of("java.base", "java.net.http"), List.of("-Xss512k", "-XX:+UseSerialGC"),
        AotSpec.DEFAULT, "bookworm"), spec.java());
    assertEquals(List.of("--port", "8080"), spec.cmd());
    assertEquals(Map.of("A_FIRST", "a", "EMPTY", "", "Z_LAST", "z"), spec.env());
    assertEquals(List.of("8080/tcp", "53/udp"), spec.exposedPorts());
    assertEquals(BuildSpec.Packages.NONE.withNames(List.of("curl", "ca-certificates")),
        spec.packages());
    assertEquals(BuildSpec.Packages.DEFAULT_SUITE, spec.packages().suite());
    assertEquals(Map.of("org.example.team", "api", "z", ""), spec.labels());
    assertEquals(new BuildSpec.User(1000, 2000, null, "/"), spec.user());
    assertTrue(spec.allowMissingLibraries(), "allowMissingLibraries");
    assertFalse(minimal().toSpec().allowMissingLibraries(), "checked unless allowed");
  }

  @Test
  void runJar_takesItsMainClassAndClassPath_notTheProjects() throws Exception {
    Path jar = Path.of("/p/target/quarkus-app/quarkus-run.jar");
    JavaSpec java = new BuildParameters("q", null, new BuildParameters.App(null, jar, null,
        null), 21, null, null, false, null, null, null, null, null, null, null, null, false)
        .toSpec().java();
    assertEquals(jar, java.jar());
    assertNull(java.mainClass());
    assertEquals(List.of(), java.classpath());
  }

  @Test
  void java17_takesBookworm_theSuiteWithOpenjdk17_unlessASuiteIsSet() throws Exception {
    assertEquals("bookworm", with(null, 17, null, null, null, null, null).toSpec().java().suite());
    assertEquals(JavaSpec.DEFAULT_SUITE,
        with(null, 21, null, null, null, null, null).toSpec().java().suite());
    assertEquals("trixie", with(null, 17, null, "trixie", null, null, null).toSpec().java().suite());
  }

  @Test
  void userAndLabels_asJibTakesThem_badOnesNamed() throws Exception {
    assertEquals(BuildSpec.User.ROOT, withLabelsAndUser(null, "root").toSpec().user());
    assertEquals(BuildSpec.User.NONROOT, withLabelsAndUser(null, "65532").toSpec().user());
    assertEquals("user: 'app' is not nonroot, root, or a numeric uid[:gid] (Kubernetes"
        + " runAsNonRoot needs a number)", usage(withLabelsAndUser(null, "app")));
    assertEquals("labels: ' ' is not a valid label name",
        usage(withLabelsAndUser(Map.of(" ", "x"), null)));
  }

  @Test
  void platforms_commaList_isTrimmedAndDeduplicatedInOrder() throws Exception {
    assertEquals(List.of(Platform.LINUX_ARM64, Platform.LINUX_AMD64),
        with(" linux/arm64 , linux/amd64,linux/arm64", null, null, null, null, null, null)
            .toSpec().platforms());
  }

  @Test
  void platforms_unsupported_failsNamingTheParameter() {
    String m = usage(with("linux/amd64,windows/amd64", null, null, null, null, null, null));
    assertTrue(m.startsWith("platforms: 'windows/amd64' is not supported"), m);
    assertTrue(usage(with("linux/", null, null, null, null, null, null))
        .startsWith("platforms: "));
  }

  @Test
  void mainClass_notAClassName_fails() {
    BuildParameters p = new BuildParameters("hello", null,
        BuildParameters.App.classpath("hello-world.Main", CLASSES, JARS), null, null, null, false,
        null, null, null, null, null, null, null, null, false);
    assertEquals("mainClass: 'hello-world.Main' is not a class name", usage(p));
  }

  @Test
  void javaVersion_below17_fails() {
    assertTrue(usage(with(null, 11, null, null, null, null, null)).startsWith("javaVersion: 11 "));
  }

  @Test
  void badModuleSuitePackagePortOrEnvName_failsNamingTheParameter() {
    assertEquals("modules: 'java base' is not a module name",
        usage(with(null, null, List.of("java base"), null, null, null, null)));
    assertTrue(usage(with(null, null, null, "Trixie!", null, null, null)).startsWith("suite: "));
    assertEquals("packages: 'Curl' is not a Debian package name",
        usage(with(null, null, null, null, List.of("Curl"), null, null)));
    assertEquals("ports: '70000' is not a port such as 8080 or 53/udp",
        usage(with(null, null, null, null, null, null, List.of("70000"))));
    assertEquals("ports: '8080/http' is not a port such as 8080 or 53/udp",
        usage(with(null, null, null, null, null, null, List.of("8080/http"))));
    assertEquals("env: 'NO-DASH' is not a valid variable name",
        usage(with(null, null, null, null, null, Map.of("NO-DASH", "x"), null)));
  }

  @Test
  void sourceDateEpoch_winsOverTheOutputTimestamp() throws Exception {
    Plinth.Options o = options(Map.of("SOURCE_DATE_EPOCH", "1700000000"), null,
        "2024-01-01T00:00:00Z");
    assertEquals(1700000000L, o.epochSeconds());
    assertEquals(Plinth.Options.DEFAULT_GZIP, o.gzipLevel());
  }

  @Test
  void badSourceDateEpoch_isAUsageError() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> options(Map.of("SOURCE_DATE_EPOCH", "yesterday"), null, null));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
  }

  @Test
  void outputTimestamp_isoDateOrSeconds_setsTheEpoch() throws Exception {
    assertEquals(315532802L, options(Map.of(), null, "1980-01-01T00:00:02Z").epochSeconds());
    assertEquals(1704067200L,
        options(Map.of(), null, "2024-01-01T01:00:00+01:00").epochSeconds());
    assertEquals(1704067200L, options(Map.of("SOURCE_DATE_EPOCH", " "), null,
        "1704067200").epochSeconds());
  }

  @Test
  void outputTimestamp_unsetOrOneCharacter_meansTimeZero() throws Exception {
    assertEquals(0, options(Map.of(), null, null).epochSeconds());
    assertEquals(0, options(Map.of(), null, "").epochSeconds());
    assertEquals(0, options(Map.of(), null, "a").epochSeconds());
  }

  @Test
  void options_comeFromTheEnvironmentGiven_atEachExecution() throws Exception {
    Plinth.Options o = options(Map.of("XDG_CACHE_HOME", "/x/cache",
        "DOCKER_HOST", "unix:///run/d.sock", "JAVA_HOME", "/opt/jdk"), null,
        "2024-01-01T00:00:00Z");
    assertEquals(1704067200L, o.epochSeconds());
    assertEquals(Path.of("/x/cache/plinth"), o.cacheDir());
    assertEquals("unix:///run/d.sock", o.dockerHost());
    assertEquals(Path.of("/opt/jdk"), o.javaHome());
    Plinth.Options home = options(Map.of(), Path.of("/home/u"), null);
    assertEquals(Path.of("/home/u/.cache/plinth"), home.cacheDir());
    assertNull(home.dockerHost());
  }

  @Test
  void outputTimestamp_garbage_failsNamingIt() {
    PlinthException e = assertThrows(PlinthException.class,
        () -> options(Map.of(), null, "last tuesday"));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith("project.build.outputTimestamp: 'last tuesday'"),
        e.getMessage());
  }
  @Test
  void creationTime_asJibTakesIt_datesTheImage_andLeavesTheFilesTime() throws Exception {
    Map<String, String> env = Map.of("SOURCE_DATE_EPOCH", "1700000000");
    Plinth.Options unset = BuildParameters.options(env, null, null, null, NOW);
    assertEquals(1700000000L, unset.createdSeconds());
    Plinth.Options epoch = BuildParameters.options(env, null, null, "EPOCH", NOW);
    assertEquals(0, epoch.createdSeconds());
    assertEquals(1700000000L, epoch.epochSeconds());
    assertEquals(NOW.getEpochSecond(), BuildParameters.options(env, null, null,
        "USE_CURRENT_TIMESTAMP", NOW).createdSeconds());
    assertEquals(1704067200L, BuildParameters.options(env, null, null, "2024-01-01T01:00:00+01:00",
        NOW).createdSeconds());
    PlinthException e = assertThrows(PlinthException.class,
        () -> BuildParameters.options(env, null, null, "now", NOW));
    assertEquals("creationTime: 'now' is neither seconds since 1970 nor an ISO-8601 time such as"
        + " 2024-01-01T00:00:00Z (nor EPOCH or USE_CURRENT_TIMESTAMP)", e.getMessage());
  }

  @Test
  void signingKey_asTheCliOpensIt_passwordFromTheFileOrCosignPassword() throws Exception {
    Path dir = java.nio.file.Files.createTempDirectory("plinth-signkey-");
    try {
      Path key = java.nio.file.Files.writeString(dir.resolve("cosign.key"),
          dev.plinth.registry.CosignKeys.generate("s3cret".getBytes()).privatePem());
      Path file = java.nio.file.Files.writeString(dir.resolve("pw"), "s3cret\nignored\n");
      dev.plinth.oci.ImageRef registry = dev.plinth.oci.ImageRef.parse("127.0.0.1:5000/app:1");
      assertNull(BuildParameters.signingKey(null, null, Map.of(), registry));
      assertTrue(BuildParameters.signingKey(key, file, Map.of(), registry) != null);
      assertTrue(BuildParameters.signingKey(key, null, Map.of("COSIGN_PASSWORD", "s3cret"),
          registry) != null);
      String[][] failures = {
        {"no password", "keyPasswordFile (plinth.keyPasswordFile)"},
        {"wrong password", "cannot be opened with this password"},
        {"not a registry", "signKey: oci:"},
        {"password without key", "keyPasswordFile is for signKey"},
      };
      for (String[] c : failures) {
        PlinthException e = assertThrows(PlinthException.class, () -> {
          switch (c[0]) {
            case "no password" -> BuildParameters.signingKey(key, null, Map.of(), registry);
            case "wrong password" -> BuildParameters.signingKey(key, null,
                Map.of("COSIGN_PASSWORD", "wrong"), registry);
            case "not a registry" -> BuildParameters.signingKey(key, file, Map.of(),
                dev.plinth.oci.ImageRef.parse("oci:" + dir.resolve("out")));
            default -> BuildParameters.signingKey(null, file, Map.of(), registry);
          }
        }, c[0]);
        assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
      }
    } finally {
      dev.plinth.oci.Cleanup.deleteTree(dir);
    }
  }

  @Test
  void attest_asTheCliReadsIt_needsSignKey_andARegistryOrFileTarget() throws Exception {
    dev.plinth.oci.ImageRef registry = dev.plinth.oci.ImageRef.parse("127.0.0.1:5000/app:1");
    dev.plinth.oci.ImageRef archive = dev.plinth.oci.ImageRef.parse("oci-archive:/tmp/app.tar");
    assertEquals(java.util.Set.of(), BuildParameters.attestations(null, false, registry));
    assertEquals(java.util.Set.of(), BuildParameters.attestations(" ", false, registry));
    assertEquals(java.util.EnumSet.allOf(dev.plinth.builder.Attestations.Kind.class),
        BuildParameters.attestations("sbom,provenance", true, archive));
    String[][] failures = {
      {"nope", "true", "attest (plinth.attest)"},
      {"sbom", "false", "attest needs signKey (plinth.signKey)"},
      {"provenance", "true", "is neither a registry nor a file"},
    };
    for (String[] c : failures) {
      PlinthException e = assertThrows(PlinthException.class,
          () -> BuildParameters.attestations(c[0], Boolean.parseBoolean(c[1]),
              c[0].equals("provenance") ? dev.plinth.oci.ImageRef.parse("docker-daemon:app:1")
                  : registry), c[0]);
      assertTrue(e.getMessage().contains(c[2]), c[0] + ": " + e.getMessage());
    }
  }

  @Test
  void signingKey_forAttestationsOfAFileOutput_opensTheKey(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    byte[] pem = dev.plinth.registry.CosignKeys.generate("pw".getBytes()).privatePem()
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Path key = java.nio.file.Files.write(dir.resolve("cosign.key"), pem);
    dev.plinth.oci.ImageRef file = dev.plinth.oci.ImageRef.parse("oci-archive:" + dir + "/a.tar");
    Map<String, String> env = Map.of("COSIGN_PASSWORD", "pw");
    assertTrue(BuildParameters.signingKey(key, null, env, file, true) != null);
    assertThrows(PlinthException.class,
        () -> BuildParameters.signingKey(key, null, env, file, false));
  }

  @Test
  void sbom_namesFormats_noneWritesNone_unsetKeepsTheDefault() throws Exception {
    assertNull(BuildParameters.sbom(null));
    assertNull(BuildParameters.sbom(List.of()));
    assertEquals(List.of(BuildSpec.SbomFormat.CYCLONEDX, BuildSpec.SbomFormat.SPDX),
        BuildParameters.sbom(List.of(" CycloneDX", "spdx ")));
    assertEquals(List.of(), BuildParameters.sbom(List.of("none")));
    for (List<String> bad : List.of(List.of("swid"), List.of("spdx", "spdx"),
        List.of("spdx", "none"))) {
      PlinthException e = assertThrows(PlinthException.class, () -> BuildParameters.sbom(bad));
      assertEquals(PlinthException.Kind.USAGE, e.kind());
      assertTrue(e.getMessage().startsWith("sbom (plinth.sbom): '"), e.getMessage());
    }
  }

  @Test
  void compression_asTheCli_namingTheParameter() throws Exception {
    assertNull(BuildParameters.compression(null, 6));
    assertNull(BuildParameters.compression(" ", 6));
    assertEquals(dev.plinth.oci.Compression.gzip(4), BuildParameters.compression("gzip", 4));
    assertEquals(dev.plinth.oci.Compression.ZSTD, BuildParameters.compression("zstd", 6));
    assertEquals(new dev.plinth.oci.Compression("zstd", 12),
        BuildParameters.compression("zstd:12", 6));
    PlinthException e = assertThrows(PlinthException.class,
        () -> BuildParameters.compression("brotli", 6));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith("compression (plinth.compression): 'brotli' is not a"
        + " layer compression"), e.getMessage());
  }
}
