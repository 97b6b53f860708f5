package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.plinth.examples.hello.TestClient.Reply;
import dev.plinth.examples.hello.TestClient.Transport;

/**
 * A stop while a request is being handled: the request finishes, the listening socket is
 * closed at once, and the stop waits no longer than the grace period.
 */
class GracefulStopTest {
    /** In front of the real routes: GET /slow waits until the test lets it answer. */
    private static final class SlowRoute extends Handler.Wrapper {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        SlowRoute(Handler next) {
            super(next);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            if (!Request.getPathInContext(request).equals("/slow")) {
                return super.handle(request, response, callback);
            }
            entered.countDown();
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            Content.Sink.write(response, true, "slow done", callback);
            return true;
        }
    }

    private final SlowRoute slow = new SlowRoute(Routes.standard());
    private HelloApi api;
    private TestClient client;

    @AfterEach
    void tearDown() {
        slow.release.countDown();
        if (api != null) {
            api.stop();
        }
        if (client != null) {
            client.close();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + api.port() + path);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void stop_inFlightRequest_completes(Transport transport) throws Exception {
        // The JDK's client before 24 fails in-flight streams on any GOAWAY, even the graceful
        // one a stopping server sends (JDK-8335181); Jetty's client covers HTTP/2 there.
        Assumptions.assumeTrue(transport != Transport.H2C_UPGRADE || Runtime.version().feature() >= 24,
            "JDK-8335181: java.net.http.HttpClient before JDK 24 aborts streams on GOAWAY");
        api = HelloApi.start(new Config(0, LogLevel.INFO), slow, Duration.ofSeconds(10));
        client = TestClient.of(transport);
        assertEquals(transport.protocol, client.send("GET", uri("/")).protocol()); // the connection is up, h2 if asked
        CompletableFuture<Reply> inFlight = client.sendAsync("GET", uri("/slow"));
        assertTrue(slow.entered.await(10, TimeUnit.SECONDS), "request reached the handler");

        CompletableFuture<Boolean> stop = CompletableFuture.supplyAsync(api::stop);
        awaitRefused(api.port());
        assertFalse(stop.isDone(), "stop waits for the in-flight request");
        assertFalse(inFlight.isDone());

        slow.release.countDown();
        Reply reply = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, reply.status());
        assertEquals("slow done", reply.body());
        assertEquals(transport.protocol, reply.protocol());
        assertTrue(stop.get(10, TimeUnit.SECONDS), "stopped with every request finished");
    }

    @Test
    void stop_requestOutlivesGracePeriod_cutOffAndStopReturnsInTime() throws Exception {
        Duration grace = Duration.ofMillis(500);
        api = HelloApi.start(new Config(0, LogLevel.INFO), slow, grace);
        client = TestClient.of(Transport.HTTP_1_1);
        CompletableFuture<Reply> inFlight = client.sendAsync("GET", uri("/slow"));
        assertTrue(slow.entered.await(10, TimeUnit.SECONDS));

        long start = System.nanoTime();
        boolean clean = api.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertFalse(clean, "a request was cut off");
        assertTrue(took.compareTo(grace) >= 0, "waited the grace period: " + took);
        assertTrue(took.compareTo(grace.plusSeconds(5)) < 0, "and not much longer: " + took);
        ExecutionException e = assertThrows(ExecutionException.class, () -> inFlight.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
    }

    @Test
    void stop_idle_returnsAtOnce_andTwiceIsHarmless() throws Exception {
        api = HelloApi.start(new Config(0, LogLevel.INFO), slow, Duration.ofSeconds(10));
        int port = api.port();
        client = TestClient.of(Transport.HTTP_1_1);
        assertEquals(200, client.send("GET", uri("/healthz")).status()); // leaves an idle keep-alive connection
        long start = System.nanoTime();
        assertTrue(api.stop());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0);
        assertTrue(api.stop());
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }

    /** Waits until a new connection to the port is refused: the server stopped accepting. */
    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try {
                new Socket("127.0.0.1", port).close();
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("port " + port + " still accepts connections during the stop");
    }
}
