package dev.plinth.examples.hello;

/** The environment holds a value the app cannot run with; the message says which and why. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
