package dev.plinth.examples.hello;

/**
 * Sets log levels for the slf4j binding (jetty-slf4j-impl), which reads them from system
 * properties when the first logger is made: call {@link #apply} before anything logs.
 * Everything else (UTC times, one line per event) is in {@code jetty-logging.properties}.
 */
final class LogSetup {
    static final String APP_LOGGERS = "dev.plinth.examples.hello";

    private LogSetup() {
    }

    /**
     * info: the app at INFO, Jetty at WARN. debug: the app at DEBUG (a line per request),
     * Jetty at INFO. A Jetty level given with {@code -Dorg.eclipse.jetty.LEVEL} is kept.
     */
    static void apply(LogLevel level) {
        System.setProperty(APP_LOGGERS + ".LEVEL", level == LogLevel.DEBUG ? "DEBUG" : "INFO");
        if (System.getProperty("org.eclipse.jetty.LEVEL") == null) {
            System.setProperty("org.eclipse.jetty.LEVEL", level == LogLevel.DEBUG ? "INFO" : "WARN");
        }
    }
}
