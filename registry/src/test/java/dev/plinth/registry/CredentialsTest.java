package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.PlinthException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where credentials come from, and that they never show. */
class CredentialsTest {
  @TempDir Path tmp;

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  CredentialStore store(Credentials flag, String configJson, Map<String, String> extra)
      throws Exception {
    Files.writeString(tmp.resolve("config.json"), configJson);
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("DOCKER_CONFIG", tmp.toString());
    env.put("PATH", tmp.resolve("bin") + ":/usr/bin:/bin");
    return new CredentialStore(flag, env, null);
  }

  @Test
  void dockerConfigAuths_base64_andUsernamePassword_byHostKey() throws Exception {
    CredentialStore s = store(null, """
        {"auths": {
          "registry.example:5000": {"auth": "%s"},
          "https://index.docker.io/v1/": {"auth": "%s"},
          "https://ghcr.io": {"username": "bob", "password": "pw2"}}}
        """.formatted(b64("alice:pa:ss"), b64("hub:hubpw")), Map.of());
    Credentials c = s.lookup("registry.example:5000").orElseThrow();
    assertEquals("alice", c.username());
    assertEquals("pa:ss", c.secret());
    assertEquals("hub", s.lookup("docker.io").orElseThrow().username());
    assertEquals("bob", s.lookup("ghcr.io").orElseThrow().username());
    assertTrue(s.lookup("other.example").isEmpty());
  }

  @Test
  void configFile_fromTheGivenEnvironmentAndHome_neverTheProcesss() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve(".docker"));
    Files.writeString(home.resolve(".docker/config.json"),
        "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("homeuser:pw") + "\"}}}");
    // no HOME in the environment: the home directory the front end passed
    assertEquals("homeuser", new CredentialStore(null, Map.of(), home).lookup("r.example")
        .orElseThrow().username());
    // HOME, when set, wins; neither set: no config file at all (not the user's real one)
    Path other = tmp.resolve("other");
    assertEquals(other.resolve(".docker/config.json"), new CredentialStore(null,
        Map.of("HOME", other.toString()), home).configFile());
    assertEquals(null, new CredentialStore(null, Map.of(), null).configFile());
    assertEquals("flag", new CredentialStore(null, Map.of(), home)
        .withFlag(new Credentials("flag", "x", "--creds")).lookup("r.example").orElseThrow()
        .username());
  }

  @Test
  void flag_thenEnvironment_thenConfig() throws Exception {
    String config = "{\"auths\":{\"r.example\":{\"auth\":\"" + b64("cfg:cfgpw") + "\"}}}";
    assertEquals("flag", store(new Credentials("flag", "x", "--creds"), config, Map.of())
        .lookup("r.example").orElseThrow().username());
    assertEquals("envuser", store(null, config, Map.of("PLINTH_REGISTRY_USER", "envuser",
        "PLINTH_REGISTRY_PASSWORD", "envpw")).lookup("r.example").orElseThrow().username());
    PlinthException e = assertThrows(PlinthException.class, () -> store(null, config,
        Map.of("PLINTH_REGISTRY_USER", "envuser")).lookup("r.example"));
    assertEquals(PlinthException.Kind.USAGE, e.kind());
  }

  @Test
  void credHelpers_andCredsStore_runTheHelperProgram() throws Exception {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path helper = bin.resolve("docker-credential-plinthtest");
    Files.writeString(helper, """
        #!/bin/sh
        [ "$1" = get ] || exit 2
        read server
        case "$server" in
          helped.example) echo '{"ServerURL":"helped.example","Username":"helper-user","Secret":"helper-secret"}' ;;
          *) echo "credentials not found in native keychain"; exit 1 ;;
        esac
        """);
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    CredentialStore s = store(null,
        "{\"credHelpers\":{\"helped.example\":\"plinthtest\"},\"credsStore\":\"plinthtest\"}",
        Map.of());
    Credentials c = s.lookup("helped.example").orElseThrow();
    assertEquals("helper-user", c.username());
    assertEquals("helper-secret", c.secret());
    assertEquals(Optional.empty(), s.lookup("unknown.example"), "not found: anonymous");
    PlinthException missing = assertThrows(PlinthException.class, () -> store(null,
        "{\"credsStore\":\"nosuchhelper\"}", Map.of()).lookup("x.example"));
    assertEquals(PlinthException.Kind.NOT_FOUND, missing.kind());
    assertTrue(missing.getMessage().contains("docker-credential-nosuchhelper"));
  }

  @Test
  void brokenConfig_isBadInput_withoutQuotingIt() throws Exception {
    PlinthException e = assertThrows(PlinthException.class,
        () -> store(null, "{\"auths\": {\"x\": {\"auth\": \"c2VjcmV0\"", Map.of()).lookup("x"));
    assertEquals(PlinthException.Kind.BAD_INPUT, e.kind());
    assertFalse(e.getMessage().contains("c2VjcmV0"), e.getMessage());
    PlinthException notBase64 = assertThrows(PlinthException.class,
        () -> store(null, "{\"auths\":{\"x\":{\"auth\":\"%%%\"}}}", Map.of()).lookup("x"));
    assertEquals(PlinthException.Kind.BAD_INPUT, notBase64.kind());
  }

  @Test
  void credentials_neverShowTheirSecret() {
    Credentials c = Credentials.parse("alice:very-secret", "--creds");
    assertFalse(c.toString().contains("very-secret"), c.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Credentials.parse("no-colon-secret", "--creds"));
    assertFalse(e.getMessage().contains("no-colon-secret"));
  }

  @Test
  void references_parseAsDockerDoes() throws Exception {
    RegistryRef r = RegistryRef.parse("docker://localhost:5000/team/base:1");
    assertEquals("localhost:5000", r.host());
    assertEquals("team/base", r.repository());
    assertEquals("1", r.tag());
    RegistryRef hub = RegistryRef.parse("debian");
    assertEquals("docker.io", hub.host());
    assertEquals("library/debian", hub.repository());
    assertEquals("latest", hub.tag());
    assertEquals("registry-1.docker.io", hub.apiHost());
    String d = "sha256:" + "a".repeat(64);
    RegistryRef byDigest = RegistryRef.parse("ghcr.io/o/app@" + d);
    assertNull(byDigest.tag());
    assertEquals(d, byDigest.reference());
    assertEquals("[::1]:5000", RegistryRef.parse("[::1]:5000/a:b").host());
    assertTrue(RegistryRef.isLoopback("127.0.0.1:5000") && RegistryRef.isLoopback("localhost")
        && RegistryRef.isLoopback("[::1]:5000"));
    assertFalse(RegistryRef.isLoopback("registry.example") || RegistryRef.isLoopback("10.0.0.1:5000"));
    for (String bad : new String[] {"localhost:5000/Team/x", "a b/c", "host/x@sha256:zz", "h/x:bad tag", "h/x:"}) {
      PlinthException e = assertThrows(PlinthException.class, () -> RegistryRef.parse(bad), bad);
      assertEquals(PlinthException.Kind.USAGE, e.kind());
    }
  }

  @Test
  void challenges_parseQuotedParameters() {
    Challenge c = Challenge.parse("Bearer realm=\"https://auth.example/token\",service=\"reg\","
        + "scope=\"repository:a/b:pull,push\",error=\"insufficient_scope\"");
    assertTrue(c.isBearer() && c.insufficientScope());
    assertEquals("https://auth.example/token", c.param("realm"));
    assertEquals("repository:a/b:pull,push", c.param("scope"));
    Challenge b = Challenge.parse("Basic realm=\"Registry Realm\"");
    assertTrue(b.isBasic());
    assertEquals("Registry Realm", b.param("realm"));
    assertNull(Challenge.parse(null));
  }
}
