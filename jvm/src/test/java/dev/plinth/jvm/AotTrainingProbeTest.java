package dev.plinth.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.plinth.oci.Layer;
import dev.plinth.oci.LayerBuilder;
import dev.plinth.oci.LayerCache;
import dev.plinth.oci.TarEntry;
import dev.plinth.oci.TarReader;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training run's HTTP probe (plinth's own client): the first URL is requested until the app
 * answers, then every URL in order, whatever the status, redirects not followed; then the app is
 * stopped and its cache becomes the layer. The "app" is a shell script in place of java, and the
 * URLs are served by this test.
 */
class AotTrainingProbeTest {
  @TempDir Path tmp;

  private static final String JAVA = "/opt/java/openjdk/bin/java";

  @Test
  void everyUrl_isRequestedInOrder_withoutFollowingRedirects_thenTheAppIsStopped()
      throws Exception {
    List<String> got = Collections.synchronizedList(new ArrayList<>());
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath();
      got.add(ex.getRequestMethod() + " " + path);
      if (path.equals("/moved")) {
        ex.getResponseHeaders().add("Location", "/elsewhere");
        ex.sendResponseHeaders(302, -1);
      } else {
        byte[] b = (path.equals("/missing") ? "no such page" : "ok").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(path.equals("/missing") ? 404 : 200, b.length);
        ex.getResponseBody().write(b);
      }
      ex.close();
    });
    server.start();
    try {
      String at = "http://127.0.0.1:" + server.getAddress().getPort();
      // records its configuration when asked to stop, as the JVM does; then makes the cache
      String script = """
          #!/bin/sh
          for a in "$@"; do case "$a" in -XX:AOTConfiguration=*) conf="${a#*=}";;
            -XX:AOTCache=*) out="${a#*=}";; esac; done
          if [ -n "$out" ]; then cp "$conf" "$out"; exit 0; fi
          trap 'printf trained > "$conf"; exit 0' TERM
          while :; do sleep 0.05; done
          """;
      Layer runtime = new LayerBuilder()
          .file(JAVA, script.getBytes(StandardCharsets.UTF_8), 0755, 0, 0)
          .build(tmp, 1_700_000_000L, 1);
      Layer app = new LayerBuilder()
          .file("/app/app.jar", "app".getBytes(StandardCharsets.UTF_8), 0644, 0, 0)
          .build(tmp, 1_700_000_000L, 1);
      AotSpec aot = new AotSpec(List.of(at + "/hello", at + "/moved", at + "/missing"), Map.of(),
          60);
      Layer layer = AotTraining.layer(aot, List.of(JAVA, "-cp", "/app/app.jar", "app.Main"),
          Map.of(), List.of(), runtime, List.of(app), tmp, 0, 1,
          new LayerCache(tmp.resolve("cache")));
      assertEquals(List.of("GET /hello", "GET /hello", "GET /moved", "GET /missing"), got);
      assertEquals("trained", cache(layer));
    } finally {
      server.stop(0);
    }
  }

  private static String cache(Layer layer) throws Exception {
    try (InputStream in = layer.openUncompressed()) {
      TarReader r = new TarReader(in, "aot layer");
      for (TarEntry e; (e = r.next()) != null; ) {
        if (e.name().equals(AotTraining.PATH.substring(1))) {
          return new String(r.content().readAllBytes(), StandardCharsets.UTF_8);
        }
      }
    }
    throw new AssertionError("no " + AotTraining.PATH + " in the layer");
  }
}
