package dev.plinth.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.plinth.http.TestRequest;
import dev.plinth.oci.PlinthException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Against a fake daemon on a unix socket in a temp directory that answers from a script, byte for
 * byte: well-formed answers go through, and hostile ones fail as a PlinthException with a message
 * (exit 5, the connection failed), never as a runtime exception such as NumberFormatException.
 */
class FakeDaemonTest {
  @TempDir Path tmp;
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  ServerSocketChannel server;
  Thread thread;

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
      thread.join(5000);
    }
  }

  /** A daemon that answers each request (its head) with what the script says, then hangs up. */
  Path daemon(Function<String, String> script) throws IOException {
    return daemon(script, false);
  }

  /**
   * As {@link #daemon(Function)}; with {@code trickle}, the answer goes a byte every 50 ms (until
   * the client hangs up or the test is over).
   */
  Path daemon(Function<String, String> script, boolean trickle) throws IOException {
    Path socket = tmp.resolve("docker.sock");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    thread = new Thread(() -> {
      while (server.isOpen()) {
        try (SocketChannel ch = server.accept()) {
          InputStream in = Channels.newInputStream(ch);
          TestRequest req = TestRequest.read(in);
          if (req == null) {
            continue; // the client hung up before a whole request
          }
          String head = req.head();
          requests.add(head);
          OutputStream out = Channels.newOutputStream(ch);
          byte[] answer = script.apply(head).getBytes(StandardCharsets.ISO_8859_1);
          if (!trickle) {
            out.write(answer);
          }
          for (int i = 0; trickle && i < answer.length && server.isOpen(); i++) {
            out.write(answer[i]);
            out.flush();
            Thread.sleep(50);
          }
          out.flush();
        } catch (IOException e) {
          // the test is over, or the client hung up
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }, "fake-daemon");
    thread.setDaemon(true);
    thread.start();
    return socket;
  }

  private static void noRuntimeException(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      assertFalse(c instanceof RuntimeException, "a runtime exception in the chain: " + c);
    }
  }

  @Test
  void aMalformedContentLength_failsCleanly_notWithNumberFormatException() throws Exception {
    Path socket = daemon(head -> "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Content-Length: 12x\r\n\r\n{\"Arch\":\"x\"}");
    PlinthException e = assertThrows(PlinthException.class,
        () -> DockerDaemon.at(socket).architecture());
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().contains("unix://" + socket)
        && e.getMessage().contains("a malformed Content-Length"), e.getMessage());
    assertTrue(e.getCause() instanceof IOException, String.valueOf(e.getCause()));
    noRuntimeException(e);
  }

  @Test
  void hostileAnswers_failCleanly() throws Exception {
    String[] answers = {
        "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}",
        "HTTP/1.1 200 OK\r\n" + "X: y\r\n".repeat(300) + "\r\n{}",
        "garbage\r\n\r\n",
        "",
    };
    for (String a : answers) {
      Path socket = daemon(head -> a);
      PlinthException e = assertThrows(PlinthException.class,
          () -> DockerDaemon.at(socket).architecture(), a.substring(0, Math.min(40, a.length())));
      assertEquals(PlinthException.Kind.OUTPUT, e.kind(), e.getMessage());
      noRuntimeException(e);
      stop();
      Files.delete(socket);
    }
  }

  @Test
  void aChunkedAnswer_toALoad_isRead() throws Exception {
    String json = "{\"stream\":\"Loaded image: plinth/fake:1\\n\"}\n";
    Path socket = daemon(head -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n");
    Path archive = Files.write(tmp.resolve("image.tar"), new byte[10_000]);
    assertEquals("Loaded image: plinth/fake:1", DockerDaemon.at(socket).load(archive));
    String head = requests.get(0);
    assertTrue(head.startsWith("POST /v1.41/images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\n"),
        head);
    assertTrue(head.contains("\r\nContent-Length: 10000\r\n")
        && head.contains("\r\nContent-Type: application/x-tar\r\n")
        && head.contains("\r\nConnection: close\r\n"), head);
  }

  /** The daemon with deadlines of 1 s: small exchanges, and a load's or save's head. */
  static DockerDaemon quick(Path socket) {
    return new DockerDaemon(socket, "unix://" + socket, Duration.ofSeconds(1),
        Duration.ofSeconds(1));
  }

  /** An answer's head that takes 20 s at a byte every 50 ms: each byte within any timeout. */
  static final String SLOW_HEAD = "HTTP/1.1 200 OK\r\nX-Slow: " + "a".repeat(400) + "\r\n\r\n";

  @Test
  void aVersionSentAByteAtATime_failsAtItsDeadline() throws Exception {
    Path socket = daemon(head -> SLOW_HEAD + "{}", true);
    PlinthException e = assertThrows(PlinthException.class, () -> quick(socket).architecture());
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().endsWith("failed: no complete answer within the 1 s deadline for"
        + " the daemon's small answers"), e.getMessage());
  }

  @Test
  void aLoadAnsweredAByteAtATime_failsAtTheHeadDeadline() throws Exception {
    Path socket = daemon(head -> SLOW_HEAD, true);
    Path archive = Files.write(tmp.resolve("image.tar"), new byte[10_000]);
    PlinthException e = assertThrows(PlinthException.class, () -> quick(socket).load(archive));
    assertEquals(PlinthException.Kind.OUTPUT, e.kind());
    assertTrue(e.getMessage().endsWith("failed: no complete answer within the 1 s deadline for"
        + " an answer's head"), e.getMessage());
  }

  @Test
  void aSocketNobodyListensOn_isNotFound() throws Exception {
    Path stale = Files.createFile(tmp.resolve("stale.sock"));
    PlinthException e = assertThrows(PlinthException.class,
        () -> DockerDaemon.at(stale).architecture());
    assertEquals(PlinthException.Kind.NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith("no Docker daemon answers at unix://" + stale),
        e.getMessage());
  }
}
