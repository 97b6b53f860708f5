package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.plinth.examples.hello.TestClient.Transport;

/**
 * The packaged jar as a real process, the way the image runs it: {@code java -jar
 * target/hello-api.jar} with the environment as its only input. Runs under failsafe, after
 * package. {@code -Dhello.java=/path/to/bin/java} runs it on another runtime (a jlinked one).
 */
class HelloApiProcessIT {
    private static final Path JAR = Path.of("target/hello-api.jar").toAbsolutePath();
    private static final String JAVA = System.getProperty("hello.java",
        Path.of(System.getProperty("java.home"), "bin", "java").toString());
    /** Every line is one log event (LogSetup): time, level, logger, thread, message. */
    private static final Pattern LOG_LINE = Pattern.compile(
        "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}:(ERROR|WARN |INFO |DEBUG):[^:]+:[^:]+: .*");
    private static final Pattern LISTENING = Pattern.compile(".*listening on port (\\d+) .*");

    @TempDir
    Path workDir;
    private App app;

    @AfterEach
    void tearDown() throws Exception {
        if (app != null) {
            app.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigterm_afterServing_exitsZero_logsOnlyToStdStreams() throws Exception {
        app = App.start(workDir, Map.of("PORT", "0"));
        int port = app.awaitPort();
        try (TestClient client = TestClient.of(Transport.H2C_PRIOR_KNOWLEDGE)) {
            assertEquals(200, client.send("GET", URI.create("http://127.0.0.1:" + port + "/")).status());
        }

        app.sigterm();
        assertTrue(app.process.waitFor(15, TimeUnit.SECONDS), "stopped within the grace period");

        assertEquals(0, app.process.exitValue(), app.output());
        List<String> lines = app.lines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("listening on port " + port)), app.output());
        assertTrue(lines.stream().anyMatch(l -> l.contains("SIGTERM received: stopping")), app.output());
        assertTrue(lines.get(lines.size() - 1).endsWith(": stopped"), app.output());
        lines.forEach(l -> assertTrue(LOG_LINE.matcher(l).matches(), "one event per line: " + l));
        try (Stream<Path> files = Files.list(workDir)) {
            assertEquals(List.of(), files.toList(), "no log or other files written");
        }
    }

    @Test
    void sigint_exitsZeroToo() throws Exception {
        app = App.start(workDir, Map.of("PORT", "0"));
        app.awaitPort();
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(app.process.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -INT");
        assertTrue(app.process.waitFor(15, TimeUnit.SECONDS));
        assertEquals(0, app.process.exitValue(), app.output());
        assertTrue(app.output().contains("SIGINT received"), app.output());
    }

    @Test
    void logLevelDebug_logsEachRequest() throws Exception {
        app = App.start(workDir, Map.of("PORT", "0", "LOGLEVEL", "debug"));
        int port = app.awaitPort();
        try (TestClient client = TestClient.of(Transport.HTTP_1_1)) {
            client.send("GET", URI.create("http://127.0.0.1:" + port + "/media/example.txt"));
            client.send("POST", URI.create("http://127.0.0.1:" + port + "/healthz"));
        }
        app.sigterm();
        assertTrue(app.process.waitFor(15, TimeUnit.SECONDS));
        assertEquals(0, app.process.exitValue());
        String out = app.output();
        assertTrue(out.contains(":DEBUG:dpeh.request:") && out.contains("GET /media/example.txt HTTP/1.1 200 13B"), out);
        assertTrue(out.contains("POST /healthz HTTP/1.1 405"), out);
    }

    @Test
    void logLevelInfo_noRequestLines() throws Exception {
        app = App.start(workDir, Map.of("PORT", "0", "LOGLEVEL", "info"));
        int port = app.awaitPort();
        try (TestClient client = TestClient.of(Transport.HTTP_1_1)) {
            assertEquals(200, client.send("GET", URI.create("http://127.0.0.1:" + port + "/healthz")).status());
        }
        app.sigterm();
        assertTrue(app.process.waitFor(15, TimeUnit.SECONDS));
        assertTrue(!app.output().contains("/healthz"), app.output());
    }

    @Test
    void badLogLevel_exits2_withOneLine() throws Exception {
        app = App.start(workDir, Map.of("LOGLEVEL", "verbose"));
        assertExitsWithOneLine(2, "invalid configuration: LOGLEVEL must be info or debug, got \"verbose\" (exit 2)");
    }

    @Test
    void badPort_exits2_withOneLine() throws Exception {
        app = App.start(workDir, Map.of("PORT", "http"));
        assertExitsWithOneLine(2, "invalid configuration: PORT must be a whole number from 0 to 65535, got \"http\" (exit 2)");
    }

    @Test
    void portInUse_exits3_withOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(0));
            int port = taken.getLocalPort();
            app = App.start(workDir, Map.of("PORT", Integer.toString(port)));
            assertExitsWithOneLine(3, "cannot listen on port " + port + ": Address already in use (exit 3)");
        }
    }

    private void assertExitsWithOneLine(int code, String message) throws Exception {
        assertTrue(app.process.waitFor(15, TimeUnit.SECONDS), "exits by itself");
        assertEquals(code, app.process.exitValue(), app.output());
        List<String> lines = app.lines();
        assertEquals(1, lines.size(), app.output());
        assertTrue(LOG_LINE.matcher(lines.get(0)).matches(), lines.get(0));
        assertTrue(lines.get(0).contains(":ERROR:dpeh.Main:main: " + message), lines.get(0));
    }

    /** The running jar, with its stdout and stderr read line by line as they come. */
    private static final class App {
        final Process process;
        final List<String> stdout = Collections.synchronizedList(new ArrayList<>());
        final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
        private final List<Thread> readers = new ArrayList<>();

        private App(Process process) {
            this.process = process;
            readers.add(read(process.getInputStream(), stdout));
            readers.add(read(process.getErrorStream(), stderr));
        }

        static App start(Path workDir, Map<String, String> env) throws IOException {
            assertTrue(Files.isRegularFile(JAR), JAR + " missing: run mvn package first");
            ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toString()).directory(workDir.toFile());
            builder.environment().remove("PORT");
            builder.environment().remove("LOGLEVEL");
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            builder.environment().putAll(env);
            return new App(builder.start());
        }

        /**
         * SIGTERM, as a container runtime sends it. Process.destroy() sends SIGTERM too, but it
         * also closes our ends of the child's stdout and stderr, losing the lines it logs while
         * stopping; ProcessHandle.destroy() only sends the signal.
         */
        void sigterm() {
            assertTrue(process.toHandle().destroy(), "SIGTERM sent");
        }

        int awaitPort() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (String line : snapshot()) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.matches()) {
                        return Integer.parseInt(m.group(1));
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError("exited with " + process.exitValue() + ": " + output());
                }
                Thread.sleep(10);
            }
            throw new AssertionError("never listened: " + output());
        }

        /** All lines, stdout's then stderr's, once the process has exited and both streams ended. */
        List<String> lines() throws InterruptedException {
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
            return snapshot();
        }

        String output() {
            return String.join("\n", snapshot());
        }

        private List<String> snapshot() {
            List<String> all = new ArrayList<>();
            synchronized (stdout) {
                all.addAll(stdout);
            }
            synchronized (stderr) {
                all.addAll(stderr);
            }
            return all;
        }

        private static Thread read(InputStream in, List<String> into) {
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        into.add(line);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "app-output");
            reader.setDaemon(true);
            reader.start();
            return reader;
        }
    }
}
