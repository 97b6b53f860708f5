package dev.plinth.examples.hello;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Logging through the JDK's own java.util.logging (slf4j's binding is slf4j-jdk14): one line per
 * event on stderr, UTC, in the format below. The JDK's logging module is 80 KB of the runtime; a
 * binding with its own JMX support would need java.management (600 KB) as well.
 *
 * <pre>2026-11-25 22:19:01.306:INFO :dpeh.Main:main: listening on port 8080 ...</pre>
 *
 * <p>Levels come from {@code LOGLEVEL} ({@link #apply}) and from system properties
 * {@code <logger prefix>.LEVEL} (DEBUG, INFO, WARN, ERROR, OFF), which win, e.g.
 * {@code -Dorg.eclipse.jetty.LEVEL=DEBUG}. An exception is logged as its one-line summary
 * unless {@code <logger prefix>.STACKS=false} asks for its stack trace.
 */
final class LogSetup {
    static final String APP_LOGGERS = "dev.plinth.examples.hello";
    private static final String JETTY_LOGGERS = "org.eclipse.jetty";

    /** java.util.logging holds loggers weakly: a level set on one that is collected is lost. */
    private static final List<Logger> CONFIGURED = new ArrayList<>();

    private LogSetup() {
    }

    /**
     * info: the app at INFO, Jetty at WARN. debug: the app at DEBUG (a line per request),
     * Jetty at INFO. Calling it again replaces the previous setup.
     */
    static synchronized void apply(LogLevel level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler stderr = new StreamHandler(System.err, new OneLine()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();   // a line is visible when it is logged, not when a buffer fills
            }
        };
        stderr.setLevel(Level.ALL);
        root.addHandler(stderr);
        root.setLevel(Level.INFO);
        CONFIGURED.clear();
        CONFIGURED.add(root);
        set(APP_LOGGERS, level == LogLevel.DEBUG ? Level.FINE : Level.INFO);
        set(JETTY_LOGGERS, level == LogLevel.DEBUG ? Level.INFO : Level.WARNING);
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.endsWith(".LEVEL")) {
                Level l = parse(System.getProperty(name));
                if (l != null) {
                    set(name.substring(0, name.length() - ".LEVEL".length()), l);
                }
            }
        }
    }

    private static void set(String logger, Level level) {
        Logger l = Logger.getLogger(logger);
        l.setLevel(level);
        CONFIGURED.add(l);
    }

    /** A level name as Jetty and slf4j spell them; null if it is not one. */
    static Level parse(String name) {
        return switch (name.strip().toUpperCase(Locale.ROOT)) {
            case "ALL", "TRACE" -> Level.FINEST;
            case "DEBUG" -> Level.FINE;
            case "INFO" -> Level.INFO;
            case "WARN", "WARNING" -> Level.WARNING;
            case "ERROR" -> Level.SEVERE;
            case "OFF" -> Level.OFF;
            default -> null;
        };
    }

    /** {@code time:LEVEL:condensed.Logger:thread: message}, control characters escaped. */
    static final class OneLine extends Formatter {
        private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(128);
            b.append(TIME.format(Instant.ofEpochMilli(r.getMillis()))).append(':');
            b.append(levelName(r.getLevel())).append(':');
            b.append(condense(r.getLoggerName())).append(':');
            // Handlers run on the logging thread, so this is the thread that logged.
            escape(b, Thread.currentThread().getName());
            b.append(": ");
            escape(b, r.getMessage() == null ? "" : r.getMessage());
            Throwable t = r.getThrown();
            if (t != null) {
                b.append(": ");
                if (stacks(r.getLoggerName())) {
                    escape(b, t.toString());
                } else {
                    java.io.StringWriter w = new java.io.StringWriter();
                    t.printStackTrace(new java.io.PrintWriter(w));
                    b.append(w.toString().stripTrailing());
                }
            }
            return b.append(System.lineSeparator()).toString();
        }

        static String levelName(Level l) {
            int v = l.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            } else if (v >= Level.WARNING.intValue()) {
                return "WARN ";
            } else if (v >= Level.INFO.intValue()) {
                return "INFO ";
            }
            return "DEBUG";
        }

        /** {@code dev.plinth.examples.hello.Main} → {@code dpeh.Main}. */
        static String condense(String name) {
            if (name == null || name.isEmpty()) {
                return "root";
            }
            String[] parts = name.split("\\.");
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < parts.length - 1; i++) {
                if (!parts[i].isEmpty()) {
                    b.append(parts[i].charAt(0));
                }
            }
            if (b.length() > 0) {
                b.append('.');
            }
            return b.append(parts[parts.length - 1]).toString();
        }

        /** Whether a trace is hidden: {@code <prefix>.STACKS}, nearest prefix first; true if unset. */
        static boolean stacks(String logger) {
            String name = logger == null ? "" : logger;
            while (!name.isEmpty()) {
                String v = System.getProperty(name + ".STACKS");
                if (v != null) {
                    return !v.strip().equalsIgnoreCase("false");
                }
                int dot = name.lastIndexOf('.');
                name = dot < 0 ? "" : name.substring(0, dot);
            }
            return true;
        }

        static void escape(StringBuilder b, String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else if (Character.isISOControl(c)) {
                    b.append(String.format("\\u%04x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
    }
}
