package dev.plinth.examples.hello;

import java.net.BindException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: reads the environment, starts the server, waits for SIGTERM or SIGINT, stops
 * gracefully and exits 0. Every failure to start is one log line and a named
 * {@link ExitCode}; RUNBOOK.md lists them.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        ExitCode code;
        try {
            code = run(System.getenv());
        } catch (RuntimeException | Error e) {
            // Logging itself may be what failed (a runtime without java.logging): plain stderr.
            System.err.println("hello-api: cannot start: " + e + " (exit " + ExitCode.UNEXPECTED.code() + ")");
            code = ExitCode.UNEXPECTED;
        }
        System.exit(code.code());
    }

    /** Runs until a stop signal; returns the exit code. Never calls System.exit. */
    static ExitCode run(Map<String, String> env) {
        Config config;
        try {
            config = Config.fromEnv(env);
        } catch (ConfigException e) {
            LogSetup.apply(Config.DEFAULT_LOG_LEVEL);
            return fail(ExitCode.BAD_CONFIG, "invalid configuration: " + e.getMessage());
        }
        LogSetup.apply(config.logLevel());
        Logger log = LoggerFactory.getLogger(Main.class);

        // Installed before the server starts, so that a SIGTERM during startup is not lost.
        BlockingQueue<String> stopRequests = new ArrayBlockingQueue<>(1);
        List<String> handled = StopSignals.install(stopRequests::offer);
        if (handled.size() < 2) {
            log.warn("cannot handle all stop signals (JVM started with -Xrs?), handled: {};"
                + " the others keep their default action: exit 128+signal, not graceful under -Xrs", handled);
        }

        // Jetty pads some arrays to the CPU's cache line and, unless told the size, asks the
        // platform MBean server, which costs about 60 ms of startup. 16 references of 4 bytes
        // (compressed oops) fill the usual 64-byte line; the value only tunes padding.
        if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
            System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
        }

        HelloApi api;
        try {
            api = HelloApi.start(config);
        } catch (Exception | LinkageError e) {
            ExitCode code = ExitCode.forStartupFailure(e);
            if (code == ExitCode.CANNOT_LISTEN) {
                return fail(code, "cannot listen on port " + config.port() + ": " + bindProblem(e));
            }
            return fail(code, "cannot start: " + e);
        }
        // A stop that does not come through the handlers (SIGHUP, System.exit) is still graceful.
        Runtime.getRuntime().addShutdownHook(new Thread(api::stop, "shutdown-hook"));

        log.info("listening on port {} (HTTP/1.1 and h2c), LOGLEVEL={}, Java {}",
            api.port(), config.logLevel().name().toLowerCase(Locale.ROOT), Runtime.version());

        String signal = awaitStopRequest(stopRequests);
        log.info("{} received: stopping; in-flight requests have up to {} s", signal, HelloApi.GRACE_PERIOD.toSeconds());
        boolean clean = api.stop();
        log.info(clean ? "stopped" : "stopped, cutting off requests that outlived the grace period");
        return ExitCode.OK;
    }

    private static ExitCode fail(ExitCode code, String message) {
        LoggerFactory.getLogger(Main.class).error("{} (exit {})", message, code.code());
        return code;
    }

    private static String bindProblem(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BindException && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private static String awaitStopRequest(BlockingQueue<String> stopRequests) {
        while (true) {
            try {
                return stopRequests.take();
            } catch (InterruptedException e) {
                // nothing interrupts main on purpose; keep waiting for the signal
            }
        }
    }
}
