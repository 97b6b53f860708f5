package dev.plinth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.oci.PlinthException;
import dev.plinth.oci.StreamFailure;
import dev.plinth.registry.FakeRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure's exit code comes from its type at the one catch site, with nothing unwrapped: a
 * failure borne by a stream keeps its kind, an Error is an internal error (70), never 1.
 */
class FailureExitCodesTest {
  @TempDir Path tmp;

  /** A command that throws {@code t} when it runs. */
  private static Cli.Command throwing(Throwable t) {
    return context -> {
      if (t instanceof Error e) {
        throw e;
      }
      throw (Exception) t;
    };
  }

  /** Runs {@code plinth fail ARGS} where the command {@code fail} is {@code command}. */
  private static MainTest.Run run(Cli.Command command, String... args) {
    Cli cli = new Cli(command, "plinth fail", "Fails.");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 1];
    all[0] = "fail";
    System.arraycopy(args, 0, all, 1, args.length);
    PrintWriter e = new PrintWriter(err);
    int code = Main.run(all, new Cli.Context(new PrintWriter(out), e, Map.of(), null),
        name -> name.equals("fail") ? cli : null);
    e.flush();
    return new MainTest.Run(code, out.toString(), err.toString());
  }

  private static int recurse(int n) {
    return recurse(n + 1) + 1;
  }

  /** The digest of the first layer of the only image in an OCI layout. */
  private static String firstLayer(Path layout) throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode index = json.readTree(layout.resolve("index.json").toFile());
    String manifest = index.path("manifests").get(0).path("digest").asText();
    JsonNode m = json.readTree(blob(layout, manifest).toFile());
    return m.path("layers").get(0).path("digest").asText();
  }

  private static Path blob(Path layout, String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
  }

  @Test
  void outOfMemory_fromACommand_exits70_inOneLine() {
    MainTest.Run r = run(context -> {
      long[] huge = new long[Integer.MAX_VALUE]; // over the VM's limit: thrown, not allocated
      return huge.length;
    });
    assertEquals(70, r.code(), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("plinth: internal error: java.lang.OutOfMemoryError: "),
        r.err());
    assertTrue(r.err().contains("PLINTH_JAVA_OPTS=-Xmx") && r.err().contains("--stacktrace"),
        r.err());
  }

  @Test
  void stackOverflow_fromACommand_exits70_andStacktraceStillPrintsTheTrace() {
    MainTest.Run r = run(context -> recurse(0));
    assertEquals(70, r.code(), r.err());
    assertEquals(List.of("plinth: internal error: java.lang.StackOverflowError; give the JVM more"
        + " stack (e.g. PLINTH_JAVA_OPTS=-Xss8m) (rerun with --stacktrace and report it)"),
        r.err().lines().toList());
    MainTest.Run traced = run(throwing(new StackOverflowError()), "--stacktrace");
    assertEquals(70, traced.code());
    assertTrue(traced.err().startsWith("java.lang.StackOverflowError\n\tat dev.plinth.cli."),
        traced.err());
    List<String> lines = traced.err().lines().toList();
    assertTrue(lines.get(lines.size() - 1).startsWith("plinth: internal error: "
        + "java.lang.StackOverflowError; give the JVM more stack"), traced.err());
  }

  @Test
  void eachTypeOfFailure_hasItsCode_withoutUnwrapping() {
    assertEquals(3, run(throwing(new StreamFailure(PlinthException.Kind.NOT_FOUND,
        "registry says 404"))).code());
    assertEquals(4, run(throwing(new dev.plinth.oci.ContentMismatchException("differs"))).code());
    assertEquals(2, run(throwing(new PlinthException(PlinthException.Kind.USAGE, "bad"))).code());
    MainTest.Run io = run(throwing(new IOException("the disk went away")));
    assertEquals(5, io.code());
    assertEquals("plinth: the disk went away\n", io.err());
    MainTest.Run bug = run(throwing(new IllegalStateException("a bug")));
    assertEquals(70, bug.code());
    assertEquals("plinth: internal error: java.lang.IllegalStateException: a bug (rerun with"
        + " --stacktrace and report it)\n", bug.err());
    // a failure wrapped in another exception is not dug out: it is what it is, a bug here
    assertEquals(70, run(throwing(new RuntimeException(new PlinthException(
        PlinthException.Kind.USAGE, "hidden")))).code());
  }

  @Test
  void copy_ofALayerWhoseBytesDoNotMatchItsDigest_exits4_writingNothing() throws Exception {
    Path layout = tmp.resolve("layout");
    MainTest.Run b = MainTest.plinth("base", "--platform", "linux/amd64", "--to",
        "oci:" + layout + ":1");
    assertEquals(0, b.code(), b.err());
    String layer = firstLayer(layout);
    byte[] bytes = Files.readAllBytes(blob(layout, layer));
    bytes[bytes.length / 2] ^= 1; // same size, other bytes
    Files.write(blob(layout, layer), bytes);
    Path out = tmp.resolve("out.tar");
    MainTest.Run r = MainTest.plinth("copy", "-q", "oci:" + layout + ":1", "oci-archive:" + out);
    assertEquals(4, r.code(), r.err());
    assertTrue(r.err().startsWith("plinth: ") && r.err().contains(layer), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void copy_fromARegistryThatRefusesALayer_exitsWithTheRegistrysKind() throws Exception {
    Path layout = tmp.resolve("layout");
    assertEquals(0, MainTest.plinth("base", "--platform", "linux/amd64", "--to",
        "oci:" + layout + ":1").code());
    String layer = firstLayer(layout);
    try (FakeRegistry reg = new FakeRegistry()) {
      String ref = reg.host() + "/team/base:1";
      MainTest.Run push = MainTest.plinth("copy", "-q", "oci:" + layout + ":1", ref);
      assertEquals(0, push.code(), push.err());
      reg.hook = (ex, s) -> {
        if (s.method().equals("GET") && s.path().endsWith("/blobs/" + layer)) {
          FakeRegistry.send(ex, 404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}");
          return true;
        }
        return false;
      };
      Path out = tmp.resolve("pulled.tar");
      MainTest.Run r = MainTest.plinth("copy", "-q", ref, "oci-archive:" + out);
      // met while the layer streams into the archive: still the registry's NOT_FOUND, not 5
      assertEquals(3, r.code(), r.err());
      assertTrue(r.err().contains(layer) && r.err().contains("HTTP 404"), r.err());
      assertFalse(Files.exists(out));
    }
  }
}
