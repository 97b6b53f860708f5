package dev.plinth.examples.hello;

import java.util.Locale;
import java.util.Optional;

/** The two values of {@code LOGLEVEL}. */
public enum LogLevel {
    /** Startup, shutdown, warnings and errors. */
    INFO,
    /** Also one line per request, and Jetty's own INFO lines. */
    DEBUG;

    /** Parses {@code info} or {@code debug}, in any case. */
    public static Optional<LogLevel> parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "info" -> Optional.of(INFO);
            case "debug" -> Optional.of(DEBUG);
            default -> Optional.empty();
        };
    }
}
