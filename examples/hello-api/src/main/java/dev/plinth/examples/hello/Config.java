package dev.plinth.examples.hello;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the app reads from its environment. An unset or empty variable takes its default;
 * anything else must be valid, or the app does not start.
 *
 * @param port TCP port to listen on, all interfaces; 0 picks a free port (tests)
 * @param logLevel how much to log
 */
public record Config(int port, LogLevel logLevel) {
    public static final int DEFAULT_PORT = 8080;
    public static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.INFO;

    public Config {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Reads {@code PORT} and {@code LOGLEVEL}; every invalid value is named in one message. */
    public static Config fromEnv(Map<String, String> env) throws ConfigException {
        List<String> problems = new ArrayList<>();
        int port = DEFAULT_PORT;
        String portValue = env.get("PORT");
        if (portValue != null && !portValue.isEmpty()) {
            Optional<Integer> parsed = parsePort(portValue);
            if (parsed.isPresent()) {
                port = parsed.get();
            } else {
                problems.add("PORT must be a whole number from 0 to 65535, got \"" + portValue + "\"");
            }
        }
        LogLevel logLevel = DEFAULT_LOG_LEVEL;
        String levelValue = env.get("LOGLEVEL");
        if (levelValue != null && !levelValue.isEmpty()) {
            Optional<LogLevel> parsed = LogLevel.parse(levelValue);
            if (parsed.isPresent()) {
                logLevel = parsed.get();
            } else {
                problems.add("LOGLEVEL must be info or debug, got \"" + levelValue + "\"");
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(String.join("; ", problems));
        }
        return new Config(port, logLevel);
    }

    private static Optional<Integer> parsePort(String value) {
        if (value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty(); // also rejects signs, spaces and "0x" forms Integer.parseInt would take
        }
        int port = Integer.parseInt(value);
        return port <= 65535 ? Optional.of(port) : Optional.empty();
    }
}
