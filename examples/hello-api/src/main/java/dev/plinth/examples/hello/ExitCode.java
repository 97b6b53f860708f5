package dev.plinth.examples.hello;

import java.net.BindException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * The app's exit codes; RUNBOOK.md says what each one means and what to do about it.
 * Codes from 128 up are the JVM's or the kernel's (128 + signal), never the app's.
 */
public enum ExitCode {
    /** Stopped on SIGTERM or SIGINT, after in-flight requests finished or the grace period ran out. */
    OK(0),
    /** A failure the app has no name for: a bug, or a broken installation. */
    UNEXPECTED(1),
    /** {@code PORT} or {@code LOGLEVEL} holds an invalid value. */
    BAD_CONFIG(2),
    /** The port cannot be listened on: in use, privileged, or the address is not available. */
    CANNOT_LISTEN(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The exit code for a failure to start, looked for along the whole cause chain. */
    public static ExitCode forStartupFailure(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof ConfigException) {
                return BAD_CONFIG;
            }
            if (t instanceof BindException) {
                return CANNOT_LISTEN;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                ExitCode code = forStartupFailure(suppressed);
                if (code != UNEXPECTED) {
                    return code;
                }
            }
        }
        return UNEXPECTED;
    }
}
