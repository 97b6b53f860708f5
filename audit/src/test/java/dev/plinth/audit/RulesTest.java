package dev.plinth.audit;

import dev.plinth.elf.Elf;

import static dev.plinth.audit.TestImages.app;
import static dev.plinth.audit.TestImages.audit;
import static dev.plinth.audit.TestImages.base;
import static dev.plinth.audit.TestImages.config;
import static dev.plinth.audit.TestImages.gzipLayer;
import static dev.plinth.audit.TestImages.ids;
import static dev.plinth.audit.TestImages.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Image;
import dev.plinth.oci.Layer;
import dev.plinth.oci.Platform;
import dev.plinth.oci.TestTar;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule on an image crafted to break it, and the clean image that breaks none. */
class RulesTest {
  private static AuditReport auditWith(Map<String, Object> config, TestTar extra) throws Exception {
    return audit(image(config, gzipLayer(base().bytes()), app(), gzipLayer(extra.bytes())));
  }

  private static AuditReport auditWith(TestTar extra) throws Exception {
    return auditWith(config(), extra);
  }

  private static List<Finding> of(AuditReport r, Rule rule) {
    return r.findings().stream().filter(f -> f.rule() == rule).toList();
  }

  private static Finding one(AuditReport r, Rule rule) {
    List<Finding> found = of(r, rule);
    assertEquals(1, found.size(), rule + " in " + r.findings());
    return found.get(0);
  }

  private static Map<String, Object> configWith(String key, Object value) {
    Map<String, Object> c = config();
    c.put(key, value);
    return c;
  }

  private static Map<String, Object> configWithEnv(String... env) {
    Map<String, Object> c = config();
    @SuppressWarnings("unchecked")
    List<String> e = new ArrayList<>((List<String>) c.get("Env"));
    e.addAll(List.of(env));
    c.put("Env", e);
    return c;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void cleanImage_hasNoFinding() throws Exception {
    AuditReport r = audit(image(config(), gzipLayer(base().bytes()), app()));
    // A bare image has no CA bundle or timezone data: information, not a problem.
    assertEquals(List.of("PL020", "PL021"), ids(r), r.findings().toString());
    assertTrue(r.findings().stream().allMatch(f -> f.severity() == Severity.INFO));
    assertFalse(r.failed());
  }

  // ---- user and process ----

  @Test
  void noUser_isRoot_PL001() throws Exception {
    AuditReport r = auditWith(configWith("User", ""), new TestTar());
    assertTrue(one(r, Rule.PL001).message().contains("not set"));
    assertTrue(r.failed());
  }

  @Test
  void uidZeroOrRootByName_PL001() throws Exception {
    assertEquals(1, of(auditWith(configWith("User", "0:0"), new TestTar()), Rule.PL001).size());
    AuditReport byName = auditWith(configWith("User", "root"), new TestTar());
    assertTrue(one(byName, Rule.PL001).message().contains("uid 0"));
  }

  @Test
  void userAliasedToUidZero_PL001() throws Exception {
    TestTar t = new TestTar().file("etc/passwd",
        TestImages.PASSWD + "toor:x:0:0::/root:/sbin/nologin\n");
    AuditReport r = auditWith(configWith("User", "toor"), t);
    one(r, Rule.PL001);
    assertTrue(one(r, Rule.PL014).message().contains("second root"));
  }

  @Test
  void unknownUserOrGroupName_PL002() throws Exception {
    one(auditWith(configWith("User", "app"), new TestTar()), Rule.PL002);
    one(auditWith(configWith("User", "65532:staff"), new TestTar()), Rule.PL002);
  }

  @Test
  void numericUidNotListed_PL003_info() throws Exception {
    Map<String, Object> c = configWith("User", "1000:1000");
    c.put("Env", List.of("PATH=/usr/bin:/bin"));
    AuditReport r = auditWith(c, new TestTar());
    assertEquals(Severity.INFO, one(r, Rule.PL003).severity());
    assertFalse(r.failed());
  }

  @Test
  void userByName_PL004() throws Exception {
    AuditReport r = auditWith(configWith("User", "nonroot"), new TestTar());
    assertTrue(one(r, Rule.PL004).message().contains("65532:65532"));
  }

  @Test
  void noInit_PL005() throws Exception {
    AuditReport r = auditWith(configWith("Entrypoint", List.of("/app/server")), new TestTar());
    assertTrue(one(r, Rule.PL005).message().contains("/app/server"));
    assertTrue(of(r, Rule.PL006).isEmpty());
  }

  @Test
  void shellEntrypoint_PL005_PL006() throws Exception {
    TestTar sh = new TestTar().dir("bin/", 0755).file("bin/sh", TestElf.program().interpreter(null)
        .build(), 0755);
    AuditReport r = auditWith(configWith("Entrypoint", List.of("/bin/sh", "-c", "/app/server")),
        sh);
    one(r, Rule.PL005);
    one(r, Rule.PL006);
    one(r, Rule.PL022);
  }

  @Test
  void shellUnderAnInit_PL006_unlessItExecs() throws Exception {
    TestTar sh = new TestTar().dir("bin/", 0755).file("bin/sh", TestElf.program().interpreter(null)
        .build(), 0755);
    AuditReport r = auditWith(configWith("Entrypoint", List.of("/sbin/plinth-init", "--",
        "sh", "-c", "/app/server --port 80")), sh);
    one(r, Rule.PL006);
    assertTrue(of(r, Rule.PL005).isEmpty());
    AuditReport exec = auditWith(configWith("Entrypoint", List.of("/sbin/plinth-init", "--",
        "sh", "-c", "exec /app/server")), sh);
    assertTrue(of(exec, Rule.PL006).isEmpty());
  }

  @Test
  void tiniAndDumbInit_areInits() throws Exception {
    TestTar inits = new TestTar().dir("usr/", 0755).dir("usr/bin/", 0755)
        .file("usr/bin/tini-static", TestElf.program().interpreter(null).build(), 0755)
        .file("usr/bin/dumb-init", TestElf.program().interpreter(null).build(), 0755);
    for (List<String> ep : List.of(List.of("/usr/bin/tini-static", "-g", "-e", "143", "--",
        "/app/server"), List.of("dumb-init", "-r", "15:3", "/app/server"))) {
      AuditReport r = auditWith(configWith("Entrypoint", ep), inits);
      assertTrue(of(r, Rule.PL005).isEmpty(), ep + ": " + r.findings());
      assertTrue(of(r, Rule.PL007).isEmpty(), ep + ": " + r.findings());
    }
  }

  @Test
  void missingOrUnexecutableProgram_PL007() throws Exception {
    AuditReport missing = auditWith(configWith("Entrypoint", List.of("/sbin/plinth-init", "--",
        "/app/nothing")), new TestTar());
    assertTrue(one(missing, Rule.PL007).message().contains("does not exist"));
    AuditReport notInPath = auditWith(configWith("Entrypoint", List.of("serve")), new TestTar());
    assertTrue(one(notInPath, Rule.PL007).message().contains("PATH"));
    AuditReport notExec = auditWith(new TestTar().file("app/server", bytes("x"), 0644));
    assertTrue(one(notExec, Rule.PL007).message().contains("not executable"));
  }

  @Test
  void scriptWithoutItsInterpreter_PL007() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/server",
        bytes("#!/usr/bin/python3\nprint(1)\n"), 0755));
    assertTrue(one(r, Rule.PL007).message().contains("/usr/bin/python3"));
    AuditReport env = auditWith(new TestTar().dir("usr/bin/", 0755)
        .file("usr/bin/env", TestElf.program().interpreter(null).build(), 0755)
        .file("app/server", bytes("#!/usr/bin/env node\n"), 0755));
    assertTrue(one(env, Rule.PL007).message().contains("node"));
  }

  // ---- filesystem ----

  @Test
  void tmpWithoutSticky_andMissingVarTmp_PL010() throws Exception {
    TestTar t = new TestTar().dir("tmp/", 0777).file(".wh.var", "");
    AuditReport r = auditWith(t);
    List<Finding> f = of(r, Rule.PL010);
    assertEquals(2, f.size(), f.toString());
    assertTrue(f.stream().anyMatch(x -> x.message().contains("sticky")));
    assertTrue(f.stream().anyMatch(x -> x.message().contains("/var/tmp does not exist")));
  }

  @Test
  void malformedPasswdLines_PL011_neverACrash() throws Exception {
    TestTar t = new TestTar().file("etc/passwd", TestImages.PASSWD
        + "broken line\nx:x:abc:0::/:/bin/sh\n" + "\u0000\u00ff:garbage\n");
    AuditReport r = auditWith(t);
    List<Finding> f = of(r, Rule.PL011);
    assertEquals(3, f.size(), f.toString());
    assertTrue(f.get(0).message().startsWith("line 3"));
  }

  @Test
  void missingAccountFiles_PL011() throws Exception {
    AuditReport r = auditWith(configWith("User", "1000"), new TestTar().file("etc/.wh.passwd", "")
        .file("etc/.wh.group", ""));
    assertEquals(2, of(r, Rule.PL011).size());
  }

  @Test
  void homeMissingOrNotTheUsers_PL012() throws Exception {
    AuditReport missing = auditWith(new TestTar().file("home/.wh.nonroot", ""));
    assertTrue(one(missing, Rule.PL012).message().contains("does not exist"));
    AuditReport rootOwned = auditWith(new TestTar().dir("home/nonroot/", 0755));
    assertTrue(one(rootOwned, Rule.PL012).message().contains("owned by uid 0"));
  }

  @Test
  void homeOrUserEnvDisagree_PL013() throws Exception {
    AuditReport r = auditWith(configWithEnv("HOME=/root", "USER=root"), new TestTar());
    assertEquals(2, of(r, Rule.PL013).size(), r.findings().toString());
  }

  @Test
  void duplicateIds_PL014() throws Exception {
    TestTar t = new TestTar().file("etc/passwd", TestImages.PASSWD + "other:x:65532:65532::/:/x\n")
        .file("etc/group", TestImages.GROUP + "root:x:7:\n");
    assertEquals(2, of(auditWith(t), Rule.PL014).size());
  }

  @Test
  void emptyPasswords_PL015() throws Exception {
    TestTar t = new TestTar().file("etc/passwd", "root::0:0:root:/root:/bin/sh\n"
        + "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")
        .file("etc/shadow", "root:*:19000:0:99999:7:::\nnonroot::19000:0:99999:7:::\n");
    AuditReport r = auditWith(t);
    List<Finding> f = of(r, Rule.PL015);
    assertEquals(List.of("/etc/passwd", "/etc/shadow"), f.stream().map(Finding::path).toList());
    assertTrue(r.failed());
  }

  @Test
  void setuidFile_PL016() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/helper", bytes("x"), 04755));
    Finding f = one(r, Rule.PL016);
    assertEquals("/app/helper", f.path());
    assertEquals(Severity.WARNING, f.severity());
    assertFalse(r.failed());
    assertTrue(audit(Audit.Options.DEFAULT.withFailOn(Severity.WARNING), image(config(),
        gzipLayer(base().bytes()), app(), gzipLayer(new TestTar().file("app/helper", bytes("x"),
            02755).bytes()))).failed());
  }

  @Test
  void worldWritable_PL017_butNotInStickyDirectories() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/data", bytes("x"), 0666)
        .dir("app/drop/", 0777).file("tmp/scratch", bytes("x"), 0666));
    assertEquals(List.of("/app/data", "/app/drop"), of(r, Rule.PL017).stream()
        .map(Finding::path).toList());
  }

  // ---- contents ----

  @Test
  void noCaBundle_isAWarningWhenSomethingLinksTls() throws Exception {
    AuditReport r = auditWith(new TestTar().dir("usr/lib/", 0755)
        .file("usr/lib/libssl.so.3", TestElf.library().build(), 0644)
        .file("app/client", TestElf.program("libssl.so.3").interpreter(null).build(), 0755));
    assertEquals(Severity.WARNING, one(r, Rule.PL020).severity());
    AuditReport withBundle = auditWith(new TestTar().dir("etc/ssl/certs/", 0755)
        .file("etc/ssl/certs/ca-certificates.crt", "-----BEGIN CERTIFICATE-----\n"));
    assertTrue(of(withBundle, Rule.PL020).isEmpty());
    AuditReport wrongEnv =
        auditWith(configWithEnv("SSL_CERT_FILE=/etc/ssl/none.pem"), new TestTar());
    assertEquals(Severity.WARNING, one(wrongEnv, Rule.PL020).severity());
  }

  @Test
  void tzWithoutZoneinfo_isAWarning() throws Exception {
    assertEquals(Severity.WARNING, one(auditWith(configWithEnv("TZ=Europe/Paris"), new TestTar()),
        Rule.PL021).severity());
  }

  @Test
  void shellPackageManagerAndSudo_PL022_PL023_PL024() throws Exception {
    byte[] prog = TestElf.program().interpreter(null).build();
    TestTar t = new TestTar().dir("usr/bin/", 0755).symlink("bin", "usr/bin")
        .file("usr/bin/bash", prog, 0755).symlink("usr/bin/sh", "bash")
        .file("usr/bin/dpkg", prog, 0755).file("usr/bin/pip3", prog, 0755)
        .file("usr/bin/sudo", prog, 04755);
    AuditReport r = auditWith(t);
    assertEquals("installed: /bin/sh, /bin/bash", one(r, Rule.PL022).message());
    assertEquals("installed: /bin/dpkg, /bin/pip3", one(r, Rule.PL023).message());
    one(r, Rule.PL024);
  }

  @Test
  void secretsInEnvAndLabels_PL030_PL031_neverTheValue() throws Exception {
    String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    Map<String, Object> c = configWithEnv("AWS_SECRET_ACCESS_KEY=" + secret,
        "DB_PASSWORD_FILE=/run/secrets/db", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D",
        "PYTHON_SHA256=" + "ab".repeat(32), "SESSION_SALT=Zq3vT9xLw2Rk8PmN4bYc7HdJ6sAf5GuE",
        "DATABASE_URL=postgres://app:hunter2@db/app", "ALLOW_EMPTY_PASSWORD=no",
        "PASSWORD_MIN_LENGTH=12", "GITHUB_TOKEN=");
    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) c.get("Labels");
    labels.put("ci.token", "ghp_" + "a1B2c3D4e5".repeat(4));
    AuditReport r = auditWith(c, new TestTar());
    List<Finding> f = of(r, Rule.PL030);
    assertEquals(3, f.size(), f.toString());
    assertTrue(f.stream().anyMatch(x -> x.message().contains("AWS_SECRET_ACCESS_KEY")));
    assertTrue(f.stream().anyMatch(x -> x.message().contains("a GitHub token")));
    assertTrue(f.stream().anyMatch(x -> x.message().contains("a password in a URL")));
    assertTrue(one(r, Rule.PL031).message().contains("SESSION_SALT"));
    String all = String.join("\n", ReportFormats.json(r).toString(),
        ReportFormats.sarif(r).toString());
    assertFalse(all.contains(secret) || all.contains("hunter2") || all.contains("a1B2c3D4e5"));
  }

  @Test
  void secretsInHistory_PL032() throws Exception {
    Image i = image(Platform.LINUX_AMD64, config(), List.of(
        "RUN |1 NPM_TOKEN=abc123 /bin/sh -c npm ci", "ENV PATH=/usr/bin",
        "RUN /bin/sh -c pip install --index-url https://me:s3cret@pypi.example.com/simple app",
        "RUN /bin/sh -c mysql --password=hunter2 < init.sql", "ARG TOKEN=$CI_TOKEN"),
        gzipLayer(base().bytes()), app());
    AuditReport r = audit(i);
    List<Finding> f = of(r, Rule.PL032);
    assertEquals(List.of("history entry 1: NPM_TOKEN is set to a literal value",
        "history entry 3: it holds a password in a URL",
        "history entry 4: the option --password is given a literal value"),
        f.stream().map(Finding::message).toList());
  }

  @Test
  void keysAndCredentialFiles_PL033_PL034() throws Exception {
    String key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n"
        + "-----END OPENSSH PRIVATE KEY-----\n";
    TestTar t = new TestTar().dir("root/.ssh/", 0700).file("root/.ssh/id_ed25519", key)
        .file("app/.npmrc", "//registry.npmjs.org/:_authToken=npm_abc\n")
        .file("app/.npmrc.ok", "registry=https://registry.npmjs.org/\n")
        .dir("root/.docker/", 0700).file("root/.docker/config.json",
            "{\"auths\":{\"r.example.com\":{\"auth\":\"dXNlcjpwYXNz\"}}}")
        .file("app/.env", "X=1").file("app/.env.example", "X=").file("app/store.p12", "x")
        .dir("app/tests/", 0755).file("app/tests/key.pem", key)
        .file("etc/ssl/cert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n");
    AuditReport r = auditWith(t);
    assertEquals(List.of("/app/.npmrc", "/root/.docker/config.json", "/root/.ssh/id_ed25519"),
        of(r, Rule.PL033).stream().map(Finding::path).toList());
    assertEquals(List.of("/app/.env", "/app/store.p12", "/app/tests/key.pem"),
        of(r, Rule.PL034).stream().map(Finding::path).toList());
  }

  @Test
  void leftovers_PL035() throws Exception {
    TestTar t = new TestTar().dir("app/.git/", 0755).file("app/.git/HEAD", "ref: x")
        .file("app/.git/config", "x").file("app/Dockerfile", "FROM scratch")
        .dir("var/lib/apt/lists/partial/", 0755).file("var/lib/apt/lists/lock", "")
        .file("var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", "x".repeat(100))
        .file("tmp/build.log", "x");
    AuditReport r = auditWith(t);
    List<String> found = of(r, Rule.PL035).stream().map(f -> f.path() + " " + f.message())
        .toList();
    assertEquals(4, found.size(), found.toString());
    assertTrue(found.contains("/app/.git a .git directory (2 files, 7 B)"), found.toString());
    assertTrue(found.contains("/var/lib/apt/lists apt package lists: 1 files, 100 B (rm -rf"
        + " /var/lib/apt/lists/*)"), found.toString());
  }

  // ---- binaries ----

  @Test
  void missingLibraryAndLoader_PL040_PL041() throws Exception {
    TestTar t = new TestTar().file("app/tool", TestElf.program("libfoo.so.1").build(), 0755);
    AuditReport r = auditWith(t);
    Finding lib = one(r, Rule.PL041);
    assertEquals("/app/tool", lib.path());
    assertTrue(lib.message().startsWith("libfoo.so.1 is not found"), lib.message());
    assertTrue(one(r, Rule.PL040).message().contains("/lib64/ld-linux-x86-64.so.2"));
  }

  @Test
  void librariesFoundThroughRunpathLdSoConfAndSymlinks() throws Exception {
    byte[] lib = TestElf.library().build();
    byte[] loader = TestElf.library().build();
    TestTar t = new TestTar().dir("lib64/", 0755).file("lib64/ld-linux-x86-64.so.2", loader, 0755)
        .dir("usr/lib/x86_64-linux-gnu/", 0755)
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", lib, 0755)
        .dir("opt/app/lib/", 0755).file("opt/app/lib/libown.so.2.0", lib, 0644)
        .symlink("opt/app/lib/libown.so.2", "libown.so.2.0")
        .dir("opt/other/", 0755).file("opt/other/libconf.so", lib, 0644)
        .dir("etc/ld.so.conf.d/", 0755).file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n")
        .file("etc/ld.so.conf.d/other.conf", "# comment\n/opt/other\n")
        .file("opt/app/bin/app", TestElf.program("libown.so.2", "libconf.so", "libc.so.6")
            .runpath("$ORIGIN/../lib").build(), 0755);
    AuditReport r = auditWith(t);
    assertTrue(of(r, Rule.PL040).isEmpty() && of(r, Rule.PL041).isEmpty(),
        r.findings().toString());
  }

  @Test
  void libraryOfAnotherMachine_doesNotCount() throws Exception {
    TestTar t = new TestTar().dir("usr/lib/", 0755)
        .file("usr/lib/libfoo.so.1", TestElf.library().machine(183).build(), 0644)
        .file("app/tool", TestElf.program("libfoo.so.1").interpreter(null).build(), 0755);
    AuditReport r = auditWith(t);
    one(r, Rule.PL041);
    assertTrue(one(r, Rule.PL042).message().contains("AArch64"));
  }

  @Test
  void wrongArchitecture_PL042() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/server", TestElf.program().interpreter(null)
        .machine(183).build(), 0755));
    Finding f = one(r, Rule.PL042);
    assertEquals("/app/server", f.path());
    assertTrue(f.message().contains("AArch64") && f.message().contains("linux/amd64"));
    assertTrue(r.failed());
  }

  @Test
  void thirtyTwoBitX86_runsOnAmd64() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/legacy", TestElf.program().interpreter(null)
        .machine(3).build(), 0755));
    assertTrue(of(r, Rule.PL042).isEmpty());
  }

  @Test
  void corruptElf_PL043_info() throws Exception {
    byte[] elf = TestElf.program().interpreter(null).build();
    elf[32] = 0x7f; // program headers far outside the file
    AuditReport r = auditWith(new TestTar().file("app/broken", elf, 0755));
    assertEquals(Severity.INFO, one(r, Rule.PL043).severity());
  }

  @Test
  void largeElf_isReadInPartsOverASecondPass() throws Exception {
    TestElf big = TestElf.program("libbig.so.1");
    big.padStrings = 200_000; // the string table far past the head, before the dynamic section
    big.padDynamic = 100_000;
    Layer layer = gzipLayer(new TestTar().file("app/big", big.build(), 0755).bytes());
    Limits small = new Limits(1 << 20, 1 << 26, 1L << 30, 4096, 8192, 1 << 20);
    FsTree t = TestImages.flatten(small, layer);
    FileFacts.Elf elf = t.get("app/big").facts().elf();
    assertEquals(List.of("libbig.so.1"), elf.needed());
    assertEquals("/lib64/ld-linux-x86-64.so.2", elf.interpreter());
  }

  // ---- image and index ----

  @Test
  void platformsAskedFor_PL050_andConfigMismatch_PL051() throws Exception {
    Image amd = image(config(), gzipLayer(base().bytes()), app());
    Image lying = image(new Platform("linux", "arm64", "v8"), config(), List.of(),
        gzipLayer(base().bytes()), app());
    // The second image's config says arm64 too: make the index claim it is riscv64.
    Image relabelled = new Image.Value(new Platform("linux", "riscv64", null), lying.config(),
        lying.layers(), lying.manifest());
    AuditReport r = audit(Audit.Options.DEFAULT.withPlatforms(List.of(Platform.LINUX_AMD64,
        Platform.parse("linux/arm64"))), amd, relabelled);
    Finding missing = one(r, Rule.PL050);
    assertEquals(null, missing.platform());
    assertTrue(missing.message().contains("linux/arm64"));
    assertEquals("linux/riscv64", one(r, Rule.PL051).platform());
  }

  @Test
  void platformsAskedFor_PL050_arm64IsV8WhenUnnamed() throws Exception {
    Image v8 = image(new Platform("linux", "arm64", "v8"), config(), List.of(),
        gzipLayer(base().bytes()), app());
    AuditReport found = audit(Audit.Options.DEFAULT.withPlatforms(
        List.of(Platform.parse("linux/arm64"))), v8);
    assertTrue(of(found, Rule.PL050).isEmpty());
    Image v9 = image(new Platform("linux", "arm64", "v9"), config(), List.of(),
        gzipLayer(base().bytes()), app());
    AuditReport other = audit(Audit.Options.DEFAULT.withPlatforms(
        List.of(Platform.parse("linux/arm64"))), v9);
    assertTrue(one(other, Rule.PL050).message().contains("no image for linux/arm64"));
  }

  @Test
  void sizeBudget_PL052_isCompressed() throws Exception {
    Image i = image(config(), gzipLayer(base().bytes()), app());
    AuditReport over = audit(Audit.Options.DEFAULT.withMaxCompressedBytes(100), i);
    assertTrue(one(over, Rule.PL052).message().contains("over the budget of 100 B"));
    AuditReport under = audit(Audit.Options.DEFAULT.withMaxCompressedBytes(1_000_000), i);
    assertTrue(of(under, Rule.PL052).isEmpty());
  }

  @Test
  void layerNotes_becomeFindings_PL053_PL054() throws Exception {
    AuditReport r = auditWith(new TestTar().file("app/x", "1").file("app/x", "2")
        .file("/app/y", "y").symlink("app/l", "/etc").file("app/l/z", "z"));
    assertEquals("/app/x", one(r, Rule.PL053).path());
    assertEquals(2, of(r, Rule.PL054).size(), r.findings().toString());
  }

  @Test
  void volumeOverASystemDirectory_PL055() throws Exception {
    assertEquals("/proc", one(auditWith(configWith("Volumes", Map.of("/proc", Map.of(),
        "/data", Map.of())), new TestTar()), Rule.PL055).path());
  }

  @Test
  void metadata_PL060_PL061_PL062() throws Exception {
    Map<String, Object> c = config();
    c.remove("Healthcheck");
    c.put("Labels", Map.of());
    Image i = image(c, gzipLayer(base().bytes()), app());
    AuditReport r = Audit.audit(dev.plinth.oci.ImageRef.parse("oci-archive:x.tar:latest"),
        TestImages.result(i), Audit.Options.DEFAULT);
    one(r, Rule.PL060);
    assertEquals(null, one(r, Rule.PL061).platform());
    assertTrue(one(r, Rule.PL062).message().contains("source, .version, .revision, .created"));
  }

  @Test
  void manyFindingsOfARule_areCapped() throws Exception {
    TestTar t = new TestTar();
    for (int i = 0; i < 30; i++) {
      t.file("app/s" + i, bytes("x"), 04755);
    }
    List<Finding> f = of(auditWith(t), Rule.PL016);
    assertEquals(Audit.MAX_PER_RULE + 1, f.size());
    assertEquals("and 10 more like these", f.get(f.size() - 1).message());
  }

  @Test
  void failOn_thresholds() throws Exception {
    Image i = image(config(), gzipLayer(base().bytes()), app());
    assertFalse(audit(Audit.Options.DEFAULT.withFailOn(Severity.WARNING), i).failed());
    assertTrue(audit(Audit.Options.DEFAULT.withFailOn(Severity.INFO), i).failed());
    assertFalse(audit(Audit.Options.DEFAULT.withFailOn(null), i).failed());
  }

  @Test
  void parseSize() throws Exception {
    assertEquals(50_000_000, Audit.parseSize("50MB", "--max-size"));
    assertEquals(50_000_000, Audit.parseSize("50 mb", "--max-size"));
    assertEquals(1_500_000_000, Audit.parseSize("1.5G", "--max-size"));
    assertEquals(48L << 20, Audit.parseSize("48MiB", "--max-size"));
    assertEquals(1234, Audit.parseSize("1234", "--max-size"));
    for (String bad : List.of("", "MB", "-1MB", "50 parsecs", "1e9")) {
      dev.plinth.oci.PlinthException e = org.junit.jupiter.api.Assertions.assertThrows(
          dev.plinth.oci.PlinthException.class, () -> Audit.parseSize(bad, "--max-size"));
      assertEquals(dev.plinth.oci.PlinthException.Kind.USAGE, e.kind());
    }
  }
}
