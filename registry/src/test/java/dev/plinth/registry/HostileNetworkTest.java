package dev.plinth.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.oci.Digest;
import dev.plinth.oci.Image;
import dev.plinth.oci.ImageIndex;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * shared/BAD-INPUTS.md cases 47-49 and 51 against registries on 127.0.0.1 that misbehave on the
 * wire: answers a byte at a time, short bodies held open, redirect loops, mounts refused (50,
 * token realms on other hosts, is {@link OtherHostsTest}'s). Deadlines are short here; every test
 * asserts the outcome (an error naming the deadline, what was tried), never a duration.
 */
class HostileNetworkTest extends TwoRegistriesTest {
  ScriptedServer scripted;

  @AfterEach
  void stopScripted() {
    if (scripted != null) {
      scripted.close();
    }
  }

  /** 2 s to connect and for a document, 2 s for a blob's head, 500 ms of a blob's silence. */
  static RegistryOptions opts(Credentials c) {
    return HostileRegistryTest.opts(c).withDeadlines(new RegistryOptions.Deadlines(
        Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2),
        Duration.ofMillis(500)));
  }

  static RegistryOptions opts() {
    return opts(null);
  }

  static final String OK_PING = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

  /** A registry whose /v2/ answers at once and whose other paths answer as {@code script} says. */
  RegistryRef scripted(ScriptedServer.Script script, String repoTag) throws Exception {
    scripted = new ScriptedServer(head -> head.startsWith("GET /v2/ ")
        ? ScriptedServer.Answer.of(OK_PING) : script.answer(head));
    return RegistryRef.parse(scripted.host() + "/" + repoTag);
  }

  // ---- 47: an answer sent one byte at a time ----

  @Test
  void manifestHeadSentAByteAtATime_failsAtTheDocumentDeadline() throws Exception {
    RegistryRef ref = scripted(head -> new ScriptedServer.Answer("",
        "HTTP/1.1 200 OK\r\nX-Slow: " + "a".repeat(1900) + "\r\n\r\n", true), "a/b:1");
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref, opts()));
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith("GET http://" + scripted.host() + "/v2/a/b/manifests/1"),
        e.getMessage());
    assertTrue(e.getMessage().contains("no complete answer within the 2 s deadline for"
        + " documents (1 attempt)"), e.getMessage());
  }

  @Test
  void manifestBodySentAByteAtATime_failsAtTheDocumentDeadline() throws Exception {
    RegistryRef ref = scripted(head -> new ScriptedServer.Answer(
        "HTTP/1.1 200 OK\r\nContent-Length: 1900\r\n\r\n", " ".repeat(1900), true), "a/b:1");
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref, opts()));
    assertTrue(e.getMessage().contains("deadline for documents"), e.getMessage());
  }

  @Test
  void tokenSentAByteAtATime_failsAtTheDocumentDeadline() throws Exception {
    scripted = new ScriptedServer(head -> new ScriptedServer.Answer(
        "HTTP/1.1 200 OK\r\nContent-Length: 1900\r\n\r\n", "{\"token\":\"" + "t".repeat(1880),
        true));
    reg.requiredAuth = "Bearer never";
    reg.challenge = "Bearer realm=\"http://" + scripted.host() + "/token\",service=\"x\"";
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse(reg.host() + "/a/b:1"), opts()));
    assertTrue(e.getMessage().contains("cannot get a token from 127.0.0.1: no complete answer"
        + " within the 2 s deadline for documents"), e.getMessage());
  }

  // ---- 48: Content-Length longer than the body, the connection held open ----

  @Test
  void shortBodyHeldOpen_afterTwo503s_failsAtTheDeadlineNamingThreeAttempts() throws Exception {
    AtomicInteger n = new AtomicInteger();
    RegistryRef ref = scripted(head -> n.getAndIncrement() < 2
        ? ScriptedServer.Answer.of("HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")
        : new ScriptedServer.Answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{", "", true),
        "app:1");
    PlinthException e = assertThrows(PlinthException.class,
        () -> RegistrySource.read(ref, opts()));
    assertEquals("GET http://" + scripted.host() + "/v2/app/manifests/1 (" + scripted.host()
        + "/app:1): no complete answer within the 2 s deadline for documents (3 attempts)",
        e.getMessage());
  }

  @Test
  void blobBodyHeldOpen_failsAfterTheIdleTime_andIsNotResumed() throws Exception {
    ImageIndex idx = TestImages.single(50, 100_000);
    RegistrySink.push(idx, RegistryRef.parse(reg.host() + "/a/b:1"), opts());
    Digest layer = idx.images().get(0).layers().get(0).blob().descriptor().digest();
    AtomicInteger gets = new AtomicInteger();
    reg.hook = (ex, s) -> {
      if (s.method().equals("GET") && s.path().endsWith(layer.toString())) {
        gets.incrementAndGet();
        ex.sendResponseHeaders(200, 100_000);
        ex.getResponseBody().write(new byte[10]);
        ex.getResponseBody().flush();
        try {
          Thread.sleep(5000); // held open, well past the idle time
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
        throw new IOException("drop");
      }
      return false;
    };
    Image img = RegistrySource.read(RegistryRef.parse(reg.host() + "/a/b:1"), opts())
        .images().get(0);
    RegistryFailure e = assertThrows(RegistryFailure.class, () -> {
      try (InputStream in = img.layers().get(0).blob().open()) {
        in.readAllBytes();
      }
    });
    assertTrue(e.getMessage().contains("not resumed: no byte came for 500 ms"), e.getMessage());
    assertEquals(1, gets.get(), "a stalled blob is not asked for again");
  }

  // ---- 49: a redirect loop on loopback; a failed plain-HTTP probe ----

  @Test
  void pingRedirectingToItself_isARedirectLoop_notATlsFailure() throws Exception {
    reg.hook = (ex, s) -> {
      ex.getResponseHeaders().set("Location", "/v2/");
      ex.sendResponseHeaders(302, -1);
      return true;
    };
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse(reg.host() + "/a/b:1"), opts()));
    assertEquals(reg.host() + ": redirect loop: http://" + reg.host() + "/v2/ -> http://"
        + reg.host() + "/v2/", e.getMessage());
  }

  @Test
  void manifestRedirectingInACircle_isARedirectLoop() throws Exception {
    reg.hook = (ex, s) -> {
      if (s.path().endsWith("/manifests/1") || s.path().equals("/elsewhere")) {
        ex.getResponseHeaders().set("Location",
            s.path().equals("/elsewhere") ? "/v2/a/b/manifests/1" : "/elsewhere");
        ex.sendResponseHeaders(307, -1);
        return true;
      }
      return false;
    };
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse(reg.host() + "/a/b:1"), opts()));
    assertTrue(e.getMessage().endsWith("redirect loop: http://" + reg.host()
        + "/v2/a/b/manifests/1 -> http://" + reg.host() + "/elsewhere -> http://" + reg.host()
        + "/v2/a/b/manifests/1"), e.getMessage());
  }

  @Test
  void pingAnswered404OverPlainHttp_isReportedFirst_besidesTheHttpsFailure() throws Exception {
    reg.hook = (ex, s) -> {
      FakeRegistry.send(ex, 404, "not a registry");
      return true;
    };
    PlinthException e = assertThrows(PlinthException.class, () -> RegistrySource.read(
        RegistryRef.parse(reg.host() + "/a/b:1"), opts()));
    assertTrue(e.getMessage().startsWith(reg.host() + " answers GET /v2/ neither over plain HTTP"
        + " nor over HTTPS. Plain HTTP: GET http://" + reg.host() + "/v2/ gave HTTP 404. HTTPS: "),
        e.getMessage());
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
  }

  // ---- 51: a cross-repository mount refused with another status ----

  @Test
  void mountRefusedWithAnyOtherStatus_uploadsInstead() throws Exception {
    RegistrySink.push(TestImages.single(51, 100), RegistryRef.parse(reg.host() + "/src/app:1"),
        opts());
    ImageIndex remote = RegistrySource.read(RegistryRef.parse(reg.host() + "/src/app:1"), opts());
    int[] statuses = {401, 403, 404, 405, 500};
    for (int i = 0; i < statuses.length; i++) {
      int status = statuses[i];
      reg.hook = (ex, s) -> {
        if (s.method().equals("POST") && s.query() != null && s.query().contains("mount=")) {
          FakeRegistry.drain(ex);
          FakeRegistry.send(ex, status, "{\"errors\":[{\"code\":\"DENIED\"}]}");
          return true;
        }
        return false;
      };
      reg.log.clear();
      RegistrySink.push(remote, RegistryRef.parse(reg.host() + "/dst" + i + "/app:1"),
          opts());
      assertTrue(reg.count("POST", "/dst" + i + "/app/blobs/uploads/") >= 4, status + ": "
          + reg.lines());
      assertEquals(2, reg.count("PUT", "/dst" + i + "/app/blobs/uploads/"), status + ": "
          + reg.lines());
    }
  }
}
