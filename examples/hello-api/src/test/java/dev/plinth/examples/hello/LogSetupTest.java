package dev.plinth.examples.hello;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogSetupTest {
    private static LogRecord record(Level level, String logger, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        r.setInstant(java.time.Instant.parse("2026-11-25T22:19:01.306Z"));
        return r;
    }

    @Test
    void oneLine_hasUtcTimeLevelCondensedLoggerThreadAndMessage() {
        String line = new LogSetup.OneLine().format(
            record(Level.INFO, "dev.plinth.examples.hello.Main", "listening on port 8080"));
        assertEquals("2026-11-25 22:19:01.306:INFO :dpeh.Main:" + Thread.currentThread().getName()
            + ": listening on port 8080" + System.lineSeparator(), line);
    }

    @Test
    void oneLine_escapesControlCharacters_soOneEventIsOneLine() {
        String line = new LogSetup.OneLine().format(
            record(Level.FINE, "dev.plinth.examples.hello.request", "GET /a\nINFO forged\r\u0007"));
        assertTrue(line.contains(":DEBUG:dpeh.request:"), line);
        assertTrue(line.endsWith("GET /a\\nINFO forged\\r\\u0007" + System.lineSeparator()), line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void oneLine_exception_isItsSummary_unlessStacksFalse() {
        LogRecord r = record(Level.WARNING, "org.eclipse.jetty.server.Server", "failed");
        r.setThrown(new IllegalStateException("boom"));
        String line = new LogSetup.OneLine().format(r);
        assertTrue(line.contains(":WARN :oejs.Server:"), line);
        assertTrue(line.endsWith("failed: java.lang.IllegalStateException: boom" + System.lineSeparator()), line);
        System.setProperty("org.eclipse.jetty.STACKS", "false");
        try {
            String traced = new LogSetup.OneLine().format(r);
            assertTrue(traced.lines().count() > 1, traced);
            assertTrue(traced.contains("\tat "), traced);
        } finally {
            System.clearProperty("org.eclipse.jetty.STACKS");
        }
    }

    @Test
    void levels_spelledAsJettyAndSlf4j() {
        assertEquals(Level.FINE, LogSetup.parse("debug"));
        assertEquals(Level.WARNING, LogSetup.parse("WARN"));
        assertEquals(Level.SEVERE, LogSetup.parse("ERROR"));
        assertEquals(Level.OFF, LogSetup.parse("off"));
        assertNull(LogSetup.parse("loud"));
        assertEquals("ERROR", LogSetup.OneLine.levelName(Level.SEVERE));
        assertFalse(LogSetup.OneLine.levelName(Level.FINEST).isBlank());
    }
}
