package dev.plinth.examples.hello;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.NanoTime;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running server: one connector on all interfaces that speaks HTTP/1.1 and HTTP/2
 * cleartext (h2c, by prior knowledge or by {@code Upgrade: h2c}).
 *
 * <p>{@link #stop()} is graceful: the listening socket closes at once, requests already being
 * handled may finish within the grace period (new requests on open connections get 503), then
 * every connection is closed.
 */
public final class HelloApi implements AutoCloseable {
    /** How long a stop waits for in-flight requests. */
    public static final Duration GRACE_PERIOD = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(HelloApi.class);
    private static final Logger REQUESTS = LoggerFactory.getLogger("dev.plinth.examples.hello.request");

    private final Server server;
    private final ServerConnector connector;
    private final GracefulHandler graceful;

    private HelloApi(Server server, ServerConnector connector, GracefulHandler graceful) {
        this.server = server;
        this.connector = connector;
        this.graceful = graceful;
    }

    /** Starts the app's routes on {@code config.port()}. */
    public static HelloApi start(Config config) throws IOException {
        return start(config, Routes.standard(), GRACE_PERIOD);
    }

    /**
     * Starts {@code routes} on {@code config.port()}, with a stop that waits up to
     * {@code gracePeriod} for in-flight requests.
     *
     * @throws java.net.BindException the port cannot be listened on
     * @throws IOException any other failure to start
     */
    public static HelloApi start(Config config, Handler routes, Duration gracePeriod) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("http");
        Server server = new Server(threads);
        server.setStopTimeout(gracePeriod.toMillis());
        server.setStopAtShutdown(false); // Main decides when to stop

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server,
            new HttpConnectionFactory(http), new HTTP2CServerConnectionFactory(http));
        connector.setPort(config.port()); // no host: the wildcard address, all interfaces
        server.addConnector(connector);

        GracefulHandler graceful = new GracefulHandler(routes);
        server.setHandler(graceful);
        server.setErrorHandler(Routes.errorHandler());
        if (config.logLevel() == LogLevel.DEBUG) {
            server.setRequestLog(HelloApi::logRequest);
        }

        connector.open(); // bind here, so that a bind failure is an IOException of its own
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server, e);
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
        } catch (Error e) {
            stopQuietly(server, e);
            throw e;
        }
        return new HelloApi(server, connector, graceful);
    }

    /** The port listened on: the configured one, or the one picked for port 0. */
    public int port() {
        return connector.getLocalPort();
    }

    /**
     * Stops gracefully; waits at most the grace period for in-flight requests. Safe to call
     * more than once and from several threads.
     *
     * @return true if every in-flight request finished, false if some were cut off
     */
    public synchronized boolean stop() {
        if (server.isStopped()) {
            return true;
        }
        long inFlight = graceful.getCurrentRequestCount();
        if (inFlight > 0) {
            LOG.info("waiting up to {} ms for {} in-flight request(s)", server.getStopTimeout(), inFlight);
        }
        try {
            server.stop();
            return true;
        } catch (Exception e) {
            if (hasCause(e, TimeoutException.class)) {
                LOG.warn("grace period of {} ms ran out; requests still in flight were cut off", server.getStopTimeout());
            } else {
                LOG.warn("error while stopping: {}", e.toString());
            }
            return false;
        }
    }

    @Override
    public void close() {
        stop();
    }

    private static void logRequest(Request request, Response response) {
        REQUESTS.debug("{} {} {} {} {}B {}ms {}",
            request.getMethod(),
            request.getHttpURI().getPath(),
            request.getConnectionMetaData().getProtocol(),
            response.getStatus(),
            Response.getContentBytesWritten(response),
            NanoTime.millisSince(request.getBeginNanoTime()),
            Request.getRemoteAddr(request));
    }

    private static void stopQuietly(Server server, Throwable cause) {
        try {
            server.stop();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
