package dev.plinth.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.deb.testing.TestRepo;
import dev.plinth.http.TestProxy;
import dev.plinth.registry.TestRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plinth behind an HTTP proxy, as in a company network: a TLS registry with basic auth and a
 * Debian mirror whose names only the proxy knows ({@code *.proxy.test} resolves nowhere else),
 * so what works went through the proxy. A push and a pull go through CONNECT tunnels, a Debian
 * download in absolute form; NO_PROXY sends a request past the proxy; a proxy that wants
 * credentials gets them from the proxy URL, and says so when they are missing.
 */
class ProxyIT {
  @TempDir Path tmp;

  @Test
  void pushPullAndDebianDownload_goThroughTheProxy_noProxyBypassesIt() throws Exception {
    Path archive = RegistryCliIT.baseArchive(tmp.resolve("base.tar"));
    try (TestRegistry reg = TestRegistry.tlsBasic(); TestProxy proxy = new TestProxy()) {
      String host = "registry.proxy.test:" + reg.port;
      proxy.route("registry.proxy.test", reg.port, new InetSocketAddress(
          InetAddress.getLoopbackAddress(), reg.port));
      proxy.requireCredentials("carol", "pr0xy pass");
      Map<String, String> env = new HashMap<>();
      env.put("PLINTH_REGISTRY_CA", reg.caFile.toString());
      env.put("PLINTH_REGISTRY_USER", TestRegistry.USER);
      env.put("PLINTH_REGISTRY_PASSWORD", TestRegistry.PASSWORD);

      env.put("HTTPS_PROXY", proxy.url());
      RegistryCliIT.Run noCreds = RegistryCliIT.plinth(env, "copy", "oci-archive:" + archive,
          host + "/team/base:1", "-q");
      assertEquals(5, noCreds.code(), noCreds.err());   // a push: an output failure
      assertFalse(noCreds.err().contains("tries"), "a 407 was tried again: " + noCreds.err());
      assertTrue(noCreds.err().contains("refused the tunnel to " + host + ": 407")
          && noCreds.err().contains("http://user:password@host:port"), noCreds.err());

      env.put("https_proxy", "http://carol:pr0xy%20pass@127.0.0.1:" + proxy.port());
      env.remove("HTTPS_PROXY");
      RegistryCliIT.Run push = RegistryCliIT.plinth(env, "copy", "oci-archive:" + archive,
          host + "/team/base:1");
      assertEquals(0, push.code(), push.err());
      String pushed = RegistryCliIT.digest(push.out() + push.err());
      int afterPush = proxy.tunnels();
      assertTrue(afterPush > 0, "no tunnel: " + proxy.targets());
      assertTrue(proxy.targets().stream().allMatch(t -> t.equals("CONNECT " + host)),
          proxy.targets().toString());
      assertFalse((push.out() + push.err()).contains("pr0xy"), "the proxy password was shown");

      Path pulled = tmp.resolve("pulled");
      RegistryCliIT.Run pull = RegistryCliIT.plinth(env, "copy", host + "/team/base:1",
          "oci:" + pulled + ":1");
      assertEquals(0, pull.code(), pull.err());
      assertTrue(proxy.tunnels() > afterPush, "the pull made no tunnel");
      assertEquals(pushed, RegistryCliIT.digest(RegistryCliIT.ok("inspect", "oci:" + pulled
          + ":1")), "the pulled image is not the pushed one");

      int before = proxy.tunnels() + proxy.forwarded() + proxy.refused();
      env.put("NO_PROXY", ".proxy.test");
      RegistryCliIT.Run bypass = RegistryCliIT.plinth(env, "copy", host + "/team/base:1",
          "oci:" + tmp.resolve("bypassed") + ":1");
      assertEquals(3, bypass.code(), bypass.err());
      assertTrue(bypass.err().contains("registry.proxy.test"), bypass.err());
      assertEquals(before, proxy.tunnels() + proxy.forwarded() + proxy.refused(),
          "NO_PROXY did not bypass the proxy: " + proxy.targets());
    }
  }

  @Test
  void debianPackages_comeThroughTheProxy() throws Exception {
    try (TestRepo repo = TestRepo.tzdataAndLibc(tmp.resolve("repo"));
        TestProxy proxy = new TestProxy()) {
      URI served = repo.start();
      proxy.route("deb.proxy.test", served.getPort(), new InetSocketAddress(
          InetAddress.getLoopbackAddress(), served.getPort()));
      Path yaml = DebianProject.write(tmp.resolve("proj"), repo,
          "http://deb.proxy.test:" + served.getPort() + "/", "packages: [tzdata]\n");
      Map<String, String> env = new HashMap<>();
      env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
      env.put("http_proxy", proxy.url());
      RegistryCliIT.Run build = RegistryCliIT.plinth(env, "build", "-f",
          yaml.toString(), "--to", "oci:" + tmp.resolve("out") + ":1");
      assertEquals(0, build.code(), build.err());
      List<String> got = proxy.targets();
      assertTrue(got.stream().anyMatch(t -> t.contains("/dists/bookworm/InRelease")), got.toString());
      assertTrue(got.stream().anyMatch(t -> t.endsWith(".deb")), got.toString());
      assertTrue(got.stream().allMatch(t -> t.startsWith("GET http://deb.proxy.test:")),
          got.toString());
      assertEquals(0, proxy.refused());
    }
  }
}
