package dev.plinth.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.audit.Audit;
import dev.plinth.audit.TestElf;
import dev.plinth.audit.AuditReport;
import dev.plinth.audit.Finding;
import dev.plinth.audit.Severity;
import dev.plinth.oci.ImageRef;
import dev.plinth.oci.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Images plinth builds meet the standard it checks: no error and no warning, on every platform. */
class OwnImagesTest {
  @TempDir Path tmp;

  /** Options of no environment, with a cache of the test's own (not the user's). */
  private Plinth.Options options() {
    return Plinth.Options.of(tmp.resolve("cache"));
  }

  private static void noErrorOrWarning(AuditReport r) {
    List<Finding> bad = r.findings().stream().filter(f -> f.severity() != Severity.INFO)
        .toList();
    assertTrue(bad.isEmpty(), bad.toString());
    assertFalse(r.failed());
  }

  private AuditReport buildAndAudit(BuildSpec spec, String ref) throws Exception {
    ImageRef target = ImageRef.parse(ref);
    Plinth.build(spec, target, options());
    return Plinth.audit(target, Audit.Options.DEFAULT.withFailOn(Severity.WARNING)
        .withPlatforms(spec.platforms()), options());
  }

  @Test
  void base_passesEveryRule_onBothPlatforms() throws Exception {
    AuditReport r = buildAndAudit(BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS),
        "oci-archive:" + tmp.resolve("base.tar"));
    noErrorOrWarning(r);
    assertEquals(2, r.images().size());
    // What a bare base lacks by design is information only.
    assertEquals(List.of("PL020", "PL021", "PL060", "PL062"), r.findings().stream()
        .map(f -> f.rule().id()).distinct().toList());
  }

  @Test
  void baseForArbitraryUsers_passesEveryRule() throws Exception {
    noErrorOrWarning(buildAndAudit(BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS)
        .withArbitraryUser(true), "oci:" + tmp.resolve("layout") + ":v1"));
  }

  @Test
  void appOnTheBase_passesEveryRule_asADockerArchiveToo() throws Exception {
    Files.write(tmp.resolve("server-amd64"), TestElf.program().interpreter(null).build());
    Files.write(tmp.resolve("server-arm64"), TestElf.program().interpreter(null).machine(183)
        .build());
    BuildSpec.FileSpec server = new BuildSpec.FileSpec(tmp, "server-${arch}", "/app/server",
        0755, 0, 0, "test");
    BuildSpec base = BuildSpec.base(BuildSpec.DEFAULT_PLATFORMS);
    BuildSpec app = new BuildSpec("app", base.platforms(), base.base(), base.init(), base.user(),
        false, List.of(server), List.of("/app/server"), List.of("--port", "8080"),
        Map.of("LOGLEVEL", "info"), null, Map.of(), Map.of(), List.of("8080/tcp"), null,
        base.packages(), null);
    noErrorOrWarning(buildAndAudit(app, "oci-archive:" + tmp.resolve("app.tar")));
    BuildSpec one = app.withPlatforms(List.of(Platform.LINUX_ARM64));
    noErrorOrWarning(buildAndAudit(one, "docker-archive:" + tmp.resolve("app-docker.tar")
        + ":example/app:1"));
  }

  @Test
  void noInit_isTheOneWarning() throws Exception {
    BuildSpec spec = BuildSpec.base(List.of(Platform.LINUX_AMD64)).withInit(BuildSpec.Init.NONE)
        .withEntrypoint(List.of("/sbin/nologin"));
    AuditReport r = buildAndAudit(spec, "oci-archive:" + tmp.resolve("noinit.tar"));
    assertEquals(List.of("PL005"), r.findings().stream()
        .filter(f -> f.severity() != Severity.INFO).map(f -> f.rule().id()).toList());
  }
}
