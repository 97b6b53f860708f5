package dev.plinth.builder;

import dev.plinth.jvm.AotSpec;

import dev.plinth.jvm.JavaSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Platform;
import dev.plinth.oci.PlinthException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlinthYamlTest {
  @TempDir Path tmp;

  private Path write(String yaml) throws Exception {
    Path f = tmp.resolve("plinth.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  private PlinthException error(String yaml) throws Exception {
    Path f = write(yaml);
    return assertThrows(PlinthException.class, () -> PlinthYaml.load(f), yaml);
  }

  /** Each {yaml, message}: loading the yaml fails as a usage error whose message has that text. */
  private void assertUsageErrors(String[][] cases) throws Exception {
    for (String[] c : cases) {
      PlinthException e = error(c[0]);
      assertEquals(PlinthException.Kind.USAGE, e.kind(), c[0]);
      assertTrue(e.getMessage().contains(c[1]), "for " + c[0] + " got: " + e.getMessage());
    }
  }

  @Test
  void fullFile_loadsEveryField() throws Exception {
    BuildSpec s = PlinthYaml.load(write("""
        name: hello
        platforms: [linux/arm64]
        base: minimal
        init:
          group: true
          exitZero: [143]
        user: nonroot
        files:
          - src: build/app-${arch}
            dest: /app/server
            mode: 0750
            uid: 65532
        entrypoint: [/app/server]
        cmd: ["--port", "8080"]
        env: {LOGLEVEL: info}
        workdir: /app
        labels: {org.opencontainers.image.version: "1.0"}
        annotations: {team: core}
        ports: [8080, 53/udp]
        stopSignal: SIGINT
        """));
    assertEquals("hello", s.name());
    assertEquals(List.of(Platform.LINUX_ARM64), s.platforms());
    assertTrue(s.init().group());
    assertEquals(List.of(143), s.init().exitZero());
    BuildSpec.FileSpec f = s.files().get(0);
    assertEquals("build/app-${arch}", f.src());
    assertEquals(0750, f.mode());
    assertEquals(65532, f.uid());
    assertEquals(tmp.resolve("plinth.yaml") + ":9", f.where());
    assertEquals(List.of("/app/server"), s.entrypoint());
    assertEquals(Map.of("LOGLEVEL", "info"), s.env());
    assertEquals(List.of("8080/tcp", "53/udp"), s.exposedPorts());
    assertEquals("SIGINT", s.stopSignal());
  }

  @Test
  void defaults_areTheProductionStandard() throws Exception {
    BuildSpec s = PlinthYaml.load(write("entrypoint: [/app]\n"));
    assertEquals(BuildSpec.DEFAULT_PLATFORMS, s.platforms());
    assertEquals(BuildSpec.Init.Kind.PLINTH, s.init().kind());
    assertEquals(BuildSpec.User.NONROOT, s.user());
    assertEquals(BuildSpec.Base.MINIMAL, s.base());
  }

  @Test
  void sbom_formatsInOrder_spdxByDefault_emptyForNone() throws Exception {
    assertEquals(List.of(BuildSpec.SbomFormat.SPDX),
        PlinthYaml.load(write("entrypoint: [/app]\n")).sbom());
    assertEquals(List.of(BuildSpec.SbomFormat.CYCLONEDX, BuildSpec.SbomFormat.SPDX),
        PlinthYaml.load(write("entrypoint: [/app]\nsbom: [cyclonedx, spdx]\n")).sbom());
    assertEquals(List.of(), PlinthYaml.load(write("entrypoint: [/app]\nsbom: []\n")).sbom());
  }

  @Test
  void unknownField_namesFileLineAndKnownFields() throws Exception {
    PlinthException e = error("platforms: [linux/amd64]\nentrypont: [/app]\n");
    assertEquals(PlinthException.Kind.USAGE, e.kind());
    assertTrue(e.getMessage().startsWith(tmp.resolve("plinth.yaml") + ":2: "), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field 'entrypont'"), e.getMessage());
    assertTrue(e.getMessage().contains("entrypoint"), e.getMessage());
  }

  @Test
  void badValues_nameTheirLineAndField() throws Exception {
    String[][] cases = {
      {"platforms: [linux/s390x]\n", ":1: platforms: 'linux/s390x' is not supported"},
      {"platforms: [windows]\n", ":1: platforms:"},
      {"files:\n  - src: a\n    dest: /x\n    mode: 0999\n", ":4: files[0].mode: '0999'"},
      {"files:\n  - src: a\n", ":2: files[0]: 'dest' is missing"},
      {"files:\n  - src: a\n    dest: ../etc\n", ":3: files[0].dest:"},
      {"entrypoint: /app --flag\n", ":1: entrypoint: must be a list"},
      {"user: alice\n", ":1: user: 'alice' is not nonroot, root, or a numeric"},
      {"base: alpine\n", ":1: base: must be 'minimal' or 'scratch'"},
      {"init: systemd\n", ":1: init: 'systemd' is not plinth, tini, none"},
      {"ports: [70000]\n", ":1: ports: '70000'"},
      {"env: {1BAD: x}\n", ":1: env: '1BAD'"},
      {"arbitraryUser: maybe\n", ":1: arbitraryUser: must be true or false"},
      {"init: {exitZero: [0]}\n", ":1: init.exitZero: '0'"},
      {"entrypoint: [a]\nentrypoint: [b]\n", ":2: the top level: 'entrypoint' is given twice"},
      {"entrypoint: [a\n", "not valid YAML"},
      {"- a\n- b\n", ":1: the top level: must be a mapping"},
      {"packages: [tzdata, Bad_Name]\n", ":1: packages: 'Bad_Name' is not a Debian package name"},
      {"packages: [tzdata, tzdata]\n", ":1: packages: 'tzdata' is listed twice"},
      {"exclude: libssl3\n", ":1: exclude: must be a list"},
      {"debian: {suite: Bookworm!}\n", ":1: debian.suite: 'Bookworm!'"},
      {"debian: {mirror: ftp://x/debian}\n", ":1: debian.mirror: 'ftp://x/debian' is not an http"},
      {"debian:\n  release: 12\n", ":2: debian: unknown field 'release'"},
      {"debian: {tzdataRight: sometimes}\n", ":1: debian.tzdataRight: must be true or false"},
      {"debian: {pythonBytecode: 1}\n", ":1: debian.pythonBytecode: must be true, false or sourceless, not '1'"},
      {"debian: {excludePaths: usr}\n", ":1: debian.excludePaths:"},
      {"debian:\n  excludePaths: [/ok, usr/share/locale]\n", ":2: debian.excludePaths: 'usr/share/locale' is not an absolute path glob"},
      {"debian: {excludePaths: [/usr/../etc]}\n", ":1: debian.excludePaths: '/usr/../etc' has an empty, '.' or '..' segment"},
      {"java: {mainClass: Main}\n", ":1: java: give 'jar' (an executable jar), or 'mainClass' and 'classpath'"},
      {"java: {jar: a.jar, classpath: [b]}\n", ":1: java.classpath: give either jar or classpath"},
      {"java: {jar: a.jar, version: 11}\n", ":1: java.version: '11' is not a JDK feature version of 17 or later"},
      {"java: {jar: a.jar, modules: [java base]}\n", ":1: java.modules: 'java base' is not a module name"},
      {"java: {jar: a.jar}\nentrypoint: [/x]\n", ":2: entrypoint: with 'java', the entrypoint is the java command"},
      {"java: {jar: a.jar, gc: g1}\n", ":1: java: unknown field 'gc'"},
      {"java: {jar: a.jar, aot: maybe}\n", ":1: java.aot: must be true or false"},
      {"java: {jar: a.jar, aot: {get: [https://127.0.0.1/]}}\n", ":1: java.aot.get: 'https://127.0.0.1/' is not an http URL on 127.0.0.1 or localhost"},
      {"java: {jar: a.jar, aot: {get: [http://10.0.0.1:8080/]}}\n", ":1: java.aot.get: 'http://10.0.0.1:8080/'"},
      {"java: {jar: a.jar, aot: {timeout: 0}}\n", ":1: java.aot.timeout: '0' is not a number of seconds"},
      {"java: {jar: a.jar, aot: {train: yes}}\n", ":1: java.aot: unknown field 'train'"},
      {"sbom: [spdx, swid]\n", ":1: sbom: 'swid' is not an SBOM format: give spdx, cyclonedx or both"},
      {"sbom: [spdx, spdx]\n", ":1: sbom: 'spdx' is listed twice"},
      {"sbom: cyclonedx\n", ":1: sbom: must be a list"},
    };
    assertUsageErrors(cases);
  }

  /** init.grace and init.verbose become plinth's init's -t SECONDS and -v in the Entrypoint. */
  @Test
  void initGraceAndVerbose_areTheInitsOptions_inTheEntrypoint() throws Exception {
    BuildSpec s = PlinthYaml.load(write("""
        init: {group: true, grace: 20, verbose: true, exitZero: [143]}
        entrypoint: [/app/server]
        """));
    assertEquals(20, s.init().grace());
    assertTrue(s.init().verbose());
    assertEquals(List.of("/sbin/plinth-init", "-g", "-t", "20", "-v", "-e", "143", "--",
        "/app/server"), ImageConfigs.entrypoint(s));
    BuildSpec alone = PlinthYaml.load(write("init: {grace: 0}\nentrypoint: [/app]\n"));
    assertEquals(List.of("/sbin/plinth-init", "-t", "0", "--", "/app"),
        ImageConfigs.entrypoint(alone), "a group stop without group mode, SIGKILL at once");
    assertEquals(List.of("/sbin/plinth-init", "--", "/app"),
        ImageConfigs.entrypoint(PlinthYaml.load(write("entrypoint: [/app]\n"))));
    BuildSpec tini = PlinthYaml.load(write("init: {binary: tini, verbose: true}\n"));
    assertEquals(List.of("/usr/bin/tini-static", "-v", "--"), ImageConfigs.entrypoint(tini));
    String[][] bad = {
      {"init: {grace: 3601}\n", ":1: init.grace: '3601' is not a number of seconds from 0 to 3600"},
      {"init: {grace: -1}\n", ":1: init.grace: '-1' is not a number of seconds"},
      {"init: {grace: 5s}\n", ":1: init.grace: '5s' is not a number of seconds"},
      {"init: {verbose: loud}\n", ":1: init.verbose: must be true or false"},
      {"init: {binary: tini, grace: 5}\n", ":1: init: 'grace' is an option of plinth's own init"},
      {"init: {binary: none, verbose: true}\n", ":1: init: 'group', 'grace', 'verbose' and"
          + " 'exitZero' need an init"},
      {"init: {binary: \"x/init-${arch}\", grace: 5}\n", ":1: init: 'group', 'grace', 'verbose' and"
          + " 'exitZero' are options of plinth's own init"},
    };
    assertUsageErrors(bad);
  }

  @Test
  void debianPackages_loadWithPathsRelativeToTheFile() throws Exception {
    BuildSpec s = PlinthYaml.load(write("""
        packages: [ca-certificates, tzdata]
        exclude: [openssl]
        init: {binary: tini}
        debian:
          suite: trixie
          components: [main, contrib]
          mirror: http://127.0.0.1:9/debian
          keyring: [keys/a.gpg, keys/b.asc]
          tzdataRight: true
          excludePaths: [/usr/lib/*/gconv/**, /usr/share/locale]
          pythonBytecode: sourceless
        """));
    BuildSpec.Packages p = s.packages();
    assertEquals(List.of("ca-certificates", "tzdata"), p.names());
    assertEquals(List.of("openssl"), p.exclude());
    assertEquals("trixie", p.suite());
    assertEquals(List.of("main", "contrib"), p.components());
    assertEquals("http://127.0.0.1:9/debian", p.mirror());
    assertEquals(List.of(tmp.resolve("keys/a.gpg"), tmp.resolve("keys/b.asc")), p.keyring());
    assertEquals(tmp.resolve("plinth.lock"), p.lockFile());
    assertTrue(p.tzdataRight());
    assertEquals(List.of("/usr/lib/*/gconv/**", "/usr/share/locale"), p.excludePaths());
    assertEquals(BuildSpec.Bytecode.SOURCELESS, p.pythonBytecode());
    assertEquals(BuildSpec.Init.Kind.TINI, s.init().kind());
    BuildSpec d = PlinthYaml.load(write("packages: [tzdata]\n"));
    assertEquals("bookworm", d.packages().suite());
    assertEquals(List.of("main"), d.packages().components());
    assertEquals(List.of(), d.packages().keyring());
    assertEquals(List.of(), d.packages().excludePaths());
    assertEquals(BuildSpec.Bytecode.CACHED, d.packages().pythonBytecode(),
        "byte-compiled unless asked not to");
    assertEquals(BuildSpec.Bytecode.NONE, PlinthYaml.load(write(
        "packages: [python3]\ndebian: {pythonBytecode: false}\n")).packages().pythonBytecode());
  }

  @Test
  void java_loadsWithPathsRelativeToTheFile() throws Exception {
    Files.createDirectories(tmp.resolve("lib"));
    Files.writeString(tmp.resolve("lib/b.jar"), "b");
    Files.writeString(tmp.resolve("lib/a.jar"), "a");
    Files.writeString(tmp.resolve("lib/notes.txt"), "not a jar");
    BuildSpec s = PlinthYaml.load(write("""
        java:
          mainClass: com.example.Main
          classpath: [target/classes, "lib/*"]
          version: 17
          modules: [java.base, java.logging]
          jvmFlags: [-Xss512k]
          suite: bookworm
        cmd: [--port, "9"]
        """));
    JavaSpec j = s.java();
    assertEquals("com.example.Main", j.mainClass());
    assertEquals(List.of(tmp.resolve("target/classes"), tmp.resolve("lib/a.jar"),
        tmp.resolve("lib/b.jar")), j.classpath());
    assertEquals(17, j.version());
    assertEquals(List.of("java.base", "java.logging"), j.modules());
    assertEquals(List.of("-Xss512k"), j.jvmFlags());
    assertEquals("bookworm", j.suite());
    BuildSpec d = PlinthYaml.load(write("java: {jar: app.jar, modules: auto}\n"));
    assertEquals(tmp.resolve("app.jar"), d.java().jar());
    assertEquals(JavaSpec.UNSET, d.java().version(), "unset: it follows the app's class files");
    assertEquals(List.of(), d.java().modules());
    assertNull(d.java().suite(), "unset: the suite that packages the version");
  }

  @Test
  void javaModules_autoPlusNamed_exactList_andTheTrainingRunSwitch() throws Exception {
    JavaSpec auto = PlinthYaml.load(write("java: {jar: app.jar, modules: auto}\n")).java();
    assertTrue(auto.modulesFound() && auto.namedModules().isEmpty() && auto.train());
    JavaSpec plus = PlinthYaml.load(write(
        "java: {jar: app.jar, modules: [auto, jdk.zipfs, jdk.crypto.ec]}\n")).java();
    assertTrue(plus.modulesFound());
    assertEquals(List.of("jdk.zipfs", "jdk.crypto.ec"), plus.namedModules());
    JavaSpec exact = PlinthYaml.load(write(
        "java: {jar: app.jar, modules: [java.base, java.sql]}\n")).java();
    assertFalse(exact.modulesFound());
    assertEquals(List.of("java.base", "java.sql"), exact.namedModules());
    JavaSpec off = PlinthYaml.load(write("java: {jar: app.jar, train: false}\n")).java();
    assertTrue(off.modulesFound());
    assertFalse(off.train());
    assertTrue(error("java: {jar: app.jar, train: sometimes}\n").getMessage()
        .contains(":1: java.train: must be true or false"));
    assertTrue(error("java: {jar: app.jar, modules: [auto, 'jdk zipfs']}\n").getMessage()
        .contains("java.modules: 'jdk zipfs' is not a module name"));
  }

  @Test
  void javaAot_trueOrATrainingRun() throws Exception {
    assertNull(PlinthYaml.load(write("java: {jar: app.jar}\n")).java().aot());
    assertNull(PlinthYaml.load(write("java: {jar: app.jar, aot: false}\n")).java().aot());
    assertEquals(AotSpec.DEFAULT,
        PlinthYaml.load(write("java: {jar: app.jar, aot: true}\n")).java().aot());
    AotSpec a = PlinthYaml.load(write("""
        java:
          jar: app.jar
          aot:
            env: {PORT: "18080"}
            get: [http://127.0.0.1:18080/, "http://localhost:18080/items?id=1"]
            timeout: 90
        """)).java().aot();
    assertEquals(new AotSpec(List.of("http://127.0.0.1:18080/",
        "http://localhost:18080/items?id=1"), Map.of("PORT", "18080"), 90), a);
  }

  @Test
  void missingFile_isNotFound() {
    PlinthException e = assertThrows(PlinthException.class, () -> PlinthYaml.load(tmp.resolve("nope.yaml")));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("nope.yaml"));
  }
}
